"""Time moves: /movie/changes and /person/changes report exactly the records that changed."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from tmdb_pipeline.testing.emulator import RunningEmulator, running_emulator


@pytest.fixture(scope="module")
def emu() -> Iterator[RunningEmulator]:
    with running_emulator(movies=300, seed=11) as handle:
        yield handle


def _client(emu: RunningEmulator) -> httpx.Client:
    return httpx.Client(base_url=emu.base_url, params={"api_key": emu.api_key}, timeout=30.0)


def _snapshot(client: httpx.Client, ids: range) -> dict[int, dict]:
    return {i: client.get(f"/movie/{i}").json() for i in ids}


def _changed(client: httpx.Client, kind: str, **params: str) -> list[int]:
    first = client.get(f"/{kind}/changes", params=params).json()
    ids = [r["id"] for r in first["results"]]
    for page in range(2, first["total_pages"] + 1):
        ids += [
            r["id"] for r in client.get(f"/{kind}/changes", params={**params, "page": page}).json()["results"]
        ]
    assert len(ids) == first["total_results"] == len(set(ids))
    return ids


def test_given_forced_changes_when_asking_changes_then_exactly_the_changed_records_are_reported(
    emu: RunningEmulator,
) -> None:
    with _client(emu) as client:
        assert _changed(client, "movie") == [] and _changed(client, "person") == []
        before = _snapshot(client, range(1, emu.movies + 1))
        people_before = {}
        batch = emu.mutate(25)
        for person_id in batch["person_ids"]:
            people_before[person_id] = client.get(f"/person/{person_id}").json()
        after = _snapshot(client, range(1, emu.movies + 1))
        differing = {i for i in before if before[i] != after[i]}
        assert differing == set(batch["movie_ids"]) and len(differing) == 25
        assert set(_changed(client, "movie")) == differing
        assert set(_changed(client, "person")) == set(batch["person_ids"]) and batch["person_ids"]
        today = datetime.now(UTC).date()
        window = {"start_date": today.isoformat(), "end_date": today.isoformat()}
        assert set(_changed(client, "movie", **window)) == differing
        past = {
            "start_date": (today - timedelta(days=10)).isoformat(),
            "end_date": (today - timedelta(days=1)).isoformat(),
        }
        assert _changed(client, "movie", **past) == []


def test_given_more_than_100_changes_when_paging_then_100_ids_per_page(emu: RunningEmulator) -> None:
    emu.mutate(150)
    with _client(emu) as client:
        first = client.get("/movie/changes").json()
        assert len(first["results"]) == 100 and first["total_pages"] == -(-first["total_results"] // 100)
        assert all(r == {"id": r["id"], "adult": False} for r in first["results"])
        assert len(_changed(client, "movie")) >= 150


def test_given_a_mutate_rate_when_time_passes_then_changes_report_exactly_what_differs_from_a_twin() -> None:
    today = datetime.now(UTC).date()
    with (
        running_emulator(movies=150, seed=5, mutate_rate=25, today=today) as moving,
        running_emulator(movies=150, seed=5, today=today) as still,
    ):
        with _client(moving) as client:
            assert client.get("/movie/1").status_code == 200
        moving.set_faults(mutate_rate=0)  # stop the clock: applies what fell due, then nothing more
        with _client(moving) as a, _client(still) as b:
            reported = set(_changed(a, "movie"))
            assert len(reported) >= 10, "about 25 changes per second since start"
            moved, same = _snapshot(a, range(1, 151)), _snapshot(b, range(1, 151))
        assert {i for i in moved if moved[i] != same[i]} == reported
