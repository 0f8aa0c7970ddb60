"""API throughput and latency beside the same MongoDB queries issued directly, in the same run.

  API     `tmdb-pipeline api` (uvicorn, one worker) under wrk on loopback: HTTP parsing, validation,
          the repository's PyMongo queries, msgspec encoding
  direct  the repository's queries themselves (the same find + count, same projection, same
          AsyncMongoClient options), driven by asyncio with the same concurrency

for `/movies?genre=...&sort=...`, `/movies/{id}` (random ids), `/movies/{id}` of ids that do not
exist (404) over a catalogue synced from Gold: the emulator's movies as Gold tables
(serving_api.sync.sample_gold), through the real sync; and `/health` (a ping and a small read),
where the database's share is smallest. API / direct is the API's cost on top of the database.
The API runs with its default settings (query budget, concurrency slots): errors count.

Run: .venv/bin/python bench/api.py [--movies 10000] [--duration 30] [--connections 2,8]
Runs its own FerretDB (the local stack's MongoDB server, on a free port, data under
.local/bench-api/) unless --mongo-uri names another server (e.g. MongoDB from deploy/), and its
own Iceberg catalog there (Gold rebuilt only when its size differs). Nothing of the demo stack is
touched. wrk comes from Debian (`apt-get install -y wrk`); without it an httpx load generator runs.
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
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

import httpx
from pydantic import SecretStr
from pyiceberg.catalog.sql import SqlCatalog
from pymongo import MongoClient

from serving_api.domain.movies.repository import MovieFilters, MovieRepository
from serving_api.domain.system.repository import HealthChecks
from serving_api.lib.metrics import Metrics
from serving_api.lib.mongo import Mongo
from serving_api.lib.pagination import PageRequest
from serving_api.lib.snapshot import ReadCache, SnapshotCache, Totals
from serving_api.process import running_api
from serving_api.settings import ApiSettings, SyncSettings
from serving_api.sync import run_sync
from serving_api.sync.sample_gold import SampleGold, write_gold
from tmdb_pipeline.settings import MongoSettings, StackSettings, load
from tmdb_pipeline.stack.mongo import MongoService
from tmdb_pipeline.stack.process import free_port

DATABASE = "tmdb_bench_api"
CLIENT_TIMEOUT_S = 120
MISSING_BASE = 50_000_000  # ids from here on do not exist
NAMESPACE = "gold"
SEED = 42
HOME = load(StackSettings).home / "bench-api"


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
        return f"FerretDB {mongo.ferretdb_version} on SQLite (MongoDB wire protocol {info['version']})"
    return f"MongoDB {info['version']}"


# --- load generators -------------------------------------------------------------------------
_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()  # type: ignore[union-attr]
    return float(number) * _UNITS[unit]


def run_wrk(
    base_url: str, path: str | None, ids: int, duration: int, connections: int, base: int = 0
) -> Result:
    script = "math.randomseed(7)\n"
    if path is None:
        script += f'request = function() return wrk.format("GET", "/movies/" .. ({base} + math.random(1, {ids}))) end\n'
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
        handle.write(script)
    command = ["wrk", "-t1", f"-c{connections}", f"-d{duration}s", "--timeout", "60s", "--latency"]
    command += ["-s", handle.name, base_url + (path or "/movies/1")]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    Path(handle.name).unlink()
    requests, seconds = re.search(r"(\d+) requests in ([\d.]+)(ms|s|m)", output).groups()[:2]  # type: ignore[union-attr]
    percentiles = dict(re.findall(r"^\s+(50|99)%\s+(\S+)\s*$", output, re.MULTILINE))
    if not percentiles:  # no request finished within the run
        raise SystemExit(f"wrk measured nothing; its output:\n{output}")
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    errors = int(non_2xx.group(1)) if non_2xx and not base else 0  # 404s are the point of `base`
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


def run_httpx(
    base_url: str, path: str | None, ids: int, duration: int, connections: int, base: int = 0
) -> Result:
    rng = random.Random(7)
    targets = [path or f"/movies/{base + rng.randint(1, ids)}" for _ in range(100_000)]

    async def main() -> Result:
        limits = httpx.Limits(max_connections=connections)
        async with httpx.AsyncClient(base_url=base_url, limits=limits, timeout=60.0) as client:

            async def call(i: int) -> None:
                response = await client.get(targets[i % len(targets)])
                if response.status_code != (404 if base else 200):
                    raise RuntimeError(response.status_code)

            return await drive(call, duration, connections)

    return asyncio.run(main())


def run_direct(
    mongo: MongoSettings, genre: str, sort: str, ids: int, duration: int, connections: int, kind: str
) -> Result:
    rng = random.Random(7)
    targets = [rng.randint(1, ids) for _ in range(100_000)]

    async def main() -> Result:
        # the API's client options, but no budget: the baseline waits for every answer
        api_settings = ApiSettings(query_timeout_ms=CLIENT_TIMEOUT_S * 1000)
        client = Mongo(mongo, api_settings, Metrics()).connect()
        db = client[mongo.database]
        # the queries themselves: nothing remembered between calls (ReadCache(0))
        totals = Totals(db, SnapshotCache(api_settings.snapshot_refresh_ms / 1000), ReadCache(0))
        repository = MovieRepository(db, totals)
        checks = HealthChecks(db, api_settings.health_timeout_ms / 1000)
        filters, page = MovieFilters(genre=genre), PageRequest(1, 20)

        async def call(i: int) -> None:
            if kind == "detail":
                if await repository.get(targets[i % len(targets)]) is None:
                    raise LookupError("movie missing")
            elif kind == "missing":
                if await repository.get(MISSING_BASE + targets[i % len(targets)]) is not None:
                    raise LookupError("movie found")
            elif kind == "list":
                await repository.list(filters, sort, "desc", page)
            elif (await checks.mongodb()).status != "up" or (await checks.serving_data()).status != "up":
                raise RuntimeError("unhealthy")

        try:
            for i in range(2 if kind == "list" else 20):  # warm-up, as for the API
                with contextlib.suppress(Exception):
                    await call(i)
            return await drive(call, duration, connections)
        finally:
            await client.close()

    return asyncio.run(main())


def warm_up(base_url: str, path: str | None, ids: int, base: int) -> str:
    """A few requests first (the API's connection pool, the server's caches); their statuses."""
    rng = random.Random(3)
    statuses = []
    with httpx.Client(base_url=base_url, timeout=CLIENT_TIMEOUT_S) as client:
        for _ in range(2 if path and path != "/health" else 20):
            began = time.perf_counter()
            response = client.get(path or f"/movies/{base + rng.randint(1, ids)}")
            statuses.append(f"{response.status_code} in {(time.perf_counter() - began) * 1000:.0f} ms")
    return ", ".join(statuses[:2])


# --- report ----------------------------------------------------------------------------------
def row(label: str, result: Result) -> str:
    errors = f"  ({result.errors} errors)" if result.errors else ""
    return f"  {label:<40}{result.rps:>10,.1f}{result.p50_ms:>10.2f}{result.p99_ms:>10.2f}{errors}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--movies", type=int, default=10_000)
    parser.add_argument("--duration", type=int, default=30, help="seconds per measured run")
    parser.add_argument("--connections", default="2,8", help="comma-separated concurrency levels")
    parser.add_argument("--genre", default="Drama")
    parser.add_argument(
        "--sort", default="rating", choices=["popularity", "rating", "release_date", "sentiment"]
    )
    parser.add_argument("--loadgen", choices=["auto", "wrk", "python"], default="auto")
    parser.add_argument("--mongo-uri", help="benchmark this server instead of a FerretDB of our own")
    args = parser.parse_args()

    if args.mongo_uri:
        mongo = MongoSettings(uri=SecretStr(args.mongo_uri), database=DATABASE)
        bench(args, mongo)
        return
    mongo = MongoSettings(port=free_port(), database=DATABASE)
    server = MongoService(load(StackSettings).model_copy(update={"home": HOME}), mongo)
    server.start()
    try:
        bench(args, mongo)
    finally:
        server.stop()


def bench(args: argparse.Namespace, mongo: MongoSettings) -> None:
    loadgen = "wrk" if args.loadgen == "wrk" or (args.loadgen == "auto" and shutil.which("wrk")) else "python"
    generator = run_wrk if loadgen == "wrk" else run_httpx
    wrk_version = ""
    if loadgen == "wrk":
        wrk_version = subprocess.run(["wrk", "--version"], capture_output=True, text=True).stdout.split()[1]
    print(
        f"python {platform.python_version()} · litestar {version('litestar')} · pymongo {version('pymongo')} · "
        f"uvicorn {version('uvicorn')} (1 worker) · load generator: "
        + (f"wrk {wrk_version}" if loadgen == "wrk" else f"httpx {version('httpx')} (asyncio)")
    )
    print(f"database server: {server_name(mongo)}")
    catalog = bench_catalog()
    prepare_gold(catalog, args.movies)
    sync(catalog, mongo)

    list_path = f"/movies?genre={args.genre}&sort={args.sort}"
    env = {"MONGO_URI": mongo.uri.get_secret_value(), "MONGO_DATABASE": DATABASE, "API_WORKERS": "1"}
    routes = (
        (list_path, list_path, "list", 0),
        (f"/movies/{{id}} (random id of {args.movies:,})", None, "detail", 0),
        (f"/movies/{{id}} (404: random id above {MISSING_BASE:,})", None, "missing", MISSING_BASE),
        ("/health (MongoDB ping + the small _sync_state read)", "/health", "health", 0),
    )
    with running_api(env) as api:
        for connections in (int(c) for c in args.connections.split(",")):
            load_1m = os.getloadavg()[0]
            print(
                f"\n{connections} concurrent connections, {args.duration}s per run after a short warm-up, "
                f"on 127.0.0.1 ({os.cpu_count()} CPUs, load average {load_1m:.1f} before the runs)\n"
            )
            print(f"  {'':<40}{'req/s':>10}{'p50 ms':>10}{'p99 ms':>10}")
            for label, path, kind, base in routes:
                first = warm_up(api.base_url, path, args.movies, base)
                served = generator(api.base_url, path, args.movies, args.duration, connections, base)
                direct = run_direct(
                    mongo, args.genre, args.sort, args.movies, args.duration, connections, kind
                )
                report(f"{label}  (first requests: {first})", served, direct)


def report(label: str, served: Result, direct: Result) -> None:
    print(label)
    print(row("API over HTTP", served))
    print(row("PyMongo direct (same queries)", direct))
    print(
        f"  {'API / direct':<40}{served.rps / direct.rps:>10.2f}"
        f"{served.p50_ms / direct.p50_ms:>10.2f}{served.p99_ms / direct.p99_ms:>10.2f}"
    )


if __name__ == "__main__":
    main()
