"""What each per-movie stream must read in this sync, decided once for all of them.

The hub can keep a movie's part for a later stream only if it knows, when the first stream fetches
the movie, that the later stream will want it. So the first per-movie stream to start asks the plan,
which computes every selected stream's movie list from the configured catalog and input state (taken
by the source before the read starts) and tells the hub.

Which movies a stream reads:
- full refresh, or no state: every seed movie;
- incremental: seed movies it has never read, plus movies it has read (seed or not) that the change
  feed reports since its cursor;
- resuming an interrupted sync: the same, minus ids at or below `after_id`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Protocol

from airbyte_cdk.models import AirbyteStateMessage, ConfiguredAirbyteCatalog, SyncMode
from airbyte_cdk.sources.connector_state_manager import ConnectorStateManager

from source_tmdb.state import FamilyState

if TYPE_CHECKING:
    from source_tmdb.streams.catalog import Movies
    from source_tmdb.streams.changes import ChangesStream
    from source_tmdb.streams.movie_hub import MovieHub


def movie_work(
    seeds: Iterable[int], state: FamilyState, changed: set[int] | None, *, full_refresh: bool
) -> list[int]:
    seed_set = set(seeds)
    if full_refresh:
        work = seed_set
    else:
        work = seed_set - state.movie_ids
        if changed is not None:
            work |= changed & (seed_set | state.movie_ids)
    if state.after_id is not None:
        work = {movie_id for movie_id in work if movie_id > state.after_id}
    return sorted(work)


def person_work(
    referenced: set[int], state: FamilyState, changed: set[int] | None, *, full_refresh: bool
) -> list[int]:
    if full_refresh:
        return sorted(referenced)
    work = referenced - state.person_ids
    if changed is not None:
        work |= changed & state.person_ids
    return sorted(work)


@dataclass(frozen=True)
class SyncContext:
    """The configured catalog's sync modes and the input state, per stream name."""

    sync_modes: Mapping[str, SyncMode] = field(default_factory=dict)
    states: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)

    @classmethod
    def from_catalog(
        cls, catalog: ConfiguredAirbyteCatalog, state: Sequence[AirbyteStateMessage] | None
    ) -> SyncContext:
        manager = ConnectorStateManager(state=list(state or []))
        modes = {stream.stream.name: stream.sync_mode for stream in catalog.streams}
        states = {name: dict(manager.get_stream_state(name, None) or {}) for name in modes}
        return cls(sync_modes=modes, states=states)


class PlannedStream(Protocol):
    name: str

    def planned_movie_ids(self, sync_mode: SyncMode, state: FamilyState) -> list[int]: ...


class SyncPlan:
    def __init__(
        self,
        movies: Movies,
        movie_changes: ChangesStream,
        person_changes: ChangesStream,
        hub: MovieHub,
        context: SyncContext,
    ) -> None:
        self.movies = movies
        self.hub = hub
        self.started_at = datetime.now(UTC).replace(microsecond=0)
        self._feeds = {"movie": movie_changes, "person": person_changes}
        self._context = context
        self._streams: dict[str, PlannedStream] = {}
        self._work: dict[str, list[int]] = {}
        self._changed: dict[tuple[str, str], set[int]] = {}

    def register(self, stream: PlannedStream) -> None:
        self._streams[stream.name] = stream

    def seeds(self) -> list[int]:
        return self.movies.seed_ids()

    def changed(self, kind: str, since: datetime | None) -> set[int] | None:
        """Ids the `kind` feed reports from the cursor's day on; None when there is no cursor."""
        if since is None:
            return None
        day = since.astimezone(UTC).date()
        key = (kind, day.isoformat())
        if key not in self._changed:
            self._changed[key] = self._feeds[kind].changed_ids(day)
        return self._changed[key]

    def movie_ids_for(self, stream: PlannedStream, sync_mode: SyncMode, state: FamilyState) -> list[int]:
        """This stream's movies; on first use, every selected stream's movies are planned and announced."""
        if stream.name not in self._work:
            self._plan_selected()
        if stream.name not in self._work:
            # Not in the catalog (e.g. read_only_records): plan it alone.
            self._announce(stream.name, stream.planned_movie_ids(sync_mode, state))
        return self._work[stream.name]

    def _plan_selected(self) -> None:
        for name, stream in self._streams.items():
            mode = self._context.sync_modes.get(name)
            if mode is not None and name not in self._work:
                state = FamilyState.from_mapping(self._context.states.get(name))
                self._announce(name, stream.planned_movie_ids(mode, state))

    def _announce(self, name: str, movie_ids: list[int]) -> None:
        self._work[name] = movie_ids
        self.hub.expect(name, movie_ids)
