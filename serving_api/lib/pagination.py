"""Page parameters (`page`, `page_size`) as one dependency, with limits taken from settings.

This module avoids `from __future__ import annotations`: the provider's Annotated limits are
values of the enclosing call and must be evaluated when Litestar reads its signature.
"""

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated

import msgspec
from litestar.di import Provide
from litestar.params import Parameter

from serving_api.lib.errors import invalid_parameter
from serving_api.settings import ApiSettings


@dataclass(frozen=True)
class PageRequest:
    page: int
    page_size: int

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.page_size


class PageInfo(msgspec.Struct):
    """Where a page sits in the whole list (the fields every paged response starts with)."""

    page: int
    page_size: int
    total: int
    total_pages: int


def page_info(request: PageRequest, total: int) -> dict[str, int]:
    """Keyword arguments for a paged response: `MoviePage(items=..., **page_info(paging, total))`."""
    return {
        "page": request.page,
        "page_size": request.page_size,
        "total": total,
        "total_pages": math.ceil(total / request.page_size) if total else 0,
    }


def page_dependency(settings: ApiSettings) -> Provide:
    max_size, max_offset = settings.max_page_size, settings.max_offset

    def provide_page(
        page: Annotated[
            int, Parameter(ge=1, le=max_offset, description="1-based page number", required=False)
        ] = 1,
        page_size: Annotated[
            int,
            Parameter(ge=1, le=max_size, description=f"items per page (at most {max_size})", required=False),
        ] = settings.default_page_size,
    ) -> PageRequest:
        request = PageRequest(page, page_size)
        if request.offset + page_size > max_offset:
            raise invalid_parameter(
                "page", f"pages reach at most {max_offset} items deep; narrow the filters instead"
            )
        return request

    fn: Callable[..., PageRequest] = provide_page
    return Provide(fn, sync_to_thread=False)
