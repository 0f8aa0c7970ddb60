"""How each stage's cost grows with the catalogue: the whole pass at several sizes on the emulator.

    .venv/bin/python bench/scale.py [--movies 1000,10000] [--result-file PATH] [--keep]

For each size N, on a fresh private stack (its own Kafka, FerretDB, TMDB emulator with N movies and
Iceberg lakehouse under .local/bench-scale/<N>/, on free ports; nothing of the demo's or the tests'
data is touched), it runs the four stages as a user does, each its own CLI process:
`tmdb-pipeline extract`, `land --once`, `transform` and `sync-serving`. Per stage it gives the wall
time, the cost per 1k movies, the CPU seconds and the peak memory of the stage's process tree (both
sampled every 0.25 s; the RSS of every process is summed, so shared pages count once per process and
the figure is an upper bound), beside the stack services' peak RSS over the same stage (their CPU,
e.g. the emulator's, is not counted).

The growth table puts each stage's seconds per 1k movies side by side and divides the largest
size's cost per movie by the smallest's (both measured in the same run): above 1.5 the stage
"grows faster than linear". The same ratio on CPU seconds is steadier on a shared machine. Start-up
costs (a JVM, dbt parsing the project) weigh on small sizes and hide growth, so with three sizes or
more the marginal cost (extra seconds per extra 1k movies) of the smallest and the largest step is
shown too, and flagged when it grows more than 1.5x.

Extraction is sized with EXTRACT_MAX_MOVIES=N and EXTRACT_MAX_PAGES=ceil(N/20), at most 500: TMDB
(and the emulator) serve at most 500 pages of 20 per list, so one list seeds at most 10,000 movies.
The bench reads every seed list the settings know (popular, top_rated, now_playing, upcoming,
trending_day, trending_week; discover without filters repeats popular), which together seed about
13.6k movies of a 100k catalogue. Above 10,000 movies it also reads `discover` one release year at a
time (EXTRACT_DISCOVER_SLICE_BY_YEAR, newest year first, from the emulator's first year to next
year), after the lists, as TMDB's API users page through the whole catalogue: each year is a query
of its own, under the 500-page cap while a year holds fewer than 10,000 movies (about 1,600 at 100k).
Movies without a release date (about 1.5% of the emulator's catalogue, as on TMDB) are in no year,
so only those the lists reach are seeded: of a 100k catalogue, 98,692. So for a sliced size the
emulator's catalogue is grown by that shortfall (100k movies asked for: a catalogue of about 101.3k)
until the walk seeds N; the bench prints both numbers, and says so if a size still cannot be seeded
in full (it then measures what is seeded). Per-movie costs always use the number of movies actually
extracted (the records in the movies topic); the output also gives the movies served (documents in
MongoDB's `movies`).

The extract stage keeps the connector's request budget (EXTRACT_REQUESTS_PER_SECOND, 40 by default)
unless --requests-per-second says otherwise; the emulator itself has no rate limit or faults here.

Time on 2 cores: 5-6 minutes per size up to 1k movies (measured: 100, 300 and 1,000 movies in 18
minutes); 10k movies, by that rate, roughly an hour; 100k movies takes hours (the seed walk alone,
about 7,100 list pages, took 3.4 minutes at 40 requests/s). Stage output goes to
.local/bench-scale/<N>/logs/<stage>.log; without --keep the stack's data (Kafka, MongoDB, the
lakehouse, dbt's target) is removed after each size and the logs are kept.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import platform
import re
import shutil
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any

import psutil
from pymongo import MongoClient
from rich.console import Console
from rich.table import Table

from tmdb_pipeline.emulator.service import Emulator
from tmdb_pipeline.emulator.settings import EmulatorSettings
from tmdb_pipeline.emulator.traits import FIRST_YEAR
from tmdb_pipeline.extract.sink import topic_for
from tmdb_pipeline.metrics.land import kafka_offsets
from tmdb_pipeline.orchestrate.stack import local_stack
from tmdb_pipeline.settings import (
    ExtractSettings,
    KafkaSettings,
    MongoSettings,
    SparkSettings,
    TmdbSettings,
    load,
)
from tmdb_pipeline.stack.manager import LocalStack
from tmdb_pipeline.stack.process import free_port
from tmdb_pipeline.transform.runner import PASS_BUILD

ROOT = Path(__file__).resolve().parents[1]
BENCH_HOME = ROOT / ".local" / "bench-scale"
CLI = str(Path(sys.executable).parent / "tmdb-pipeline")
STAGES: tuple[tuple[str, list[str]], ...] = (
    ("extract", ["extract"]),
    ("land", ["land", "--once"]),
    ("transform", ["transform", *PASS_BUILD]),  # the build a pass runs (dbt's unit tests excluded)
    ("sync-serving", ["sync-serving"]),
)
PAGE_SIZE = 20
MAX_PAGES = 500  # ExtractSettings.max_pages' bound, TMDB's last page
# every seed list that adds movies; `discover` without filters is `popular` again
SEED_LISTS = ("popular", "top_rated", "now_playing", "upcoming", "trending_day", "trending_week")
# above one list's cap, discover is read one release year at a time as well
ONE_LIST_CAP = MAX_PAGES * PAGE_SIZE
MAX_CATALOGUE = 1_000_000  # EmulatorSettings.movies' bound
SAMPLE_S = 0.25
FASTER_THAN_LINEAR = 1.5
LOG_TAIL_LINES = 30
GIB = 1024**3

# off a terminal (a log, CI) rich would wrap at 80 columns: the tables need more
console = Console(width=None if sys.stdout.isatty() else 160)


@dataclass
class StageRun:
    stage: str
    seconds: float
    cpu_s: float
    peak_rss_bytes: int
    services_peak_rss_bytes: int
    returncode: int
    log: str
    count: str = ""


@dataclass
class SizeRun:
    requested: int
    catalogue: int  # the emulator's movies: more than requested when undated movies cannot be seeded
    seed_pages: int
    seed_lists: list[str]
    seedable: int
    discover_years: list[int] = field(default_factory=list)  # newest first; [] when not sliced
    extracted: int | None = None
    served: int | None = None
    stages: list[StageRun] = field(default_factory=list)
    failed_stage: str | None = None
    error: str | None = None

    @property
    def complete(self) -> bool:
        return self.failed_stage is None and self.error is None and len(self.stages) == len(STAGES)

    def per_thousand(self, seconds: float) -> float:
        return seconds / (self.extracted or 1) * 1000


# --- sizing ---------------------------------------------------------------------------------
def seed_pages(movies: int) -> int:
    return min(MAX_PAGES, math.ceil(movies / PAGE_SIZE))


def discover_years(emulator: EmulatorSettings, movies: int) -> list[int]:
    """The release years the discover seed is read by, newest first, when `movies` is more than one
    list can seed: every year of the emulator's catalogue (upcoming films reach into next year)."""
    if movies <= ONE_LIST_CAP:
        return []
    today = emulator.today or datetime.now(UTC).date()
    return list(range(today.year + 1, FIRST_YEAR - 1, -1))


