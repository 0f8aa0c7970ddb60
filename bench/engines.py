"""Engines over Gold: the Spark SQL endpoint beside chDB (embedded ClickHouse) and DuckDB, in one run.

    .local/tools/bin/uv sync --frozen --group evaluation   # chdb + duckdb (not in the default setup)
    .venv/bin/python bench/engines.py [--movies 10000] [--runs 9] [--rebuild]

The queries are the Superset dashboard's (tmdb_pipeline.superset.dashboard.CHARTS, run verbatim on
Spark) and a few analyst questions; chDB and DuckDB run the same SQL, or a dialect translation where
they must, and each answer is checked against Spark's. Every engine reads the same Gold tables in the same run:

  spark   the pipeline's Spark SQL endpoint (`tmdb-pipeline sql-server up`: Thrift server, one JVM)
          on this bench's catalog and port 20100, queried over PyHive (one connection)
  chdb    chDB in a worker process: ClickHouse's own Iceberg reader (an `IcebergLocal` table per
          Gold table), pinned to the metadata file the catalog names (pyiceberg)
  duckdb  DuckDB in a worker process: `read_parquet` over the current snapshot's data files as
          pyiceberg plans them (DuckDB's iceberg extension is downloaded at run time, not reachable)

Per query and engine: the cold run (first in a fresh engine), the warm median of --runs runs, CPU
seconds per warm run (the engine's processes: for Spark the endpoint's JVM plus the PyHive client)
and peak RSS. Queries run round-robin over the engines, one at a time, so background load falls on
all three alike. Startup (endpoint up; import + catalog + views) is reported apart.

Gold comes from bench/transform.py's pieces: Bronze for the N most popular movies of the emulator's
catalogue, landed through the landing job's writer, a full `dbt build`, then 1 % of the catalogue
changed and built again (so trending has changes). It lives under .local/bench-engines/ (its own
catalog, warehouse and stack home; the demo's lakehouse and the test stack are not touched) and is
rebuilt only when absent or built for other sizes. Logs: .local/bench-engines/logs/.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HOME = ROOT / ".local" / "bench-engines"
# this bench's lakehouse and stack home, set before any settings are loaded (here and in children)
LAKEHOUSE_ENV = {
    "ICEBERG_CATALOG_TYPE": "jdbc",
    "ICEBERG_CATALOG_DB": str(HOME / "iceberg" / "catalog.db"),
    "ICEBERG_WAREHOUSE": (HOME / "iceberg" / "warehouse").as_uri(),
    "STACK_HOME": str(HOME / "stack"),
    "SQL_ENDPOINT_HOST": "127.0.0.1",
}
os.environ.update(LAKEHOUSE_ENV)
os.environ.setdefault("SQL_ENDPOINT_PORT", "20100")
os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")

import argparse  # noqa: E402
import contextlib  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import multiprocessing  # noqa: E402
import platform  # noqa: E402
import re  # noqa: E402
import shutil  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from datetime import UTC, date, datetime  # noqa: E402
from decimal import Decimal  # noqa: E402
from importlib.metadata import version  # noqa: E402
from multiprocessing.connection import Connection  # noqa: E402
from typing import Any  # noqa: E402

GOLD = "gold"
MANIFEST = HOME / "gold.json"
LOGS = HOME / "logs"
IDLE_S = 10.0


# --- Gold at N movies (a child process: a Spark session of its own, gone when it exits) ----------


def build_gold(movies: int, reviews_per_movie: int, max_reviews: int, change_fraction: float) -> None:
    sys.path.insert(0, str(Path(__file__).parent))
    import transform

    # transform points the catalog at a temporary directory when imported; this bench's persists
    os.environ.update(LAKEHOUSE_ENV)
    began = time.perf_counter()
    spark = transform.prepare_session("bench-engines-build")
    spark.sparkContext.setLogLevel("ERROR")
    source = transform.BronzeFromCatalogue(movies, reviews_per_movie, max_reviews)
    loader = transform.BronzeLoader(spark)
    step = time.perf_counter()
    records = source.first_pass()
    print(
        f"  bronze records generated: {records.count():,} in {time.perf_counter() - step:.0f} s", flush=True
    )
    step = time.perf_counter()
    bronze_rows = loader.load(records)
    print(f"  bronze landed: {bronze_rows:,} rows in {time.perf_counter() - step:.0f} s", flush=True)
    target = HOME / "dbt-target"
    full = transform.timed_build(spark, target)
    print(f"  full dbt build {full.seconds:.0f} s ({full.scored} reviews scored)", flush=True)
    # a second extraction of some movies, so trending_movies has popularity changes to rank
    changes, changed = source.changed_pass(max(1, round(source.service.settings.movies * change_fraction)))
    changed_rows = loader.load(changes) if changed else 0
    incremental = transform.timed_build(spark, target)
    print(
        f"  {len(changed)} movies changed ({changed_rows:,} bronze rows), incremental build"
        f" {incremental.seconds:.0f} s",
        flush=True,
    )
    counts = {
        row.tableName: spark.table(f"{GOLD}.{row.tableName}").count()
        for row in spark.sql(f"show tables in {GOLD}").collect()
    }
    spark.stop()
    shutil.copy(transform.WORKDIR / "dbt-output.log", LOGS / "dbt-output.log")
    shutil.rmtree(transform.WORKDIR, ignore_errors=True)  # checkpoints and scratch of the landing writer
    MANIFEST.write_text(
        json.dumps(
            {
                "movies": movies,
                "reviews_per_movie": reviews_per_movie,
                "max_reviews": max_reviews,
                "bronze_rows": bronze_rows + changed_rows,
                "reviews_in_bronze": len(records.by_stream.get("reviews", [])),
                "reviews_available": records.reviews_available,
                "changed_movies": len(changed),
                "full_build_s": full.seconds,
                "incremental_build_s": incremental.seconds,
                "total_s": time.perf_counter() - began,
                "gold_rows": counts,
                "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
            },
            indent=2,
        )
    )


def ensure_gold(args: argparse.Namespace) -> dict[str, Any]:
    wanted = {
        "movies": args.movies,
        "reviews_per_movie": args.reviews_per_movie,
        "max_reviews": args.max_reviews,
    }
    if MANIFEST.exists() and not args.rebuild:
        manifest = json.loads(MANIFEST.read_text())
        if all(manifest.get(k) == v for k, v in wanted.items()):
            print(f"Gold: reusing {HOME / 'iceberg'} ({args.movies:,} movies, built {manifest['built_at']})")
            return manifest
    print(f"Gold: building {args.movies:,} movies under {HOME / 'iceberg'} (Bronze, then dbt build)...")
    MANIFEST.unlink(missing_ok=True)
    shutil.rmtree(HOME / "iceberg", ignore_errors=True)
    shutil.rmtree(HOME / "dbt-target", ignore_errors=True)
    command = [
        sys.executable,
        __file__,
        "--build",
        f"--movies={args.movies}",
        f"--reviews-per-movie={args.reviews_per_movie}",
        f"--max-reviews={args.max_reviews}",
        f"--change-fraction={args.change_fraction}",
    ]
    with (LOGS / "build.log").open("ab") as log:
        # progress lines come from this file's prints; Spark's and dbt's own output goes to the log
        process = subprocess.run(command, stderr=log, check=False)
    if process.returncode != 0 or not MANIFEST.exists():
        sys.exit(f"Gold build failed (exit {process.returncode}); see {LOGS / 'build.log'}")
    manifest = json.loads(MANIFEST.read_text())
    print(f"Gold: built in {manifest['total_s']:.0f} s")
    return manifest


# --- the questions ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Question:
    key: str
    kind: str  # dashboard | analyst
    sql: dict[str, str]  # engine -> its statement
    order: tuple[int, ...] = ()  # result columns whose sequence the ORDER BY fixes; () = any order
    limit: bool = False  # a LIMIT may cut through a group of tied rows


# chDB's and DuckDB's statements for the charts they cannot run as written: `lateral view explode`
# (both), ClickHouse's case-sensitive type names (`String`), and a month that chDB's Arrow output would
# turn into epoch seconds (ClickHouse's `DateTime`; `DateTime64` stays a timestamp). Other charts run
# verbatim.
DASHBOARD_DIALECTS: dict[str, dict[str, str]] = {
    "chdb": {
        "sentiment_by_genre": """
