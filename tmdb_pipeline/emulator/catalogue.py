"""The catalogue: every TMDB record computed on demand from (seed, kind, id) and its change overlay.

Nothing is generated ahead: a movie, its credits or a page of its reviews is built from private
Random streams seeded by the record's id (`hashing.rng`), so any record of a catalogue of a million
movies costs the same few hundred microseconds, and bounded LRU caches keep the hot ones. Records are
keyed by their version (how many times they changed), so a change is visible at once and old
versions simply age out of the caches. Returned dicts are shared with the caches: never mutate them.
"""

from __future__ import annotations

import math
import random
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from typing import Any

from tmdb_pipeline.emulator import vocab
from tmdb_pipeline.emulator.hashing import hex_id, image_path, rng, stream_key
from tmdb_pipeline.emulator.mutations import MutationStore
from tmdb_pipeline.emulator.people import PeoplePool
from tmdb_pipeline.emulator.reviews_text import sentiment_for, write_review
from tmdb_pipeline.emulator.traits import NO_DATE, Traits

PAGE_SIZE = 20
REVIEWS_SINCE = date(2008, 6, 1)  # TMDB's reviews start around then
_CJK = {"ja", "ko", "zh"}
_RELEASE_TYPES = (3, 4, 5, 1, 2, 6)
_RELEASE_TYPE_WEIGHTS = (70, 10, 8, 6, 3, 3)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def iso_timestamp(moment: datetime) -> str:
    """TMDB's timestamp format: 2018-06-09T17:51:53.359Z."""
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def _from_unix(seconds: float) -> datetime:
    return _EPOCH + timedelta(seconds=seconds)


def page_of(items: list[Any], page: int) -> tuple[list[Any], int]:
    """One page of 20 and the number of pages (0 when empty, as TMDB reports)."""
    start = (page - 1) * PAGE_SIZE
    return items[start : start + PAGE_SIZE], math.ceil(len(items) / PAGE_SIZE)