def seedable_movies(emulator: EmulatorSettings, movies: int, pages: int, years: list[int]) -> int:
    """How many distinct movies the seed lists (then discover's year slices) give, walked as the
    connector walks them (in order, deduplicated, stopping at `movies`), read from an in-process copy
    of the emulator's catalogue."""
    service = Emulator(emulator)
    seen: set[int] = set()
    slices: list[tuple[str, int | None]] = [(seed, None) for seed in SEED_LISTS]
    slices += [("discover", year) for year in years]
    for seed, year in slices:
        for page in range(1, pages + 1):
            if seed.startswith("trending_"):
                body = service.trending(seed.removeprefix("trending_"), str(page))
            elif seed == "discover":
                body = service.discover({"primary_release_year": str(year), "page": str(page)})
            else:
                body = service.movie_list(seed, str(page))
            seen.update(int(item["id"]) for item in body["results"])
            if len(seen) >= movies:
                return movies
            if page >= body["total_pages"]:
                break
    return len(seen)


def sized_catalogue(movies: int, pages: int, years: list[int]) -> tuple[int, int]:
    """(catalogue, seedable): the emulator's size for `movies` and how many of them the walk seeds.
    The catalogue is `movies`, grown by the shortfall while the year slices cannot reach them all
    (undated movies are in no year); an unsliced size keeps a catalogue of exactly `movies`."""
    catalogue = max(movies, 10)
    for _ in range(4):
        # the seed and 'today' as the stack's emulator will have them (EMULATOR_SEED, EMULATOR_TODAY)
        seedable = seedable_movies(EmulatorSettings(movies=catalogue), movies, pages, years)
        if seedable >= movies or not years or catalogue >= MAX_CATALOGUE:
            break
        catalogue = min(MAX_CATALOGUE, catalogue + movies - seedable)
    return catalogue, seedable


