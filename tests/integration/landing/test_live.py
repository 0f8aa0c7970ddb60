"""The speed layer (`tmdb-pipeline live`) on real Kafka and FerretDB: the live_* documents equal a
recomputation from the produced records, late and malformed records are counted, not fatal, and a
SIGKILL inside a batch leaves nothing counted twice."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from pymongo import MongoClient

from tests.integration.landing.conftest import envelope
from tmdb_pipeline.settings import MongoSettings, load
from tmdb_pipeline.stack.process import free_port

pytestmark = pytest.mark.integration
CLI = Path(sys.executable).parent / "tmdb-pipeline"
NOW = datetime.now(UTC).replace(microsecond=0)


def hour(moment: datetime) -> datetime:
    return moment.replace(minute=0, second=0, microsecond=0)


class Live:
    """One test's topics, checkpoint and MongoDB database, and the records it produced."""

    def __init__(self, topics, workdir: Path) -> None:
        self.topics = topics
        self.database = f"live_{uuid.uuid4().hex[:8]}"
        self.workdir = workdir
        self.reviews: list[dict[str, Any]] = []
        self.details: list[tuple[dict[str, Any], datetime]] = []
        topics.create("reviews", "movie_details")

    def review(self, review_id: str, movie_id: int, created_at: datetime) -> None:
        record = {"id": review_id, "movie_id": movie_id, "created_at": created_at.isoformat()}
        self.reviews.append(record)
        self.topics.produce("reviews", [(review_id.encode(), envelope("reviews", record, NOW))])

    def detail(self, movie_id: int, popularity: float, at: datetime, genres: list[str]) -> None:
        record = {
            "id": movie_id,
            "title": f"Movie {movie_id}",
            "popularity": popularity,
            "vote_average": 7.0,
            "vote_count": int(popularity * 10),
            "genres": [{"id": index, "name": name} for index, name in enumerate(genres)],
        }
        self.details.append((record, at))
        self.topics.produce(
            "movie_details", [(str(movie_id).encode(), envelope("movie_details", record, at))]
        )

    def env(self, **extra: str) -> dict[str, str]:
        return {
            **os.environ,
            "KAFKA_TOPIC_PREFIX": self.topics.prefix,
            "MONGO_DATABASE": self.database,
            "LIVE_CHECKPOINT_DIR": (self.workdir / "checkpoint").as_uri(),
            **extra,
        }

    def run(self, **extra: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(CLI), "live", "--once"], env=self.env(**extra), capture_output=True, text=True, timeout=600
        )

    def db(self):
        return MongoClient(load(MongoSettings).uri.get_secret_value(), tz_aware=True)[self.database]

    def documents(self, collection: str) -> dict[str, dict[str, Any]]:
        return {doc.pop("_id"): doc for doc in self.db()[collection].find()}


def expected_reviews(reviews: list[dict[str, Any]], late: set[str]) -> dict[str, int]:
    ids: dict[str, set[str]] = defaultdict(set)
    for record in reviews:
        if record["id"] in late:
            continue
        start = hour(datetime.fromisoformat(record["created_at"]))
        ids[f"{record['movie_id']}|{start:%Y-%m-%dT%H:%M}Z"].add(record["id"])
    return {key: len(value) for key, value in ids.items()}


def expected_popularity(
    details: list[tuple[dict[str, Any], datetime]],
) -> dict[str, tuple[float, float, int]]:
    seen: dict[str, list[tuple[datetime, float]]] = defaultdict(list)
    for record, at in details:
        seen[f"{record['id']}|{hour(at):%Y-%m-%dT%H:%M}Z"].append((at, record["popularity"]))
    return {key: (min(v)[1], max(v)[1], len(v)) for key, v in seen.items()}


def expected_genres(details: list[tuple[dict[str, Any], datetime]]) -> dict[str, int]:
    movies: dict[str, set[int]] = defaultdict(set)
    for record, at in details:
        for genre in record["genres"]:
            movies[f"{genre['name']}|{hour(at):%Y-%m-%dT%H:%M}Z"].add(record["id"])
    return {key: len(value) for key, value in movies.items()}


