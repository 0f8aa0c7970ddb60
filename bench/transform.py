"""dbt Silver/Gold build times: a full build beside incremental builds, for 1k and 10k movies.

    .venv/bin/python bench/transform.py [--movies 1000,10000] [--reviews-per-movie 1] [--max-reviews 600]

For each size it builds Bronze from the TMDB emulator's catalogue, in process (no HTTP, no Kafka:
bench/extract_*.py and bench/land_bronze.py measure those), through the landing job's own
foreachBatch writer, so the rows are exactly what `land` writes. Then, on a lakehouse of its own
(a temporary Iceberg catalog; the stack's tables and dbt_project/target are not touched):

1. full build: the pass's build (transform.pass_build: `dbt build` without dbt's unit tests, of the
   models reading Bronze tables that changed since the last pass build) on empty Silver/Gold (the
   baseline: no earlier build, so every model);
2. incremental, nothing new: the pass's build again;
3. incremental, 1 % changed: the emulator changes movies, the changed held movies are landed again
   (details, credits, reviews, as the connector's incremental read emits them), the pass's build.

Review scoring runs the real model (`review_sentiment`) and costs ~0.1-0.2 s per long review on 2
cores, so Bronze holds at most --reviews-per-movie reviews per movie and --max-reviews in all; the
output says how many reviews TMDB (the emulator) has for the held movies and extrapolates the full
build to all of them from the rate measured in the same run, labelled as such. To score every review
of the first page instead: --reviews-per-movie 20 --max-reviews 1000000 (hours at 10k movies on 2 cores).

Everything runs twice, once per lakehouse topology (local files, then REST catalog + S3 on a private
store: bench/topologies.py), and the build times are printed side by side with their ratio.
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import json
import os
import platform
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any

WORKDIR = Path(tempfile.mkdtemp(prefix="tmdb-bench-transform-"))
# a lakehouse of its own: set before any settings are loaded (REST + S3 runs get a private store
# and catalog from bench/topologies.py instead)
if os.environ.get("ICEBERG_CATALOG_TYPE") != "rest":
    os.environ["ICEBERG_CATALOG_DB"] = str(WORKDIR / "catalog.db")
    os.environ["ICEBERG_WAREHOUSE"] = (WORKDIR / "warehouse").as_uri()
os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
os.environ["DBT_LOG_PATH"] = str(WORKDIR / "logs")

import pandas as pd  # noqa: E402
from topologies import print_comparison, run_per_topology  # noqa: E402

from source_tmdb.streams.movie_family import credit_records  # noqa: E402
from spark_streaming import tables  # noqa: E402
from spark_streaming.job import BronzeWriter  # noqa: E402
from spark_streaming.metrics import MetricsSink  # noqa: E402
from tmdb_pipeline.emulator.service import Emulator  # noqa: E402
from tmdb_pipeline.emulator.settings import EmulatorSettings  # noqa: E402
from tmdb_pipeline.extract.connector import connector_config, connector_executable, discover  # noqa: E402
from tmdb_pipeline.extract.envelope import envelope, message_key  # noqa: E402
from tmdb_pipeline.extract.sink import topic_for  # noqa: E402
from tmdb_pipeline.settings import (  # noqa: E402
    ExtractSettings,
    KafkaSettings,
    LandingSettings,
    SparkSettings,
    load,
)
from tmdb_pipeline.transform.pass_build import run_pass_build  # noqa: E402
from tmdb_pipeline.transform.runner import prepare_session  # noqa: E402

APPEND = "credits,reviews,keywords,release_dates,external_ids"
SCORING_MODEL = "int_reviews_scored"
CHUNK_ROWS = 100_000


@dataclass
class Records:
    """Connector-shaped records per stream, plus how many reviews TMDB has for them."""

    by_stream: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    reviews_available: int = 0

    def add(self, stream: str, record: dict[str, Any]) -> None:
        self.by_stream.setdefault(stream, []).append(record)

    def count(self) -> int:
        return sum(len(r) for r in self.by_stream.values())


class BronzeFromCatalogue:
    """What `extract` + `land` would put in Bronze for the N most popular movies of the emulator."""

    def __init__(self, movies: int, reviews_per_movie: int, max_reviews: int) -> None:
        # a catalogue 5x the crawl, so mutations (random over the catalogue) hit some held movies
        self.service = Emulator(
            EmulatorSettings(movies=max(10_000, movies * 5), cache_size=64, rate_limit=None)
        )
        self.movies = movies
        self.reviews_per_movie = reviews_per_movie
        self.max_reviews = max_reviews
        self.reviews_kept = 0
        self.held: list[int] = []
        self.review_ids: dict[int, set[str]] = {}  # per movie, every review id TMDB listed so far
        self.people_seen: set[int] = set()
        self.synced_at = datetime.now(UTC).isoformat()

    def first_pass(self) -> Records:
        records = Records()
        for genre in self.service.genres()["genres"]:
            records.add("genres", genre)
        for page in itertools.count(1):
            body = self.service.movie_list("popular", str(page))
            for item in body["results"]:
                if len(self.held) < self.movies:
                    self.held.append(int(item["id"]))
                    records.add("movies", item)
            if len(self.held) >= self.movies or page >= body["total_pages"]:
                break
        for movie_id in self.held:
            self._movie(movie_id, records)
        return records

    def changed_pass(self, count: int) -> tuple[Records, list[int]]:
        batch = self.service.mutate(count)
        held = set(self.held)
        changed = sorted(set(batch.movie_ids) & held)
        records = Records()
        today = self.service.today.isoformat()
        for movie_id in batch.movie_ids:  # the change feed lists every changed movie, held or not
            records.add(
                "movie_changes", {"id": movie_id, "adult": False, "window_start": today, "window_end": today}
            )
        for movie_id in changed:
            self._movie(movie_id, records)
        return records, changed

    def _movie(self, movie_id: int, records: Records) -> None:
        body = self.service.movie(str(movie_id), APPEND)
        credits, first_reviews = body.pop("credits"), body.pop("reviews")
        records.add("movie_details", {**body, "synced_at": self.synced_at})
        for credit in credit_records(movie_id, credits, self.synced_at):
            records.add("credits", credit)
            if credit["person_id"] not in self.people_seen:
                self.people_seen.add(credit["person_id"])
                person = self.service.person(str(credit["person_id"]))
                records.add("people", {**person, "synced_at": self.synced_at})
        listed = int(first_reviews.get("total_results") or 0)
        records.reviews_available += listed
        known = self.review_ids.get(movie_id)
        if known is None:  # first read: keep the first reviews, up to the caps
            self.review_ids[movie_id] = {r["id"] for r in first_reviews.get("results", [])}
            for review in first_reviews.get("results", [])[: self.reviews_per_movie]:
                if self.reviews_kept >= self.max_reviews:
                    break
                self.reviews_kept += 1
                records.add("reviews", {**review, "movie_id": movie_id})
            return
        # a changed movie: like the connector's incremental read, only the reviews new since then
        # (TMDB lists reviews oldest first, so new ones are on the last page)
        last = max(1, int(first_reviews.get("total_pages") or 1))
        page = (
            first_reviews if last == 1 else self.service.movie_resource(str(movie_id), "reviews", str(last))
        )
        for review in page.get("results", []):
            if review["id"] not in known:
                known.add(review["id"])
                records.add("reviews", {**review, "movie_id": movie_id})


class BronzeLoader:
    """Feeds records through the landing job's foreachBatch writer, as Kafka rows would arrive."""

    def __init__(self, spark: Any) -> None:
        self.spark = spark
        # each stream's key as the connector's discover declares it: what `extract` keys messages by
        extract = load(ExtractSettings)
        streams = discover(connector_executable(extract), connector_config(extract))
        self.primary_keys = {stream.name: stream.primary_key for stream in streams}
        self.settings = load(LandingSettings)
        self.prefix = load(KafkaSettings).topic_prefix
        checkpoint = (WORKDIR / "checkpoint").as_uri()
        self.writer = BronzeWriter(spark, self.settings, checkpoint, MetricsSink(WORKDIR / "landing.jsonl"))
        self.batch_id = 0
        self.offsets: dict[str, int] = {}
        for stream in self.primary_keys:  # `extract` creates every stream's topic, so landing has every table
            tables.ensure_stream_table(spark, self.settings, stream)

    def load(self, records: Records) -> int:
        emitted_at = int(time.time() * 1000)
        rows = []
        for stream, items in records.by_stream.items():
            topic = topic_for(stream, self.prefix)
            for data in items:
                offset = self.offsets.get(topic, 0)
                self.offsets[topic] = offset + 1
                key = message_key(data, self.primary_keys[stream])
                rows.append((key, envelope(stream, data, emitted_at), topic, 0, offset))
        for start in range(0, len(rows), CHUNK_ROWS):  # micro-batches of a size landing would see
            frame = pd.DataFrame(
                rows[start : start + CHUNK_ROWS], columns=["key", "value", "topic", "partition", "offset"]
            )
            frame["partition"] = frame["partition"].astype("int32")
            frame["timestamp"] = pd.Timestamp.now(tz="UTC")
            self.writer(self.spark.createDataFrame(frame), self.batch_id)
            self.batch_id += 1
        return len(rows)


