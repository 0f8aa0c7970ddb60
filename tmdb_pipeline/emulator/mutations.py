"""Time moves: movies and people change, and the change log answers /movie/changes and /person/changes.

A change is deterministic given the record and how many times it changed before (its version), so
the emulator stores only small overlays (`MovieState`, `PersonState`) over the generated catalogue
and one log entry per change. `MutationClock` schedules `rate` changes per second at exact times
t0 + k/rate; they are applied when anyone looks (a request, or the server's background tick), with
their scheduled timestamps, so what a client sees never depends on when the tick ran.
"""

from __future__ import annotations

import bisect
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

from tmdb_pipeline.emulator.hashing import rng, stream_key
from tmdb_pipeline.emulator.people import PeoplePool
from tmdb_pipeline.emulator.traits import NO_DATE, Traits

Kind = Literal["movie", "person"]


@dataclass
class MovieState:
    """The mutable fields of one movie after `version` changes."""

    version: int
    popularity_milli: int
    vote_count: int
    vote_average_milli: int
    overview_version: int = 0
    added_reviews: list[float] = field(default_factory=list)  # creation times of reviews added since


@dataclass
class PersonState:
    version: int
    popularity_milli: int
    biography_version: int = 0


@dataclass(frozen=True)
class Batch:
    movie_ids: list[int]
    person_ids: list[int]


class MutationStore:
    """Overlays of changed records plus the time-ordered log of changes."""

    def __init__(self, seed: int, traits: Traits, people: PeoplePool) -> None:
        self.traits = traits
        self.people = people
        self.movies: dict[int, MovieState] = {}
        self.persons: dict[int, PersonState] = {}
        self.log_times: list[float] = []
        self.log_kinds: list[Kind] = []
        self.log_ids: list[int] = []
        self._s_movie = stream_key(seed, "mutation.movie")
        self._s_person = stream_key(seed, "mutation.person")
        self._s_target = stream_key(seed, "mutation.target")
        self.picks = 0  # how many targets were drawn so far: the sequence of targets is fixed by the seed

    @property
    def epoch(self) -> int:
        """Grows with every change: caches of sorted lists compare it to know they are stale."""
        return len(self.log_ids)

    def movie_version(self, movie_id: int) -> int:
        state = self.movies.get(movie_id)
        return state.version if state else 0

    def person_version(self, person_id: int) -> int:
        state = self.persons.get(person_id)
        return state.version if state else 0

    # --- applying changes --------------------------------------------------------------
    def _log(self, at: float, kind: Kind, record_id: int) -> None:
        if self.log_times and at < self.log_times[-1]:
            at = self.log_times[-1]  # keep the log sorted even if the wall clock steps back
        self.log_times.append(at)
        self.log_kinds.append(kind)
        self.log_ids.append(record_id)

    def mutate_movie(self, movie_id: int, at: float) -> None:
        t = self.traits
        state = self.movies.get(movie_id)
        if state is None:
            day = t.date_ordinal(movie_id)
            votes = t.vote_count(movie_id, day)
            state = MovieState(
                0, t.popularity_milli(movie_id, day), votes, t.vote_average_milli(movie_id, votes)
            )
            self.movies[movie_id] = state
        state.version += 1
        r = rng(self._s_movie, (movie_id << 20) | (state.version & 0xFFFFF))
        day = t.date_ordinal(movie_id)
        released = day != NO_DATE and day <= t.today
        popularity = max(600, int(state.popularity_milli * (0.8 + 0.45 * r.random())))
        if popularity == state.popularity_milli:
            popularity += 1 + r.randrange(50)  # a change must show in the record
        state.popularity_milli = popularity
        if released:
            before = state.vote_count
            state.vote_count += 1 + r.randrange(3 + before // 50)
            if before == 0:
                state.vote_average_milli = r.randint(2000, 9500)
            else:
                state.vote_average_milli = min(
                    10_000, max(1000, state.vote_average_milli + r.randint(-60, 60))
                )
            if r.random() < 0.35:
                state.added_reviews.append(at)
        if r.random() < 0.25:
            state.overview_version += 1
        self._log(at, "movie", movie_id)

    def mutate_person(self, person_id: int, at: float) -> None:
        state = self.persons.get(person_id)
        if state is None:
            state = PersonState(0, self.people.base_popularity_milli(person_id))
            self.persons[person_id] = state
        state.version += 1
        r = rng(self._s_person, (person_id << 20) | (state.version & 0xFFFFF))
        popularity = max(600, int(state.popularity_milli * (0.8 + 0.45 * r.random())))
        state.popularity_milli = popularity if popularity != state.popularity_milli else popularity + 1
        if r.random() < 0.3:
            state.biography_version += 1
        self._log(at, "person", person_id)

    def next_targets(self, count: int, movies: int) -> list[tuple[int, int | None]]:
        """The next `count` distinct movies to change, each with maybe one person (None if not)."""
        out: list[tuple[int, int | None]] = []
        seen: set[int] = set()
        while len(out) < min(count, movies):
            r = rng(self._s_target, self.picks)
            self.picks += 1
            movie_id = 1 + r.randrange(movies)
            if movie_id in seen:
                continue
            seen.add(movie_id)
            out.append((movie_id, self.people.pick_any(r) if r.random() < 0.5 else None))
        return out

    def apply(self, count: int, at: float) -> Batch:
        movie_ids: list[int] = []
        person_ids: list[int] = []
        for movie_id, person_id in self.next_targets(count, self.traits.movies):
            self.mutate_movie(movie_id, at)
            movie_ids.append(movie_id)
            if person_id is not None and person_id not in person_ids:
                self.mutate_person(person_id, at)
                person_ids.append(person_id)
        return Batch(movie_ids, person_ids)

    # --- reading the log ---------------------------------------------------------------
    def changed(self, kind: Kind, start: float, end: float) -> list[int]:
        """Ids of `kind` changed in [start, end), each once, in the order they first changed."""
        lo = bisect.bisect_left(self.log_times, start)
        hi = bisect.bisect_left(self.log_times, end)
        seen: dict[int, None] = {}
        for i in range(lo, hi):
            if self.log_kinds[i] == kind:
                seen.setdefault(self.log_ids[i], None)
        return list(seen)


class MutationClock:
    """`rate` changes per second, due at t0 + k/rate, applied lazily by `advance()`."""

    def __init__(self, store: MutationStore, rate: float, clock: Callable[[], float] = time.time) -> None:
        self.store = store
        self.clock = clock
        self.rate = rate
        self.started = clock()
        self.applied = 0

    def set_rate(self, rate: float) -> None:
        self.advance()
        self.started, self.applied, self.rate = self.clock(), 0, rate

    def advance(self) -> int:
        """Apply every change due by now; return how many were applied."""
        if self.rate <= 0:
            return 0
        now = self.clock()
        due = int((now - self.started) * self.rate)
        done = 0
        while self.applied < due:
            self.applied += 1
            self.store.apply(1, self.started + self.applied / self.rate)
            done += 1
        return done
