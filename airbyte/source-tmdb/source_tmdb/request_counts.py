"""HTTP requests per stream, reported to whoever runs the connector as LOG lines.

The Airbyte protocol has no request counter; the extract runner shows one per stream from lines
`http_requests stream=<name> count=<n>` (and, for its metrics, `http_responses stream=<name>
status_class=<2xx|429|5xx|…> count=<n>` and `http_retries stream=<name> count=<n>`). Every HTTP client of the source gets a response hook that
counts into the stream being read right now (streams are read one after another).
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from airbyte_cdk.sources.streams.http import HttpClient


class RequestCounter:
    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()
        self.classes: Counter[tuple[str, str]] = Counter()
        self.retries: Counter[str] = Counter()
        self.current = "source"
        self._reported: dict[str, int] = {}
        self._reported_other: dict[str, int] = {}

    def attach(self, client: HttpClient) -> None:
        session = getattr(client, "_session", None)
        if session is not None:
            session.hooks.setdefault("response", []).append(self._count)

    def _count(self, response: Any, *args: Any, **kwargs: Any) -> Any:
        self.counts[self.current] += 1
        status = int(getattr(response, "status_code", 0) or 0)
        self.classes[(self.current, "429" if status == 429 else f"{status // 100}xx")] += 1
        return response

    def retried(self) -> None:
        self.retries[self.current] += 1

    def unreported(self) -> list[str]:
        """Log lines for the streams whose count moved since the last report."""
        lines = []
        for stream, count in sorted(self.counts.items()):
            if self._reported.get(stream) != count:
                self._reported[stream] = count
                lines.append(f"http_requests stream={stream} count={count}")
        others = [(f"http_responses stream={s} status_class={c}", n) for (s, c), n in self.classes.items()]
        others += [(f"http_retries stream={s}", n) for s, n in self.retries.items()]
        for key, count in sorted(others):
            if self._reported_other.get(key) != count:
                self._reported_other[key] = count
                lines.append(f"{key} count={count}")
        return lines


COUNTER = RequestCounter()
