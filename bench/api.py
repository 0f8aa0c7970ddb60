"""API throughput and latency beside the same MongoDB queries issued directly, in the same run.

  API     `tmdb-pipeline api` (uvicorn, one worker) under wrk on loopback: HTTP parsing, validation,
          the API's reads (resident copies of the card collections, `_id` lookups), msgspec encoding
  direct  the repositories' queries asked of the server itself (no cache, no resident copy), driven
          by asyncio with the same concurrency: what each request would cost without the API's reads

for every data route, each request a different one drawn at random (list filters, sorts and pages;
ids; 404s; title searches), over a catalogue synced from Gold: the emulator's movies as Gold tables
(tmdb_pipeline.testing.sample_gold), through the real sync. API / direct is the API's cost beside the
database's. The API runs with its default settings (query budget, concurrency slots): errors count.

Backends (`--backends`): `sqlite` is the local stack's FerretDB (its SQLite backend, built by the
stack); `postgresql` is the same FerretDB build on PostgreSQL 15 from Debian, started here on a
throwaway cluster (as the `postgres` user when run as root). `--mongo-uri` benchmarks another server
(e.g. MongoDB from deploy/) instead.

Run: .venv/bin/python bench/api.py [--movies 10000] [--duration 30] [--connections 2,8]
     [--backends sqlite,postgresql]
Data lives under .local/bench-api/ (Gold rebuilt only when its size differs). Nothing of the demo
stack is touched. wrk comes from Debian (`apt-get install -y wrk`); without it an httpx load
generator runs.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import platform
import random
import re
import shutil
import statistics
import subprocess
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path
from urllib.parse import urlencode

import httpx
from pydantic import SecretStr
from pyiceberg.catalog.sql import SqlCatalog
from pymongo import MongoClient

from serving_api.domain.genres.repository import GenreRepository, stats_match
from serving_api.domain.movies.repository import MovieFilters, MovieRepository
from serving_api.domain.people.repository import PeopleRepository
from serving_api.domain.search.repository import SearchRepository
from serving_api.domain.system.repository import HealthChecks
from serving_api.domain.trending.repository import TrendingRepository
from serving_api.lib.metrics import Metrics
from serving_api.lib.mongo import Mongo
from serving_api.lib.pagination import PageRequest
from serving_api.lib.params import search_tokens
from serving_api.lib.snapshot import ReadCache, SnapshotCache, Totals
from serving_api.settings import ApiSettings, SyncSettings
from serving_api.sync import run_sync
from tmdb_pipeline.settings import MongoSettings, StackSettings, load
from tmdb_pipeline.stack.mongo import MongoService
from tmdb_pipeline.stack.process import free_port, port_is_open
from tmdb_pipeline.testing.api import running_api
from tmdb_pipeline.testing.sample_gold import SampleGold, write_gold

DATABASE = "tmdb_bench_api"
CLIENT_TIMEOUT_S = 120
MISSING_BASE = 50_000_000  # ids from here on do not exist
NAMESPACE = "gold"
SEED = 42
TARGETS = 2000  # distinct requests per route
HOME = load(StackSettings).home / "bench-api"
POSTGRES_BIN = Path("/usr/lib/postgresql/15/bin")


@dataclass
class Result:
    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    errors: int = 0

    @property
    def rps(self) -> float:
        return self.requests / self.seconds


# --- data -----------------------------------------------------------------------------------
def bench_catalog() -> SqlCatalog:
    (HOME / "iceberg").mkdir(parents=True, exist_ok=True)
    return SqlCatalog(
        "bench", uri=f"sqlite:///{HOME / 'iceberg' / 'catalog.db'}", warehouse=(HOME / "iceberg").as_uri()
    )


def prepare_gold(catalog: SqlCatalog, movies: int) -> None:
    """Gold tables for `movies` movies, rebuilt only when the namespace holds another size."""
    try:
        table = catalog.load_table(f"{NAMESPACE}.movie_metrics")
        snapshot = table.current_snapshot()
        rows = int(snapshot.summary.additional_properties.get("total-records", 0)) if snapshot else 0
    except Exception:
        rows = -1
    if rows == movies:
        print(f"Gold: reusing {NAMESPACE} ({movies:,} movies)")
        return
    began = time.monotonic()
    tables = SampleGold(movies, seed=SEED, max_reviews=5).tables()
    write_gold(catalog, NAMESPACE, tables)
    print(f"Gold: {movies:,} movies from the emulator's catalogue in {time.monotonic() - began:.1f}s")


def sync(catalog: SqlCatalog, mongo: MongoSettings) -> None:
    settings = SyncSettings(gold_namespace=NAMESPACE)
    first = run_sync(catalog=catalog, mongo=mongo, settings=settings, full=True)
    documents = sum(c.result.documents for c in first.collections)
    written = sum(c.result.upserted for c in first.collections)
    again = run_sync(catalog=catalog, mongo=mongo, settings=settings)
    print(
        f"sync: {documents:,} documents ({written:,} written) in {first.seconds:.1f}s; "
        f"again with Gold unchanged: {again.seconds:.2f}s"
    )


def server_name(mongo: MongoSettings) -> str:
    client: MongoClient = MongoClient(mongo.uri.get_secret_value(), serverSelectionTimeoutMS=3000)
    try:
        info = client.admin.command("buildInfo")
    finally:
        client.close()
    if "ferretdbVersion" in info:
        return f"FerretDB {mongo.ferretdb_version} (MongoDB wire protocol {info['version']})"
    return f"MongoDB {info['version']}"


# --- routes --------------------------------------------------------------------------------
@dataclass
class Repositories:
    movies: MovieRepository
    people: PeopleRepository
    search: SearchRepository
    trending: TrendingRepository
    genres: GenreRepository
    health: HealthChecks


Direct = Callable[[Repositories], Awaitable[object]]


@dataclass
class Route:
    label: str
    targets: list[tuple[str, Direct]] = field(default_factory=list)  # (path, the same read direct)
    expect: int = 200


def routes(mongo: MongoSettings, movies: int) -> list[Route]:
    """Every data route with TARGETS distinct requests, drawn from the synced data."""
    rng = random.Random(7)
    client: MongoClient = MongoClient(mongo.uri.get_secret_value())
    db = client[mongo.database]
    cards = list(db.movie_cards.find({}, {"genres": 1, "title": 1}))
    person_ids = [p["_id"] for p in db.person_cards.find({}, {"_id": 1})]
    client.close()
    genres = sorted({g for c in cards for g in c.get("genres") or []})
    words = sorted({w for c in cards for w in search_tokens(c.get("title") or "") if len(w) > 2})
    movie_ids = [c["_id"] for c in cards]

    def pick(n: int, make: Callable[[], tuple[str, Direct]]) -> list[tuple[str, Direct]]:
        return [make() for _ in range(n)]

    def movie_list() -> tuple[str, Direct]:
        genre, sort = (
            rng.choice([None, *genres]),
            rng.choice(["popularity", "rating", "release_date", "sentiment"]),
        )
        order, page = rng.choice(["asc", "desc"]), rng.randint(1, 5)
        query = urlencode({"sort": sort, "order": order, "page": page} | ({"genre": genre} if genre else {}))
        filters = MovieFilters(genre=genre)
        return f"/movies?{query}", lambda r: r.movies.list(filters, sort, order, PageRequest(page, 20))

    def movie(missing: bool) -> Callable[[], tuple[str, Direct]]:
        def make() -> tuple[str, Direct]:
            movie_id = MISSING_BASE + rng.randint(1, movies) if missing else rng.choice(movie_ids)
            return f"/movies/{movie_id}", lambda r: r.movies.get(movie_id)

        return make

    def reviews() -> tuple[str, Direct]:
        movie_id = rng.choice(movie_ids)
        return f"/movies/{movie_id}/reviews", lambda r: r.movies.list_reviews(
            movie_id, None, PageRequest(1, 20)
        )

    def people() -> tuple[str, Direct]:
        sort, order, page = (
            rng.choice(["popularity", "movie_count"]),
            rng.choice(["asc", "desc"]),
            rng.randint(1, 5),
        )
        return (
            f"/people?sort={sort}&order={order}&page={page}",
            lambda r: r.people.list(None, [], sort, order, PageRequest(page, 20)),
        )

    def person() -> tuple[str, Direct]:
        person_id = rng.choice(person_ids)
        return f"/people/{person_id}", lambda r: r.people.get(person_id)

    def search() -> tuple[str, Direct]:
        word = rng.choice(words)[: rng.randint(3, 5)]
        return f"/search?q={word}", lambda r: r.search.titles([word], PageRequest(1, 20))

    def trending() -> tuple[str, Direct]:
        page = rng.randint(1, 50)
        return f"/trending?page={page}", lambda r: r.trending.list(PageRequest(page, 20))

    def genre_stats() -> tuple[str, Direct]:
        genre, year_from = rng.choice([None, *genres]), rng.choice([None, *range(1960, 2025, 5)])
        query = urlencode({"include_years": "true"} | ({"genre": genre} if genre else {}))
        query += f"&year_from={year_from}" if year_from else ""
        return f"/genres/stats?{query}", lambda r: r.genres.rows(stats_match(genre, year_from, None))

    async def health(r: Repositories) -> None:
        if (await r.health.mongodb()).status != "up" or (await r.health.serving_data()).status != "up":
            raise RuntimeError("unhealthy")

    return [
        Route("/movies?genre&sort&order&page (random)", pick(TARGETS, movie_list)),
        Route(f"/movies/{{id}} (random of {movies:,})", pick(TARGETS, movie(False))),
        Route(f"/movies/{{id}} (404, above {MISSING_BASE:,})", pick(TARGETS, movie(True)), expect=404),
        Route("/movies/{id}/reviews (random)", pick(TARGETS, reviews)),
        Route("/people?sort&order&page (random)", pick(TARGETS, people)),
        Route(f"/people/{{id}} (random of {len(person_ids):,})", pick(TARGETS, person)),
        Route("/search?q= (random title prefix)", pick(TARGETS, search)),
        Route("/trending?page (random)", pick(TARGETS, trending)),
        Route("/genres/stats?genre&year_from&include_years", pick(TARGETS, genre_stats)),
        Route("/health (ping + _sync_state)", [("/health", health)]),
    ]


# --- load generators -------------------------------------------------------------------------
_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()  # type: ignore[union-attr]
    return float(number) * _UNITS[unit]


def run_wrk(base_url: str, route: Route, duration: int, connections: int) -> Result:
    paths = ", ".join(f'"{path}"' for path, _ in route.targets)
    script = (
        f"math.randomseed(7)\npaths = {{{paths}}}\n"
        "request = function() return wrk.format('GET', paths[math.random(1, #paths)]) end\n"
    )
    if route.expect != 200:  # the expected non-2xx answers are not errors: count the others
        script += (
            "unexpected = 0\n"
            f"response = function(status) if status ~= {route.expect} then unexpected = unexpected + 1 end end\n"
            'done = function() io.write("unexpected: " .. unexpected .. "\\n") end\n'
        )
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
        handle.write(script)
    command = ["wrk", "-t1", f"-c{connections}", f"-d{duration}s", "--timeout", "60s", "--latency"]
    command += ["-s", handle.name, base_url + "/"]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    Path(handle.name).unlink()
    requests, seconds = re.search(r"(\d+) requests in ([\d.]+)(ms|s|m)", output).groups()[:2]  # type: ignore[union-attr]
    percentiles = dict(re.findall(r"^\s+(50|99)%\s+(\S+)\s*$", output, re.MULTILINE))
    if not percentiles:  # no request finished within the run
        raise SystemExit(f"wrk measured nothing; its output:\n{output}")
    if route.expect == 200:
        non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
        errors = int(non_2xx.group(1)) if non_2xx else 0
    else:
        errors = int(re.search(r"unexpected: (\d+)", output).group(1))  # type: ignore[union-attr]
    socket_errors = re.search(r"Socket errors: (.*)", output)
    if socket_errors:
        errors += sum(int(n) for n in re.findall(r"\d+", socket_errors.group(1)))
    return Result(int(requests), float(seconds), _ms(percentiles["50"]), _ms(percentiles["99"]), errors)


async def drive(call: Callable[[int], Awaitable[object]], duration: float, connections: int) -> Result:
    """`connections` loops calling `call(i)` back to back for `duration` seconds."""
    latencies: list[float] = []
    errors = 0
    deadline = time.perf_counter() + duration

    async def worker(n: int) -> None:
        nonlocal errors
        i = n
        while time.perf_counter() < deadline:
            began = time.perf_counter()
            try:
                await call(i)
            except Exception:
                errors += 1
            latencies.append(time.perf_counter() - began)
            i += connections

    began = time.perf_counter()
    await asyncio.gather(*(worker(n) for n in range(connections)))
    elapsed = time.perf_counter() - began
    quantiles = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else latencies * 99
    return Result(len(latencies), elapsed, quantiles[49] * 1000, quantiles[98] * 1000, errors)


def _shuffled(route: Route) -> list[tuple[str, Direct]]:
    targets = list(route.targets)
    random.Random(11).shuffle(targets)
    return targets


def run_httpx(base_url: str, route: Route, duration: int, connections: int) -> Result:
    targets = _shuffled(route)

    async def main() -> Result:
        limits = httpx.Limits(max_connections=connections)
        async with httpx.AsyncClient(base_url=base_url, limits=limits, timeout=60.0) as client:

            async def call(i: int) -> None:
                response = await client.get(targets[i % len(targets)][0])
                if response.status_code != route.expect:
                    raise RuntimeError(response.status_code)

            return await drive(call, duration, connections)

    return asyncio.run(main())


def run_direct(mongo: MongoSettings, route: Route, duration: int, connections: int) -> Result:
    targets = _shuffled(route)

    async def main() -> Result:
        # the API's client options, but no budget: the baseline waits for every answer
        api_settings = ApiSettings(query_timeout_ms=CLIENT_TIMEOUT_S * 1000)
        client = Mongo(mongo, api_settings, Metrics()).connect()
        db = client[mongo.database]
        # the server answers every read: nothing remembered (ReadCache(0)), no resident copies
        totals = Totals(db, SnapshotCache(api_settings.snapshot_refresh_ms / 1000), ReadCache(0))
        repositories = Repositories(
            MovieRepository(db, totals),
            PeopleRepository(db, totals),
            SearchRepository(db, totals),
            TrendingRepository(db, totals),
            GenreRepository(db, totals),
            HealthChecks(db, api_settings.health_timeout_ms / 1000),
        )

        async def call(i: int) -> None:
            await targets[i % len(targets)][1](repositories)

        try:
            return await drive(call, duration, connections)
        finally:
            await client.close()

    return asyncio.run(main())


# --- backends --------------------------------------------------------------------------------
@contextlib.contextmanager
def ferretdb(backend: str) -> Iterator[MongoSettings]:
    """The local stack's FerretDB build on `backend`, on free ports, data under HOME/<backend>."""
    mongo = MongoSettings(port=free_port(), database=DATABASE)
    service = MongoService(load(StackSettings).model_copy(update={"home": HOME / backend}), mongo)
    if backend == "sqlite":
        service.start()
        try:
            yield mongo
        finally:
            service.stop()
        return
    service.install()
    with (
        postgresql() as url,
        _process([str(service.binary), "-listen-addr", service.address, "-postgresql-url", url]),
    ):
        deadline = time.monotonic() + 60
        while not port_is_open("127.0.0.1", mongo.port):
            if time.monotonic() > deadline:
                raise SystemExit(
                    f"FerretDB on PostgreSQL did not start; see {HOME / 'ferretdb-postgresql.log'}"
                )
            time.sleep(0.2)
        yield mongo