class Catalogue:
    def __init__(self, seed: int, movies: int, today: date | None = None, cache_size: int = 4096) -> None:
        if not 1 <= movies <= 10_000_000:
            raise ValueError("movies must be between 1 and 10,000,000")
        self.seed = seed
        self.movies = movies
        self.today = today or datetime.now(UTC).date()
        self.traits = Traits(seed, movies, self.today)
        self.people = PeoplePool(seed, movies, self.today, cache_size=cache_size * 2)
        self.store = MutationStore(seed, self.traits, self.people)
        self._s = {
            name: stream_key(seed, f"movie.{name}")
            for name in (
                "title",
                "overview",
                "details",
                "image",
                "credits",
                "credit_id",
                "reviews",
                "review_id",
                "review_text",
                "keywords",
                "release_dates",
                "external_ids",
                "recommendations",
                "avatar",
            )
        }
        self._core = lru_cache(maxsize=cache_size)(self._build_core)
        self._details = lru_cache(maxsize=cache_size)(self._build_details)
        self._credits = lru_cache(maxsize=cache_size)(self._build_credits)
        self._review_meta = lru_cache(maxsize=cache_size)(self._build_review_meta)
        self._review_page = lru_cache(maxsize=cache_size)(self._build_review_page)
        self._person = lru_cache(maxsize=cache_size)(self._build_person)

    # --- existence and versions --------------------------------------------------------
    def has_movie(self, movie_id: int) -> bool:
        return 1 <= movie_id <= self.movies

    def has_person(self, person_id: int) -> bool:
        return self.people.exists(person_id)

    def _version(self, movie_id: int) -> int:
        state = self.store.movies.get(movie_id)
        return state.version if state else 0

    # --- movies ------------------------------------------------------------------------
    def titles(self, movie_id: int) -> tuple[str, str]:
        """(title in English, original title in the original language)."""
        r = rng(self._s["title"], movie_id)
        lang = vocab.LANGUAGES[self.traits.language_index(movie_id)].iso
        title = self._compose(r, "en")
        if lang == "en" or lang not in vocab.TITLE_WORDS:
            return title, title
        return title, self._compose(r, lang)

    @staticmethod
    def _compose(r: random.Random, lang: str) -> str:
        adjectives, nouns = vocab.TITLE_WORDS[lang]
        if lang != "en":
            sep = "" if lang in _CJK else " "
            return sep.join((r.choice(adjectives), r.choice(nouns))) if r.random() < 0.7 else r.choice(nouns)
        noun, noun2 = r.sample(nouns, 2)
        return r.choice(vocab.TITLE_PATTERNS).format(
            A=r.choice(adjectives), N=noun, N2=noun2, num=r.choice(("II", "2", "3", "Returns"))
        )

    def _overview(self, movie_id: int, title: str, version: int, popularity_milli: int) -> str:
        r = rng(self._s["overview"], (movie_id << 16) | (version & 0xFFFF))
        if version == 0 and popularity_milli < 1500 and r.random() < 0.15:
            return ""  # obscure films often have no overview on TMDB
        hero = r.choice(vocab.OVERVIEW_HEROES)
        action, twist = r.choice(vocab.OVERVIEW_ACTIONS), r.choice(vocab.OVERVIEW_TWISTS)
        text = f"{hero[0].upper()}{hero[1:]} {action}. {twist}"
        if r.random() < 0.4:
            text += (
                f" {title} is a story of {r.choice(('loss', 'hope', 'courage', 'greed', 'love', 'revenge'))}."
            )
        return text

    def _build_core(self, movie_id: int, version: int) -> dict[str, Any]:
        t = self.traits
        day = t.date_ordinal(movie_id)
        state = self.store.movies.get(movie_id) if version else None
        if state is not None:
            popularity, votes, average = state.popularity_milli, state.vote_count, state.vote_average_milli
            overview_version = state.overview_version
        else:
            popularity = t.popularity_milli(movie_id, day)
            votes = t.vote_count(movie_id, day)
            average = t.vote_average_milli(movie_id, votes)
            overview_version = 0
        title, original = self.titles(movie_id)
        r = rng(self._s["image"], movie_id)
        has_poster = r.random() < (0.99 if popularity > 3000 else 0.85)
        has_backdrop = r.random() < (0.97 if popularity > 3000 else 0.6)
        return {
            "adult": False,
            "backdrop_path": image_path(self._s["image"] ^ 1, movie_id) if has_backdrop else None,
            "genre_ids": t.genre_ids(movie_id),
            "id": movie_id,
            "original_language": vocab.LANGUAGES[t.language_index(movie_id)].iso,
            "original_title": original,
            "overview": self._overview(movie_id, title, overview_version, popularity),
            "popularity": popularity / 1000,
            "poster_path": image_path(self._s["image"], movie_id) if has_poster else None,
            "release_date": "" if day == NO_DATE else date.fromordinal(day).isoformat(),
            "title": title,
            "video": r.random() < 0.01,
            "vote_average": average / 1000,
            "vote_count": votes,
        }

    def movie_item(self, movie_id: int) -> dict[str, Any]:
        """A movie as lists (popular, discover, ...) show it."""
        return self._core(movie_id, self._version(movie_id))

    def movie_details(self, movie_id: int) -> dict[str, Any]:
        return self._details(movie_id, self._version(movie_id))

    def _build_details(self, movie_id: int, version: int) -> dict[str, Any]:
        core = self._core(movie_id, version)
        t = self.traits
        r = rng(self._s["details"], movie_id)
        day = t.date_ordinal(movie_id)
        base_votes = t.vote_count(movie_id, day)
        budget = t.budget(movie_id, base_votes)
        lang = vocab.LANGUAGES[t.language_index(movie_id)]
        collection = None
        if r.random() < 0.07:
            name = core["title"].removeprefix("The ")
            collection = {
                "id": 10_000 + movie_id,
                "name": f"{name} {r.choice(vocab.COLLECTION_SUFFIX)}",
                "poster_path": image_path(self._s["image"] ^ 2, movie_id) if r.random() < 0.9 else None,
                "backdrop_path": image_path(self._s["image"] ^ 3, movie_id) if r.random() < 0.8 else None,
            }
        companies = [
            {
                "id": cid,
                "logo_path": image_path(self._s["image"] ^ 4, cid, ".png") if r.random() < 0.7 else None,
                "name": name,
                "origin_country": country,
            }
            for cid, name, country in r.sample(vocab.COMPANIES, r.choice((0, 1, 1, 2, 2, 3, 4)))
        ]
        countries = [lang.country] + [
            c for c in r.sample(vocab.COUNTRY_CODES, r.choice((0, 0, 1, 2))) if c != lang.country
        ]
        spoken = [lang] + [x for x in r.sample(vocab.LANGUAGES, r.choice((0, 0, 0, 1, 2))) if x != lang]
        genre_ids = core["genre_ids"]
        documentary = 99 in genre_ids
        runtime = 0 if r.random() < 0.03 else int(r.triangular(5, 200, 55 if documentary else 100))
        if day == NO_DATE:
            status = r.choice(("Rumored", "Planned", "In Production"))
        elif day > t.today:
            status = r.choice(("Post Production", "In Production", "Planned"))
        else:
            status = "Released"
        slug = core["title"].lower().replace(" ", "").replace("'", "")
        return {
            "adult": False,
            "backdrop_path": core["backdrop_path"],
            "belongs_to_collection": collection,
            "budget": budget,
            "genres": [{"id": gid, "name": vocab.GENRES[vocab.GENRE_BIT[gid]][1]} for gid in genre_ids],
            "homepage": f"https://www.{slug}-movie.com" if r.random() < 0.3 else "",
            "id": movie_id,
            "imdb_id": self.imdb_id(movie_id),
            "original_language": core["original_language"],
            "original_title": core["original_title"],
            "overview": core["overview"],
            "popularity": core["popularity"],
            "poster_path": core["poster_path"],
            "production_companies": companies,
            "production_countries": [{"iso_3166_1": c, "name": vocab.COUNTRIES[c]} for c in countries],
            "release_date": core["release_date"],
            "revenue": t.revenue(movie_id, budget),
            "runtime": runtime,
            "spoken_languages": [
                {"english_name": x.english_name, "iso_639_1": x.iso, "name": x.name} for x in spoken
            ],
            "status": status,
            "tagline": r.choice(vocab.TAGLINES) if r.random() < 0.55 else "",
            "title": core["title"],
            "video": core["video"],
            "vote_average": core["vote_average"],
            "vote_count": core["vote_count"],
        }

    def imdb_id(self, movie_id: int) -> str | None:
        if rng(self._s["external_ids"] ^ 7, movie_id).random() < 0.08:
            return None
        return f"tt{1_000_000 + (movie_id * 7919 + self.seed) % 8_999_999:07d}"

    # --- credits -----------------------------------------------------------------------
    def credits(self, movie_id: int) -> dict[str, Any]:
        return self._credits(movie_id)

    def _build_credits(self, movie_id: int) -> dict[str, Any]:
        t = self.traits
        r = rng(self._s["credits"], movie_id)
        fame = math.sqrt(t.popularity_milli(movie_id) / 1000)
        genre_ids = t.genre_ids(movie_id)
        people = self.people
        cast: list[dict[str, Any]] = []
        seen: set[int] = set()
        n_cast = min(60, 2 + int(fame * 1.5) + r.randrange(6))
        cast_id = r.randint(1, 10)
        for order in range(n_cast):
            person_id = people.pick_actor(r)
            if person_id in seen:
                continue
            seen.add(person_id)
            person = people.core(person_id)
            cast.append(
                {
                    **person,
                    "cast_id": cast_id,
                    "character": self._character(r, person["gender"], genre_ids, order),
                    "credit_id": hex_id(self._s["credit_id"], (movie_id << 10) | len(cast)),
                    "order": len(cast),
                }
            )
            cast_id += r.choice((1, 1, 1, 2, 5))
        crew: list[dict[str, Any]] = []
        n_crew = min(120, 2 + int(fame * 3) + r.randrange(8))
        director = people.pick_crew(r)
        jobs = [(director, "Directing", "Director")]
        jobs.append((director if r.random() < 0.15 else people.pick_crew(r), "Writing", "Screenplay"))
        for _ in range(n_crew - 2):
            person_id = people.pick_crew(r)
            department = people.department(person_id)
            job_list = next(j for d, _, j in vocab.DEPARTMENTS if d == department)
            jobs.append((person_id, department, r.choice(job_list)))
        done: set[tuple[int, str]] = set()
        for person_id, department, job in jobs:
            if (person_id, job) in done:
                continue
            done.add((person_id, job))
            crew.append(
                {
                    **people.core(person_id),
                    "credit_id": hex_id(self._s["credit_id"], (movie_id << 10) | (512 + len(crew))),
                    "department": department,
                    "job": job,
                }
            )
        return {"id": movie_id, "cast": cast, "crew": crew}

    @staticmethod
    def _character(r: random.Random, gender: int, genre_ids: list[int], order: int) -> str:
        if 99 in genre_ids:
            return "Herself" if gender == 1 else "Himself" if gender == 2 else "Self"
        roll = r.random()
        if order < 6 or roll < 0.5:
            name = f"{r.choice(vocab.CHARACTER_FIRST)} {r.choice(vocab.LAST_NAMES['en'])}"
        else:
            name = r.choice(vocab.CHARACTER_ROLES)
        if 16 in genre_ids:
            name += " (voice)"
        elif order > 12 and r.random() < 0.4:
            name += " (uncredited)"
        return name

    # --- reviews -----------------------------------------------------------------------
    def reviews(self, movie_id: int, page: int) -> dict[str, Any]:
        version = self._version(movie_id)
        return self._review_page(movie_id, version, page)

    def review_count(self, movie_id: int) -> int:
        return len(self._review_meta(movie_id, self._version(movie_id)))

    def _build_review_meta(self, movie_id: int, version: int) -> list[dict[str, Any]]:
        """Every review of a movie without its text, oldest first (as TMDB lists them)."""
        t = self.traits
        day = t.date_ordinal(movie_id)
        base_votes = t.vote_count(movie_id, day)
        r = rng(self._s["reviews"], movie_id)
        # More votes, more reviews: a handful for most released films, up to 150 for the biggest.
        # A small catalogue has no blockbusters, so it gets denser reviews to still page past 20.
        density = min(6.0, max(1.0, math.sqrt(5000 / self.movies)))
        reach = 1.6 + math.sqrt(base_votes) * 0.8 * density
        count = 0 if base_votes == 0 else min(150, int(r.random() * reach))
        average = t.vote_average_milli(movie_id, base_votes) / 1000
        end = self.today.toordinal() - 1
        start = max(REVIEWS_SINCE.toordinal(), day if day != NO_DATE else end - 30)
        start = min(start, end - 1)
        moments = []
        for i in range(count):
            rr = rng(self._s["reviews"], (movie_id << 20) | (i + 1))
            offset_days = rr.random() * (end - start)
            moments.append(
                (datetime.fromordinal(start).replace(tzinfo=UTC) + timedelta(days=offset_days), i + 1)
            )
        moments.sort()
        state = self.store.movies.get(movie_id) if version else None
        added = state.added_reviews if state else []
        metas = [self._review_meta_one(movie_id, key, created, average, False) for created, key in moments]
        metas += [
            self._review_meta_one(movie_id, 0x80000 + i, _from_unix(at), average, True)
            for i, at in enumerate(added)
        ]
        return metas

    def _review_meta_one(
        self, movie_id: int, key: int, created: datetime, average: float, fresh: bool
    ) -> dict[str, Any]:
        rr = rng(self._s["review_id"], (movie_id << 20) | key)
        first, second = vocab.USERNAME_PARTS
        username = f"{rr.choice(first)}{rr.choice(second)}{rr.randrange(100) if rr.random() < 0.5 else ''}"
        rating: int | None = None
        if rr.random() < 0.8:
            rating = min(10, max(1, round(rr.gauss(average if average else 6.0, 2.0))))
        if fresh or rr.random() < 0.5:
            updated = created
        else:
            today_end = datetime.combine(self.today, datetime.min.time(), UTC)
            updated = min(today_end, created + timedelta(days=rr.random() * 400))
        review_id = hex_id(self._s["review_id"], (movie_id << 20) | key)
        name = ""
        if rr.random() < 0.4:
            name = (
                f"{rr.choice(vocab.FIRST_NAMES['en'][rr.randrange(2)])} {rr.choice(vocab.LAST_NAMES['en'])}"
            )
        return {
            "author": name or username,
            "author_details": {
                "name": name,
                "username": username,
                "avatar_path": image_path(self._s["avatar"], (movie_id << 20) | key)
                if rr.random() < 0.3
                else None,
                "rating": rating,
            },
            "key": key,
            "created_at": iso_timestamp(created),
            "id": review_id,
            "updated_at": iso_timestamp(updated),
            "url": f"https://www.themoviedb.org/review/{review_id}",
        }

    def _build_review_page(self, movie_id: int, version: int, page: int) -> dict[str, Any]:
        metas = self._review_meta(movie_id, version)
        chunk, total_pages = page_of(metas, page)
        title = self._core(movie_id, version)["title"]
        results = []
        for meta in chunk:
            rating = meta["author_details"]["rating"]
            r = rng(self._s["review_text"], (movie_id << 20) | meta["key"])
            content = write_review(r, sentiment_for(rating, r), title, rating)
            results.append(
                {
                    "author": meta["author"],
                    "author_details": meta["author_details"],
                    "content": content,
                    "created_at": meta["created_at"],
                    "id": meta["id"],
                    "updated_at": meta["updated_at"],
                    "url": meta["url"],
                }
            )
        return {
            "id": movie_id,
            "page": page,
            "results": results,
            "total_pages": total_pages,
            "total_results": len(metas),
        }

    # --- small sub-resources -----------------------------------------------------------
    def keywords(self, movie_id: int) -> dict[str, Any]:
        r = rng(self._s["keywords"], movie_id)
        fame = self.traits.popularity_milli(movie_id) / 1000
        count = r.randint(0, min(15, 2 + int(math.sqrt(fame))))
        return {
            "id": movie_id,
            "keywords": [{"id": k, "name": n} for k, n in r.sample(vocab.KEYWORDS, count)],
        }

    def external_ids(self, movie_id: int) -> dict[str, Any]:
        r = rng(self._s["external_ids"], movie_id)
        slug = self.titles(movie_id)[0].replace(" ", "").replace("'", "")
        return {
            "id": movie_id,
            "imdb_id": self.imdb_id(movie_id),
            "wikidata_id": f"Q{100_000 + movie_id * 37 % 9_000_000}" if r.random() < 0.6 else None,
            "facebook_id": f"{slug}Movie" if r.random() < 0.25 else None,
            "instagram_id": f"{slug.lower()}movie" if r.random() < 0.2 else None,
            "twitter_id": f"{slug}Film" if r.random() < 0.2 else None,
        }

    def release_dates(self, movie_id: int) -> dict[str, Any]:
        t = self.traits
        day = t.date_ordinal(movie_id)
        if day == NO_DATE:
            return {"id": movie_id, "results": []}
        r = rng(self._s["release_dates"], movie_id)
        origin = vocab.LANGUAGES[t.language_index(movie_id)].country
        fame = math.sqrt(t.popularity_milli(movie_id) / 1000)
        by_country: dict[str, list[dict[str, Any]]] = {origin: [self._release(r, origin, day, 3)]}
        for country in r.sample(
            vocab.COUNTRY_CODES, min(len(vocab.COUNTRY_CODES), r.randint(0, 1 + int(fame)))
        ):
            kind = r.choices(_RELEASE_TYPES, weights=_RELEASE_TYPE_WEIGHTS)[0]
            shifted = day + r.randint(-10, 120) + (r.randint(90, 700) if kind in (4, 5, 6) else 0)
            by_country.setdefault(country, []).append(self._release(r, country, shifted, kind))
        results = [{"iso_3166_1": c, "release_dates": by_country[c]} for c in sorted(by_country)]
        return {"id": movie_id, "results": results}

    @staticmethod
    def _release(r: random.Random, country: str, day: int, kind: int) -> dict[str, Any]:
        certification = r.choice(vocab.CERTIFICATIONS.get(country, ("",)))
        return {
            "certification": certification,
            "descriptors": [],
            "iso_639_1": r.choice(("en", "fr", "es", "de")) if r.random() < 0.08 else "",
            "note": r.choice(vocab.RELEASE_NOTES) if kind != 3 else "",
            "release_date": date.fromordinal(day).isoformat() + "T00:00:00.000Z",
            "type": kind,
        }

    def recommendations(self, movie_id: int) -> list[int]:
        """Up to 40 other movies (ids) recommended alongside this one."""
        r = rng(self._s["recommendations"], movie_id)
        wanted = min(
            self.movies - 1, r.randint(0, 40) if self.traits.vote_count(movie_id) else r.randint(0, 6)
        )
        picked: dict[int, None] = {}
        while len(picked) < wanted:
            other = 1 + r.randrange(self.movies)
            if other != movie_id:
                picked.setdefault(other, None)
        return list(picked)

    # --- people ------------------------------------------------------------------------
    def person(self, person_id: int) -> dict[str, Any]:
        state = self.store.persons.get(person_id)
        return self._person(person_id, state.version if state else 0)

    def _build_person(self, person_id: int, version: int) -> dict[str, Any]:
        state = self.store.persons.get(person_id) if version else None
        if state is None:
            return self.people.details(person_id, None, 0)
        return self.people.details(person_id, state.popularity_milli, state.biography_version)