def distinct_ports(count: int) -> list[int]:
    ports: list[int] = []
    while len(ports) < count:
        port = free_port()
        if port not in ports:
            ports.append(port)
    return ports


def size_environment(
    movies: int, home: Path, requests_per_second: int | None, years: list[int], catalogue: int
) -> dict[str, str]:
    """Everything that makes this size's stack private and sized: set before any settings load.
    With `years` (newest first), discover is read after the lists, one of those years at a time."""
    stack_home = home / "stack"
    warehouse = stack_home / "iceberg" / "warehouse"
    kafka_port, controller_port, mongo_port, emulator_port = distinct_ports(4)
    env = {
        "STACK_HOME": str(stack_home),
        "KAFKA_PORT": str(kafka_port),
        "KAFKA_CONTROLLER_PORT": str(controller_port),
        "KAFKA_BOOTSTRAP_SERVERS": "",
        "MONGO_PORT": str(mongo_port),
        "MONGO_URI": "",
        # the emulator, clean: no TMDB key, no rate limit, no faults, `catalogue` movies
        "TMDB_API_KEY": "",
        "TMDB_READ_ACCESS_TOKEN": "",
        "EMULATOR_MOVIES": str(catalogue),
        "EMULATOR_HOST": "127.0.0.1",
        "EMULATOR_PORT": str(emulator_port),
        "EMULATOR_RATE_LIMIT": "0",
        "EMULATOR_FAIL_RATE": "0",
        "EMULATOR_SLOW_RATE": "0",
        "EMULATOR_MALFORMED_RATE": "0",
        "EMULATOR_MUTATE_RATE": "0",
        "EXTRACT_MAX_MOVIES": str(movies),
        "EXTRACT_MAX_PAGES": str(seed_pages(movies)),
        "EXTRACT_SEED_LISTS": ",".join([*SEED_LISTS, "discover"] if years else SEED_LISTS),
        "EXTRACT_DISCOVER_SLICE_BY_YEAR": "true" if years else "false",
        "EXTRACT_DISCOVER_YEAR_FROM": str(years[-1]) if years else "",
        "EXTRACT_DISCOVER_YEAR_TO": str(years[0]) if years else "",
        "EXTRACT_STREAMS": "",
        "EXTRACT_STATE_FILE": str(stack_home / "extract" / "state.json"),
        # the default lakehouse (JDBC catalog on SQLite, file warehouse), inside this size's folder
        "ICEBERG_CATALOG_TYPE": "jdbc",
        "ICEBERG_CATALOG_DB": str(stack_home / "iceberg" / "catalog.db"),
        "ICEBERG_WAREHOUSE": warehouse.as_uri(),
        "LANDING_CHECKPOINT_DIR": f"{warehouse.as_uri()}/_checkpoints/bronze_landing",
        "LANDING_METRICS_FILE": str(stack_home / "landing" / "metrics.jsonl"),
        "DBT_TARGET_PATH": str(home / "dbt" / "target"),
        "DBT_LOG_PATH": str(home / "dbt" / "logs"),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        # only what the pass needs: no SQL endpoint, speed layer or monitoring, no metrics pushed
        "SQL_ENDPOINT_ENABLED": "false",
        "LIVE_STACK": "false",
        "METRICS_STACK": "false",
        "METRICS_PUSHGATEWAY_URL": "",
        "SPARK_LOCAL_IP": "127.0.0.1",
        "HF_HUB_OFFLINE": "1",
        "PYTHONUNBUFFERED": "1",
    }
    if requests_per_second is not None:
        env["EXTRACT_REQUESTS_PER_SECOND"] = str(requests_per_second)
    return env


