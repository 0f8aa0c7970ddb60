"""The emulator's behaviour behind the routes: each method answers one TMDB endpoint with a dict.

Owns the catalogue, its index, the mutation clock, the fault injector and the counters, so the
Litestar app stays a thin layer of routes and the ASGI gate a thin layer of checks.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime
from typing import Any

import numpy as np

from tmdb_pipeline.emulator import params, vocab
from tmdb_pipeline.emulator.catalogue import PAGE_SIZE, Catalogue, page_of
from tmdb_pipeline.emulator.errors import TmdbError, ValidationFailed
from tmdb_pipeline.emulator.faults import FaultConfig, FaultInjector, Stats
from tmdb_pipeline.emulator.index import SORT_FIELDS, Filter, Index
from tmdb_pipeline.emulator.mutations import Batch, Kind, MutationClock
from tmdb_pipeline.emulator.settings import EmulatorSettings
from tmdb_pipeline.emulator.traits import TOP_RATED_MIN_VOTES

CHANGES_PAGE_SIZE = 100
CHANGES_MAX_DAYS = 14
SEARCH_SCOPE = 50_000  # search looks at the most popular movies only, to stay cheap at 1M
NOW_PLAYING_DAYS = 42
UPCOMING_DAYS = 21
FAULT_LIMITS = {
    "fail_rate": (0.0, 1.0),
    "slow_rate": (0.0, 1.0),
    "malformed_rate": (0.0, 1.0),
    "rate_limit": (0.0, 1e6),
    "slow_delay_s": (0.0, 120.0),
    "mutate_rate": (0.0, 10_000.0),
}
MOVIE_RESOURCES = (
    "credits",
    "reviews",
    "keywords",
    "release_dates",
    "external_ids",
    "recommendations",
    "similar",
)


class Emulator:
    def __init__(self, settings: EmulatorSettings, clock: Callable[[], float] = time.time) -> None:
        self.settings = settings
        self.catalogue = Catalogue(settings.seed, settings.movies, settings.today, settings.cache_size)
        self.store = self.catalogue.store
        self.index = Index(self.catalogue.traits, self.store)
        self.clock = clock
        self.mutations = MutationClock(self.store, settings.mutate_rate, clock)
        self.faults = FaultInjector(
            FaultConfig(
                fail_rate=settings.fail_rate,
                slow_rate=settings.slow_rate,
                malformed_rate=settings.malformed_rate,
                rate_limit=settings.rate_limit,
                slow_delay_s=settings.slow_delay_s,
            ),
            settings.seed,
        )
        self.stats = Stats()
        self._search_titles: tuple[np.ndarray, list[str]] | None = None

    @property
    def today(self) -> date:
        return self.catalogue.today

    def tick(self) -> None:
        self.mutations.advance()

    # --- movies ------------------------------------------------------------------------
    def _movie_id(self, raw: str) -> int:
        movie_id = params.record_id(raw)
        if not self.catalogue.has_movie(movie_id):
            raise TmdbError(34)
        return movie_id

    def movie(self, raw_id: str, append_to_response: str | None) -> dict[str, Any]:
        movie_id = self._movie_id(raw_id)
        wanted = params.appends(append_to_response)
        body = self.catalogue.movie_details(movie_id)
        if not wanted:
            return body
        body = dict(body)
        for name in wanted:
            if name in MOVIE_RESOURCES and name not in body:
                # appended objects are the sub-resource without its own "id"
                sub = self._movie_resource(movie_id, name, 1)
                body[name] = {k: v for k, v in sub.items() if k != "id"}
        return body

    def movie_resource(self, raw_id: str, resource: str, raw_page: str | None) -> dict[str, Any]:
        if resource not in MOVIE_RESOURCES:
            raise TmdbError(34)
        page = params.page(raw_page)
        return self._movie_resource(self._movie_id(raw_id), resource, page)

    def _movie_resource(self, movie_id: int, resource: str, page: int) -> dict[str, Any]:
        c = self.catalogue
        if resource == "credits":
            return c.credits(movie_id)
        if resource == "reviews":
            return c.reviews(movie_id, page)
        if resource == "keywords":
            return c.keywords(movie_id)
        if resource == "release_dates":
            return c.release_dates(movie_id)
        if resource == "external_ids":
            return c.external_ids(movie_id)
        if resource == "recommendations":
            items = c.recommendations(movie_id)
            return self._paged(items, page, media_type=True)
        genres = c.traits.genre_bits(movie_id)
        ids = self.index.query(Filter(genres_any=(int(genres[0]),), exclude_id=movie_id))
        return self._paged(ids, page)

    def _paged(self, ids: Any, page: int, media_type: bool = False, **extra: Any) -> dict[str, Any]:
        chunk, total_pages = page_of(ids, page)
        items = [self.catalogue.movie_item(int(i)) for i in chunk]
        if media_type:
            items = [{**item, "media_type": "movie"} for item in items]
        return {
            **extra,
            "page": page,
            "results": items,
            "total_pages": total_pages,
            "total_results": len(ids),
        }

    # --- lists -------------------------------------------------------------------------
    def movie_list(self, kind: str, raw_page: str | None) -> dict[str, Any]:
        page = params.page(raw_page)
        today = self.today.toordinal()
        if kind == "popular":
            return self._paged(self.index.query(Filter()), page)
        if kind == "top_rated":
            ids = self.index.query(Filter(vote_count_gte=TOP_RATED_MIN_VOTES), "vote_average")
            return self._paged(ids, page)
        if kind == "now_playing":
            lo, hi = today - NOW_PLAYING_DAYS, today
        elif kind == "upcoming":
            lo, hi = today + 1, today + UPCOMING_DAYS
        else:
            raise TmdbError(34)
        ids = self.index.query(Filter(date_gte=lo, date_lte=hi))
        dates = {"maximum": _iso(hi), "minimum": _iso(lo)}
        return self._paged(ids, page, dates=dates)

    def trending(self, window: str, raw_page: str | None) -> dict[str, Any]:
        if window not in ("day", "week"):
            raise TmdbError(34)
        page = params.page(raw_page)
        today = datetime.fromtimestamp(self.clock(), UTC).date().toordinal()
        period = today if window == "day" else today // 7
        return self._paged(self.index.trending(window, period), page, media_type=True)

    def discover(self, query: Mapping[str, str]) -> dict[str, Any]:
        page = params.page(query.get("page"))
        field, _, direction = (query.get("sort_by") or "popularity.desc").partition(".")
        if field not in SORT_FIELDS or direction not in ("asc", "desc"):
            raise TmdbError(5, "Invalid parameters: sort_by is not a valid sort.")
        flt = self._discover_filter(query)
        if flt is None:
            return self._paged([], page)
        return self._paged(self.index.query(flt, field, direction == "desc"), page)

    def _discover_filter(self, q: Mapping[str, str]) -> Filter | None:
        """The filter of a discover query, or None when it can match nothing (an unknown genre)."""

        def bits(value: str | None, separator: str) -> tuple[int, ...] | None:
            if not value:
                return ()
            out = []
            for part in value.split(separator):
                genre = params.integer(part, "with_genres")
                if genre not in vocab.GENRE_BIT:
                    return None
                out.append(vocab.GENRE_BIT[genre])
            return tuple(out)

        genres = q.get("with_genres") or ""
        any_of = bits(genres, "|") if "|" in genres else ()
        all_of = bits(genres, ",") if "|" not in genres else ()
        without = bits(q.get("without_genres"), ",") or ()
        if any_of is None or all_of is None:
            return None
        gte = q.get("primary_release_date.gte") or q.get("release_date.gte")
        lte = q.get("primary_release_date.lte") or q.get("release_date.lte")
        year = params.integer(q.get("primary_release_year") or q.get("year"), "primary_release_year")
        date_gte = params.day(gte).toordinal() if gte else None
        date_lte = params.day(lte).toordinal() if lte else None
        if year is not None and 1 <= year <= 9999:
            first, last = date(year, 1, 1).toordinal(), date(year, 12, 31).toordinal()
            date_gte = first if date_gte is None else max(date_gte, first)
            date_lte = last if date_lte is None else min(date_lte, last)
        language = q.get("with_original_language")
        if language and language not in vocab.LANGUAGE_INDEX:
            return None
        average_gte = params.number(q.get("vote_average.gte"), "vote_average.gte")
        average_lte = params.number(q.get("vote_average.lte"), "vote_average.lte")
        return Filter(
            genres_all=all_of,
            genres_any=any_of,
            without_genres=without,
            date_gte=date_gte,
            date_lte=date_lte,
            language=vocab.LANGUAGE_INDEX[language] if language else None,
            vote_count_gte=params.integer(q.get("vote_count.gte"), "vote_count.gte"),
            vote_average_gte=None if average_gte is None else int(average_gte * 1000),
            vote_average_lte=None if average_lte is None else int(average_lte * 1000),
        )

    def search(self, query: str | None, raw_page: str | None) -> dict[str, Any]:
        if not query or not query.strip():
            raise ValidationFailed("query must be provided")
        page = params.page(raw_page)
        ids, titles = self._titles_for_search()
        words = query.lower().split()
        hits = np.array(
            [i for i, title in zip(ids, titles, strict=True) if all(w in title for w in words)],
            dtype=np.int64,
        )
        if len(hits):
            popularity = self.index.columns().popularity[hits - 1]
            hits = hits[np.argsort(-popularity.astype(np.int64), kind="stable")]
        return self._paged(hits, page)

    def _titles_for_search(self) -> tuple[np.ndarray, list[str]]:
        if self._search_titles is None:
            ids = self.index.query(Filter())[:SEARCH_SCOPE]
            titles = []
            for movie_id in ids:
                title, original = self.catalogue.titles(int(movie_id))
                titles.append(f"{title} {original}".lower() if original != title else title.lower())
            self._search_titles = (ids, titles)
        return self._search_titles

    def genres(self) -> dict[str, Any]:
        return {"genres": [{"id": gid, "name": name} for gid, name, _ in vocab.GENRES]}

    # --- people ------------------------------------------------------------------------
    def person(self, raw_id: str) -> dict[str, Any]:
        person_id = params.record_id(raw_id)
        if not self.catalogue.has_person(person_id):
            raise TmdbError(34)
        return self.catalogue.person(person_id)

    # --- changes -----------------------------------------------------------------------
    def changes(self, kind: Kind, query: Mapping[str, str]) -> dict[str, Any]:
        page = params.page(query.get("page"))
        now = self.clock()
        start_raw, end_raw = query.get("start_date"), query.get("end_date")
        end = params.instant(end_raw, end_of_day=True) if end_raw else now
        start = params.instant(start_raw) if start_raw else end - 86_400
        # an end date counts whole (its day included), so 14 days apart spans 15 days of changes
        if start > end or end - start > (CHANGES_MAX_DAYS + 1) * 86_400:
            raise TmdbError(20)
        ids = self.store.changed(kind, start, end)
        chunk = ids[(page - 1) * CHANGES_PAGE_SIZE : page * CHANGES_PAGE_SIZE]
        return {
            "results": [{"id": i, "adult": False} for i in chunk],
            "page": page,
            "total_pages": math.ceil(len(ids) / CHANGES_PAGE_SIZE),
            "total_results": len(ids),
        }

    # --- admin -------------------------------------------------------------------------
    def mutate(self, count: int) -> Batch:
        self.tick()
        return self.store.apply(count, self.clock())

    def faults_view(self) -> dict[str, Any]:
        return {**self.faults.config.as_dict(), "mutate_rate": self.mutations.rate}

    def configure_faults(self, changes: Any) -> dict[str, Any]:
        """Apply admin changes to fault settings; ValueError names the first bad field."""
        if not isinstance(changes, dict):
            raise ValueError("expected a JSON object")
        checked: dict[str, float | None] = {}
        for name, value in changes.items():
            if name not in FAULT_LIMITS:
                raise ValueError(f"unknown setting {name!r}; known: {', '.join(FAULT_LIMITS)}")
            if value is None and name == "rate_limit":
                checked[name] = None
                continue
            low, high = FAULT_LIMITS[name]
            if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
                raise ValueError(f"{name} must be a number within {low}..{high}")
            checked[name] = float(value)
        if "rate_limit" in checked:
            checked["rate_limit"] = checked["rate_limit"] or None
        if "mutate_rate" in checked:
            self.mutations.set_rate(checked.pop("mutate_rate") or 0.0)
        self.faults.configure(**checked)
        return self.faults_view()

    def health(self) -> dict[str, Any]:
        return {
            "status": "ok",
            "movies": self.settings.movies,
            "people": self.catalogue.people.size,
            "seed": self.settings.seed,
            "today": self.today.isoformat(),
            "mutate_rate": self.mutations.rate,
            "changes": self.store.epoch,
            "page_size": PAGE_SIZE,
        }


def _iso(ordinal: int) -> str:
    return datetime.fromordinal(ordinal).date().isoformat()
