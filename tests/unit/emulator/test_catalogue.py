"""The catalogue: deterministic, lazy, with records shaped and distributed like TMDB's."""

from __future__ import annotations

import re
import time
import tracemalloc
from collections import Counter
from datetime import date

import pytest

from tmdb_pipeline.emulator.catalogue import Catalogue
from tmdb_pipeline.emulator.reviews_text import FOREIGN, NEGATIVE_ADJ, POSITIVE_ADJ

TODAY = date(2026, 6, 15)
ISO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return Catalogue(seed=7, movies=400, today=TODAY)


def test_given_the_same_seed_when_two_catalogues_are_built_then_every_record_is_identical() -> None:
    a, b = Catalogue(5, 300, TODAY), Catalogue(5, 300, TODAY)
    for movie_id in (1, 17, 150, 300):
        assert a.movie_details(movie_id) == b.movie_details(movie_id)
        assert a.credits(movie_id) == b.credits(movie_id)
        assert a.reviews(movie_id, 1) == b.reviews(movie_id, 1)
        assert a.release_dates(movie_id) == b.release_dates(movie_id)
    assert a.person(42) == b.person(42)


def test_given_another_seed_when_built_then_records_differ() -> None:
    a, b = Catalogue(5, 300, TODAY), Catalogue(6, 300, TODAY)
    differing = sum(a.movie_item(i)["title"] != b.movie_item(i)["title"] for i in range(1, 101))
    assert differing > 80


def test_given_a_million_movies_when_the_last_one_is_read_then_it_is_fast_and_memory_light() -> None:
    tracemalloc.start()
    began = time.perf_counter()
    catalogue = Catalogue(seed=1, movies=1_000_000, today=TODAY)
    movie = catalogue.movie_details(999_999)
    credits = catalogue.credits(999_999)
    reviews = catalogue.reviews(999_999, 1)
    elapsed = time.perf_counter() - began
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert movie["id"] == 999_999 and credits["cast"] and reviews["page"] == 1
    assert elapsed < 0.5
    assert peak < 5_000_000, f"reading one movie allocated {peak:,} bytes at peak"


def test_given_a_movie_when_read_then_details_carry_tmdb_fields_and_values(catalogue: Catalogue) -> None:
    movie = catalogue.movie_details(3)
    assert movie["id"] == 3 and movie["genres"] and isinstance(movie["popularity"], float)
    assert movie["release_date"] == "" or re.match(r"^\d{4}-\d\d-\d\d$", movie["release_date"])
    assert [g["id"] for g in movie["genres"]] == catalogue.movie_item(3)["genre_ids"]
    assert movie["status"] in {"Released", "Post Production", "In Production", "Planned", "Rumored"}


def test_given_many_movies_when_read_then_languages_and_empty_fields_are_varied(catalogue: Catalogue) -> None:
    items = [catalogue.movie_item(i) for i in range(1, 401)]
    languages = Counter(m["original_language"] for m in items)
    assert len(languages) >= 6
    assert any(m["original_title"] != m["title"] for m in items), "foreign films keep their original title"
    details = [catalogue.movie_details(i) for i in range(1, 401)]
    assert any(d["budget"] == 0 for d in details) and any(d["budget"] > 0 for d in details)
    assert any(d["belongs_to_collection"] for d in details)
    assert any(m["poster_path"] is None for m in items)


def test_given_movies_when_credited_then_people_are_shared_and_stars_appear_often(
    catalogue: Catalogue,
) -> None:
    appearances: Counter[int] = Counter()
    for movie_id in range(1, 401):
        credits = catalogue.credits(movie_id)
        assert credits["crew"][0]["job"] == "Director"
        appearances.update(c["id"] for c in credits["cast"])
        for credit in credits["cast"] + credits["crew"]:
            assert catalogue.has_person(credit["id"])
    assert appearances.most_common(1)[0][1] >= 15, "a star plays in many movies"
    assert sum(1 for n in appearances.values() if n > 1) > 50, "many actors work in more than one film"


