"""A sync's checkpoints stay few as its work list grows: each packs the stream's whole id set."""

from __future__ import annotations

from datetime import UTC, datetime
from unittest import mock

import pytest

from source_tmdb import idset
from source_tmdb.state import FamilyState
from source_tmdb.streams.movie_family import CHUNK, MAX_CHECKPOINTS, chunk_size_for, chunks


@pytest.mark.parametrize("work", [0, 1, 20, 4_000, 10_000, 100_000, 300_001])
def test_given_a_work_list_then_its_checkpoints_are_at_most_the_cap_and_chunks_never_shrink(work):
    size = chunk_size_for(work, CHUNK)
    slices = list(chunks(list(range(work)), size))

    assert size >= CHUNK
    assert len(slices) <= max(1, MAX_CHECKPOINTS)
    assert [i for chunk, _ in slices for i in chunk] == list(range(work))  # every id once, in order
    assert [last for _, last in slices] == [False] * (len(slices) - 1) + [True]


def test_given_a_small_work_list_then_the_chunk_is_the_streams_own():
    assert chunk_size_for(CHUNK * MAX_CHECKPOINTS, CHUNK) == CHUNK
    assert chunk_size_for(CHUNK * MAX_CHECKPOINTS + 1, CHUNK) == CHUNK + 1


def test_given_a_planned_work_list_when_checkpointing_repeatedly_then_it_is_packed_once():
    state = FamilyState(started_at=datetime(2026, 12, 3, tzinfo=UTC), todo=list(range(1, 50_000, 3)))
    with mock.patch.object(idset, "pack", wraps=idset.pack) as pack:
        first = state.to_mapping(with_people=True)
        for after in range(1, 100, 3):
            state.after_id = after
            again = state.to_mapping(with_people=True)
    todo_packs = [c for c in pack.call_args_list if c.args and c.args[0] is state.todo]
    assert len(todo_packs) == 1
    assert again["in_progress"]["todo"] == first["in_progress"]["todo"]
    assert sorted(idset.unpack(again["in_progress"]["todo"])) == state.todo

    state.todo = [7, 8, 9]  # a new plan is packed again
    assert sorted(idset.unpack(state.to_mapping()["in_progress"]["todo"])) == [7, 8, 9]
