"""Response schemas of /people."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

import msgspec

CollaboratorRole = Literal["director", "actor"]


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


class CoStar(msgspec.Struct):
    """An actor billed in the top ten of a movie the person was also billed in the top ten of."""

    id: int
    name: str | None
    movies_together: int  # distinct movies with both in the top ten


class CoStarPage(msgspec.Struct):
    """A page of a person's co-stars."""

    items: list[CoStar]
    page: int
    page_size: int
    total: int
    total_pages: int
    next: str | None  # path and query of the next page, null on the last one
    prev: str | None  # path and query of the previous page, null on the first one


class Collaborator(msgspec.Struct):
    """A director the person acted for, or an actor the person directed."""

    id: int
    name: str | None
    role: CollaboratorRole  # what the collaborator was: director (the person acted) or actor
    movies_together: int  # distinct movies the person and they made in those roles


class CollaboratorPage(msgspec.Struct):
    """A page of a person's actor-director collaborators."""

    items: list[Collaborator]
    page: int
    page_size: int
    total: int
    total_pages: int
    next: str | None  # path and query of the next page, null on the last one
    prev: str | None  # path and query of the previous page, null on the first one


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


def co_star(doc: dict[str, Any]) -> CoStar:
    return CoStar(id=doc["co_star_id"], name=doc.get("co_star_name"), movies_together=doc["movies_together"])


def collaborator(doc: dict[str, Any], person_id: int) -> Collaborator:
    """The other side of an actor-director pair the person is in."""
    if doc["actor_id"] == person_id:
        return Collaborator(
            id=doc["director_id"],
            name=doc.get("director_name"),
            role="director",
            movies_together=doc["movies_together"],
        )
    return Collaborator(
        id=doc["actor_id"], name=doc.get("actor_name"), role="actor", movies_together=doc["movies_together"]
    )