# --- measuring --------------------------------------------------------------------------------
def tree_rss(root: psutil.Process, cpu_seen: dict[tuple[int, float], float] | None = None) -> int:
    """The summed RSS of `root` and its descendants; with `cpu_seen`, each one's CPU seconds so far
    are noted there (by pid and start time, so a reused pid is another process)."""
    total = 0
    with contextlib.suppress(psutil.Error):
        for process in [root, *root.children(recursive=True)]:
            with contextlib.suppress(psutil.Error):
                total += process.memory_info().rss
                if cpu_seen is not None:
                    times = process.cpu_times()
                    cpu_seen[(process.pid, process.create_time())] = times.user + times.system
    return total


def service_roots(stack: LocalStack) -> list[psutil.Process]:
    roots = []
    for service in stack.services:
        pid = service.pid()
        if pid is not None:
            with contextlib.suppress(psutil.Error):
                roots.append(psutil.Process(pid))
    return roots


def run_stage(name: str, args: list[str], log_path: Path, services: list[psutil.Process]) -> StageRun:
    """The CLI as a user runs it, its output to `log_path`; wall time, the CPU seconds and peak
    summed RSS of its process tree (sampled: the JVM pyspark starts is nobody's waited-for child, so
    getrusage would miss it; the last fraction of a second of each process is missed instead), and
    the stack services' peak summed RSS."""
    began = time.monotonic()
    peak = services_peak = 0
    cpu_seen: dict[tuple[int, float], float] = {}
    # rich's width off a terminal: the summary lines parsed afterwards stay whole
    env = {**os.environ, "COLUMNS": "200"}
    with log_path.open("w") as log:
        child = subprocess.Popen(
            [CLI, *args], env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT
        )
        try:
            root = psutil.Process(child.pid)
            while child.poll() is None:
                peak = max(peak, tree_rss(root, cpu_seen))
                services_peak = max(services_peak, sum(tree_rss(s) for s in services))
                time.sleep(SAMPLE_S)
        finally:
            if child.poll() is None:  # interrupted: do not leave the stage running
                child.terminate()
                try:
                    child.wait(60)
                except subprocess.TimeoutExpired:
                    child.kill()
                    child.wait()
    return StageRun(
        stage=name,
        seconds=time.monotonic() - began,
        cpu_s=sum(cpu_seen.values()),
        peak_rss_bytes=peak,
        services_peak_rss_bytes=services_peak,
        returncode=child.returncode,
        log=str(log_path),
    )


def stage_count(name: str, log_text: str) -> str:
    """What the stage says it did, from its own summary line."""
    if name == "transform":
        found = re.findall(r"dbt build[^:\n]*: (.+?) in [\d.]+s", log_text)
        return f"dbt: {found[-1]}" if found else ""
    patterns = {
        "extract": (r"([\d,]+) records in [\d.]+s", "records to Kafka"),
        "land": (r"\d+ batches, ([\d,]+) records in", "records to Bronze"),
    }
    if name not in patterns:
        return ""
    pattern, what = patterns[name]
    found = re.findall(pattern, log_text)
    return f"{int(found[-1].replace(',', '')):,} {what}" if found else ""


def topic_records(topic: str) -> int:
    """Records in a topic (the producer is idempotent, not transactional: offsets are records)."""
    watermarks = kafka_offsets(load(KafkaSettings), re.escape(topic))
    return sum(high - low for low, high in watermarks.values())


def mongo_documents() -> tuple[int, int]:
    """(documents in every collection, documents in `movies`) of the private MongoDB."""
    mongo = load(MongoSettings)
    with MongoClient(mongo.uri.get_secret_value(), serverSelectionTimeoutMS=10_000) as client:
        database = client[mongo.database]
        counts = {name: database[name].count_documents({}) for name in database.list_collection_names()}
    return sum(counts.values()), counts.get("movies", 0)


def tail(path: Path, lines: int) -> str:
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


