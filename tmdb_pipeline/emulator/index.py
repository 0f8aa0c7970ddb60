"""Sorted and filtered views of the whole catalogue, for lists, discover, trending and changes.

Built on first use from the vectorised traits: one small numpy column per sortable trait (about
30 MB for a million movies, no Python object per movie). Records themselves stay lazy. Changes
from the mutation store are copied into the columns before every query, and a small LRU keeps the
sorted id arrays of recent queries keyed by the store's epoch when their order can change.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass

import numpy as np

from tmdb_pipeline.emulator.hashing import mix, stream_key, unit
from tmdb_pipeline.emulator.mutations import MutationStore
from tmdb_pipeline.emulator.traits import NO_DATE, Traits

SORT_FIELDS = ("popularity", "vote_average", "vote_count", "primary_release_date", "release_date", "revenue")
MUTABLE = {"popularity", "vote_average", "vote_count"}
TRENDING_SIZE = 10_000  # TMDB's trending lists stop at 500 pages of 20


@dataclass(frozen=True)
class Filter:
    """A discover filter; genres are bit numbers into vocab.GENRES, dates day ordinals."""

    genres_all: tuple[int, ...] = ()
    genres_any: tuple[int, ...] = ()
    without_genres: tuple[int, ...] = ()
    date_gte: int | None = None
    date_lte: int | None = None
    language: int | None = None
    vote_count_gte: int | None = None
    vote_average_gte: int | None = None
    vote_average_lte: int | None = None
    exclude_id: int | None = None

    @property
    def mutable(self) -> bool:
        return any(v is not None for v in (self.vote_count_gte, self.vote_average_gte, self.vote_average_lte))


@dataclass
class Columns:
    date: np.ndarray
    popularity: np.ndarray
    vote_count: np.ndarray
    vote_average: np.ndarray
    genres: np.ndarray
    language: np.ndarray
    revenue: np.ndarray


class Index:
    def __init__(self, traits: Traits, store: MutationStore, cache_size: int = 32) -> None:
        self.traits = traits
        self.store = store
        self.cache_size = cache_size
        self._columns: Columns | None = None
        self._synced = 0
        self._cache: OrderedDict[tuple[object, ...], np.ndarray] = OrderedDict()
        self._s_trend = {w: stream_key(traits.seed, f"trending.{w}") for w in ("day", "week")}

    @property
    def built(self) -> bool:
        return self._columns is not None

    def columns(self) -> Columns:
        if self._columns is None:
            t = self.traits
            ids = np.arange(1, t.movies + 1, dtype=np.int64)
            day = t.date_ordinal(ids)
            votes = t.vote_count(ids, day)
            budget = t.budget(ids, votes)
            self._columns = Columns(
                date=day.astype(np.int32),
                popularity=t.popularity_milli(ids, day).astype(np.int32),
                vote_count=votes.astype(np.int32),
                vote_average=t.vote_average_milli(ids, votes).astype(np.int32),
                genres=t.genre_mask(ids).astype(np.int32),
                language=t.language_index(ids).astype(np.int8),
                revenue=t.revenue(ids, budget).astype(np.int64),
            )
            self._synced = 0
        self._sync(self._columns)
        return self._columns

    def _sync(self, cols: Columns) -> None:
        """Copy the current state of every movie changed since the last sync into the columns."""
        log = self.store.log_ids
        if self._synced == len(log):
            return
        kinds = self.store.log_kinds
        for i in range(self._synced, len(log)):
            if kinds[i] == "movie":
                state = self.store.movies[log[i]]
                pos = log[i] - 1
                cols.popularity[pos] = state.popularity_milli
                cols.vote_count[pos] = state.vote_count
                cols.vote_average[pos] = state.vote_average_milli
        self._synced = len(log)

    # --- queries -----------------------------------------------------------------------
    def _mask(self, cols: Columns, flt: Filter) -> np.ndarray | None:
        mask: np.ndarray | None = None

        def both(m: np.ndarray) -> None:
            nonlocal mask
            mask = m if mask is None else mask & m

        for bit in flt.genres_all:
            both((cols.genres & (1 << bit)) != 0)
        if flt.genres_any:
            any_bits = sum(1 << bit for bit in flt.genres_any)
            both((cols.genres & any_bits) != 0)
        if flt.without_genres:
            none_bits = sum(1 << bit for bit in flt.without_genres)
            both((cols.genres & none_bits) == 0)
        if flt.date_gte is not None:
            both((cols.date >= flt.date_gte) & (cols.date != NO_DATE))
        if flt.date_lte is not None:
            both((cols.date <= flt.date_lte) & (cols.date != NO_DATE))
        if flt.language is not None:
            both(cols.language == flt.language)
        if flt.vote_count_gte is not None:
            both(cols.vote_count >= flt.vote_count_gte)
        if flt.vote_average_gte is not None:
            both(cols.vote_average >= flt.vote_average_gte)
        if flt.vote_average_lte is not None:
            both(cols.vote_average <= flt.vote_average_lte)
        if flt.exclude_id is not None and 1 <= flt.exclude_id <= self.traits.movies:
            if mask is None:
                mask = np.ones(self.traits.movies, dtype=bool)
            mask[flt.exclude_id - 1] = False
        return mask

    def _remember(self, key: tuple[object, ...], value: np.ndarray) -> np.ndarray:
        self._cache[key] = value
        if len(self._cache) > self.cache_size:
            self._cache.popitem(last=False)
        return value

    def query(self, flt: Filter, sort: str = "popularity", descending: bool = True) -> np.ndarray:
        """Ids (int32) matching `flt`, sorted by `sort`, ties broken by ascending id."""
        if sort not in SORT_FIELDS:
            raise ValueError(sort)
        cols = self.columns()
        epoch = self.store.epoch if (sort in MUTABLE or flt.mutable) else -1
        key = ("query", flt, sort, descending, epoch)
        hit = self._cache.get(key)
        if hit is not None:
            self._cache.move_to_end(key)
            return hit
        mask = self._mask(cols, flt)
        positions = np.arange(self.traits.movies) if mask is None else np.flatnonzero(mask)
        if sort in ("primary_release_date", "release_date"):
            values = cols.date[positions].astype(np.int64)
            # movies without a date go last in both directions, as on TMDB
            values = np.where(values == NO_DATE, -1 if descending else np.iinfo(np.int64).max, values)
        else:
            values = getattr(cols, sort)[positions].astype(np.int64)
        order = np.argsort(-values if descending else values, kind="stable")
        return self._remember(key, (positions[order] + 1).astype(np.int32))

    def trending(self, window: str, period: int) -> np.ndarray:
        """Today's (or this week's) trending ids: popularity times a per-period swing, recent films first."""
        cols = self.columns()
        key = ("trending", window, period, self.store.epoch)
        hit = self._cache.get(key)
        if hit is not None:
            return hit
        ids = np.arange(1, self.traits.movies + 1, dtype=np.int64)
        swing = 0.25 + 1.75 * unit(mix(self._s_trend[window] ^ period, ids))
        recent = (cols.date > self.traits.today - 365) & (cols.date <= self.traits.today)
        score = cols.popularity * swing * np.where(recent, 3.0, 1.0)
        size = min(TRENDING_SIZE, self.traits.movies)
        top = np.argpartition(-score, size - 1)[:size] if size < len(score) else np.arange(len(score))
        order = top[np.argsort(-score[top], kind="stable")]
        return self._remember(key, (order + 1).astype(np.int32))