def test_given_popular_movies_when_reviews_are_read_then_they_look_like_tmdb_reviews(
    catalogue: Catalogue,
) -> None:
    reviews = [r for i in range(1, 401) for r in catalogue.reviews(i, 1)["results"]]
    assert len(reviews) > 100
    words = [len(r["content"].split()) for r in reviews]
    assert min(words) <= 12 and max(words) >= 1000, "from one line to thousands of words"
    ratings = [r["author_details"]["rating"] for r in reviews]
    assert None in ratings and all(x is None or 1 <= x <= 10 for x in ratings)
    assert all(ISO.match(r["created_at"]) and ISO.match(r["updated_at"]) for r in reviews)
    assert all(r["updated_at"] >= r["created_at"] for r in reviews)
    assert all(r["url"].endswith(r["id"]) and len(r["id"]) == 24 for r in reviews)
    foreign_words = {s.split()[0] for lang in FOREIGN.values() for bank in lang.values() for s in bank}
    assert any(r["content"].split()[0] in foreign_words for r in reviews), "a few are not in English"


def test_given_rated_reviews_when_read_then_their_tone_follows_the_rating(catalogue: Catalogue) -> None:
    tone = {"high": [0, 0], "low": [0, 0]}
    for movie_id in range(1, 401):
        for review in catalogue.reviews(movie_id, 1)["results"]:
            rating = review["author_details"]["rating"]
            if rating is None or 4 < rating < 7:
                continue
            text = review["content"].lower()
            bucket = tone["high" if rating >= 7 else "low"]
            bucket[0] += sum(text.count(w) for w in POSITIVE_ADJ)
            bucket[1] += sum(text.count(w) for w in NEGATIVE_ADJ)
    assert tone["high"][0] > 3 * tone["high"][1]
    assert tone["low"][1] > 3 * tone["low"][0]


def test_given_a_movie_with_many_reviews_when_paged_then_pages_partition_the_reviews() -> None:
    catalogue = Catalogue(seed=7, movies=5000, today=TODAY)
    movie_id = max(range(1, 5001), key=catalogue.review_count)
    first = catalogue.reviews(movie_id, 1)
    assert first["total_results"] > 20
    pages = [catalogue.reviews(movie_id, p)["results"] for p in range(1, first["total_pages"] + 1)]
    ids = [r["id"] for page in pages for r in page]
    assert len(ids) == len(set(ids)) == first["total_results"]
    assert all(len(page) == 20 for page in pages[:-1])
    created = [r["created_at"] for page in pages for r in page]
    assert created == sorted(created), "oldest first, as TMDB lists them"


def test_given_movies_without_a_date_when_released_dates_are_read_then_they_are_empty(
    catalogue: Catalogue,
) -> None:
    big = Catalogue(seed=7, movies=5000, today=TODAY)
    undated = [i for i in range(1, 5001) if big.movie_item(i)["release_date"] == ""]
    assert undated, "TMDB has movies whose release_date is an empty string"
    assert big.release_dates(undated[0])["results"] == []
    dated = next(i for i in range(1, 5001) if big.movie_item(i)["release_date"])
    results = big.release_dates(dated)["results"]
    assert results and all(
        re.match(r"^\d{4}-\d\d-\d\dT00:00:00\.000Z$", d["release_date"])
        for r in results
        for d in r["release_dates"]
    )


def test_given_a_person_when_read_then_fields_follow_tmdb(catalogue: Catalogue) -> None:
    people = [catalogue.person(i) for i in range(1, 200)]
    assert any(p["deathday"] for p in people) and any(p["deathday"] is None for p in people)
    assert any(p["biography"] == "" for p in people) and any(p["biography"] for p in people)
    assert {p["known_for_department"] for p in people} == {"Acting"}  # ids 1..A are the actors
    crew = catalogue.person(catalogue.people.actors + 1)
    assert crew["known_for_department"] != "Acting"
