"""MongoDB's query semantics as the resident copies implement them (pure logic; the comparison
with a real server on synced data is tests/integration/serving/test_resident.py)."""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime

import pytest
from pymongo.errors import ConnectionFailure, ExecutionTimeout

from serving_api.lib.mongo import query_budget
from serving_api.lib.resident import (
    ResidentCollection,
    ResidentCollections,
    Unsupported,
    compile_query,
    project,
    sort_documents,
)

DOCS = [
    {"_id": "1", "genres": ["Drama", "Crime"], "rating": 8.1, "year": 1994, "lang": "en"},
    {"_id": "2", "genres": ["Comedy"], "rating": 6, "year": None, "lang": "fr"},
    {"_id": "3", "genres": [], "rating": None, "lang": "en"},
    {"_id": "4", "genres": ["Drama"], "rating": "7", "year": 2001},
    {"_id": "5", "genres": "Drama", "rating": 7.0, "year": 2001, "lang": "en"},
]


def ids(query: dict) -> list[str]:
    match = compile_query(query)
    return [d["_id"] for d in DOCS if match(d)]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({}, ["1", "2", "3", "4", "5"]),
        ({"genres": "Drama"}, ["1", "4", "5"]),  # an array field matches on any element
        ({"lang": "en"}, ["1", "3", "5"]),
        ({"rating": {"$gte": 7}}, ["1", "5"]),  # "7" is a string: never compared with numbers
        ({"rating": {"$lt": 7}}, ["2"]),  # null is not less than a number
        ({"year": {"$gte": 1990, "$lte": 2000}}, ["1"]),
        ({"year": {"$ne": None}}, ["1", "4", "5"]),  # $ne null: present and not null
        ({"year": None}, ["2", "3"]),  # null matches missing too
        ({"lang": {"$regex": "^f"}}, ["2"]),
        ({"genres": {"$regex": "^Cr"}}, ["1"]),
        ({"$and": [{"genres": "Drama"}, {"year": 2001}]}, ["4", "5"]),
        ({"rating": {"$eq": 6.0}}, ["2"]),  # 6 and 6.0 are one number
    ],
)
def test_given_a_query_then_it_matches_what_mongodb_matches(query, expected):
    assert ids(query) == expected


@pytest.mark.parametrize(
    "query", [{"$or": []}, {"a": {"$in": [1]}}, {"a": {"$regex": "x", "$options": "i"}}, {"a": {"b": 1}}]
)
def test_given_an_operator_it_does_not_implement_then_it_says_so(query):
    with pytest.raises(Unsupported):
        compile_query(query)


def test_given_mixed_types_then_the_sort_follows_bson_order_with_nulls_first():
    ordered = sort_documents(DOCS, [("rating", 1), ("_id", 1)])
    assert [d["_id"] for d in ordered] == ["3", "2", "5", "1", "4"]  # null, 6, 7.0, 8.1, "7"
    ordered = sort_documents(DOCS, [("rating", -1), ("_id", 1)])
    assert [d["_id"] for d in ordered] == ["4", "1", "5", "2", "3"]


def test_given_equal_keys_then_the_next_key_decides_in_its_own_direction():
    docs = [{"_id": str(i), "y": i % 2, "d": datetime(2020, 1, 1 + i, tzinfo=UTC)} for i in range(4)]
    ordered = sort_documents(docs, [("y", -1), ("d", 1)])
    assert [d["_id"] for d in ordered] == ["1", "3", "0", "2"]


def test_given_an_array_sort_key_then_it_is_unsupported():
    with pytest.raises(Unsupported):
        sort_documents(DOCS, [("genres", 1)])


def test_given_projections_then_fields_are_kept_or_dropped_like_mongodb():
    doc = {"_id": "1", "a": 1, "b": 2, "_hash": "x"}
    assert project(doc, {"a": 1}) == {"_id": "1", "a": 1}
    assert project(doc, {"a": 1, "_id": 0}) == {"a": 1}
    assert project(doc, {"_hash": 0}) == {"_id": "1", "a": 1, "b": 2}


def test_given_a_page_then_the_total_counts_every_match_and_the_page_is_the_slice():
    copy = ResidentCollection(DOCS)
    page, total = copy.find({"genres": "Drama"}, {"_id": 1}, [("year", -1), ("_id", 1)], 1, 1)
    assert total == 3
    assert page == [{"_id": "5"}]  # 4 and 5 share 2001: _id decides; 1 (1994) comes last
    assert copy.find({"genres": "Drama"}, {"_id": 1}, [("year", -1), ("_id", 1)], 3, 5) == ([], 3)