select genre, r.sentiment_label, count(*) as reviews
from gold.movie_reviews as r
inner join gold.movie_metrics as m on m.movie_id = r.movie_id
array join m.genres as genre
where r.sentiment_label is not null
group by genre, r.sentiment_label""",
        "sentiment_over_time": """
select toDateTime64(toStartOfMonth(created_at), 6, 'UTC') as month, sentiment_label,
    count(*) as reviews, avg(sentiment_score) as mean_score
from gold.movie_reviews
where sentiment_label is not null and created_at is not null
group by 1, 2""",
        "movie_metrics": """
select concat(title, ' (', coalesce(toString(release_year), 'unreleased'), ')') as movie,
    release_year, vote_average, vote_count, popularity, review_count,
    sentiment_label, sentiment_mean_score, rating_sentiment_gap, revenue, roi
from gold.movie_metrics""",
    },
    "duckdb": {
        "sentiment_by_genre": """
select genre, r.sentiment_label, count(*) as reviews
from gold.movie_reviews as r
inner join gold.movie_metrics as m on m.movie_id = r.movie_id
cross join unnest(m.genres) as g(genre)
where r.sentiment_label is not null
group by genre, r.sentiment_label""",
    },
}
# the charts' ORDER BY columns (indices into the result) and whether their LIMIT may cut ties
DASHBOARD_ORDER: dict[str, tuple[tuple[int, ...], bool]] = {
    "top_people": ((3,), True),
    "co_stars": ((2, 0, 1), True),
    "actor_director_pairs": ((2, 0, 1), True),
}

# an analyst's questions: (key, {engine: sql}, order, limit); {person_id} is filled in at run time
GENRE_FROM = {  # one row per (movie, genre)
    "spark": "from gold.movie_metrics\nlateral view explode(genres) as genre",
    "chdb": "from gold.movie_metrics\narray join genres as genre",
    "duckdb": "from gold.movie_metrics\ncross join unnest(genres) as g(genre)",
}
ANALYST: tuple[tuple[str, dict[str, str], tuple[int, ...], bool], ...] = (
    (
        "roi_by_genre_decade",
        {
            engine: "select genre, release_decade, count(*) as movies, avg(roi) as mean_roi,\n"
            f"    sum(revenue) as revenue\n{source}\n"
            "where budget >= 1000000 and roi is not null\ngroup by genre, release_decade"
            for engine, source in GENRE_FROM.items()
        },
        (),
        False,
    ),
    (
        "rating_sentiment_gap",
        dict.fromkeys(
            ("spark", "chdb", "duckdb"),
            "select title, vote_average, sentiment_mean_score, rating_sentiment_gap\n"
            "from gold.movie_metrics\nwhere vote_count >= 20 and rating_sentiment_gap is not null\n"
            "order by rating_sentiment_gap desc, movie_id\nlimit 20",
        ),
        (3,),
        True,
    ),
    (
        "person_filmography",
        {
            "spark": "select film.release_year, film.title, film.credit_type, film.role\n"
            "from gold.person_filmography\nlateral view explode(filmography) roles as film\n"
            "where person_id = {person_id}",
            "chdb": "select film.release_year, film.title, film.credit_type, film.role\n"
            "from gold.person_filmography\narray join filmography as film\nwhere person_id = {person_id}",
            "duckdb": "select film.release_year, film.title, film.credit_type, film.role\n"
            "from (select unnest(filmography) as film from gold.person_filmography\n"
            "    where person_id = {person_id}) as roles",
        },
        (),
        False,
    ),
    (
        "most_reviewed_movies",
        dict.fromkeys(
            ("spark", "chdb", "duckdb"),
            "select m.movie_id, m.title, count(*) as reviews, avg(r.sentiment_score) as mean_score\n"
            "from gold.movie_reviews as r\ninner join gold.movie_metrics as m on m.movie_id = r.movie_id\n"
            "group by m.movie_id, m.title\norder by reviews desc, m.movie_id\nlimit 20",
        ),
        (2, 0),
        True,
    ),
    (
        "best_per_genre",
        {
            engine: "select genre, title, vote_average, vote_count\nfrom (\n"
            "    select genre, title, vote_average, vote_count, row_number() over (\n"
            "        partition by genre order by vote_average desc, vote_count desc, movie_id\n"
            f"    ) as position\n    {inner}\n) as ranked\nwhere position <= 3"
            for engine, inner in {
                "spark": GENRE_FROM["spark"].replace("\n", "\n    ") + "\n    where vote_count >= 100",
                # ClickHouse: the genre must exist before the window sees it, hence a subquery
                "chdb": "from (select arrayJoin(genres) as genre, movie_id, title, vote_average, vote_count\n"
                "        from gold.movie_metrics where vote_count >= 100) as by_genre",
                "duckdb": GENRE_FROM["duckdb"].replace("\n", "\n    ") + "\n    where vote_count >= 100",
            }.items()
        },
        (),
        False,
    ),
)


def questions(person_id: int) -> list[Question]:
    from tmdb_pipeline.superset.dashboard import CHARTS

    asked = []
    for chart in CHARTS:  # exactly the dashboard's SQL on Spark
        order, limit = DASHBOARD_ORDER.get(chart.key, ((), False))
        sql = {"spark": chart.sql} | {e: d.get(chart.key, chart.sql) for e, d in DASHBOARD_DIALECTS.items()}
        asked.append(Question(chart.key, "dashboard", sql, order, limit))
    for key, sql, order, limit in ANALYST:
        filled = {engine: text.replace("{person_id}", str(person_id)) for engine, text in sql.items()}
        asked.append(Question(key, "analyst", filled, order, limit))
    return asked


# --- measuring one statement -----------------------------------------------------------------------

PAGE = os.sysconf("SC_PAGE_SIZE")


def rss(pids: list[int]) -> int:
    total = 0
    for pid in pids:
        with contextlib.suppress(OSError):
            total += int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE
    return total


class PeakRss:
    """Peak resident memory of `pids` while a statement runs: /proc polled every 10 ms."""

    def __init__(self, pids: list[int]) -> None:
        self.pids = pids
        self.peak = rss(pids)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._poll, daemon=True)

    def _poll(self) -> None:
        while not self._stop.wait(0.01):
            self.peak = max(self.peak, rss(self.pids))

    def __enter__(self) -> PeakRss:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, rss(self.pids))


def measure(
    run: Callable[[str], list[tuple[Any, ...]]], sql: str, pids: list[int], cpu: Callable[[], float]
) -> dict[str, Any]:
    """Wall time until every row is in Python, CPU seconds of the engine's processes, peak RSS."""
    with PeakRss(pids) as memory:
        cpu_before, began = cpu(), time.perf_counter()
        rows: list[tuple[Any, ...]] | None = None
        error = ""
        try:
            rows = run(sql)
        except Exception as exc:  # an engine's refusal is a result to report, not a crash
            error = (
                f"{type(exc).__name__}: {str(exc).strip().splitlines()[0][:300] if str(exc).strip() else ''}"
            )
        seconds, cpu_s = time.perf_counter() - began, cpu() - cpu_before
    return {"seconds": seconds, "cpu_s": cpu_s, "peak_rss": memory.peak, "rows": rows, "error": error}