@dataclass
class Build:
    seconds: float
    scoring_s: float
    scored: int
    models: int
    tests: int
    plan: str


def timed_build(spark: Any, target: Path) -> Build:
    log = WORKDIR / "dbt-output.log"
    began = time.perf_counter()
    with log.open("a") as out, contextlib.redirect_stdout(out):  # dbt's console log, kept for reading
        build = run_pass_build(target_dir=target)
    seconds = time.perf_counter() - began
    outcome = build.outcome
    if not outcome.success:
        failed = [r for r in outcome.results if r["status"] in ("error", "fail")]
        sys.exit(f"dbt build failed: {outcome.error or failed} (see {log})")
    if build.plan.builds_nothing:
        return Build(seconds, 0.0, 0, 0, 0, build.plan.reason)
    invocation = json.loads((target / "run_results.json").read_text())["metadata"]["invocation_id"]
    scored = (
        spark.sql(
            f"select count(*) c from silver.{SCORING_MODEL} where scored_in_invocation = '{invocation}'"
        )
        .collect()[0]
        .c
    )
    scoring_s = sum(r["seconds"] for r in outcome.results if r["name"] == SCORING_MODEL)
    models = sum(1 for r in outcome.results if r["resource_type"] == "model" and r["status"] == "success")
    return Build(seconds, scoring_s, scored, models, outcome.count("pass"), build.plan.reason)