class _Cards:
    """A collection stand-in that counts full reads and takes `delay_s` for each."""

    def __init__(self, delay_s: float = 0.0, fail: bool = False) -> None:
        self.reads, self.delay_s, self.fail = 0, delay_s, fail

    def __getitem__(self, name: str) -> _Cards:
        return self

    def find(self, query: dict, projection: dict) -> _Cards:
        return self

    async def to_list(self) -> list[dict]:
        self.reads += 1
        await asyncio.sleep(self.delay_s)
        if self.fail:
            raise ConnectionFailure("down")
        return [dict(doc) for doc in DOCS]


def test_given_concurrent_requests_then_one_read_per_snapshot_and_a_new_snapshot_reads_again():
    async def scenario() -> None:
        db, resident = _Cards(delay_s=0.05), ResidentCollections(max_documents=10)
        copies = await asyncio.gather(*(resident.get(db, "t1", "movie_cards", 5) for _ in range(5)))
        assert db.reads == 1 and all(copy is copies[0] for copy in copies)
        await resident.get(db, "t2", "movie_cards", 5)
        assert db.reads == 2
        assert await resident.get(db, "t2", "movie_cards", 11) is None  # too big: the server answers
        assert await resident.get(db, "t2", "movies", 5) is None  # not kept: the server answers

    asyncio.run(scenario())


def test_given_a_load_slower_than_the_budget_then_a_timeout_and_the_load_serves_the_next_request():
    async def scenario() -> None:
        db, resident = _Cards(delay_s=0.3), ResidentCollections(max_documents=10)
        with query_budget(0.05), pytest.raises(ExecutionTimeout):
            await resident.get(db, "t1", "movie_cards", 5)
        with query_budget(1.0):
            copy = await resident.get(db, "t1", "movie_cards", 5)
        assert copy is not None and len(copy.documents) == 5
        assert db.reads == 1  # the request that gave up did not stop or repeat the read

    asyncio.run(scenario())


def test_given_a_failed_load_then_the_error_reaches_the_request_and_the_next_one_reads_again():
    async def scenario() -> None:
        db, resident = _Cards(fail=True), ResidentCollections(max_documents=10)
        resident.warm(db, "t1", {"movie_cards": 5})  # no request waits: the failure is not kept
        await asyncio.sleep(0.01)
        with pytest.raises(ConnectionFailure):
            await resident.get(db, "t1", "movie_cards", 5)
        db.fail = False
        assert await resident.get(db, "t1", "movie_cards", 5) is not None
        assert db.reads == 3

    asyncio.run(scenario())


def test_given_an_equality_then_the_narrowed_answer_equals_the_full_walk():
    copy = ResidentCollection([*DOCS, {"_id": "6", "rating": 6.0, "genres": ["Drama", "Drama"]}])
    spec = [("_id", -1)]
    for query in ({"rating": 6}, {"genres": "Drama"}, {"genres": "Drama", "year": 2001}, {"lang": "de"}):
        walked = [d["_id"] for d in sort_documents(copy.documents, spec) if compile_query(query)(d)]
        page, total = copy.find(query, {"_id": 1}, spec, 0, 10)
        assert [d["_id"] for d in page] == walked and total == len(walked), query
    assert copy.find({"rating": 6}, {"_id": 1}, spec, 0, 10)[1] == 2  # 6 and 6.0 are one number


def test_given_title_prefixes_then_the_prefix_range_answers_as_the_regex_walk():
    docs = [
        {"_id": i, "_title_tokens": words, "p": i % 3}
        for i, words in enumerate([["amelie"], ["the", "amelie"], ["a", "b"], ["a.b"], [], ["ame", "ame"]])
    ]
    copy = ResidentCollection(docs)
    copy.prepare([[("p", -1), ("_id", 1)]], ["p"], ["_title_tokens"])
    for words in (["ame"], ["a"], ["a.b"], ["the", "am"], ["zzz"], ["a\\d"]):
        query = {"$and": [{"_title_tokens": {"$regex": f"^{re.escape(w)}"}} for w in words]}
        walked = [d["_id"] for d in sort_documents(docs, [("p", -1), ("_id", 1)]) if compile_query(query)(d)]
        page, total = copy.find(query, {"_id": 1}, [("p", -1), ("_id", 1)], 0, 10)
        assert [d["_id"] for d in page] == walked and total == len(walked), words