# --- the embedded engines, each in a worker process of its own ------------------------------------


def local_path(uri: str) -> str:
    return uri.removeprefix("file://").removeprefix("file:")


class Chdb:
    """ClickHouse's IcebergLocal engine per table, pinned to the metadata file the catalog names."""

    def __init__(self, tables: dict[str, Any]) -> None:
        import chdb
        from chdb import session

        self.version = f"chdb {chdb.__version__} (ClickHouse {chdb.engine_version})"
        self.session = session.Session()
        self.session.query("set session_timezone = 'UTC'")
        self.session.query(f"create database if not exists {GOLD}")
        self.access: dict[str, str] = {}
        for name, table in tables.items():
            location = local_path(table.location())
            metadata = local_path(table.metadata_location).removeprefix(location + "/")
            self.session.query(
                f"create table {GOLD}.{name} engine = IcebergLocal('{location}')"
                f" settings iceberg_metadata_file_path = '{metadata}'"
            )
            self.access[name] = f"IcebergLocal, {metadata}"

    def rows(self, sql: str) -> list[tuple[Any, ...]]:
        table = self.session.query(sql, "ArrowTable")
        return list(zip(*(column.to_pylist() for column in table.columns), strict=True))


class Duckdb:
    """DuckDB views over the current snapshot's data files as pyiceberg plans them."""

    def __init__(self, tables: dict[str, Any]) -> None:
        import duckdb

        self.version = f"duckdb {duckdb.__version__}"
        self.connection = duckdb.connect()
        self.connection.execute("set TimeZone = 'UTC'")
        self.connection.execute(f"create schema {GOLD}")
        self.access = {}
        for name, table in tables.items():
            tasks = list(table.scan().plan_files())
            if tasks and not any(task.delete_files for task in tasks):
                files = [local_path(task.file.file_path) for task in tasks]
                self.connection.execute(f"create view {GOLD}.{name} as select * from read_parquet({files!r})")
                self.access[name] = f"read_parquet, {len(files)} files"
            else:  # delete files to apply (or no file at all): pyiceberg reads, DuckDB scans the Arrow table
                self.connection.register(f"{name}_arrow", table.scan().to_arrow())
                self.connection.execute(f"create view {GOLD}.{name} as select * from {name}_arrow")
                self.access[name] = "pyiceberg scan -> Arrow (in memory)"

    def rows(self, sql: str) -> list[tuple[Any, ...]]:
        return self.connection.execute(sql).fetchall()


