"""The per-movie numbers that lists sort and filter on, as pure functions of (seed, id).

Each trait takes a movie id or a numpy array of ids and returns the same values either way, so a
single record is computed in microseconds and a column of a million in milliseconds (`index.py`).
Values are integers (popularity and vote average in thousandths) so that rounding never differs.
"""

from __future__ import annotations

import math
from datetime import date
from typing import Any

import numpy as np

from tmdb_pipeline.emulator import vocab
from tmdb_pipeline.emulator.hashing import cumulative, mix, stream_key, unit, weighted_index

Ids = Any  # an int or an np.ndarray of ids

NO_DATE = 0  # the ordinal stored for TMDB's empty release_date ""
FIRST_YEAR = 1920
TOP_RATED_MIN_VOTES = 300  # TMDB's top_rated only lists movies with at least a few hundred votes
GENRE_CUM = cumulative([weight for _, _, weight in vocab.GENRES])
GENRE_COUNT_CUM = cumulative([40, 35, 20, 5])  # how many genres a movie has: 1..4
LANGUAGE_CUM = cumulative([lang.weight for lang in vocab.LANGUAGES])
MAX_GENRES = 4


def _where(cond: Any, a: Any, b: Any) -> Any:
    if isinstance(cond, np.ndarray):
        return np.where(cond, a, b)
    return a if cond else b


def _trunc(x: Any) -> Any:
    return x.astype(np.int64) if isinstance(x, np.ndarray) else int(x)


def _sqrt(x: Any) -> Any:
    return np.sqrt(x) if isinstance(x, np.ndarray) else math.sqrt(x)


def _clip(x: Any, lo: float, hi: float) -> Any:
    return np.clip(x, lo, hi) if isinstance(x, np.ndarray) else min(hi, max(lo, x))