# --- one size -------------------------------------------------------------------------------
def measure_size(movies: int, requests_per_second: int | None, keep: bool) -> SizeRun:
    home = BENCH_HOME / str(movies)
    # the emulator's 'today' (EMULATOR_TODAY, if set) decides its newest year
    years = discover_years(EmulatorSettings(movies=max(movies, 10)), movies)
    catalogue, seedable = sized_catalogue(movies, seed_pages(movies), years)
    env = size_environment(movies, home, requests_per_second, years, catalogue)
    os.environ.update(env)
    load.cache_clear()  # every settings model re-read with this size's environment
    if load(TmdbSettings).has_credentials:
        raise SystemExit("A TMDB key is configured (in .env?): this bench runs on the emulator; unset it.")
    local_stack().down()  # a stack a killed run left under this home: stopped before its data goes
    shutil.rmtree(home, ignore_errors=True)
    logs = home / "logs"
    logs.mkdir(parents=True)

    extract = load(ExtractSettings)
    run = SizeRun(
        requested=movies,
        catalogue=load(EmulatorSettings).movies,
        seed_pages=extract.max_pages,
        seed_lists=list(extract.seed_lists),
        seedable=seedable,
        discover_years=years,
    )
    sliced = f" (discover by year, {years[0]}..{years[-1]})" if years else ""
    console.rule(f"[bold]{movies:,} movies")
    console.print(
        f"emulator: {load(EmulatorSettings).movies:,} movies; extract: max {movies:,} movies, "
        f"{extract.max_pages} pages of {PAGE_SIZE} from {', '.join(extract.seed_lists)}{sliced}; "
        f"{extract.requests_per_second} requests/s",
        highlight=False,
    )
    if run.catalogue > movies:
        console.print(
            f"The catalogue has {run.catalogue - movies:,} movies more than asked for: its movies without "
            "a release date are in no year slice, and only some are in the lists.",
            highlight=False,
        )
    if run.seedable < movies:
        reach = "the lists and discover's year slices can seed" if years else "the seed lists can seed"
        why = (
            f"a year is cut at {ONE_LIST_CAP:,} movies like a list, and undated movies are in no year"
            if years
            else f"at most {MAX_PAGES} pages of {PAGE_SIZE} per list"
        )
        console.print(
            f"[yellow]{reach.capitalize()} only {run.seedable:,} of the {movies:,} movies asked for[/] "
            f"({why}): this size measures those, and its per-movie costs use the count actually "
            "extracted.",
            highlight=False,
        )
    console.print(f"stage logs: {logs}/<stage>.log", highlight=False)

    stack = local_stack()
    began = time.monotonic()
    with console.status("starting the private stack..."):
        report = stack.up()
    console.print(
        f"private stack up in {time.monotonic() - began:.0f} s ({', '.join(report.started)}) under "
        f"{stack.settings.home}",
        highlight=False,
    )
    try:
        services = service_roots(stack)
        for name, args in STAGES:
            with console.status(f"{movies:,} movies: {name}..."):
                stage = run_stage(name, args, logs / f"{name}.log", services)
            log_text = Path(stage.log).read_text(errors="replace")
            stage.count = stage_count(name, log_text)
            run.stages.append(stage)
            if stage.returncode != 0:
                run.failed_stage = name
                console.print(
                    f"[bold red]{name} failed[/] (exit {stage.returncode}) after {stage.seconds:.0f} s; "
                    f"log: {stage.log}\n{tail(Path(stage.log), LOG_TAIL_LINES)}",
                    highlight=False,
                )
                break
            if name == "extract":
                run.extracted = topic_records(topic_for("movies", load(KafkaSettings).topic_prefix))
                stage.count = f"{run.extracted:,} movies, {stage.count}".rstrip(", ")
                if run.extracted == 0:
                    run.error = "extract produced no movies"
                    console.print(f"[bold red]extract produced no movies[/]; log: {stage.log}")
                    break
            if name == "sync-serving":
                documents, run.served = mongo_documents()
                stage.count = f"{run.served:,} movies, {documents:,} documents in MongoDB"
            console.print(
                f"  {name:<13}{stage.seconds:>9.1f} s  {run.per_thousand(stage.seconds):>8.1f} s/1k movies  "
                f"peak {stage.peak_rss_bytes / GIB:.2f} GiB  {stage.count}",
                highlight=False,
            )
    finally:
        stack.down()
        if not keep:  # the logs stay
            for data in (home / "stack", home / "dbt"):
                shutil.rmtree(data, ignore_errors=True)
    print_size(run)
    return run