EMBEDDED: dict[str, Callable[[dict[str, Any]], Chdb | Duckdb]] = {"chdb": Chdb, "duckdb": Duckdb}


def serve_engine(name: str, connection: Connection) -> None:
    """Worker process: open Gold through the catalog, set the engine up, then run what is sent."""
    log = os.open(LOGS / f"{name}.log", os.O_WRONLY | os.O_CREAT | os.O_APPEND)
    os.dup2(log, 1)  # native libraries write to fd 1/2: into the log, not the terminal
    os.dup2(log, 2)
    try:
        from tmdb_pipeline.stack.catalog import get_catalog

        catalog = get_catalog()
        tables = {ident[-1]: catalog.load_table(ident) for ident in catalog.list_tables(GOLD)}
        engine = EMBEDDED[name](tables)
    except Exception as exc:
        connection.send({"error": f"{type(exc).__name__}: {exc}"})
        return
    pid = os.getpid()
    connection.send({"version": engine.version, "access": engine.access, "rss": rss([pid])})
    while (sql := connection.recv()) is not None:
        connection.send(measure(engine.rows, sql, [pid], time.process_time))


class Worker:
    """The parent's handle on an embedded engine's worker process."""

    def __init__(self, name: str) -> None:
        self.name = name
        began = time.perf_counter()
        self.connection, child = multiprocessing.get_context("spawn").Pipe()
        self.process = multiprocessing.get_context("spawn").Process(
            target=serve_engine, args=(name, child), daemon=True
        )
        self.process.start()
        ready = self.connection.recv()
        if "error" in ready:
            raise RuntimeError(f"{name} did not start: {ready['error']} (see {LOGS / f'{name}.log'})")
        # interpreter, imports, catalog, table setup: what a service embedding the engine pays once
        self.startup_s = time.perf_counter() - began
        self.version, self.access, self.idle_rss = ready["version"], ready["access"], ready["rss"]

    def pids(self) -> list[int]:
        return [self.process.pid] if self.process.pid is not None else []

    def run(self, sql: str) -> dict[str, Any]:
        self.connection.send(sql)
        return self.connection.recv()

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.connection.send(None)
        self.process.join(timeout=30)
        if self.process.is_alive():
            self.process.kill()


