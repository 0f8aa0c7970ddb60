"""The resident copies answer exactly as the server does: every list query the API builds, run on
the synced cards both ways (FerretDB here; MongoDB when MONGO_URI names one)."""

from __future__ import annotations

import itertools
import random
from collections import Counter

from serving_api.domain.genres.repository import FIELDS, STATS_ORDER, stats_match
from serving_api.domain.movies.repository import CARD_FIELDS, MovieFilters, list_query, sort_spec
from serving_api.domain.people.repository import (
    COLLABORATOR_ROLE_FIELDS,
    PAIR_FIELDS,
    SUMMARY_FIELDS,
    co_star_sort_spec,
    collaborator_sort_spec,
    people_query,
)
from serving_api.domain.search.repository import title_query
from serving_api.domain.trending.repository import TRENDING_ORDER
from serving_api.lib.resident import RESIDENT, ResidentCollection
from serving_api.sync.indexes import CO_STAR_SORT_FIELDS, MOVIE_SORT_FIELDS, PEOPLE_SORT_FIELDS


def test_given_every_movie_list_query_then_the_copy_answers_as_the_server(served):
    db = served.db
    copy = ResidentCollection(list(db.movie_cards.find({}, {"_hash": 0})))
    genres = sorted({g for card in copy.documents for g in card.get("genres") or []})
    languages = sorted(
        {card["original_language"] for card in copy.documents if card.get("original_language")}
    )
    rng = random.Random(7)
    filters = [MovieFilters()] + [
        MovieFilters(
            genre=rng.choice([None, *genres]),
            year_from=rng.choice([None, 1990, 2005]),
            year_to=rng.choice([None, 2000, 2015]),
            min_rating=rng.choice([None, 5.5, 7.0]),
            min_votes=rng.choice([None, 100, 2000]),
            language=rng.choice([None, *languages[:3]]),
            sentiment=rng.choice([None, "positive", "negative", "mixed"]),
        )
        for _ in range(30)
    ]
    checked = 0
    for movie_filters, sort, order in itertools.product(filters, MOVIE_SORT_FIELDS, ("asc", "desc")):
        query, spec = list_query(movie_filters, sort), sort_spec(sort, order)
        for skip in (0, 20):
            expected = list(db.movie_cards.find(query, CARD_FIELDS).sort(spec).skip(skip).limit(20))
            page, total = copy.find(query, CARD_FIELDS, spec, skip, 20)
            assert page == expected, (query, spec, skip)
            assert total == db.movie_cards.count_documents(query), query
            checked += bool(expected)
    assert checked > 50  # many pages hold movies: the comparison is not of empty pages alone


def test_given_people_and_title_searches_then_the_copy_answers_as_the_server(served):
    db = served.db
    people = ResidentCollection(list(db.person_cards.find({}, {"_hash": 0})))
    departments = sorted(
        {p["known_for_department"] for p in people.documents if p.get("known_for_department")}
    )
    names = [p["name"].split()[0].lower()[:3] for p in people.documents[:5] if p.get("name")]
    for department, tokens, sort, order in itertools.product(
        [None, *departments[:3]], [[], names[:1], names[1:3]], PEOPLE_SORT_FIELDS, ("asc", "desc")
    ):
        direction = -1 if order == "desc" else 1
        spec = [(PEOPLE_SORT_FIELDS[sort], direction), ("_id", -direction)]
        query = people_query(department, tokens)
        expected = list(db.person_cards.find(query, SUMMARY_FIELDS).sort(spec).limit(20))
        assert people.find(query, SUMMARY_FIELDS, spec, 0, 20) == (
            expected,
            db.person_cards.count_documents(query),
        ), query

    cards = ResidentCollection(list(db.movie_cards.find({}, {"_hash": 0})))
    spec = [("popularity", -1), ("_id", 1)]
    for words in (["the"], ["a"], ["s", "o"], ["zzz"]):
        query = title_query(words)
        expected = list(db.movie_cards.find(query, CARD_FIELDS).sort(spec).limit(20))
        assert cards.find(query, CARD_FIELDS, spec, 0, 20) == (
            expected,
            db.movie_cards.count_documents(query),
        )


