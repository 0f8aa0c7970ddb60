"""Paging: the parameters (`page`, `page_size`) as one dependency, with limits taken from settings,
and the one page shape every list route answers with.

This module avoids `from __future__ import annotations`: the provider's Annotated limits are
values of the enclosing call and must be evaluated when Litestar reads its signature.
"""

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Annotated, Any, Generic, TypeVar
from urllib.parse import urlencode

import msgspec
from litestar import Request
from litestar.di import Provide
from litestar.params import Parameter

from serving_api.lib.errors import invalid_parameter
from serving_api.settings import ApiSettings

T = TypeVar("T")
Doc = dict[str, Any]


@dataclass(frozen=True)
class PageRequest:
    page: int
    page_size: int
    path: str = ""
    query: tuple[tuple[str, str], ...] = field(default=())  # the request's parameters but `page`

    def link(self, page: int) -> str:
        return f"{self.path}?{urlencode([*self.query, ('page', str(page))])}"

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.page_size


class Page(msgspec.Struct, Generic[T]):
    """One page of a list: its items, then where the page sits in the whole list. Routes publish
    `Page[Item]` under a name of their own (`MoviePage = Annotated[Page[MovieSummary], ...]`)."""

    items: list[T]
    page: int
    page_size: int
    total: int
    total_pages: int
    next: str | None  # path and query of the next page, null on the last one
    prev: str | None  # path and query of the previous page, null on the first one


def page_of(found: tuple[Iterable[Doc], int], request: PageRequest, to_item: Callable[[Doc], T]) -> Page[T]:
    """A repository's `(documents, total)` as the response page, each document made an item."""
    docs, total = found
    pages = math.ceil(total / request.page_size) if total else 0
    return Page(
        items=[to_item(doc) for doc in docs],
        page=request.page,
        page_size=request.page_size,
        total=total,
        total_pages=pages,
        next=request.link(request.page + 1) if request.page < pages else None,
        # the previous page of one past the end is the last page
        prev=request.link(min(request.page - 1, pages)) if request.page > 1 and pages else None,
    )


def page_dependency(settings: ApiSettings) -> Provide:
    max_size, max_offset = settings.max_page_size, settings.max_offset
    # page x page_size <= max_offset for every allowed pair, so the schema states the whole rule
    max_page = max(1, max_offset // max_size)

    def provide_page(
        request: Request[Any, Any, Any],
        page: Annotated[
            int,
            Parameter(
                ge=1,
                le=max_page,
                description=f"1-based page number (at most {max_page}: pages reach {max_offset} items deep)",
                required=False,
            ),
        ] = 1,
        page_size: Annotated[
            int,
            Parameter(ge=1, le=max_size, description=f"items per page (at most {max_size})", required=False),
        ] = settings.default_page_size,
    ) -> PageRequest:
        query = tuple((k, v) for k, v in request.query_params.multi_items() if k != "page")
        paging = PageRequest(page, page_size, request.url.path, query)
        if paging.offset + page_size > max_offset:
            raise invalid_parameter(
                "page", f"pages reach at most {max_offset} items deep; narrow the filters instead"
            )
        return paging

    fn: Callable[..., PageRequest] = provide_page
    return Provide(fn, sync_to_thread=False)
