"""Responses built from the templates in unit_tests/resource/http/response/ (TMDB's real shapes)."""

from __future__ import annotations

import copy
import json
from typing import Any

from airbyte_cdk.test.mock_http import HttpResponse
from airbyte_cdk.test.mock_http.response_builder import find_template


def template(name: str) -> dict[str, Any]:
    return copy.deepcopy(find_template(name, __file__))


def json_response(body: Any, status_code: int = 200, headers: dict[str, str] | None = None) -> HttpResponse:
    return HttpResponse(json.dumps(body), status_code, headers or {})


def list_page(ids: list[int], page: int = 1, total_pages: int = 1) -> HttpResponse:
    """A seed-list page with one movie per id."""
    body = template("movie_list")
    item = body["results"][0]
    body["results"] = [{**item, "id": movie_id, "title": f"Movie {movie_id}"} for movie_id in ids]
    body.update(page=page, total_pages=total_pages, total_results=len(ids) * total_pages)
    return json_response(body)


def movie(
    movie_id: int,
    *,
    cast: list[int] | None = None,
    crew: list[int] | None = None,
    reviews: int = 1,
    review_pages: int = 1,
    updated_at: str | None = None,
) -> dict[str, Any]:
    """The appended answer of GET /movie/{id}: credits of the given people, `reviews` reviews on page 1."""
    body = template("movie_details")
    body["id"] = movie_id
    cast_template, crew_template = body["credits"]["cast"][0], body["credits"]["crew"][0]
    body["credits"] = {
        "cast": [{**cast_template, "id": p, "credit_id": f"cast-{movie_id}-{p}"} for p in (cast or [501])],
        "crew": [{**crew_template, "id": p, "credit_id": f"crew-{movie_id}-{p}"} for p in (crew or [601])],
    }
    body["reviews"] = reviews_page(movie_id, 1, reviews, review_pages, updated_at=updated_at)
    return body


def reviews_page(
    movie_id: int, page: int, count: int, total_pages: int = 1, updated_at: str | None = None
) -> dict[str, Any]:
    body = template("movie_reviews")
    review = body["results"][0]
    body.update(id=movie_id, page=page, total_pages=total_pages, total_results=count * total_pages)
    body["results"] = [
        {**review, "id": f"rev-{movie_id}-{page}-{n}", **({"updated_at": updated_at} if updated_at else {})}
        for n in range(count)
    ]
    return body


def person(person_id: int) -> dict[str, Any]:
    return {**template("person_details"), "id": person_id, "name": f"Person {person_id}"}


def changes(ids: list[int]) -> HttpResponse:
    body = template("changes")
    body["results"] = [{"id": i, "adult": False} for i in ids]
    body["total_results"] = len(ids)
    return json_response(body)


def not_found() -> HttpResponse:
    return json_response(template("resource_not_found"), 404)


def invalid_api_key() -> HttpResponse:
    return json_response(template("invalid_api_key"), 401)
