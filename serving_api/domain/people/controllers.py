"""/people: list with filters, detail with filmography, co-stars and actor-director collaborators."""

from __future__ import annotations

from typing import Annotated, Any, ClassVar

from litestar import Controller, get
from litestar.di import NamedDependency, Provide
from litestar.exceptions import NotFoundException
from litestar.params import Parameter

from serving_api.domain.people.repository import PeopleRepository, provide_people_repository
from serving_api.domain.people.schemas import (
    CollaboratorPage,
    CollaboratorRole,
    CoStar,
    CoStarPage,
    PersonDetail,
    PersonPage,
    PersonSummary,
    collaborator,
)
from serving_api.lib.errors import error_specs
from serving_api.lib.guard import LIST, LOOKUP, ROUTE_CLASS
from serving_api.lib.pagination import PageRequest, page_of
from serving_api.lib.params import (
    CoStarSort,
    Department,
    OptionalSearchText,
    Order,
    PeopleSort,
    PersonId,
    search_tokens,
)


class PeopleController(Controller):
    path = "/people"
    tags = ("People",)
    dependencies: ClassVar[dict[str, Provide]] = {
        "people": Provide(provide_people_repository, sync_to_thread=False)
    }

    @get(
        "/",
        operation_id="listPeople",
        opt={ROUTE_CLASS: LIST},
        summary="List people",
        responses=error_specs(400, 401, 429, 503, 504),
    )
    async def list_people(
        self,
        people: NamedDependency[PeopleRepository],
        paging: NamedDependency[PageRequest],
        department: Department = None,
        q: OptionalSearchText = None,
        sort: Annotated[
            PeopleSort, Parameter(description="popularity or movie_count", required=False)
        ] = "popularity",
        order: Order = "desc",
    ) -> PersonPage:
        """Cast and crew, optionally of one department or matching a name."""
        name_tokens = search_tokens(q) if q is not None else []
        if q is not None and not name_tokens:
            found: tuple[list[dict[str, Any]], int] = ([], 0)  # a name without words matches nobody
        else:
            found = await people.list(department, name_tokens, sort, order, paging)
        return page_of(found, paging, PersonSummary.from_document)

    @get(
        "/{person_id:str}",
        operation_id="getPerson",
        opt={ROUTE_CLASS: LOOKUP},
        summary="Get a person",
        responses=error_specs(400, 401, 404, 429, 503, 504),
    )
    async def get_person(
        self, people: NamedDependency[PeopleRepository], person_id: PersonId
    ) -> PersonDetail:
        """One person with every film they are credited on."""
        doc = await people.get(person_id)
        if doc is None:
            raise NotFoundException(detail=f"No person with id {person_id}")
        return PersonDetail.from_document(doc)

    @get(
        "/{person_id:str}/co-stars",
        operation_id="listPersonCoStars",
        opt={ROUTE_CLASS: LIST},
        summary="List a person's co-stars",
        responses=error_specs(400, 401, 404, 429, 503, 504),
    )
    async def list_co_stars(
        self,
        people: NamedDependency[PeopleRepository],
        paging: NamedDependency[PageRequest],
        person_id: PersonId,
        sort: Annotated[
            CoStarSort,
            Parameter(description="movies_together (shared movies) or name (the co-star's)", required=False),
        ] = "movies_together",
        order: Order = "desc",
    ) -> CoStarPage:
        """The actors billed in the top ten of a movie in which the person was also billed in the top
        ten, with the number of such movies; ties in a stable order. Empty for a person who never was."""
        if not await people.exists(person_id):
            raise NotFoundException(detail=f"No person with id {person_id}")
        return page_of(
            await people.list_co_stars(person_id, sort, order, paging), paging, CoStar.from_document
        )

    @get(
        "/{person_id:str}/collaborators",
        operation_id="listPersonCollaborators",
        opt={ROUTE_CLASS: LIST},
        summary="List a person's actor-director collaborators",
        responses=error_specs(400, 401, 404, 429, 503, 504),
    )
    async def list_collaborators(
        self,
        people: NamedDependency[PeopleRepository],
        paging: NamedDependency[PageRequest],
        person_id: PersonId,
        role: Annotated[
            CollaboratorRole | None,
            Parameter(
                description="only directors (the person acted in their movies) or only actors (the "
                "person directed them); both when absent",
                required=False,
            ),
        ] = None,
        order: Order = "desc",
    ) -> CollaboratorPage:
        """For an actor, the directors of the movies they acted in (any billing); for a director, the
        actors of the movies they directed; for someone who did both, both, each item saying which
        (`role`). Ordered by movies together, ties in a stable order."""
        if not await people.exists(person_id):
            raise NotFoundException(detail=f"No person with id {person_id}")
        found = await people.list_collaborators(person_id, role, order, paging)
        return page_of(found, paging, lambda doc: collaborator(doc, person_id))