def drop_lakehouse(spark: Any) -> None:
    for namespace in ("silver", "gold", "bronze"):
        for row in spark.sql(f"show tables in {namespace}").collect():
            spark.sql(f"drop table if exists {namespace}.{row.tableName} purge")


def bench_size(spark: Any, movies: int, args: argparse.Namespace) -> dict[str, Any]:
    drop_lakehouse(spark)
    target = WORKDIR / f"target-{movies}"
    source = BronzeFromCatalogue(movies, args.reviews_per_movie, args.max_reviews)
    loader = BronzeLoader(spark)

    began = time.perf_counter()
    records = source.first_pass()
    generated_s = time.perf_counter() - began
    began = time.perf_counter()
    bronze_rows = loader.load(records)
    landed_s = time.perf_counter() - began
    print(
        f"  bronze: {bronze_rows:,} rows ({', '.join(f'{s} {len(r):,}' for s, r in records.by_stream.items())})"
        f"; generated {generated_s:.0f} s, landed {landed_s:.0f} s",
        flush=True,
    )

    full = timed_build(spark, target)
    print(
        f"  full build {full.seconds:.0f} s ({full.scored} reviews scored in {full.scoring_s:.0f} s)",
        flush=True,
    )
    again = timed_build(spark, target)
    print(
        f"  incremental, nothing new {again.seconds:.0f} s ({again.models} models, {again.scored} scored;"
        f" {again.plan})",
        flush=True,
    )

    # mutations land on random movies of the whole catalogue: this many change ~change_fraction of ours
    mutations = max(1, round(source.service.settings.movies * args.change_fraction))
    changes, changed = source.changed_pass(mutations)
    changed_rows = loader.load(changes) if changed else 0
    incremental = timed_build(spark, target)
    print(
        f"  incremental, {len(changed)} movies changed ({changed_rows:,} bronze rows) {incremental.seconds:.0f} s"
        f" ({incremental.models} models, {incremental.scored} scored; {incremental.plan})",
        flush=True,
    )
    rate = full.scored / full.scoring_s if full.scoring_s and full.scored else 0.0
    extrapolated = full.seconds + (records.reviews_available - full.scored) / rate if rate else float("nan")
    return {
        "movies": movies,
        "landed_s": landed_s,
        "bronze_rows": bronze_rows,
        "reviews_in_bronze": len(records.by_stream.get("reviews", [])),
        "reviews_available": records.reviews_available,
        "full": full,
        "again": again,
        "incremental": incremental,
        "changed_movies": len(changed),
        "scoring_rate": rate,
        "extrapolated_full_s": extrapolated,
    }