@contextlib.contextmanager
def postgresql() -> Iterator[str]:
    """A throwaway PostgreSQL cluster (Debian's postgresql-15) with a `ferretdb` database."""
    root = HOME / "postgresql"
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    if as_postgres:
        shutil.chown(root, "postgres")
    port = free_port()
    options = f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off -c shared_buffers=256MB"
    subprocess.run(
        [*as_postgres, POSTGRES_BIN / "initdb", "-D", root / "data", "-U", "postgres", "--auth=trust"],
        check=True,
        capture_output=True,
    )
    subprocess.run(
        [
            *as_postgres,
            POSTGRES_BIN / "pg_ctl",
            "-D",
            root / "data",
            "-o",
            options,
            "-l",
            root / "log",
            "-w",
            "start",
        ],
        check=True,
        capture_output=True,
    )
    try:
        subprocess.run(
            [
                *as_postgres,
                POSTGRES_BIN / "createdb",
                "-h",
                "127.0.0.1",
                "-p",
                str(port),
                "-U",
                "postgres",
                "ferretdb",
            ],
            check=True,
            capture_output=True,
        )
        yield f"postgres://postgres@127.0.0.1:{port}/ferretdb"
    finally:
        subprocess.run(
            [*as_postgres, POSTGRES_BIN / "pg_ctl", "-D", root / "data", "-m", "fast", "stop"],
            capture_output=True,
        )