def test_given_review_lists_then_the_kept_fields_page_as_the_server_does(served):
    db = served.db
    fields = RESIDENT["reviews"]
    reviews = ResidentCollection(list(db.reviews.find({}, fields)), complete=False)
    movie_ids = sorted({r["movie_id"] for r in reviews.documents})
    spec = [("created_at", -1), ("_id", 1)]
    assert len(movie_ids) > 10
    for movie_id, sentiment in itertools.product(movie_ids[:15], [None, "positive", "negative"]):
        query = {"movie_id": movie_id} | ({"sentiment.label": sentiment} if sentiment else {})
        expected = [r["_id"] for r in db.reviews.find(query, {"_id": 1}).sort(spec).limit(3)]
        page, total = reviews.find(query, {"_id": 1}, spec, 0, 3)
        assert ([r["_id"] for r in page], total) == (expected, db.reviews.count_documents(query)), query


def test_given_the_api_then_review_pages_come_whole_and_in_the_servers_order(served, http):
    movie_id = served.db.reviews.find_one({}, {"movie_id": 1})["movie_id"]
    spec = [("created_at", -1), ("_id", 1)]
    expected = list(served.db.reviews.find({"movie_id": movie_id}, {"_hash": 0}).sort(spec).limit(2))
    body = http.get(f"/movies/{movie_id}/reviews", params={"page_size": 2}).json()
    assert [r["id"] for r in body["items"]] == [r["_id"] for r in expected]
    assert body["items"][0]["content"] == expected[0]["content"]


def test_given_trending_pages_and_genre_stats_then_the_copy_answers_as_the_server(served):
    db = served.db
    trending = ResidentCollection(list(db.trending.find({}, {"_hash": 0})))
    for skip in (0, 20, 40):
        expected = list(db.trending.find({}, {"_hash": 0}).sort(TRENDING_ORDER).skip(skip).limit(20))
        assert trending.find({}, {"_hash": 0}, TRENDING_ORDER, skip, 20) == (
            expected,
            db.trending.count_documents({}),
        )
    stats = ResidentCollection(list(db.genre_stats.find({}, {"_hash": 0})))
    genres = sorted({row["genre"] for row in stats.documents})
    for genre, year_from in itertools.product([None, *genres[:4]], [None, 1990, 2010]):
        query = stats_match(genre, year_from, None)
        expected = list(db.genre_stats.find(query, FIELDS).sort(STATS_ORDER))
        assert stats.find(query, FIELDS, STATS_ORDER, 0, len(stats.documents))[0] == expected, query


def test_given_people_pair_lists_then_the_copy_answers_as_the_server(served):
    # a person's co-stars and collaborators: equality on a field (an array, `_person_ids`) and sort;
    # few people, as each server query scans the collection on FerretDB
    db = served.db
    co_stars = ResidentCollection(list(db.co_stars.find({}, {"_hash": 0})))
    counts = Counter(d["person_id"] for d in co_stars.documents)
    for person in (max(counts, key=counts.__getitem__), min(counts, key=counts.__getitem__)):
        query = {"person_id": person}
        total = db.co_stars.count_documents(query)
        for sort, order in itertools.product(CO_STAR_SORT_FIELDS, ("asc", "desc")):
            spec = co_star_sort_spec(sort, order)
            expected = list(db.co_stars.find(query, PAIR_FIELDS).sort(spec).skip(5).limit(10))
            assert co_stars.find(query, PAIR_FIELDS, spec, 5, 10) == (expected, total), (query, spec)
    pairs = ResidentCollection(list(db.collaborations.find({}, {"_hash": 0})))
    actors = Counter(d["actor_id"] for d in pairs.documents)
    directors = Counter(d["director_id"] for d in pairs.documents)
    people = (max(actors, key=actors.__getitem__), max(directors, key=directors.__getitem__))
    for person, field in itertools.product(people, COLLABORATOR_ROLE_FIELDS.values()):
        query, spec = {field: person}, collaborator_sort_spec("asc" if field == "actor_id" else "desc")
        expected = list(db.collaborations.find(query, PAIR_FIELDS).sort(spec).limit(10))
        assert pairs.find(query, PAIR_FIELDS, spec, 0, 10) == (
            expected,
            db.collaborations.count_documents(query),
        ), query
