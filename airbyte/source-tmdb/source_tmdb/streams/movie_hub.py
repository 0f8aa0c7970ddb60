"""One request per movie, fanned out to every stream that needs it.

TMDB answers `GET /movie/{id}?append_to_response=credits,reviews,keywords,release_dates,external_ids`
with the details and the five sub-resources in one body. Three streams (and `people`, which needs the
cast and crew ids) are fed from that body, but Airbyte reads streams one after the other. So the hub:

- learns up front which movies each stream of this sync will ask for (`expect`);
- on the first `take` of a movie, makes the request and keeps, for every *other* stream still
  expecting that movie, only the part that stream will read (details without credits and reviews,
  the credits, the first reviews page, or the referenced person ids);
- hands a kept part over once and forgets it (`take` pops), so memory holds only what is still owed.

Kept parts live in a temporary SQLite file rather than in memory: a sync that reads all of
`movie_details` before `credits` may owe tens of thousands of credit lists. When only one of the
streams is selected nothing is kept, and it still makes the single appended call.

A 404 is remembered for the whole sync: the movie is skipped (and counted) by every stream, and a
warning is logged once.
"""

from __future__ import annotations

import logging
import sqlite3
import tempfile
from collections import defaultdict
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import orjson
from airbyte_cdk.sources.streams.call_rate import APIBudget

from source_tmdb.config import TmdbConfig
from source_tmdb.http import http_client, json_body

APPEND_TO_RESPONSE = "credits,reviews,keywords,release_dates,external_ids"
# Appended sub-resources that become streams of their own; the rest stay in the details record.
SPLIT_OUT = ("credits", "reviews")


def part_for(consumer: str, body: Mapping[str, Any], config: TmdbConfig | None = None) -> Any:
    """The slice of one appended answer that a given stream reads.

    For `people` it is the ids of the people in the configured scope: all of them, or the principal
    cast and crew (config.is_principal), which is what keeps a first sync's person requests small.
    """
    if consumer == "movie_details":
        return {key: value for key, value in body.items() if key not in SPLIT_OUT}
    if consumer == "credits":
        return body.get("credits") or {"cast": [], "crew": []}
    if consumer == "reviews":
        return body.get("reviews") or {"page": 1, "results": [], "total_pages": 1, "total_results": 0}
    if consumer == "people":
        credits = body.get("credits") or {}
        wanted = [(kind, credit) for kind in ("cast", "crew") for credit in credits.get(kind, [])]
        if config is not None and config.people_scope == "principal":
            wanted = [(kind, credit) for kind, credit in wanted if config.is_principal(kind, credit)]
        return sorted({int(credit["id"]) for _, credit in wanted})
    raise ValueError(f"unknown consumer {consumer!r}")


class PartStash:
    """Parts owed to streams that have not run yet, in a throwaway SQLite file."""

    def __init__(self) -> None:
        self._dir = tempfile.TemporaryDirectory(prefix="source-tmdb-")
        self._db = sqlite3.connect(Path(self._dir.name) / "parts.sqlite", isolation_level=None)
        self._db.execute("PRAGMA journal_mode=OFF")
        self._db.execute("PRAGMA synchronous=OFF")
        self._db.execute(
            "CREATE TABLE part (consumer TEXT, movie_id INTEGER, body BLOB, PRIMARY KEY (consumer, movie_id))"
        )

    def put(self, consumer: str, movie_id: int, value: Any) -> None:
        self._db.execute(
            "INSERT OR REPLACE INTO part VALUES (?, ?, ?)", (consumer, movie_id, orjson.dumps(value))
        )

    def pop(self, consumer: str, movie_id: int) -> tuple[bool, Any]:
        row = self._db.execute(
            "DELETE FROM part WHERE consumer = ? AND movie_id = ? RETURNING body", (consumer, movie_id)
        ).fetchone()
        return (True, orjson.loads(row[0])) if row else (False, None)

    def __len__(self) -> int:
        return int(self._db.execute("SELECT count(*) FROM part").fetchone()[0])


class MovieHub:
    """The shared per-movie fetch, plus the plain GETs (person, review pages) the same streams make."""

    def __init__(self, config: TmdbConfig, budget: APIBudget, logger: logging.Logger) -> None:
        self._config = config
        self._logger = logger
        self._http = http_client("movie_hub", config, budget, logger, not_found_ok=True)
        self._wanted: dict[int, set[str]] = defaultdict(set)
        self._stash = PartStash()
        self.not_found_movies: set[int] = set()
        self.not_found_people: set[int] = set()
        self.movie_requests = 0

    def expect(self, consumer: str, movie_ids: Iterable[int]) -> None:
        for movie_id in movie_ids:
            self._wanted[movie_id].add(consumer)

    def take(self, consumer: str, movie_id: int) -> Any | None:
        """This stream's part of the movie, or None when TMDB does not have the movie (404)."""
        self._wanted.get(movie_id, set()).discard(consumer)
        if movie_id in self.not_found_movies:
            return None
        found, part = self._stash.pop(consumer, movie_id)
        if found:
            return part
        body = self._fetch_movie(movie_id)
        if body is None:
            return None
        for other in self._wanted.get(movie_id, ()):
            self._stash.put(other, movie_id, part_for(other, body, self._config))
        return part_for(consumer, body, self._config)

    def get(self, path: str, params: Mapping[str, Any]) -> Any | None:
        """GET a TMDB path through the shared budget and retries; None on 404."""
        _, response = self._http.send_request(
            http_method="GET",
            url=f"{self._config.url_base}{path}",
            request_kwargs={},
            params=dict(params),
            dedupe_query_params=True,
        )
        if response.status_code == 404:
            return None
        return json_body(response)

    def get_person(self, person_id: int) -> Any | None:
        body = self.get(f"person/{person_id}", {"language": self._config.language})
        if body is None and person_id not in self.not_found_people:
            self.not_found_people.add(person_id)
            self._logger.warning(f"Person {person_id} not found on TMDB (404); skipped.")
        return body

    def _fetch_movie(self, movie_id: int) -> Mapping[str, Any] | None:
        self.movie_requests += 1
        body = self.get(
            f"movie/{movie_id}",
            {"append_to_response": APPEND_TO_RESPONSE, "language": self._config.language},
        )
        if body is None:
            self.not_found_movies.add(movie_id)
            self._wanted.pop(movie_id, None)
            self._logger.warning(f"Movie {movie_id} not found on TMDB (404); skipped in every stream.")
        return body

    @property
    def language(self) -> str:
        return self._config.language

    @property
    def owed_parts(self) -> int:
        return len(self._stash)
