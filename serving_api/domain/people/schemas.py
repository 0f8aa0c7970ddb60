"""Response schemas of /people."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import msgspec


class PersonSummary(msgspec.Struct):
    """A person as lists show them."""

    id: int
    name: str | None
    known_for_department: str | None
    popularity: float | None
    profile_path: str | None
    movie_count: int | None


class PersonPage(msgspec.Struct):
    """A page of people."""

    items: list[PersonSummary]
    page: int
    page_size: int
    total: int
    total_pages: int
    next: str | None  # path and query of the next page, null on the last one
    prev: str | None  # path and query of the previous page, null on the first one


class Credit(msgspec.Struct):
    """One film of a filmography."""

    movie_id: int | None
    title: str | None
    release_year: int | None
    credit_type: str | None  # cast or crew
    role: str | None  # the character played, or the crew job
    vote_average: float | None


class PersonDetail(msgspec.Struct):
    """A person with their filmography, newest first."""

    id: int
    name: str | None
    known_for_department: str | None
    popularity: float | None
    profile_path: str | None
    birthday: date | None
    movie_count: int | None
    filmography: list[Credit]


def _day(value: datetime | None) -> date | None:
    return value.date() if value is not None else None


def person_summary(doc: dict[str, Any]) -> PersonSummary:
    return PersonSummary(
        id=doc["_id"],
        name=doc.get("name"),
        known_for_department=doc.get("known_for_department"),
        popularity=doc.get("popularity"),
        profile_path=doc.get("profile_path"),
        movie_count=doc.get("movie_count"),
    )


def person_detail(doc: dict[str, Any]) -> PersonDetail:
    return PersonDetail(
        id=doc["person_id"],
        name=doc.get("name"),
        known_for_department=doc.get("known_for_department"),
        popularity=doc.get("popularity"),
        profile_path=doc.get("profile_path"),
        birthday=_day(doc.get("birthday")),
        movie_count=doc.get("movie_count"),
        filmography=[
            Credit(
                movie_id=c.get("movie_id"),
                title=c.get("title"),
                release_year=c.get("release_year"),
                credit_type=c.get("credit_type"),
                role=c.get("role"),
                vote_average=c.get("vote_average"),
            )
            for c in doc.get("filmography") or []
        ],
    )
