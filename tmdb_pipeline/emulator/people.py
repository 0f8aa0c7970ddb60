"""The pool of people: a finite cast and crew shared by all movies, a few of them stars.

Sized from the catalogue (about two actors and one crew member per movie, as on TMDB). Actors have
ids 1..A and crew A+1..A+C. A third of the cast slots go to the star pool, so popular actors appear
in many movies, as they do on TMDB.
"""

from __future__ import annotations

import random
from datetime import date
from functools import lru_cache
from typing import Any

from tmdb_pipeline.emulator import vocab
from tmdb_pipeline.emulator.hashing import cumulative, image_path, mix, rng, stream_key, unit, weighted_index

_NAME_LANGS = ("en", "en", "en", "en", "en", "fr", "es", "de", "it", "ja", "ko", "zh", "hi", "ru", "pt")
_DEPT_CUM = cumulative([weight for _, weight, _ in vocab.DEPARTMENTS])
# Rough transliterations, so also_known_as holds names in other scripts as TMDB's do.
_CYRILLIC = str.maketrans(dict(zip("abcdefghijklmnopqrstuvwxyz", "абцдефгхийклмнопкрстуввксз", strict=True)))
_GREEK = str.maketrans(dict(zip("abdeghiklmnoprstuxz", "αβδεγηικλμνοπρστυξζ", strict=True)))


class PeoplePool:
    def __init__(self, seed: int, movies: int, today: date, cache_size: int = 8192) -> None:
        self.seed = seed
        self.actors = max(60, 2 * movies)
        self.crew = max(40, movies)
        self.size = self.actors + self.crew
        self.star_actors = max(20, self.actors // 200)
        self.star_crew = max(10, self.crew // 200)
        self.today = today
        self._s_person = stream_key(seed, "person")
        self._s_pop = stream_key(seed, "person.popularity")
        self._s_img = stream_key(seed, "person.image")
        self._s_bio = stream_key(seed, "person.biography")
        self.core = lru_cache(maxsize=cache_size)(self._core)

    # --- ids ---------------------------------------------------------------------------
    def exists(self, person_id: int) -> bool:
        return 1 <= person_id <= self.size

    def is_actor(self, person_id: int) -> bool:
        return person_id <= self.actors

    def pick_actor(self, r: random.Random) -> int:
        if r.random() < 0.33:
            return 1 + int(self.star_actors * r.random() ** 1.5)
        return 1 + r.randrange(self.actors)

    def pick_crew(self, r: random.Random) -> int:
        if r.random() < 0.25:
            return self.actors + 1 + int(self.star_crew * r.random() ** 1.5)
        return self.actors + 1 + r.randrange(self.crew)

    def pick_any(self, r: random.Random) -> int:
        return self.pick_actor(r) if r.random() < 0.7 else self.pick_crew(r)

    # --- records -----------------------------------------------------------------------
    def base_popularity_milli(self, person_id: int) -> int:
        if self.is_actor(person_id):
            rank, stars = person_id - 1, self.star_actors
        else:
            rank, stars = person_id - self.actors - 1, self.star_crew
        jitter = 0.7 + 0.6 * unit(mix(self._s_pop, person_id))
        return int((0.6 + 60.0 / (1.0 + rank * 40.0 / stars)) * jitter * 1000.0)

    def department(self, person_id: int) -> str:
        if self.is_actor(person_id):
            return "Acting"
        return vocab.DEPARTMENTS[weighted_index(mix(self._s_person, person_id), _DEPT_CUM)][0]

    def _core(self, person_id: int, popularity_milli: int | None = None) -> dict[str, Any]:
        """The fields a credit shows (name, gender, department, popularity, profile)."""
        r = rng(self._s_person, person_id)
        lang = r.choice(_NAME_LANGS)
        gender = r.choices((0, 1, 2), weights=(12, 40, 48))[0]
        female, male = vocab.FIRST_NAMES[lang]
        first = r.choice(female if gender == 1 else male if gender == 2 else female + male)
        name = f"{first} {r.choice(vocab.LAST_NAMES[lang])}"
        rank_share = person_id / self.size
        has_profile = r.random() < (0.95 if rank_share < 0.05 else 0.55)
        pop = self.base_popularity_milli(person_id) if popularity_milli is None else popularity_milli
        return {
            "adult": False,
            "gender": gender,
            "id": person_id,
            "known_for_department": self.department(person_id),
            "name": name,
            "original_name": name,
            "popularity": pop / 1000,
            "profile_path": image_path(self._s_img, person_id) if has_profile else None,
        }

    def details(self, person_id: int, popularity_milli: int | None, biography_version: int) -> dict[str, Any]:
        core = self.core(person_id, popularity_milli)
        r = rng(self._s_person ^ 0xD1B54A32D192ED03, person_id)
        name = core["name"]
        born: date | None = None
        if r.random() < 0.8:
            born = date.fromordinal(date(1900, 1, 1).toordinal() + r.randrange(36500))
        died = None
        if born is not None and born.year < 1960 and r.random() < 0.35:
            died = date.fromordinal(min(self.today.toordinal(), born.toordinal() + r.randrange(20000, 36000)))
        aliases = self._aliases(name, r)
        return {
            "adult": False,
            "also_known_as": aliases,
            "biography": self._biography(person_id, name, born, biography_version),
            "birthday": born.isoformat() if born else None,
            "deathday": died.isoformat() if died else None,
            "gender": core["gender"],
            "homepage": f"https://www.{name.lower().replace(' ', '')}.com" if r.random() < 0.05 else None,
            "id": person_id,
            "imdb_id": f"nm{person_id + 100_000:07d}" if r.random() < 0.9 else None,
            "known_for_department": core["known_for_department"],
            "name": name,
            "place_of_birth": r.choice(vocab.PLACES) if born and r.random() < 0.85 else None,
            "popularity": core["popularity"],
            "profile_path": core["profile_path"],
        }

    @staticmethod
    def _aliases(name: str, r: random.Random) -> list[str]:
        first, _, last = name.partition(" ")
        options = [
            f"{last} {first}",
            f"{first} {chr(65 + r.randrange(26))}. {last}",
            name.lower().translate(_CYRILLIC).title(),
            name.lower().translate(_GREEK).title(),
            name.upper(),
        ]
        return r.sample(options, r.randint(0, len(options)))

    def _biography(self, person_id: int, name: str, born: date | None, version: int) -> str:
        r = rng(self._s_bio, (person_id << 16) | (version & 0xFFFF))
        if version == 0 and r.random() < 0.3:
            return ""  # TMDB leaves many biographies empty
        opener = r.choice(vocab.BIOGRAPHY_OPENERS).format(
            name=name,
            nationality=r.choice(
                ("an American", "a British", "a French", "a Spanish", "a Japanese", "an Indian", "a German")
            ),
            role="actor"
            if self.is_actor(person_id)
            else self.department(person_id).lower() + " professional",
            born=born.strftime("%B %d, %Y") if born else "unknown",
            decade=(born.year + 20) // 10 * 10 if born else 1990,
        )
        lines = r.sample(vocab.BIOGRAPHY_LINES, r.randint(1, 4))
        return " ".join([opener, *lines])