class SparkEndpoint:
    """The Spark SQL endpoint started as `sql-server up` does, on this bench's catalog; PyHive client."""

    name = "spark"

    def __init__(self) -> None:
        import psutil

        from tmdb_pipeline.settings import SparkSettings, StackSettings, load
        from tmdb_pipeline.sql_endpoint.client import connect
        from tmdb_pipeline.sql_endpoint.settings import SqlEndpointSettings
        from tmdb_pipeline.stack.process import free_port, port_is_free
        from tmdb_pipeline.stack.sql_endpoint import SqlEndpointService

        settings, spark, stack = load(SqlEndpointSettings), load(SparkSettings), load(StackSettings)
        # an endpoint a killed run of this bench left behind (its pid file is under our stack home):
        # stopped, so the start below is timed from nothing
        SqlEndpointService(stack, settings, spark).stop()
        if not port_is_free(settings.host, settings.port):
            settings = settings.model_copy(update={"port": free_port(settings.host)})
        self.service = SqlEndpointService(stack, settings, spark)
        began = time.perf_counter()
        self.service.start()
        self.startup_s = time.perf_counter() - began
        try:
            self.version = (
                f"Spark {spark.version} Thrift server, Iceberg {spark.iceberg_version},"
                f" driver {spark.driver_memory}, {spark.master}"
            )
            self.access = "Iceberg SparkCatalog (JDBC catalog on SQLite), every table"
            self.root = psutil.Process(self.service.pid())
            self.connection = connect(settings, GOLD)
            self.cursor = self.connection.cursor()
            self.idle_rss = rss(self.pids())
        except BaseException:
            self.service.stop()
            raise

    def pids(self) -> list[int]:
        return [self.root.pid] + [child.pid for child in self.root.children(recursive=True)]

    def server_cpu(self) -> float:
        return cpu_seconds(self.pids())

    def rows(self, sql: str) -> list[tuple[Any, ...]]:
        self.cursor.execute(sql)
        return list(self.cursor.fetchall())

    def run(self, sql: str) -> dict[str, Any]:
        client = time.process_time()
        result = measure(self.rows, sql, self.pids(), lambda: self.server_cpu() + time.process_time())
        result["client_cpu_s"] = time.process_time() - client
        return result

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.cursor.close()
            self.connection.close()
        self.service.stop()