def versions() -> None:
    print("== versions")
    print(f"python {platform.python_version()}  cpus {os.cpu_count()}  machine {platform.machine()}")
    for package in ("pyspark", "dbt-core", "dbt-spark", "torch", "pyiceberg"):
        print(f"{package} {version(package)}")
    spark = load(SparkSettings)
    print(
        f"spark master {spark.master}  driver memory {spark.driver_memory}  iceberg {spark.iceberg_version}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--movies", default="1000,10000", help="comma-separated crawl sizes")
    parser.add_argument("--reviews-per-movie", type=int, default=1, help="reviews kept in Bronze per movie")
    parser.add_argument("--max-reviews", type=int, default=600, help="reviews kept in Bronze in all")
    parser.add_argument("--change-fraction", type=float, default=0.01, help="share of held movies changed")
    parser.add_argument("--topology", help=argparse.SUPPRESS)  # set by run_per_topology
    parser.add_argument("--result-file", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    sizes = [int(s) for s in args.movies.split(",")]
    if args.topology is None:  # once per lakehouse topology, each in its own process, then compared
        passthrough = [
            f"--{k.replace('_', '-')}={v}"
            for k, v in vars(args).items()
            if k not in ("topology", "result_file")
        ]
        results = run_per_topology(Path(__file__), passthrough)
        figures = {}
        for movies in sizes:
            for phase, label in (
                ("full", "full build"),
                ("again", "nothing new"),
                ("incremental", "incremental"),
            ):
                figures[f"{movies}_{phase}_s"] = f"{movies:,} movies: {label}"
            figures[f"{movies}_landed_s"] = f"{movies:,} movies: Bronze written"
        print_comparison(results, figures)
        return

    versions()
    print(f"lakehouse: {args.topology}")
    print(f"workdir {WORKDIR}  reviews per movie <= {args.reviews_per_movie}, in all <= {args.max_reviews}")
    spark = prepare_session("bench-transform")
    spark.sparkContext.setLogLevel("ERROR")
    results = []
    for movies in sizes:
        print(f"\n== {movies:,} movies", flush=True)
        results.append(bench_size(spark, movies, args))

    print("\n== dbt build times (same run; the full build is the baseline)")
    header = (
        f"{'movies':>7} {'bronze rows':>12} {'full s':>8} {'again s':>8} {'changed':>8} {'incr s':>8}"
        f" {'full/incr':>9} {'scored full/incr':>17} {'full s w/o scoring':>19}"
    )
    print(header)
    for r in results:
        full, incremental = r["full"], r["incremental"]
        print(
            f"{r['movies']:>7,} {r['bronze_rows']:>12,} {full.seconds:>8.1f} {r['again'].seconds:>8.1f}"
            f" {r['changed_movies']:>8} {incremental.seconds:>8.1f} {full.seconds / incremental.seconds:>8.1f}x"
            f" {f'{full.scored}/{incremental.scored}':>17} {full.seconds - full.scoring_s:>19.1f}"
        )
    print("\n== review scoring (the model is the cost the incremental build avoids)")
    for r in results:
        print(
            f"{r['movies']:>7,} movies: {r['reviews_in_bronze']:,} of {r['reviews_available']:,} reviews in Bronze;"
            f" scored at {r['scoring_rate']:.1f} reviews/s; a full build over all of them would take"
            f" ~{r['extrapolated_full_s'] / 60:.0f} min (extrapolated)"
        )
    figures = {}
    for r in results:
        figures[f"{r['movies']}_landed_s"] = r["landed_s"]
        for phase in ("full", "again", "incremental"):
            figures[f"{r['movies']}_{phase}_s"] = r[phase].seconds
    args.result_file.write_text(json.dumps(figures))


if __name__ == "__main__":
    main()
