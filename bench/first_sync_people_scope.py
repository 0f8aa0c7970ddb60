"""The first sync's cost by people scope: HTTP requests per movie, and a 500-movie first sync at 40 req/s.

One emulator (no rate limit, no faults); for each `people_scope` a first sync of every stream through
the console script, as the platform runs it (incremental catalog, no state). The emulator counts the
requests by path. TMDB's soft ceiling is about 40 requests/s, so a sync's duration on the real API is
its request count / 40 (the connector's budget spreads them evenly); that is the figure extrapolated
to 500 movies (the default max_movies). Per-movie person requests fall as the crawl grows (people are
shared across movies and fetched once), so extrapolating from fewer movies overstates the cost.

    .venv/bin/python bench/first_sync_people_scope.py [--movies 200] [--catalogue 100000] [--scopes principal all]
"""

from __future__ import annotations

import argparse
import importlib.metadata
import json
import platform
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

from tmdb_pipeline.testing.emulator import RunningEmulator, running_emulator

CONNECTOR = Path(sys.executable).with_name("source-tmdb")
STREAMS = ("genres", "movies", "movie_details", "credits", "reviews", "people", "movie_changes")
FULL_REFRESH_ONLY = ("genres", "movies")
TMDB_REQUESTS_PER_SECOND = 40
TARGET_MOVIES = 500


def catalog() -> dict[str, Any]:
    return {
        "streams": [
            {
                "stream": {
                    "name": name,
                    "json_schema": {},
                    "supported_sync_modes": ["full_refresh", "incremental"],
                },
                "sync_mode": "full_refresh" if name in FULL_REFRESH_ONLY else "incremental",
                "destination_sync_mode": "append",
            }
            for name in STREAMS
        ]
    }


def by_path(stats: dict[str, Any]) -> Counter[str]:
    out: Counter[str] = Counter()
    for path, n in stats["by_path"].items():
        head, *rest = path.strip("/").split("/")
        out["/" + "/".join([head, *("{id}" if p.isdigit() else p for p in rest)])] += n
    return out


def first_sync(emu: RunningEmulator, movies: int, scope: str, work: Path) -> dict[str, Any]:
    config = {
        "credentials": {"auth_type": "api_key", "api_key": emu.api_key},
        "base_url": emu.base_url,
        "seed_lists": ["popular"],
        "max_pages": 500,
        "max_movies": movies,
        "people_scope": scope,
        "requests_per_second": 100_000,  # unlimited here: the request count is the figure
    }
    (work / "config.json").write_text(json.dumps(config))
    (work / "catalog.json").write_text(json.dumps(catalog()))
    emu.reset_stats()
    started = time.perf_counter()
    done = subprocess.run(
        [
            str(CONNECTOR),
            "read",
            "--config",
            str(work / "config.json"),
            "--catalog",
            str(work / "catalog.json"),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    seconds = time.perf_counter() - started
    records: Counter[str] = Counter()
    for line in done.stdout.splitlines():
        if '"RECORD"' in line:
            records[json.loads(line)["record"]["stream"]] += 1
    paths = by_path(emu.stats())
    return {
        "scope": scope,
        "movies": records["movie_details"],
        "seconds": seconds,
        "paths": paths,
        "records": records,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--movies", type=int, default=200, help="movies in the measured first sync")
    parser.add_argument(
        "--catalogue",
        type=int,
        default=100_000,
        help="movies in the emulator's catalogue (the larger, the more famous, and the bigger the casts, its top movies)",
    )
    parser.add_argument("--scopes", nargs="+", default=["principal", "all"], choices=["principal", "all"])
    args = parser.parse_args()

    print(
        f"python {platform.python_version()}, airbyte-cdk {importlib.metadata.version('airbyte-cdk')}, "
        f"source-tmdb {importlib.metadata.version('source-tmdb')}"
    )
    print(f"emulator: {args.catalogue} movies, seed 7; first sync of {args.movies} movies, all streams\n")
    with running_emulator(movies=args.catalogue, seed=7) as emu, tempfile.TemporaryDirectory() as tmp:
        results = [first_sync(emu, args.movies, scope, Path(tmp)) for scope in args.scopes]

    header = f"{'scope':<10} {'movies':>6} {'requests':>8} {'/movie':>7} {'person/movie':>12} {'people':>7} "
    print(header + f"{'local s':>8} {f'{TARGET_MOVIES} movies @ {TMDB_REQUESTS_PER_SECOND} req/s':>22}")
    for result in results:
        total = sum(result["paths"].values())
        per_movie = total / result["movies"]
        person_per_movie = result["paths"]["/3/person/{id}"] / result["movies"]
        # The per-sync fixed part (lists, genres, changes) is spread over the movies: slight overstatement.
        extrapolated = per_movie * TARGET_MOVIES / TMDB_REQUESTS_PER_SECOND
        print(
            f"{result['scope']:<10} {result['movies']:>6} {total:>8} {per_movie:>7.1f} {person_per_movie:>12.1f} "
            f"{result['records']['people']:>7} {result['seconds']:>8.1f} "
            f"{extrapolated / 60:>17.1f} min"
        )
    print("\nrequests by path:")
    for result in results:
        print(f"  {result['scope']}: {dict(sorted(result['paths'].items()))}")


if __name__ == "__main__":
    main()
