"""The requests the connector makes, as HttpMocker matchers (query strings are matched exactly)."""

from __future__ import annotations

from typing import Any

from airbyte_cdk.test.mock_http import HttpRequest

from unit_tests.integration.config import API_KEY, BASE_URL

APPEND = "credits,reviews,keywords,release_dates,external_ids"


class TmdbRequestBuilder:
    def __init__(self, path: str) -> None:
        self._path = path
        self._params: dict[str, Any] = {}
        self._api_key: str | None = API_KEY

    @classmethod
    def genres(cls) -> TmdbRequestBuilder:
        return cls("genre/movie/list").with_language()

    @classmethod
    def seed_list(cls, path: str, page: int = 1) -> TmdbRequestBuilder:
        return cls(path).with_language().with_param("page", page)

    @classmethod
    def movie(cls, movie_id: int) -> TmdbRequestBuilder:
        return cls(f"movie/{movie_id}").with_param("append_to_response", APPEND).with_language()

    @classmethod
    def movie_reviews(cls, movie_id: int, page: int) -> TmdbRequestBuilder:
        return cls(f"movie/{movie_id}/reviews").with_param("page", page).with_language()

    @classmethod
    def person(cls, person_id: int) -> TmdbRequestBuilder:
        return cls(f"person/{person_id}").with_language()

    @classmethod
    def changes(cls, kind: str, start: str, end: str, page: int = 1) -> TmdbRequestBuilder:
        return (
            cls(f"{kind}/changes")
            .with_param("start_date", start)
            .with_param("end_date", end)
            .with_param("page", page)
        )

    def with_language(self, language: str = "en-US") -> TmdbRequestBuilder:
        return self.with_param("language", language)

    def with_param(self, name: str, value: Any) -> TmdbRequestBuilder:
        self._params[name] = str(value)
        return self

    def with_api_key(self, api_key: str | None) -> TmdbRequestBuilder:
        self._api_key = api_key
        return self

    def build(self) -> HttpRequest:
        params = dict(self._params)
        if self._api_key:
            params["api_key"] = self._api_key
        return HttpRequest(url=f"{BASE_URL}/{self._path}", query_params=params)