class Traits:
    """Sortable and filterable traits of the movies of one catalogue (seed, size, today)."""

    def __init__(self, seed: int, movies: int, today: date) -> None:
        self.seed = seed
        self.movies = movies
        self.today = today.toordinal()
        self._s_date = stream_key(seed, "movie.date")
        self._s_date2 = stream_key(seed, "movie.date.offset")
        self._s_pop = stream_key(seed, "movie.popularity")
        self._s_votes = stream_key(seed, "movie.votes")
        self._s_avg = stream_key(seed, "movie.vote_average")
        self._s_genre = [stream_key(seed, f"movie.genre.{i}") for i in range(MAX_GENRES + 1)]
        self._s_lang = stream_key(seed, "movie.language")
        self._s_money = stream_key(seed, "movie.money")
        self.base_first = date(FIRST_YEAR, 1, 1).toordinal()
        self.base_span = date(today.year - 1, 12, 31).toordinal() - self.base_first
        # Recent and upcoming films are a slice of their own so that now_playing/upcoming are
        # never empty, even for a catalogue of 10 movies.
        current_share = max(0.015, min(0.5, 100 / movies))
        self._current_cut = int(current_share * (1 << 24))

    # --- release date -------------------------------------------------------------------
    def date_ordinal(self, ids: Ids) -> Any:
        """Day ordinal of release_date, NO_DATE for the ~1.5% that TMDB leaves as ""."""
        h = mix(self._s_date, ids)
        h2 = mix(self._s_date2, ids)
        empty = (h & 0xFFFF) < 983
        current = ((h >> 16) & 0xFFFFFF) < self._current_cut
        # current slice: half over [today-365, today+120], half close to today [today-45, today+30]
        wide = self.today - 365 + (h2 % 486)
        near = self.today - 45 + (h2 % 76)
        current_day = _where(((h >> 40) & 1) == 1, wide, near)
        # older films: density growing linearly with time (sqrt of a uniform), plus a flat 20%
        u = unit(h2)
        grown = _where(((h >> 41) & 0xFF) < 51, u, _sqrt(u))
        base_day = self.base_first + _trunc(grown * self.base_span)
        return _where(empty, NO_DATE, _where(current, current_day, base_day))

    # --- popularity and votes ----------------------------------------------------------
    def _raw_popularity(self, ids: Ids) -> Any:
        # 1/u is Pareto-tailed: most films sit near TMDB's floor of 0.6, a few reach thousands.
        u = unit(mix(self._s_pop, ids))
        return 0.6 + 0.9 * (1.0 / (u + 0.0003) - 0.9997)  # 0.9997 < 1/1.0003: never below 0.6

    def popularity_milli(self, ids: Ids, day: Any = None) -> Any:
        day = self.date_ordinal(ids) if day is None else day
        recent = (day != NO_DATE) & (day > self.today - 120) & (day <= self.today + 30)
        if not isinstance(recent, np.ndarray):
            recent = bool(recent)
        boost = _where(recent, 2.5, 1.0)
        return _trunc(self._raw_popularity(ids) * boost * 1000.0)

    def vote_count(self, ids: Ids, day: Any = None) -> Any:
        day = self.date_ordinal(ids) if day is None else day
        v = unit(mix(self._s_votes, ids))
        count = _trunc((self._raw_popularity(ids) - 0.6) * 9.0 * (0.4 + 1.2 * v))
        unreleased = (day == NO_DATE) | (day > self.today)
        return _where(unreleased, 0, count)

    def vote_average_milli(self, ids: Ids, votes: Any = None) -> Any:
        votes = self.vote_count(ids) if votes is None else votes
        h = mix(self._s_avg, ids)
        spread = ((h & 0x1FFFFF) + ((h >> 21) & 0x1FFFFF) + ((h >> 42) & 0x1FFFFF)) / float(1 << 21) - 1.5
        width = _where(votes >= 50, 2.0, 3.0)
        average = _clip(6.3 + spread * width, 1.0, 10.0)
        return _where(votes == 0, 0, _trunc(average * 1000.0))

    # --- genres, language, money -------------------------------------------------------
    def genre_bits(self, ids: Ids) -> list[Any]:
        """The genre picks (bit numbers into vocab.GENRES), -1 where a movie has fewer genres."""
        count = weighted_index(mix(self._s_genre[MAX_GENRES], ids), GENRE_COUNT_CUM) + 1
        picks = []
        for i in range(MAX_GENRES):
            bit = weighted_index(mix(self._s_genre[i], ids), GENRE_CUM)
            picks.append(_where(count > i, bit, -1))
        return picks

    def genre_mask(self, ids: Ids) -> Any:
        mask: Any = 0
        for bit in self.genre_bits(ids):
            if isinstance(bit, np.ndarray):
                mask = mask | np.where(bit >= 0, np.left_shift(1, np.maximum(bit, 0)), 0)
            elif bit >= 0:
                mask |= 1 << bit
        return mask

    def genre_ids(self, movie_id: int) -> list[int]:
        seen: list[int] = []
        for bit in self.genre_bits(movie_id):
            if bit >= 0 and vocab.GENRES[bit][0] not in seen:
                seen.append(vocab.GENRES[bit][0])
        return seen

    def language_index(self, ids: Ids) -> Any:
        return weighted_index(mix(self._s_lang, ids), LANGUAGE_CUM)

    def budget(self, ids: Ids, votes: Any = None) -> Any:
        votes = self.vote_count(ids) if votes is None else votes
        h = mix(self._s_money, ids)
        known = _where(votes > 100, (h % 100) < 85, (h % 100) < 30)
        big = (1 + (h >> 8) % 300) * 500_000
        small = (1 + (h >> 8) % 100) * 50_000
        return _where(known, _where(votes > 100, big, small), 0)

    def revenue(self, ids: Ids, budget: Any = None) -> Any:
        budget = self.budget(ids) if budget is None else budget
        h = mix(self._s_money, ids)
        roll = (h >> 40) % 100
        known = _where(budget > 0, roll < 80, roll < 8)
        base = _where(budget > 0, budget, 2_000_000)
        amount = base * ((h >> 20) % 600) // 100 + (h >> 50) % 100_000
        return _where(known, amount, 0)
