"""Catalogue streams: `genres` and `movies` (the seed lists that decide which movies are crawled)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, MutableMapping
from typing import Any

from airbyte_cdk.models import SyncMode
from airbyte_cdk.sources.streams.call_rate import APIBudget

from source_tmdb.config import TmdbConfig
from source_tmdb.streams.base import TmdbStream

SEED_PATHS = {
    "popular": "movie/popular",
    "top_rated": "movie/top_rated",
    "now_playing": "movie/now_playing",
    "upcoming": "movie/upcoming",
    "trending_day": "trending/movie/day",
    "trending_week": "trending/movie/week",
    "discover": "discover/movie",
}
# Trending has no region parameter; the others narrow to one country when it is set.
REGIONAL_SEEDS = frozenset({"popular", "top_rated", "now_playing", "upcoming", "discover"})
YEAR_SLICE_KEY = "primary_release_year"


def seed_slices(config: TmdbConfig) -> list[dict[str, Any]]:
    """The walk's slices in order: one per seed list, except that with discover_slice_by_year the
    discover seed is one slice per primary_release_year, newest first. TMDB serves at most 500 pages
    of 20 per query, so one list stops at 10,000 movies; a year at a time reaches the rest."""
    slices: list[dict[str, Any]] = []
    for seed in config.seed_lists:
        if seed == "discover" and config.discover_slice_by_year:
            slices += [{"seed": seed, YEAR_SLICE_KEY: year} for year in config.discover_years]
        else:
            slices.append({"seed": seed})
    return slices


class Genres(TmdbStream):
    """GET /genre/movie/list: one small, unpaginated answer. Also the cheap call `check` makes."""

    primary_key = "id"
    data_field = "genres"
    paginated = False

    def path(self, **kwargs: Any) -> str:
        return "genre/movie/list"


class Movies(TmdbStream):
    """The seed lists, read in configured order, deduplicated by id and capped at `max_movies`.

    Each slice of `seed_slices` (a list, or one year of discover) is read up to `max_pages` pages.

    The walk is memoised: the per-movie streams take their movie ids from it, so a sync that also
    selects `movies` reads the list pages once.
    """

    primary_key = "id"

    def __init__(self, config: TmdbConfig, budget: APIBudget) -> None:
        super().__init__(config, budget)
        self._records: list[Mapping[str, Any]] = []
        self._complete = False

    @property
    def page_limit(self) -> int:
        return self._config.max_pages

    @property
    def is_resumable(self) -> bool:
        # The dedup set spans all lists, so a page number is no resume point; the walk is cheap to redo.
        return False

    def path(self, *, stream_slice: Mapping[str, Any] | None = None, **kwargs: Any) -> str:
        return SEED_PATHS[(stream_slice or {})["seed"]]

    def request_params(
        self,
        stream_state: Mapping[str, Any] | None,
        stream_slice: Mapping[str, Any] | None = None,
        next_page_token: Mapping[str, Any] | None = None,
    ) -> MutableMapping[str, Any]:
        params = super().request_params(stream_state, stream_slice, next_page_token)
        stream_slice = stream_slice or {}
        seed = stream_slice["seed"]
        if self._config.region and seed in REGIONAL_SEEDS:
            params["region"] = self._config.region
        if seed == "discover":
            params.update(self._config.discover_filters)
            if YEAR_SLICE_KEY in stream_slice:
                params[YEAR_SLICE_KEY] = stream_slice[YEAR_SLICE_KEY]
        return params

    def read_records(
        self,
        sync_mode: SyncMode,
        cursor_field: list[str] | None = None,
        stream_slice: Mapping[str, Any] | None = None,
        stream_state: Mapping[str, Any] | None = None,
    ) -> Iterable[Mapping[str, Any]]:
        if self._complete:
            yield from self._records
            return
        self._records = []
        for record in self._walk():
            self._records.append(record)
            yield record
        self._complete = True

    def seed_ids(self) -> list[int]:
        """The ids of the crawl, walking the lists if no read has done it yet."""
        if not self._complete:
            for _ in self.read_records(SyncMode.full_refresh):
                pass
        return [int(record["id"]) for record in self._records]

    def _walk(self) -> Iterator[Mapping[str, Any]]:
        seen: set[int] = set()
        for seed_slice in seed_slices(self._config):
            pages = self._read_pages(
                lambda _req, response, state, _slice: self.parse_response(response, stream_state=state),
                stream_slice=seed_slice,
                stream_state={},
            )
            for record in pages:
                movie_id = int(record["id"])
                if movie_id in seen:
                    continue
                seen.add(movie_id)
                yield record
                if len(seen) >= self._config.max_movies:
                    return
