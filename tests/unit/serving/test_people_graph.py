"""The people graph (co-stars, actor-director pairs): documents, queries, the indexes behind them,
the resident copy's answers and the response items, all without a database."""

from __future__ import annotations

import pytest

from serving_api.domain.people.repository import (
    COLLABORATOR_ROLE_FIELDS,
    PAIR_FIELDS,
    co_star_sort_spec,
    collaborator_sort_spec,
)
from serving_api.domain.people.schemas import CoStar, collaborator
from serving_api.lib.resident import ResidentCollection
from serving_api.sync.documents import TARGETS, co_star_document, collaboration_document, content_hash
from serving_api.sync.indexes import CO_STAR_SORT_FIELDS, INDEXES
from tmdb_pipeline.testing.sample_gold import actor_director_rows, co_star_rows


def pair_row(actor_id=1, director_id=9, movies_together=2):
    return {
        "actor_id": actor_id,
        "actor_name": f"Actor {actor_id}",
        "director_id": director_id,
        "director_name": f"Director {director_id}",
        "movies_together": movies_together,
    }


def test_given_a_co_star_row_then_its_document_is_keyed_by_the_pair_direction():
    doc = co_star_document({"person_id": 1, "co_star_id": 2, "co_star_name": "B", "movies_together": 3})
    assert doc is not None
    assert doc["_id"] == "1|2"
    reverse = co_star_document({"person_id": 2, "co_star_id": 1, "co_star_name": "A", "movies_together": 3})
    assert reverse is not None and reverse["_id"] == "2|1"  # both directions are documents
    assert doc["_hash"] == content_hash(doc)
    assert (
        co_star_document({"person_id": None, "co_star_id": 2, "co_star_name": "B", "movies_together": 1})
        is None
    )


def test_given_a_pair_row_then_both_ids_are_searchable_in_one_field():
    doc = collaboration_document(pair_row())
    assert doc is not None
    assert (doc["_id"], doc["_person_ids"]) == ("1|9", [1, 9])
    assert collaboration_document(pair_row(director_id=None)) is None


def test_given_the_targets_then_each_gold_pair_table_has_one_collection():
    assert {(t.table, t.collection) for t in TARGETS} >= {
        ("co_stars", "co_stars"),
        ("actor_director_pairs", "collaborations"),
    }


@pytest.mark.parametrize("sort", sorted(CO_STAR_SORT_FIELDS))
def test_given_a_co_star_sort_then_an_index_serves_it_after_the_person_equality(sort):
    field = CO_STAR_SORT_FIELDS[sort]
    assert co_star_sort_spec(sort, "desc") == [(field, -1), ("_id", 1)]
    assert co_star_sort_spec(sort, "asc") == [(field, 1), ("_id", -1)]  # the same index backwards
    keys = [list(model.document["key"].items()) for model in INDEXES["co_stars"]]
    assert [("person_id", 1), (field, -1), ("_id", 1)] in keys


@pytest.mark.parametrize("role", [None, "director", "actor"])
def test_given_a_collaborator_role_then_an_index_serves_its_equality_and_order(role):
    field = COLLABORATOR_ROLE_FIELDS[role]
    assert collaborator_sort_spec("desc") == [("movies_together", -1), ("_id", 1)]
    keys = [list(model.document["key"].items()) for model in INDEXES["collaborations"]]
    assert [(field, 1), ("movies_together", -1), ("_id", 1)] in keys


def test_given_someone_who_acted_and_directed_then_collaborators_come_from_both_sides():
    rows = [
        pair_row(actor_id=5, director_id=9, movies_together=1),  # 5 acted for 9
        pair_row(actor_id=7, director_id=5, movies_together=3),  # 5 directed 7
        pair_row(actor_id=8, director_id=5, movies_together=1),
        pair_row(actor_id=7, director_id=9, movies_together=4),  # not 5's
    ]
    copy = ResidentCollection([d for d in map(collaboration_document, rows) if d is not None])

    def answer(role, order="desc"):
        query = {COLLABORATOR_ROLE_FIELDS[role]: 5}
        docs, total = copy.find(query, PAIR_FIELDS, collaborator_sort_spec(order), 0, 10)
        assert all("_person_ids" not in d and "_hash" not in d for d in docs)
        return [(c.id, c.role, c.movies_together) for c in (collaborator(d, 5) for d in docs)], total

    # ties (one movie each) come in _id order: "5|9" before "8|5" descending, after it ascending
    assert answer(None) == ([(7, "actor", 3), (9, "director", 1), (8, "actor", 1)], 3)
    assert answer(None, "asc") == ([(8, "actor", 1), (9, "director", 1), (7, "actor", 3)], 3)
    assert answer("director") == ([(9, "director", 1)], 1)
    assert answer("actor") == ([(7, "actor", 3), (8, "actor", 1)], 2)
    assert collaborator(copy.documents[1], 7).name == "Director 5"  # from the actor's side


def test_given_co_star_documents_then_a_person_s_page_is_sorted_and_counted():
    rows = [
        {"person_id": 1, "co_star_id": 2, "co_star_name": "Zoe", "movies_together": 2},
        {"person_id": 1, "co_star_id": 3, "co_star_name": "Adam", "movies_together": 5},
        {"person_id": 1, "co_star_id": 4, "co_star_name": "Mia", "movies_together": 2},
        {"person_id": 2, "co_star_id": 1, "co_star_name": "Ann", "movies_together": 2},
    ]
    copy = ResidentCollection([d for d in map(co_star_document, rows) if d is not None])
    docs, total = copy.find({"person_id": 1}, PAIR_FIELDS, co_star_sort_spec("movies_together", "desc"), 1, 2)
    assert total == 3
    co_stars = [CoStar.from_document(doc) for doc in docs]
    assert [(c.id, c.name, c.movies_together) for c in co_stars] == [(2, "Zoe", 2), (4, "Mia", 2)]
    docs, _ = copy.find({"person_id": 1}, PAIR_FIELDS, co_star_sort_spec("name", "asc"), 0, 10)
    assert [d["co_star_name"] for d in docs] == ["Adam", "Mia", "Zoe"]


def credits(cast, directors):
    return {
        "cast": [{"id": i, "name": f"P{i}", "order": order} for order, i in enumerate(cast)],
        "crew": [{"id": i, "name": f"P{i}", "job": "Director"} for i in directors]
        + [{"id": 99, "name": "P99", "job": "Screenplay"}],
    }


def test_given_sample_credits_then_pairs_follow_the_marts_definitions():
    movies = [
        {"movie_id": 1, "_credits": credits([1, 2, 3], [9])},
        {"movie_id": 2, "_credits": credits([2, 1, *range(10, 18), 4], [9, 1])},  # 4 billed 11th
    ]
    co_stars = {(r["person_id"], r["co_star_id"]): r["movies_together"] for r in co_star_rows(movies)}
    assert co_stars[(1, 2)] == co_stars[(2, 1)] == 2
    assert co_stars[(1, 3)] == 1
    assert not any(4 in pair for pair in co_stars)  # only the top ten are co-stars
    pairs = {(r["actor_id"], r["director_id"]): r["movies_together"] for r in actor_director_rows(movies)}
    assert pairs[(1, 9)] == 2 and pairs[(4, 9)] == 1  # every cast member, whatever the billing
    assert pairs[(2, 1)] == 1 and (1, 1) not in pairs  # an actor-director is not their own pair
    assert not any(99 in pair for pair in pairs)  # only directors
