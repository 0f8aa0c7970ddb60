"""Change feeds: GET /movie/changes and /person/changes, walked in windows of at most 14 days.

`ChangesStream` is both the public `movie_changes` stream (incremental on `window_end`) and the
helper the per-movie and people streams use to learn which ids changed since their cursor. The source
gives both roles the same instance, and each window's answer is kept for the sync, so a window is
requested once per sync however many streams need it.

A record is one id in one window, so its primary key is `[id, window_start]`: a movie changed in three
windows of one sync is three records, and an Append + Deduped destination keeps all three (the history)
instead of collapsing them. Within a window an id is emitted once even if TMDB's pages repeat it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, MutableMapping
from datetime import UTC, date, datetime, timedelta
from typing import Any

import requests
from airbyte_cdk.models import SyncMode
from airbyte_cdk.sources.streams import CheckpointMixin
from airbyte_cdk.sources.streams.call_rate import APIBudget

from source_tmdb.config import TmdbConfig
from source_tmdb.http import json_body
from source_tmdb.streams.base import TmdbStream

# TMDB refuses windows longer than 14 days (both ends inclusive).
WINDOW_DAYS = 14


def windows(start: date, end: date) -> Iterator[tuple[date, date]]:
    """Consecutive inclusive [start, end] windows of at most WINDOW_DAYS days covering start..end."""
    while start <= end:
        stop = min(start + timedelta(days=WINDOW_DAYS - 1), end)
        yield start, stop
        start = stop + timedelta(days=1)


def today_utc() -> date:
    return datetime.now(UTC).date()


class ChangesStream(TmdbStream, CheckpointMixin):
    """Ids changed in each window, one record per id and window: `{id, adult, window_start, window_end}`."""

    cursor_field = "window_end"

    def __init__(self, config: TmdbConfig, budget: APIBudget, kind: str = "movie") -> None:
        self._kind = kind
        self._state: MutableMapping[str, Any] = {}
        # (window_start, window_end) -> the window's records, fetched once per sync.
        self._windows: dict[tuple[str, str], list[Mapping[str, Any]]] = {}
        super().__init__(config, budget)

    @property
    def name(self) -> str:
        return f"{self._kind}_changes"

    @property
    def primary_key(self) -> list[str]:
        return ["id", "window_start"]

    @property
    def state(self) -> MutableMapping[str, Any]:
        return self._state

    @state.setter
    def state(self, value: MutableMapping[str, Any]) -> None:
        self._state = dict(value or {})

    def path(self, **kwargs: Any) -> str:
        return f"{self._kind}/changes"

    def request_params(
        self,
        stream_state: Mapping[str, Any] | None,
        stream_slice: Mapping[str, Any] | None = None,
        next_page_token: Mapping[str, Any] | None = None,
    ) -> MutableMapping[str, Any]:
        window = stream_slice or {}
        return {
            "start_date": window["window_start"],
            "end_date": window["window_end"],
            "page": (next_page_token or {}).get("page", 1),
        }

    def stream_slices(
        self,
        *,
        sync_mode: SyncMode,
        cursor_field: list[str] | None = None,
        stream_state: Mapping[str, Any] | None = None,
    ) -> Iterable[Mapping[str, Any] | None]:
        saved = self._state.get(self.cursor_field) if sync_mode == SyncMode.incremental else None
        start = date.fromisoformat(saved) if saved else self._config.changes_start()
        for first, last in windows(start, today_utc()):
            yield {"window_start": first.isoformat(), "window_end": last.isoformat()}

    def parse_response(
        self,
        response: requests.Response,
        *,
        stream_state: Mapping[str, Any],
        stream_slice: Mapping[str, Any] | None = None,
        next_page_token: Mapping[str, Any] | None = None,
    ) -> Iterable[Mapping[str, Any]]:
        window = stream_slice or {}
        for change in json_body(response).get("results", []):
            yield {**change, "window_start": window["window_start"], "window_end": window["window_end"]}

    def read_records(
        self,
        sync_mode: SyncMode,
        cursor_field: list[str] | None = None,
        stream_slice: Mapping[str, Any] | None = None,
        stream_state: Mapping[str, Any] | None = None,
    ) -> Iterable[Mapping[str, Any]]:
        window = stream_slice or {}
        yield from self._window(window["window_start"], window["window_end"])
        # The window is complete: the next sync starts on its last day (which may not be over yet).
        self._state = {self.cursor_field: window["window_end"]}

    def changed_ids(self, since: date) -> set[int]:
        """Every id the feed reports from `since` to today, for the streams that re-fetch changes."""
        ids: set[int] = set()
        for first, last in windows(since, today_utc()):
            ids.update(int(change["id"]) for change in self._window(first.isoformat(), last.isoformat()))
        return ids

    def _window(self, start: str, end: str) -> list[Mapping[str, Any]]:
        """One window's changes, one record per id, requested on first use and kept for the sync."""
        key = (start, end)
        if key not in self._windows:
            window = {"window_start": start, "window_end": end}
            by_id: dict[int, Mapping[str, Any]] = {}
            for change in super().read_records(SyncMode.full_refresh, stream_slice=window, stream_state={}):
                by_id.setdefault(int(change["id"]), change)
            self._windows[key] = list(by_id.values())
        return self._windows[key]
