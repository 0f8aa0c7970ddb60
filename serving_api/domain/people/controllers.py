"""/people: list with filters, detail with filmography."""

from __future__ import annotations

from typing import Annotated, ClassVar, Literal

from litestar import Controller, get
from litestar.di import NamedDependency, Provide
from litestar.exceptions import NotFoundException
from litestar.params import Parameter

from serving_api.domain.people.repository import PeopleRepository, provide_people_repository
from serving_api.domain.people.schemas import PersonDetail, PersonPage, person_detail, person_summary
from serving_api.lib.errors import error_specs
from serving_api.lib.guard import LIST, LOOKUP, ROUTE_CLASS
from serving_api.lib.pagination import PageRequest, page_info
from serving_api.lib.params import Department, OptionalSearchText, Order, PersonId, search_tokens

PeopleSort = Literal["popularity", "movie_count"]


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
            docs, total = [], 0  # a name without words matches nobody
        else:
            docs, total = await people.list(department, name_tokens, sort, order, paging)
        return PersonPage(items=[person_summary(doc) for doc in docs], **page_info(paging, total))

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
        return person_detail(doc)