def cpu_seconds(pids: list[int]) -> float:
    import psutil

    total = 0.0
    for pid in pids:
        with contextlib.suppress(psutil.Error):
            times = psutil.Process(pid).cpu_times()
            total += times.user + times.system
    return total


def idle_cpu(engines: dict[str, SparkEndpoint | Worker], seconds: float) -> dict[str, float]:
    """CPU share each engine's processes use while nobody asks anything (a server's standing cost)."""
    before = {name: cpu_seconds(engine.pids()) for name, engine in engines.items()}
    time.sleep(seconds)
    return {name: (cpu_seconds(engine.pids()) - before[name]) / seconds for name, engine in engines.items()}


# --- answers: each engine's rows against Spark's ---------------------------------------------------

TIMESTAMP_TEXT = re.compile(r"\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d(\.\d+)?")


def plain(value: Any) -> Any:
    """One cell as a comparable Python value (PyHive hands timestamps over as text)."""
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, str) and TIMESTAMP_TEXT.fullmatch(value):
        value = datetime.fromisoformat(value)
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(UTC).replace(tzinfo=None)
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return value


def same_cell(a: Any, b: Any) -> bool:
    numbers = (int, float)
    if isinstance(a, numbers) and isinstance(b, numbers) and not isinstance(a, bool):
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)  # float sums in another order
    return a == b


def same_row(a: tuple[Any, ...], b: tuple[Any, ...]) -> bool:
    return len(a) == len(b) and all(same_cell(x, y) for x, y in zip(a, b, strict=True))


def sort_key(row: tuple[Any, ...]) -> tuple[Any, ...]:
    def cell(v: Any) -> tuple[Any, ...]:
        if v is None:
            return (0, 0)
        if isinstance(v, (int, float)):
            return (1, round(float(v), 6))
        return (2, str(v))

    return tuple(cell(v) for v in row)


def same_rows(a: list[tuple[Any, ...]], b: list[tuple[Any, ...]]) -> bool:
    return len(a) == len(b) and all(
        same_row(x, y) for x, y in zip(sorted(a, key=sort_key), sorted(b, key=sort_key), strict=True)
    )


def compare(question: Question, reference: list[tuple[Any, ...]], rows: list[tuple[Any, ...]]) -> str:
    """'same', 'same but ties', or what differs. Ordered results must follow Spark's key sequence;
    rows tied on the order key may come in any order, and a LIMIT may keep other tied rows."""
    if len(rows) != len(reference):
        return f"differs: {len(rows)} rows, Spark {len(reference)}"
    if question.order:

        def keys(row: tuple[Any, ...]) -> tuple[Any, ...]:
            return tuple(row[i] for i in question.order)

        if not all(same_row(keys(a), keys(b)) for a, b in zip(reference, rows, strict=True)):
            return "differs: order"
        if question.limit and reference:
            last = keys(reference[-1])
            inside = [r for r in reference if not same_row(keys(r), last)]
            if not same_rows(inside, [r for r in rows if not same_row(keys(r), last)]):
                return "differs: rows"
            return "same" if same_rows(reference, rows) else "same but ties"
    return "same" if same_rows(reference, rows) else "differs: rows"


# --- the run ---------------------------------------------------------------------------------------


def gold_facts() -> tuple[dict[str, dict[str, Any]], int]:
    """Per Gold table: rows, data files and bytes of the current snapshot; and the person with the
    most movies (the filmography question's subject)."""
    import pyarrow.compute as pc

    from tmdb_pipeline.stack.catalog import get_catalog

    catalog = get_catalog()
    facts = {}
    for ident in catalog.list_tables(GOLD):
        table = catalog.load_table(ident)
        tasks = list(table.scan().plan_files())
        facts[ident[-1]] = {
            "rows": sum(task.file.record_count for task in tasks),
            "files": len(tasks),
            "bytes": sum(task.file.file_size_in_bytes for task in tasks),
            "delete_files": sum(len(task.delete_files) for task in tasks),
            "snapshots": len(table.snapshots()),
        }
    people = catalog.load_table(f"{GOLD}.person_filmography").scan(
        selected_fields=("person_id", "movie_count")
    )
    frame = people.to_arrow().sort_by([("movie_count", "descending"), ("person_id", "ascending")])
    person_id = int(pc.first(frame["person_id"]).as_py()) if frame.num_rows else 0
    return facts, person_id