def assert_exact(live: Live, late: set[str]) -> None:
    reviews = live.documents("live_movie_reviews")
    assert {k: d["reviews"] for k, d in reviews.items()} == expected_reviews(live.reviews, late)
    popularity = live.documents("live_movie_popularity")
    assert {
        k: (d["first_popularity"], d["last_popularity"], d["observations"]) for k, d in popularity.items()
    } == expected_popularity(live.details)
    genres = live.documents("live_genre_activity")
    assert {k: d["movies_updated"] for k, d in genres.items()} == expected_genres(live.details)


def summary_row(stdout: str, query: str) -> dict[str, int]:
    """The command's summary table: batches, records, documents, malformed and late of one query."""
    line = next(line for line in stdout.splitlines() if line.startswith(f"│ {query} "))
    cells = [cell.strip() for cell in line.strip("│").split("│")][1:]
    return dict(zip(("batches", "records", "documents", "malformed", "late"), map(int, cells), strict=True))


@pytest.fixture
def live(topics, tmp_path) -> Live:
    return Live(topics, tmp_path)


def produce_first_wave(live: Live) -> None:
    recent = NOW - timedelta(hours=2)
    for number in range(12):  # movie 1: 12 reviews over two hours, movie 2: 3
        live.review(f"r1-{number}", 1, recent + timedelta(minutes=10 * number))
    for number in range(3):
        live.review(f"r2-{number}", 2, NOW - timedelta(minutes=5 * number))
    live.review("r1-0", 1, recent)  # extracted again: the same review, counted once
    live.topics.produce("reviews", [(b"x", b"not json"), (b"y", envelope("reviews", {"id": None}, NOW))])
    earlier = hour(NOW) - timedelta(hours=1)
    live.detail(1, 10.0, earlier + timedelta(minutes=5), ["Drama", "Crime"])
    live.detail(1, 14.0, earlier + timedelta(minutes=35), ["Drama", "Crime"])
    live.detail(1, 30.0, hour(NOW) + timedelta(seconds=1), ["Drama", "Crime"])  # the jump
    live.detail(2, 5.0, hour(NOW) + timedelta(seconds=2), ["Drama"])


def test_given_reviews_and_popularity_moves_when_live_runs_then_the_documents_equal_a_recomputation(live):
    produce_first_wave(live)

    first = live.run()
    assert first.returncode == 0, first.stdout[-3000:] + first.stderr[-3000:]
    assert_exact(live, late=set())
    status = {doc.pop("_id"): doc for doc in live.db()["live_status"].find()}
    assert set(status) == {"reviews", "popularity", "genres", "job"}  # each query's batch, the heartbeat
    batches = [status[query]["as_of"] for query in ("reviews", "popularity", "genres")]
    assert NOW - timedelta(minutes=30) < min(batches) and status["job"]["heartbeat_at"] >= max(batches)
    assert summary_row(first.stdout, "reviews")["malformed"] == 2  # not JSON; a payload without ids

    # a second wave: one more review, and one far behind the watermark (dropped, counted)
    live.review("r2-late", 2, NOW - timedelta(days=30))
    live.review("r2-new", 2, NOW)
    second = live.run()

    assert second.returncode == 0, second.stdout[-3000:] + second.stderr[-3000:]
    assert_exact(live, late={"r2-late"})
    assert summary_row(second.stdout, "reviews")["late"] == 1


def test_given_the_job_killed_inside_a_batch_when_it_runs_again_then_nothing_is_counted_twice(live):
    produce_first_wave(live)

    killed = live.run(LIVE_FAULT_KILL_AFTER_WRITES="2")
    assert killed.returncode == -9, killed.stdout[-2000:] + killed.stderr[-2000:]
    written = sum(live.db()[c].count_documents({}) for c in ("live_movie_reviews", "live_movie_popularity"))
    assert written > 0  # it died after writing part of its batches

    again = live.run()

    assert again.returncode == 0, again.stdout[-3000:] + again.stderr[-3000:]
    assert_exact(live, late=set())


def test_given_mongodb_down_when_live_runs_then_it_says_so_and_commits_nothing(live):
    produce_first_wave(live)

    done = live.run(MONGO_URI=f"mongodb://127.0.0.1:{free_port()}/", MONGO_SERVER_SELECTION_TIMEOUT_MS="500")

    assert done.returncode == 1
    assert "MongoDB is not reachable" in done.stderr and "tmdb-pipeline stack up" in done.stderr
    assert not (live.workdir / "checkpoint" / "reviews" / "commits").exists()
