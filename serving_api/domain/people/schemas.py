"""Response schemas of /people."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Annotated, Any, ClassVar, Literal

import msgspec
from litestar.params import KwargDefinition

from serving_api.lib.pagination import Page
from serving_api.lib.responses import FromDocument

CollaboratorRole = Literal["director", "actor"]


class PersonSummary(FromDocument):
    """A person as lists show them."""

    collection: ClassVar[str] = "person_cards"
    renamed: ClassVar[Mapping[str, str]] = {"id": "_id"}

    id: int
    name: str | None
    known_for_department: str | None
    popularity: float | None
    profile_path: str | None
    movie_count: int | None


class Credit(msgspec.Struct):
    """One film of a filmography."""

    movie_id: int | None
    title: str | None
    release_year: int | None
    credit_type: str | None  # cast or crew
    role: str | None  # the character played, or the crew job
    vote_average: float | None


class PersonDetail(FromDocument):
    """A person with their filmography, newest first."""

    collection: ClassVar[str] = "people"
    renamed: ClassVar[Mapping[str, str]] = {"id": "person_id"}

    id: int
    name: str | None
    known_for_department: str | None
    popularity: float | None
    profile_path: str | None
    birthday: date | None
    movie_count: int | None
    filmography: list[Credit]


class CoStar(FromDocument):
    """An actor billed in the top ten of a movie the person was also billed in the top ten of."""

    collection: ClassVar[str] = "co_stars"
    renamed: ClassVar[Mapping[str, str]] = {"id": "co_star_id", "name": "co_star_name"}

    id: int
    name: str | None
    movies_together: int  # distinct movies with both in the top ten


class Collaborator(FromDocument):
    """A director the person acted for, or an actor the person directed: the other side of an
    actor-director pair (see `collaborator`)."""

    collection: ClassVar[str] = "collaborations"

    id: int
    name: str | None
    role: CollaboratorRole  # what the collaborator was: director (the person acted) or actor
    movies_together: int  # distinct movies the person and they made in those roles


# a pair's fields naming each side: the collaborator is the side the person is not on
DIRECTOR_SIDE: Mapping[str, str] = {"id": "director_id", "name": "director_name"}
ACTOR_SIDE: Mapping[str, str] = {"id": "actor_id", "name": "actor_name"}


def collaborator(doc: Mapping[str, Any], person_id: int) -> Collaborator:
    """The other side of an actor-director pair the person is in."""
    role: CollaboratorRole = "director" if doc["actor_id"] == person_id else "actor"
    side = DIRECTOR_SIDE if role == "director" else ACTOR_SIDE
    return Collaborator.from_document(doc, renamed=side, role=role)


# pages, published under their own names (Litestar would name `Page[...]` after the module path)
PersonPage = Annotated[Page[PersonSummary], KwargDefinition(schema_component_key="PersonPage")]
CoStarPage = Annotated[Page[CoStar], KwargDefinition(schema_component_key="CoStarPage")]
CollaboratorPage = Annotated[Page[Collaborator], KwargDefinition(schema_component_key="CollaboratorPage")]