def bench(args: argparse.Namespace, manifest: dict[str, Any]) -> dict[str, Any]:
    facts, person_id = gold_facts()
    asked = questions(person_id)
    engines: dict[str, SparkEndpoint | Worker] = {}
    results: dict[str, dict[str, dict[str, Any]]] = {}
    try:
        print("\n== starting engines (one at a time)", flush=True)
        engines["spark"] = SparkEndpoint()
        print(f"  spark: endpoint up in {engines['spark'].startup_s:.1f} s", flush=True)
        for name in EMBEDDED:
            engines[name] = Worker(name)
            print(f"  {name}: ready in {engines[name].startup_s:.1f} s", flush=True)

        idle = idle_cpu(engines, IDLE_S)
        print(
            f"  idle for {IDLE_S:.0f} s: " + ", ".join(f"{n} {v:.1%} of a core" for n, v in idle.items()),
            flush=True,
        )
        print(f"\n== cold runs (first run of each question in each engine; person {person_id})", flush=True)
        for q in asked:
            results[q.key] = {}
            for name, engine in engines.items():
                run = engine.run(q.sql[name])
                results[q.key][name] = {"cold": run, "warm": []}
            print(
                f"  {q.key:<24}"
                + "".join(f" {name} {fmt_ms(results[q.key][name]['cold'])}" for name in engines),
                flush=True,
            )
        print(f"\n== warm runs: {args.runs} rounds, round-robin over questions and engines", flush=True)
        for round_ in range(args.runs):
            for q in asked:
                for name, engine in engines.items():
                    run = engine.run(q.sql[name])
                    run["rows"] = None  # the cold run's rows are the ones compared
                    results[q.key][name]["warm"].append(run)
            print(f"  round {round_ + 1}/{args.runs} done", flush=True)
        engine_facts = {
            name: {
                "startup_s": engine.startup_s,
                "idle_cpu_share": idle[name],
                "idle_rss": engine.idle_rss,
                "version": engine.version,
                "access": engine.access,
            }
            for name, engine in engines.items()
        }
    finally:
        for engine in engines.values():
            engine.close()
    return summarise(args, manifest, facts, person_id, asked, results, engine_facts)


def fmt_ms(run: dict[str, Any]) -> str:
    return "ERROR" if run["error"] else f"{run['seconds'] * 1000:.0f} ms"


