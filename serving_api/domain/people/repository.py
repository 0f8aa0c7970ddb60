"""MongoDB queries behind /people."""

from __future__ import annotations

import re
from typing import Any

from litestar.di import NamedDependency

from serving_api.lib.mongo import Db, max_time_ms
from serving_api.lib.pagination import PageRequest
from serving_api.lib.snapshot import Totals
from serving_api.sync.documents import lookup_id
from serving_api.sync.indexes import CO_STAR_SORT_FIELDS, PEOPLE_SORT_FIELDS

Doc = dict[str, Any]
SUMMARY_FIELDS = {
    f: 1 for f in ("person_id", "name", "known_for_department", "popularity", "profile_path", "movie_count")
}
PAIR_FIELDS = {"_hash": 0, "_person_ids": 0}
# /people/{id}/collaborators?role= -> the field holding the person's own id in a pair
COLLABORATOR_ROLE_FIELDS: dict[str | None, str] = {
    None: "_person_ids",  # either side
    "director": "actor_id",  # directors they acted for: the person is the pair's actor
    "actor": "director_id",  # actors they directed: the person is the pair's director
}


def people_query(department: str | None, name_tokens: list[str]) -> Doc:
    query: Doc = {}
    if department is not None:
        query["known_for_department"] = department
    if name_tokens:
        # each word must start a stored (folded) name word; re.escape keeps user text literal
        query["$and"] = [{"_name_tokens": {"$regex": f"^{re.escape(word)}"}} for word in name_tokens]
    return query


def people_sort_spec(sort: str, order: str) -> list[tuple[str, int]]:
    direction = -1 if order == "desc" else 1
    return [(PEOPLE_SORT_FIELDS[sort], direction), ("_id", -direction)]


def co_star_sort_spec(sort: str, order: str) -> list[tuple[str, int]]:
    direction = -1 if order == "desc" else 1
    return [(CO_STAR_SORT_FIELDS[sort], direction), ("_id", -direction)]


def collaborator_sort_spec(order: str) -> list[tuple[str, int]]:
    direction = -1 if order == "desc" else 1
    return [("movies_together", direction), ("_id", -direction)]


class PeopleRepository:
    def __init__(self, db: Db, totals: Totals) -> None:
        self.totals = totals
        self.people = db["people"]
        self.cards = db["person_cards"]
        self.co_stars = db["co_stars"]
        self.collaborations = db["collaborations"]

    async def list(
        self, department: str | None, name_tokens: list[str], sort: str, order: str, page: PageRequest
    ) -> tuple[list[Doc], int]:
        spec = people_sort_spec(sort, order)
        return await self.totals.page(
            self.cards, people_query(department, name_tokens), SUMMARY_FIELDS, spec, page
        )

    async def get(self, person_id: int) -> Doc | None:
        key = {"_id": lookup_id(person_id)}
        return await self.totals.cached(
            self.people.name,
            key,
            lambda: self.people.find_one(key, {"_hash": 0}, max_time_ms=max_time_ms()),
        )

    async def exists(self, person_id: int) -> bool:
        return await self.get(person_id) is not None  # the same (cached) read as the detail

    async def list_co_stars(
        self, person_id: int, sort: str, order: str, page: PageRequest
    ) -> tuple[list[Doc], int]:
        spec = co_star_sort_spec(sort, order)
        return await self.totals.page(self.co_stars, {"person_id": person_id}, PAIR_FIELDS, spec, page)

    async def list_collaborators(
        self, person_id: int, role: str | None, order: str, page: PageRequest
    ) -> tuple[list[Doc], int]:
        query = {COLLABORATOR_ROLE_FIELDS[role]: person_id}
        spec = collaborator_sort_spec(order)
        return await self.totals.page(self.collaborations, query, PAIR_FIELDS, spec, page)


def provide_people_repository(db: NamedDependency[Db], totals: NamedDependency[Totals]) -> PeopleRepository:
    return PeopleRepository(db, totals)
