"""Totals, snapshots, page links and ETag matching, without a database."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import msgspec
import pytest

from serving_api.lib.http import etag, matches
from serving_api.lib.pagination import PageRequest, page_of
from serving_api.lib.snapshot import ReadCache, Snapshot, Totals, snapshot_of

RECORDS = [
    {"_id": "movies", "source": "gold.m", "snapshot_id": 1, "documents": 10, "document_version": 3},
    {
        "_id": "movie_cards",
        "source": "gold.m",
        "snapshot_id": 1,
        "documents": 10,
        "document_version": 3,
        "synced_at": datetime(2026, 1, 2, tzinfo=UTC),
    },
]


def test_given_sync_records_then_the_tag_changes_with_any_snapshot_and_documents_are_known():
    snapshot = snapshot_of(RECORDS)
    assert snapshot.documents == {"movies": 10, "movie_cards": 10}
    assert snapshot.last_modified == datetime(2026, 1, 2, tzinfo=UTC)
    assert snapshot_of(list(reversed(RECORDS))).tag == snapshot.tag
    assert snapshot_of([RECORDS[0], {**RECORDS[1], "snapshot_id": 2}]).tag != snapshot.tag


def test_given_concurrent_requests_for_one_total_then_it_is_counted_once_per_snapshot():
    counts = ReadCache(size=10)
    calls = 0

    async def count() -> int:
        nonlocal calls
        calls += 1
        await asyncio.sleep(0.01)
        return 42

    async def main() -> list[int]:
        first = Snapshot(tag="a", last_modified=None, documents={})
        totals = await asyncio.gather(*(counts.get(first, "c", {"genres": "Drama"}, count) for _ in range(8)))
        again = await counts.get(first, "c", {"genres": "Drama"}, count)
        after_sync = await counts.get(Snapshot("b", None, {}), "c", {"genres": "Drama"}, count)
        return [*totals, again, after_sync]

    assert asyncio.run(main()) == [42] * 10
    assert calls == 2  # once for snapshot a, once for b


def test_given_a_failed_count_then_it_is_not_cached():
    counts = ReadCache(size=10)

    async def failing() -> int:
        raise TimeoutError

    async def main() -> int:
        with pytest.raises(TimeoutError):
            await counts.get(Snapshot("a", None, {}), "c", {}, failing)

        async def fine() -> int:
            return 3

        return await counts.get(Snapshot("a", None, {}), "c", {}, fine)

    assert asyncio.run(main()) == 3


class _NoDatabase:
    """Totals must not touch the database when the page tells the total."""

    def __getattr__(self, name: str) -> object:
        raise AssertionError(f"database used: {name}")


@pytest.mark.parametrize(("page", "found", "total"), [(1, 7, 7), (3, 4, 24), (1, 0, 0)])
def test_given_a_page_that_is_not_full_then_its_total_needs_no_count(page, found, total):
    totals = Totals(_NoDatabase(), _NoDatabase(), _NoDatabase())  # type: ignore[arg-type]
    request = PageRequest(page, 10)
    assert asyncio.run(totals.of(_NoDatabase(), {}, request, found)) == total  # type: ignore[arg-type]


def test_given_a_page_then_links_keep_the_filters_and_stop_at_the_ends():
    request = PageRequest(2, 5, "/movies", (("genre", "Science Fiction"), ("page_size", "5")))
    page = page_of(([{"n": 6}, {"n": 7}], 12), request, lambda doc: doc["n"])
    assert (page.items, page.page, page.page_size, page.total, page.total_pages) == ([6, 7], 2, 5, 12, 3)
    assert page.next == "/movies?genre=Science+Fiction&page_size=5&page=3"
    assert page.prev == "/movies?genre=Science+Fiction&page_size=5&page=1"
    assert page_of(([], 12), PageRequest(3, 5, "/movies"), dict).next is None
    assert page_of(([], 12), PageRequest(1, 5, "/movies"), dict).prev is None
    assert page_of(([], 12), PageRequest(9, 5, "/movies"), dict).prev == "/movies?page=3"
    assert page_of(([], 0), PageRequest(1, 5, "/movies"), dict).total_pages == 0


def test_given_a_page_when_encoded_then_items_come_first_then_the_page_fields_in_order():
    page = page_of(([{"n": 1}], 1), PageRequest(1, 5, "/x"), lambda doc: doc["n"])
    expected = b'{"items":[1],"page":1,"page_size":5,"total":1,"total_pages":1,"next":null,"prev":null}'
    assert msgspec.json.encode(page) == expected


def test_given_if_none_match_values_then_weak_and_strong_forms_and_lists_match():
    tag = etag(Snapshot("abc", None, {}))
    assert tag == 'W/"abc"'
    assert matches('W/"abc"', tag) and matches('"abc"', tag) and matches('"x", W/"abc"', tag)
    assert matches("*", tag) and not matches('W/"abd"', tag)


def test_given_the_cache_off_then_every_read_goes_to_the_database():
    counts = ReadCache(size=0)
    calls = 0

    async def read() -> int:
        nonlocal calls
        calls += 1
        return 1

    async def main() -> None:
        for _ in range(3):
            await counts.get(Snapshot("a", None, {}), "c", {}, read)

    asyncio.run(main())
    assert calls == 3
