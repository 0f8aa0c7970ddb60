"""The source's state, saved atomically in a file under `.local/` once Kafka holds every record before it.

Why a file rather than a compacted Kafka topic: the save must happen strictly after the producer's
flush, and a file written to a temp name, fsynced and renamed is all-or-nothing with no second
network round trip that could fail on its own; it is also readable with `cat` when debugging a
sync. In deploy/ the file sits on the runner's small persistent volume.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any


class StateStore:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._per_stream: dict[str, dict[str, Any]] = {}
        self._global: dict[str, Any] | None = None

    def load(self) -> list[dict[str, Any]]:
        """The saved state messages, in the form `source-tmdb read --state` takes."""
        if not self.path.exists():
            return []
        try:
            saved = json.loads(self.path.read_text())
        except (OSError, ValueError) as exc:
            raise ValueError(
                f"saved state {self.path} is unreadable ({exc}); delete it to start over"
            ) from exc
        for state in saved:
            self._remember(state)
        return saved

    def _remember(self, state: dict[str, Any]) -> None:
        if state.get("type") == "STREAM":
            name = state["stream"]["stream_descriptor"]["name"]
            self._per_stream[name] = state
        else:  # GLOBAL or LEGACY: one state for the whole source
            self._global = state

    def update(self, state: dict[str, Any]) -> None:
        self._remember(state)

    def snapshot(self) -> list[dict[str, Any]]:
        states = [self._per_stream[name] for name in sorted(self._per_stream)]
        return states + ([self._global] if self._global else [])

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        partial = self.path.with_suffix(".partial")
        with partial.open("w") as out:
            json.dump(self.snapshot(), out, indent=1, sort_keys=True)
            out.flush()
            os.fsync(out.fileno())
        os.replace(partial, self.path)