@contextlib.contextmanager
def _process(command: list[str]) -> Iterator[None]:
    with open(HOME / "ferretdb-postgresql.log", "ab") as log:
        process = subprocess.Popen(command, stdout=log, stderr=log)
    try:
        yield
    finally:
        process.terminate()
        process.wait(30)


# --- report ----------------------------------------------------------------------------------
def row(label: str, result: Result) -> str:
    errors = f"  ({result.errors} errors)" if result.errors else ""
    return f"  {label:<40}{result.rps:>10,.1f}{result.p50_ms:>10.2f}{result.p99_ms:>10.2f}{errors}"


def report(label: str, served: Result, direct: Result) -> None:
    print(label)
    print(row("API over HTTP", served))
    print(row("direct: the server answers", direct))
    print(
        f"  {'API / direct':<40}{served.rps / direct.rps:>10.2f}"
        f"{served.p50_ms / direct.p50_ms:>10.2f}{served.p99_ms / direct.p99_ms:>10.2f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--movies", type=int, default=10_000)
    parser.add_argument("--duration", type=int, default=30, help="seconds per measured run")
    parser.add_argument("--connections", default="2,8", help="comma-separated concurrency levels")
    parser.add_argument("--backends", default="sqlite,postgresql", help="local FerretDB backends to compare")
    parser.add_argument("--loadgen", choices=["auto", "wrk", "python"], default="auto")
    parser.add_argument("--mongo-uri", help="benchmark this server instead of the local candidates")
    args = parser.parse_args()
    HOME.mkdir(parents=True, exist_ok=True)
    if args.mongo_uri:
        bench(args, MongoSettings(uri=SecretStr(args.mongo_uri), database=DATABASE), "given server")
        return
    for backend in args.backends.split(","):
        with ferretdb(backend) as mongo:
            bench(args, mongo, backend)