# --- output -----------------------------------------------------------------------------------
def print_size(run: SizeRun) -> None:
    actual = f"{run.extracted:,}" if run.extracted is not None else "?"
    served = f", {run.served:,} served" if run.served is not None else ""
    table = Table(title=f"{actual} movies extracted{served} (asked for {run.requested:,})")
    for column in ("stage", "seconds", "s / 1k movies", "CPU s", "peak RSS", "services RSS", "reported"):
        table.add_column(column, justify="left" if column in ("stage", "reported") else "right")
    for stage in run.stages:
        failed = stage.returncode != 0
        table.add_row(
            f"[red]{stage.stage} (failed)[/]" if failed else stage.stage,
            f"{stage.seconds:.1f}",
            "-" if failed else f"{run.per_thousand(stage.seconds):.1f}",
            f"{stage.cpu_s:.1f}",
            f"{stage.peak_rss_bytes / GIB:.2f} GiB",
            f"{stage.services_peak_rss_bytes / GIB:.2f} GiB",
            stage.count,
        )
    if run.complete:
        seconds = sum(s.seconds for s in run.stages)
        table.add_row(
            "[bold]pass[/]",
            f"[bold]{seconds:.1f}[/]",
            f"[bold]{run.per_thousand(seconds):.1f}[/]",
            f"{sum(s.cpu_s for s in run.stages):.1f}",
            f"{max(s.peak_rss_bytes for s in run.stages) / GIB:.2f} GiB",
            f"{max(s.services_peak_rss_bytes for s in run.stages) / GIB:.2f} GiB",
            "",
        )
    console.print(table)


def growth(runs: list[SizeRun]) -> list[dict[str, Any]]:
    """Per stage (and the pass), over the sizes that ran through: cost per 1k movies at each size,
    the largest/smallest ratio of wall and CPU cost per movie, and the marginal cost (extra seconds
    per extra 1k movies) of the smallest and the largest step."""
    done = sorted((r for r in runs if r.complete), key=lambda r: r.extracted or 0)
    rows = []
    for name in [*(s for s, _ in STAGES), "pass"]:
        stages = [[s for s in run.stages if name in ("pass", s.stage)] for run in done]
        seconds = [sum(s.seconds for s in ran) for ran in stages]
        cpu = [sum(s.cpu_s for s in ran) for ran in stages]
        movies = [run.extracted or 0 for run in done]
        per_1k = [run.per_thousand(value) for run, value in zip(done, seconds, strict=True)]
        cpu_per_1k = [run.per_thousand(value) for run, value in zip(done, cpu, strict=True)]
        ratio = per_1k[-1] / per_1k[0] if per_1k[0] > 0 else math.inf
        cpu_ratio = cpu_per_1k[-1] / cpu_per_1k[0] if cpu_per_1k[0] > 0 else math.inf
        marginal: list[float] = []
        if len(done) >= 3:  # with two sizes the one step is the ratio above again
            steps = [(0, 1), (len(done) - 2, len(done) - 1)]
            marginal = [(seconds[b] - seconds[a]) / (movies[b] - movies[a]) * 1000 for a, b in steps]
        verdict = "grows faster than linear" if ratio > FASTER_THAN_LINEAR else "linear or better"
        if (
            ratio <= FASTER_THAN_LINEAR
            and marginal
            and min(marginal) > 0
            and marginal[1] / marginal[0] > FASTER_THAN_LINEAR
        ):
            verdict = "marginal cost grows faster than linear"
        rows.append(
            {
                "stage": name,
                "movies": movies,
                "seconds_per_1k_movies": [round(v, 3) for v in per_1k],
                "cpu_s_per_1k_movies": [round(v, 3) for v in cpu_per_1k],
                "peak_rss_gib": [round(max(s.peak_rss_bytes for s in ran) / GIB, 3) for ran in stages],
                "ratio_largest_to_smallest": round(ratio, 3),
                "cpu_ratio_largest_to_smallest": round(cpu_ratio, 3),
                "marginal_s_per_1k_first_last_step": [round(v, 3) for v in marginal],
                "verdict": verdict,
            }
        )
    return rows


