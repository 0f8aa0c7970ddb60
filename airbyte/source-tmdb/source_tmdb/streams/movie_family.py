"""The per-movie streams fed by the shared appended request: `movie_details`, `credits`, `reviews`.

Each is a child of the seed lists (its movie ids come from the plan) and keeps its own state (see
state.py). Slices are chunks of movie ids in ascending order; the CDK emits the stream's state at the
end of every slice, so an interrupted sync loses at most one chunk.
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Iterable, Iterator, Mapping, MutableMapping
from datetime import UTC, datetime
from typing import Any

from airbyte_cdk.models import SyncMode
from airbyte_cdk.sources.streams import CheckpointMixin, Stream

from source_tmdb.state import FamilyState
from source_tmdb.streams.plan import SyncPlan, movie_work

CHUNK = 20
# Each checkpoint packs the stream's whole id set (state.py), so a fixed chunk makes a sync's
# checkpoint cost grow with the square of its work list (at 100k movies, 5,000 chunks each packing
# up to 100k ids). Chunks grow instead so that a phase has at most this many checkpoints.
MAX_CHECKPOINTS = 200


def chunk_size_for(work: int, smallest: int) -> int:
    """The chunk for a work list of `work` ids: `smallest`, or larger to stay within MAX_CHECKPOINTS."""
    return max(smallest, -(-work // MAX_CHECKPOINTS))


def chunks(ids: list[int], size: int) -> Iterator[tuple[list[int], bool]]:
    """Consecutive chunks, each flagged with whether it is the last; one empty chunk when ids is empty."""
    if not ids:
        yield [], True
        return
    for start in range(0, len(ids), size):
        yield ids[start : start + size], start + size >= len(ids)


class MovieFamilyStream(Stream, CheckpointMixin):
    """Base of the streams that read the crawled movies through the plan and the hub (people too)."""

    cursor_field = "synced_at"
    chunk_size = CHUNK
    with_people_state = False

    def __init__(self, plan: SyncPlan) -> None:
        self._plan = plan
        self._state = FamilyState()
        self._snapshot: MutableMapping[str, Any] = {}
        plan.register(self)

    # The CDK reads `state` after every record; it returns a snapshot rebuilt at slice ends, which is
    # also the only place a checkpoint is taken, so id sets are packed once per chunk, not per record.
    @property
    def state(self) -> MutableMapping[str, Any]:
        return self._snapshot

    @state.setter
    def state(self, value: MutableMapping[str, Any]) -> None:
        self._state = FamilyState.from_mapping(value)
        self._refresh_snapshot()

    def _refresh_snapshot(self) -> None:
        self._snapshot = self._state.to_mapping(with_people=self.with_people_state)

    @property
    def synced_at(self) -> str:
        return self._plan.started_at.isoformat()

    def planned_movie_ids(self, sync_mode: SyncMode, state: FamilyState) -> list[int]:
        full_refresh = sync_mode == SyncMode.full_refresh
        changed = None if full_refresh else self._plan.changed("movie", state.cursor)
        return movie_work(self._plan.seeds(), state, changed, full_refresh=full_refresh)

    def stream_slices(
        self,
        *,
        sync_mode: SyncMode,
        cursor_field: list[str] | None = None,
        stream_state: Mapping[str, Any] | None = None,
    ) -> Iterable[Mapping[str, Any] | None]:
        self._state.begin(self._plan.started_at)
        movie_ids = self._plan.movie_ids_for(self, sync_mode, self._state)
        for chunk, last in chunks(movie_ids, chunk_size_for(len(movie_ids), self.chunk_size)):
            yield {"movie_ids": chunk, "last": last}


class AppendedPartStream(MovieFamilyStream):
    """A stream whose records are its part of each movie's appended answer, taken from the hub."""

    def read_records(
        self,
        sync_mode: SyncMode,
        cursor_field: list[str] | None = None,
        stream_slice: Mapping[str, Any] | None = None,
        stream_state: Mapping[str, Any] | None = None,
    ) -> Iterable[Mapping[str, Any]]:
        work = stream_slice or {}
        for movie_id in work.get("movie_ids", []):
            part = self._plan.hub.take(self.name, movie_id)
            if part is not None:
                yield from self.records_for(movie_id, part, sync_mode)
                self._state.movie_ids.add(movie_id)
            self._state.after_id = movie_id
        if work.get("last"):
            self._state.complete()
        self._refresh_snapshot()

    @abstractmethod
    def records_for(self, movie_id: int, part: Any, sync_mode: SyncMode) -> Iterable[Mapping[str, Any]]:
        """The records this stream makes of its part of one movie's appended answer."""


class MovieDetails(AppendedPartStream):
    """GET /movie/{id} with keywords, release dates and external ids kept in the record."""

    primary_key = "id"

    def records_for(self, movie_id: int, part: Any, sync_mode: SyncMode) -> Iterable[Mapping[str, Any]]:
        yield {**part, "synced_at": self.synced_at}


class Credits(AppendedPartStream):
    """One record per cast or crew credit of the appended `credits`."""

    primary_key = "credit_id"

    def records_for(self, movie_id: int, part: Any, sync_mode: SyncMode) -> Iterable[Mapping[str, Any]]:
        yield from credit_records(movie_id, part, self.synced_at)


def credit_records(movie_id: int, credits: Mapping[str, Any], synced_at: str) -> Iterator[dict[str, Any]]:
    """The `credits` stream's records of one movie's /credits answer: each cast and crew entry, flat."""
    for credit_type in ("cast", "crew"):
        for credit in credits.get(credit_type, []):
            yield {
                **credit,
                "credit_type": credit_type,
                "movie_id": movie_id,
                "person_id": credit["id"],
                "synced_at": synced_at,
            }


class Reviews(AppendedPartStream):
    """One record per review; page 1 comes appended, later pages from /movie/{id}/reviews.

    Incremental on `updated_at`: for a movie this stream has read before, only reviews updated since
    the stream's cursor are emitted; a movie new to the stream has all its reviews emitted.
    """

    primary_key = "id"
    cursor_field = "updated_at"

    def records_for(self, movie_id: int, part: Any, sync_mode: SyncMode) -> Iterable[Mapping[str, Any]]:
        known = sync_mode == SyncMode.incremental and movie_id in self._state.movie_ids
        since = self._state.cursor if known else None
        for page in self._pages(movie_id, part):
            for review in page.get("results", []):
                if since is None or _updated_since(review, since):
                    yield {**review, "movie_id": movie_id}

    def _pages(self, movie_id: int, first: Mapping[str, Any]) -> Iterator[Mapping[str, Any]]:
        yield first
        total = min(int(first.get("total_pages") or 1), 500)
        for page in range(2, total + 1):
            body = self._plan.hub.get(
                f"movie/{movie_id}/reviews", {"page": page, "language": self._plan.hub.language}
            )
            if body is None:
                return
            yield body


def _updated_since(review: Mapping[str, Any], since: datetime) -> bool:
    """Whether TMDB's `updated_at` (e.g. `2021-06-23T15:58:09.421Z`) is at or after the cursor."""
    try:
        updated = datetime.fromisoformat(str(review.get("updated_at")))
    except ValueError:
        return True
    if updated.tzinfo is None:
        updated = updated.replace(tzinfo=UTC)
    return updated >= since
