"""State of the per-movie streams (movie_details, credits, reviews) and of people.

Shape, one object per stream::

    {
      "cursor": "2025-01-10T08:00:00+00:00",   # start of the last completed sync: changes since are re-read
      "movie_ids": "v1:...",                    # packed ids of the movies this stream has read
      "person_ids": "v1:...",                   # people only: packed ids of the people emitted
      "in_progress": {                          # only while a sync is under way (or was interrupted)
        "started_at": "2025-01-11T08:00:00+00:00",
        "after_id": 12345,                      # work is done in ascending id order up to here
        "todo": "v1:..."                        # people only: the person ids this sync must fetch
      }
    }

`after_id` is what makes an interrupted sync resume where it stopped; `started_at` survives the
interruption so that, once done, the cursor covers every change made since the first attempt began.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from source_tmdb import idset


@dataclass
class FamilyState:
    cursor: datetime | None = None
    movie_ids: set[int] = field(default_factory=set)
    person_ids: set[int] = field(default_factory=set)
    started_at: datetime | None = None
    after_id: int | None = None
    todo: list[int] | None = None
    # Packed forms by field, with the set size they were packed at: id sets only grow, so an unchanged
    # size means an unchanged set, and a checkpoint need not re-pack thousands of ids.
    _packed: dict[str, tuple[int, str]] = field(default_factory=dict, repr=False, compare=False)
    _packed_todo: tuple[list[int], str] | None = field(default=None, repr=False, compare=False)

    @classmethod
    def from_mapping(cls, raw: Mapping[str, Any] | None) -> FamilyState:
        raw = raw or {}
        progress = raw.get("in_progress") or {}
        todo = progress.get("todo")
        state = cls(
            cursor=_parse(raw.get("cursor")),
            movie_ids=idset.unpack(raw.get("movie_ids")),
            person_ids=idset.unpack(raw.get("person_ids")),
            started_at=_parse(progress.get("started_at")),
            after_id=progress.get("after_id"),
            todo=sorted(idset.unpack(todo)) if todo is not None else None,
        )
        for name in ("movie_ids", "person_ids"):
            if raw.get(name):
                state._packed[name] = (len(getattr(state, name)), raw[name])
        return state

    def to_mapping(self, *, with_people: bool = False) -> dict[str, Any]:
        state: dict[str, Any] = {"movie_ids": self._pack("movie_ids")}
        if self.cursor:
            state["cursor"] = self.cursor.isoformat()
        if with_people:
            state["person_ids"] = self._pack("person_ids")
        if self.started_at:
            progress: dict[str, Any] = {"started_at": self.started_at.isoformat()}
            if self.after_id is not None:
                progress["after_id"] = self.after_id
            if self.todo is not None:
                progress["todo"] = self._pack_todo()
            state["in_progress"] = progress
        return state

    def _pack(self, name: str) -> str:
        ids: set[int] = getattr(self, name)
        cached = self._packed.get(name)
        if cached is None or cached[0] != len(ids):
            cached = (len(ids), idset.pack(ids))
            self._packed[name] = cached
        return cached[1]

    def _pack_todo(self) -> str:
        # the work list is fixed once planned (progress is `after_id`): pack that list once
        todo = self.todo or []
        cached = self._packed_todo
        if cached is None or cached[0] is not todo:
            cached = (todo, idset.pack(todo))
            self._packed_todo = cached
        return cached[1]

    @property
    def in_progress(self) -> bool:
        return self.started_at is not None

    def begin(self, now: datetime) -> None:
        """Start a sync, or keep the start of the interrupted one being resumed."""
        if self.started_at is None:
            self.started_at = now
            self.after_id = None
            self.todo = None

    def complete(self) -> None:
        self.cursor = self.started_at or self.cursor
        self.started_at = None
        self.after_id = None
        self.todo = None


def _parse(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None