def print_growth(rows: list[dict[str, Any]]) -> None:
    sizes = rows[0]["movies"]
    table = Table(title="How each stage's cost grows (largest size against the smallest, in this run)")
    table.add_column("stage")
    for movies in sizes:
        table.add_column(f"s/1k @ {movies:,}", justify="right")
    table.add_column("peak RSS GiB", justify="right")
    table.add_column(f"per movie {sizes[-1]:,}/{sizes[0]:,}", justify="right")
    table.add_column("CPU per movie", justify="right")
    table.add_column("marginal s/1k", justify="right")
    table.add_column("verdict")
    for row in rows:
        flagged = "faster" in row["verdict"]
        marginal = row["marginal_s_per_1k_first_last_step"]
        table.add_row(
            f"[bold]{row['stage']}[/]" if row["stage"] == "pass" else row["stage"],
            *(f"{v:.1f}" for v in row["seconds_per_1k_movies"]),
            " → ".join(f"{v:.2f}" for v in row["peak_rss_gib"]),
            f"{row['ratio_largest_to_smallest']:.2f}",
            f"{row['cpu_ratio_largest_to_smallest']:.2f}",
            " → ".join(f"{v:.1f}" for v in marginal) if marginal else "-",
            f"[red]{row['verdict']}[/]" if flagged else row["verdict"],
        )
    console.print(table)
    console.print(
        f"A per-movie ratio above {FASTER_THAN_LINEAR} flags a stage. Start-up costs (a JVM, dbt's "
        "parse) make small sizes dear per movie and hide growth: the marginal cost (extra seconds per "
        "extra 1k movies, smallest step → largest step; 3+ sizes) shows it, and is flagged when it grows "
        f"more than {FASTER_THAN_LINEAR}x. CPU per movie is the same ratio on CPU seconds, steadier "
        "than wall time on a shared machine."
    )


def machine() -> dict[str, Any]:
    memory = psutil.virtual_memory()
    spark = load(SparkSettings)
    return {
        "host": platform.node(),
        "cpus": os.cpu_count(),
        "memory_gib": round(memory.total / GIB, 1),
        "memory_available_gib": round(memory.available / GIB, 1),
        "load_average_1m": round(os.getloadavg()[0], 2),
        "python": platform.python_version(),
        "pyspark": version("pyspark"),
        "dbt_core": version("dbt-core"),
        "kafka": load(KafkaSettings).version,
        "ferretdb": load(MongoSettings).ferretdb_version,
        "spark_master": spark.master,
        "spark_driver_memory": spark.driver_memory,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--movies",
        default="1000,10000",
        help="comma-separated sizes, e.g. 1000,10000,100000 (100k: many hours on 2 cores)",
    )
    parser.add_argument("--result-file", type=Path, default=BENCH_HOME / "results.json")
    parser.add_argument("--keep", action="store_true", help="keep each size's stack data, not only its logs")
    parser.add_argument(
        "--requests-per-second",
        type=int,
        default=None,
        help="the connector's request budget (default EXTRACT_REQUESTS_PER_SECOND, 40)",
    )
    args = parser.parse_args()
    sizes = sorted({int(part) for part in args.movies.split(",") if part.strip()})
    if not sizes or sizes[0] < 1:
        parser.error("--movies needs positive sizes")

    info = machine()
    console.print(
        f"bench/scale.py on {info['host']}: {info['cpus']} CPUs, {info['memory_gib']} GiB memory "
        f"({info['memory_available_gib']} GiB free), load {info['load_average_1m']}; python {info['python']}, "
        f"pyspark {info['pyspark']} ({info['spark_master']}, driver {info['spark_driver_memory']}), "
        f"dbt-core {info['dbt_core']}, Kafka {info['kafka']}, FerretDB {info['ferretdb']}",
        highlight=False,
    )
    console.print(f"sizes: {', '.join(f'{s:,}' for s in sizes)} movies; private stacks under {BENCH_HOME}")
    started = datetime.now(UTC)
    runs: list[SizeRun] = []
    for movies in sizes:
        runs.append(measure_size(movies, args.requests_per_second, args.keep))

    rows: list[dict[str, Any]] = []
    if sum(run.complete for run in runs) >= 2:
        rows = growth(runs)
        print_growth(rows)
    else:
        console.print("[yellow]Fewer than two sizes ran through: no growth table.[/]")
    result = {
        "started_at": started.isoformat(),
        "machine": info,
        "requests_per_second": args.requests_per_second,
        "sizes": [asdict(run) | {"complete": run.complete} for run in runs],
        "growth": rows,
    }
    args.result_file.parent.mkdir(parents=True, exist_ok=True)
    args.result_file.write_text(json.dumps(result, indent=2))
    console.print(f"results: {args.result_file}", highlight=False)
    if not all(run.complete for run in runs):
        raise SystemExit(1)


if __name__ == "__main__":
    main()
