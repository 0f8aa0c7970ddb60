"""Title search: every query word must start a word of the title or original title.

The sync stores `_title_tokens` (folded words) with an index; an anchored, escaped regex per word
is a prefix scan of that index on MongoDB. Results are ranked by popularity.
"""

from __future__ import annotations

import re
from typing import Any

from litestar.di import NamedDependency

from serving_api.domain.movies.repository import CARD_FIELDS
from serving_api.lib.mongo import Db
from serving_api.lib.pagination import PageRequest
from serving_api.lib.snapshot import Totals

Doc = dict[str, Any]


def title_query(words: list[str]) -> Doc:
    return {"$and": [{"_title_tokens": {"$regex": f"^{re.escape(word)}"}} for word in words]}


TITLE_ORDER = [("popularity", -1), ("_id", 1)]  # most popular first


class SearchRepository:
    def __init__(self, db: Db, totals: Totals) -> None:
        self.totals = totals
        self.cards = db["movie_cards"]

    async def titles(self, words: list[str], page: PageRequest) -> tuple[list[Doc], int]:
        return await self.totals.page(self.cards, title_query(words), CARD_FIELDS, TITLE_ORDER, page)


def provide_search_repository(db: NamedDependency[Db], totals: NamedDependency[Totals]) -> SearchRepository:
    return SearchRepository(db, totals)
