"""Incremental reads after the emulator changes records, and a read killed half-way then resumed."""

from __future__ import annotations

import json
import signal
import subprocess
from collections.abc import Iterator
from datetime import datetime

import pytest

from tmdb_pipeline.testing.emulator import RunningEmulator, running_emulator

pytestmark = pytest.mark.integration
PER_MOVIE = ("movie_details", "credits", "reviews", "people", "movie_changes")


@pytest.fixture
def changing_emulator() -> Iterator[RunningEmulator]:
    """Its own emulator: this test changes the catalogue."""
    with running_emulator(movies=60, seed=11) as emu:
        yield emu


def test_given_a_synced_catalogue_when_records_change_then_the_next_read_emits_only_the_changed_records(
    connector, changing_emulator
):
    emu = changing_emulator
    config = connector.config_for(emu, max_movies=60)
    catalog = connector.catalog_for(PER_MOVIE)
    first = connector.read_in_process(config, catalog)
    first_people = first.keys("people")
    synced_at = datetime.fromisoformat(first.records("movie_details")[0]["synced_at"])

    changed = emu.mutate(6)
    emu.reset_stats()
    second = connector.read_in_process(config, catalog, first.last_states())
    calls = connector.calls(emu.stats()["by_path"])

    changed_movies, changed_people = set(changed["movie_ids"]), set(changed["person_ids"])
    assert second.keys("movie_details") == changed_movies
    assert {c["movie_id"] for c in second.records("credits")} == changed_movies
    assert second.keys("people") == changed_people & first_people
    assert {c["id"] for c in second.records("movie_changes")} == changed_movies
    # Reviews: only those of changed movies updated since the first sync (the ones the change added).
    after = connector.read_in_process(config, connector.catalog_for(("reviews",), incremental=False))
    new_reviews = {
        r["id"]
        for r in after.records("reviews")
        if r["movie_id"] in changed_movies and datetime.fromisoformat(r["updated_at"]) >= synced_at
    }
    assert second.keys("reviews") == new_reviews
    assert new_reviews, "the emulator's changes add reviews; none came back"
    # One appended call per changed movie, a person call per changed known person, nothing else per record.
    assert calls["/3/movie/{id}"] == len(changed_movies)
    assert calls.get("/3/person/{id}", 0) == len(changed_people & first_people)
    # One window since the first sync (today's), asked once although movie_changes and the per-movie
    # streams both need it.
    assert calls["/3/movie/changes"] == 1


@pytest.mark.parametrize("stop_in,after_states", [("movie_details", 3), ("people", 3)])
def test_given_a_read_killed_half_way_when_resumed_from_its_last_state_then_every_record_is_present(
    connector, emulator, reference, tmp_path, stop_in, after_states
):
    # A budget slow enough that the kill lands mid-stream.
    config = connector.config_for(emulator, requests_per_second=150)
    catalog = connector.catalog_for()
    args = [str(connector.executable), "read", *connector.write_inputs(tmp_path, config, catalog)]
    seen: list[dict] = []
    with subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True) as process:
        assert process.stdout is not None
        states_in_stream = 0
        for line in process.stdout:
            if not line.startswith("{"):
                continue
            message = json.loads(line)
            seen.append(message)
            if (
                message["type"] == "STATE"
                and message["state"]["stream"]["stream_descriptor"]["name"] == stop_in
            ):
                states_in_stream += 1
                if states_in_stream == after_states:
                    process.send_signal(signal.SIGKILL)
                    break
        process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL, "the read finished before it could be killed"
    states = connector.last_states(seen)
    interrupted = next(s for s in states if s["stream"]["stream_descriptor"]["name"] == stop_in)
    assert "in_progress" in interrupted["stream"]["stream_state"]

    resumed = connector.run("read", tmp_path, config=config, catalog=catalog, state=states)

    assert resumed.returncode == 0, resumed.stderr[-2000:]
    for stream in ("movie_details", "credits", "reviews", "people"):
        before = {
            r["data"][key]
            for m in seen
            if m["type"] == "RECORD" and (r := m["record"])["stream"] == stream
            for key in [connector_key(stream)]
        }
        assert before | resumed.keys(stream) == reference.keys(stream), stream
    # The resumed run does not start over: the interrupted stream skips what it had checkpointed.
    assert len(resumed.records(stop_in)) < len(reference.records(stop_in))


def connector_key(stream: str) -> str:
    return "credit_id" if stream == "credits" else "id"


def test_given_the_acceptance_tests_abnormal_state_when_read_then_no_record_but_states(connector, emulator):
    from pathlib import Path

    import source_tmdb

    path = Path(source_tmdb.__file__).parents[1] / "integration_tests" / "abnormal_state.json"
    catalog = connector.catalog_for(PER_MOVIE)

    output = connector.read_in_process(connector.config_for(emulator), catalog, json.loads(path.read_text()))

    assert output.records() == []
    assert output.of_type("STATE")
