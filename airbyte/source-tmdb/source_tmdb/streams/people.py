"""`people`: every cast or crew member referenced by the crawled movies, fetched once per sync.

Two phases, each a slice so its progress is checkpointed:
1. scan: take the referenced person ids from the movies this stream must read (from the shared
   appended answers, so this costs no request when `credits` or a sibling already fetched them) and
   decide the work: people never emitted, plus emitted people the person change feed reports.
   The work list is saved in state (`in_progress.todo`), so a resumed sync skips the scan.
2. fetch: GET /person/{id} in ascending id order, chunk by chunk.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import Any

from airbyte_cdk.models import SyncMode

from source_tmdb.state import FamilyState
from source_tmdb.streams.movie_family import MovieFamilyStream, chunk_size_for, chunks
from source_tmdb.streams.plan import person_work


class People(MovieFamilyStream):
    primary_key = "id"
    chunk_size = 50
    with_people_state = True

    def planned_movie_ids(self, sync_mode: SyncMode, state: FamilyState) -> list[int]:
        # A resumed sync already knows whom to fetch and reads no movie; `after_id` counts people here.
        if state.todo is not None:
            return []
        return super().planned_movie_ids(sync_mode, replace(state, after_id=None))

    def stream_slices(
        self,
        *,
        sync_mode: SyncMode,
        cursor_field: list[str] | None = None,
        stream_state: Mapping[str, Any] | None = None,
    ) -> Iterable[Mapping[str, Any] | None]:
        self._state.begin(self._plan.started_at)
        if self._state.todo is None:
            yield {"scan": True}
        after = self._state.after_id
        todo = [p for p in self._state.todo or [] if after is None or p > after]
        for chunk, last in chunks(todo, chunk_size_for(len(todo), self.chunk_size)):
            yield {"person_ids": chunk, "last": last}

    def read_records(
        self,
        sync_mode: SyncMode,
        cursor_field: list[str] | None = None,
        stream_slice: Mapping[str, Any] | None = None,
        stream_state: Mapping[str, Any] | None = None,
    ) -> Iterable[Mapping[str, Any]]:
        work = stream_slice or {}
        if work.get("scan"):
            self._scan(sync_mode)
        for person_id in work.get("person_ids", []):
            person = self._plan.hub.get_person(person_id)
            if person is not None:
                yield {**person, "synced_at": self.synced_at}
                self._state.person_ids.add(person_id)
            self._state.after_id = person_id
        if work.get("last"):
            self._state.complete()
        self._refresh_snapshot()

    def _scan(self, sync_mode: SyncMode) -> None:
        referenced: set[int] = set()
        for movie_id in self._plan.movie_ids_for(self, sync_mode, self._state):
            person_ids = self._plan.hub.take(self.name, movie_id)
            if person_ids is not None:
                referenced.update(person_ids)
                self._state.movie_ids.add(movie_id)
        full_refresh = sync_mode == SyncMode.full_refresh
        changed = None if full_refresh else self._plan.changed("person", self._state.cursor)
        self._state.todo = person_work(referenced, self._state, changed, full_refresh=full_refresh)
        self._state.after_id = None
