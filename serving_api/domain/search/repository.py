"""Title search: every query word must start a word of the title or original title.

The sync stores `_title_tokens` (folded words) with an index; an anchored, escaped regex per word
is a prefix scan of that index on MongoDB. Results are ranked by popularity.
"""

from __future__ import annotations

import re
from typing import Any

from litestar.di import NamedDependency

from serving_api.domain.movies.repository import CARD_FIELDS
from serving_api.lib.mongo import Db, max_time_ms
from serving_api.lib.pagination import PageRequest
from serving_api.lib.snapshot import Totals

Doc = dict[str, Any]


def title_query(words: list[str]) -> Doc:
    return {"$and": [{"_title_tokens": {"$regex": f"^{re.escape(word)}"}} for word in words]}


class SearchRepository:
    def __init__(self, db: Db, totals: Totals) -> None:
        self.totals = totals
        self.cards = db["movie_cards"]

    async def titles(self, words: list[str], page: PageRequest) -> tuple[list[Doc], int]:
        query = title_query(words)
        cursor = (
            self.cards.find(query, CARD_FIELDS, max_time_ms=max_time_ms())
            .sort([("popularity", -1), ("_id", 1)])
            .skip(page.offset)
            .limit(page.page_size)
        )
        read = {"search": query, "skip": page.offset, "limit": page.page_size}
        items = await self.totals.cached(self.cards.name, read, cursor.to_list)
        return items, await self.totals.of(self.cards, query, page, len(items))


def provide_search_repository(db: NamedDependency[Db], totals: NamedDependency[Totals]) -> SearchRepository:
    return SearchRepository(db, totals)