def bench(args: argparse.Namespace, mongo: MongoSettings, backend: str) -> None:
    loadgen = "wrk" if args.loadgen == "wrk" or (args.loadgen == "auto" and shutil.which("wrk")) else "python"
    generator = run_wrk if loadgen == "wrk" else run_httpx
    wrk_version = ""
    if loadgen == "wrk":
        wrk_version = subprocess.run(["wrk", "--version"], capture_output=True, text=True).stdout.split()[1]
    print(
        f"\n=== backend: {backend} ===\npython {platform.python_version()} · litestar {version('litestar')} · "
        f"pymongo {version('pymongo')} · uvicorn {version('uvicorn')} (1 worker) · load generator: "
        + (f"wrk {wrk_version}" if loadgen == "wrk" else f"httpx {version('httpx')} (asyncio)")
    )
    print(f"database server: {server_name(mongo)}")
    catalog = bench_catalog()
    prepare_gold(catalog, args.movies)
    sync(catalog, mongo)
    env = {"MONGO_URI": mongo.uri.get_secret_value(), "MONGO_DATABASE": DATABASE, "API_WORKERS": "1"}
    plan = routes(mongo, args.movies)
    began = time.monotonic()
    with running_api(env) as api:
        ready = wait_until_resident(api.base_url)
        print(f"API up; its resident copies loaded {ready:.1f}s after start (the first list waits for them)")
        for connections in (int(c) for c in args.connections.split(",")):
            print(
                f"\n{connections} concurrent connections, {args.duration}s per run, each request drawn at random "
                f"from {TARGETS:,} distinct ones, on 127.0.0.1 ({os.cpu_count()} CPUs, load average "
                f"{os.getloadavg()[0]:.1f} before the runs)\n"
            )
            print(f"  {'':<40}{'req/s':>10}{'p50 ms':>10}{'p99 ms':>10}")
            for route in plan:
                served = generator(api.base_url, route, args.duration, connections)
                direct = run_direct(mongo, route, args.duration, connections)
                report(route.label, served, direct)
    print(f"\n{backend}: measured in {time.monotonic() - began:.0f}s")


def wait_until_resident(base_url: str) -> float:
    """Seconds until a list answers (its resident copy is loaded), from the API's start."""
    began = time.monotonic()
    with httpx.Client(base_url=base_url, timeout=CLIENT_TIMEOUT_S) as client:
        while (
            client.get("/people?page_size=1").status_code != 200
            or client.get("/movies?page_size=1").status_code != 200
        ):
            time.sleep(0.5)
    return time.monotonic() - began


if __name__ == "__main__":
    main()