def summarise(
    args: argparse.Namespace,
    manifest: dict[str, Any],
    facts: dict[str, dict[str, Any]],
    person_id: int,
    asked: list[Question],
    results: dict[str, dict[str, dict[str, Any]]],
    engine_facts: dict[str, dict[str, Any]],
) -> dict[str, Any]:
    names = list(engine_facts)
    table = []
    for q in asked:
        reference = results[q.key]["spark"]["cold"]
        row: dict[str, Any] = {"question": q.key, "kind": q.kind, "sql": q.sql}
        for name in names:
            cold, warm = results[q.key][name]["cold"], results[q.key][name]["warm"]
            errors = [r["error"] for r in [cold, *warm] if r["error"]]
            ok = [r for r in warm if not r["error"]]
            row[name] = {
                "cold_ms": cold["seconds"] * 1000,
                "warm_ms": statistics.median(r["seconds"] for r in ok) * 1000 if ok else None,
                "cpu_ms": statistics.median(r["cpu_s"] for r in ok) * 1000 if ok else None,
                "peak_rss_mb": max(r["peak_rss"] for r in [cold, *warm]) / 2**20,
                "rows": len(cold["rows"]) if cold["rows"] is not None else None,
                "error": errors[0] if errors else "",
            }
            if name == "spark":
                row[name]["client_cpu_ms"] = (
                    statistics.median(r["client_cpu_s"] for r in ok) * 1000 if ok else None
                )
            elif reference["rows"] is None or cold["rows"] is None:
                row[name]["answer"] = "not compared (error)"
            else:
                ref = [tuple(plain(v) for v in r) for r in reference["rows"]]
                mine = [tuple(plain(v) for v in r) for r in cold["rows"]]
                row[name]["answer"] = compare(q, ref, mine)
        table.append(row)

    print("\n== latency: cold run / warm median of", args.runs, "(ms, until every row is in Python)")
    header = f"{'question':<24} {'rows':>6}" + "".join(f" {n + ' cold':>12} {n + ' warm':>12}" for n in names)
    print(header)
    for row in table:
        cells = "".join(
            f" {cell(row[n]['cold_ms'], row[n]['error']):>12} {cell(row[n]['warm_ms'], row[n]['error']):>12}"
            for n in names
        )
        print(f"{row['question']:<24} {row['spark']['rows'] or 0:>6}{cells}")
    for kind in ("dashboard", "analyst"):
        rows = [row for row in table if row["kind"] == kind]
        cells = "".join(f" {total(rows, n, 'cold_ms'):>12} {total(rows, n, 'warm_ms'):>12}" for n in names)
        print(f"{'all ' + kind + ' (sum)':<24} {'':>6}{cells}")
    print("\n== cost per warm run: CPU ms (median; Spark: JVM + PyHive client) / peak RSS MB")
    print(
        f"{'question':<24}"
        + "".join(f" {n + ' cpu':>12} {n + ' MB':>10}" for n in names)
        + "  answers vs Spark"
    )
    for row in table:
        cells = "".join(
            f" {cell(row[n]['cpu_ms'], row[n]['error']):>12} {row[n]['peak_rss_mb']:>10.0f}" for n in names
        )
        answers = ", ".join(f"{n}: {row[n].get('answer', '')}" for n in names if n != "spark")
        print(f"{row['question']:<24}{cells}  {answers}")
    print("\n== engines")
    for name, f in engine_facts.items():
        total_cpu = sum(sum(r["cpu_s"] for r in results[q.key][name]["warm"]) for q in asked)
        f["warm_cpu_s_total"] = total_cpu
        f["peak_rss_mb"] = max(row[name]["peak_rss_mb"] for row in table)
        print(
            f"  {name:<7} startup {f['startup_s']:6.1f} s  idle RSS {f['idle_rss'] / 2**20:6.0f} MB"
            f"  idle CPU {f['idle_cpu_share']:5.1%}"
            f"  peak RSS {f['peak_rss_mb']:6.0f} MB  CPU over all warm runs {total_cpu:6.1f} s  ({f['version']})"
        )
    for row in table:
        for name in names:
            if row[name]["error"]:
                print(f"  ! {row['question']} on {name}: {row[name]['error']}")
    return {
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "runs": args.runs,
        "person_id": person_id,
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "load_avg_end": os.getloadavg(),
        },
        "versions": package_versions(),
        "gold": {"manifest": manifest, "tables": facts},
        "engines": engine_facts,
        "questions": table,
    }


def total(rows: list[dict[str, Any]], engine: str, figure: str) -> str:
    values = [row[engine][figure] for row in rows]
    return "ERROR" if any(v is None for v in values) else f"{sum(values):.0f}"


def cell(value: float | None, error: str) -> str:
    return "ERROR" if value is None else f"{value:.0f}"


def package_versions() -> dict[str, str]:
    return {p: version(p) for p in ("pyspark", "pyiceberg", "pyarrow", "chdb", "duckdb", "pyhive")}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--movies", type=int, default=10_000, help="movies in Gold")
    parser.add_argument("--reviews-per-movie", type=int, default=2, help="reviews kept in Bronze per movie")
    parser.add_argument("--max-reviews", type=int, default=2000, help="reviews kept (and scored) in all")
    parser.add_argument("--change-fraction", type=float, default=0.01, help="catalogue share changed once")
    parser.add_argument("--runs", type=int, default=9, help="warm runs per query and engine")
    parser.add_argument("--rebuild", action="store_true", help="rebuild Gold even when present")
    parser.add_argument("--build", action="store_true", help=argparse.SUPPRESS)  # the build child
    args = parser.parse_args()
    LOGS.mkdir(parents=True, exist_ok=True)
    if args.build:
        build_gold(args.movies, args.reviews_per_movie, args.max_reviews, args.change_fraction)
        return
    began = time.perf_counter()
    print(f"python {platform.python_version()}  cpus {os.cpu_count()}  load {os.getloadavg()[0]:.1f}")
    manifest = ensure_gold(args)
    load_start = os.getloadavg()
    report = bench(args, manifest)
    report["machine"]["load_avg_start"] = load_start
    print(f"load average (1/5/15 min) at start {load_start}, at end {os.getloadavg()}")
    # one file per run, so a document can name the run its figures come from
    stamp = report["measured_at"].replace(":", "").replace("+0000", "Z")
    out = HOME / f"results-{stamp}.json"
    out.write_text(json.dumps(report, indent=2, default=str))
    print(f"\nfigures in {out}; logs in {LOGS}; {time.perf_counter() - began:.0f} s in all")


if __name__ == "__main__":
    main()
