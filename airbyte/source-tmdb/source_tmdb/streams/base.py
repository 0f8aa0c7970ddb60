"""`TmdbStream`: the base of the list-shaped streams (genres, seed lists, change feeds).

It owns the base URL, the auth and budget it is given, TMDB's page/total_pages pagination (capped at
TMDB's 500 pages and at the stream's own limit) and the shared error handler and backoff.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, MutableMapping
from typing import Any

import requests
from airbyte_cdk.sources.streams.call_rate import APIBudget
from airbyte_cdk.sources.streams.http import HttpStream
from airbyte_cdk.sources.streams.http.error_handlers import BackoffStrategy, ErrorHandler

from source_tmdb.config import TmdbConfig
from source_tmdb.http import RetryAfterBackoff, TmdbErrorHandler, authenticator, json_body
from source_tmdb.request_counts import COUNTER

TMDB_MAX_PAGE = 500


class TmdbStream(HttpStream):
    """A TMDB endpoint answering `{"page", "results", "total_pages"}` (or one object)."""

    data_field: str | None = "results"
    paginated = True
    retry_limit = 10

    def __init__(self, config: TmdbConfig, budget: APIBudget) -> None:
        self._config = config
        super().__init__(authenticator=authenticator(config), api_budget=budget)
        COUNTER.attach(self._http_client)

    @property
    def url_base(self) -> str:
        return self._config.url_base

    @property
    def page_limit(self) -> int:
        return TMDB_MAX_PAGE

    def get_error_handler(self) -> ErrorHandler:
        return TmdbErrorHandler(self.logger, max_retries=self.retry_limit)

    def get_backoff_strategy(self) -> BackoffStrategy:
        return RetryAfterBackoff()

    def request_kwargs(
        self,
        stream_state: Mapping[str, Any] | None,
        stream_slice: Mapping[str, Any] | None = None,
        next_page_token: Mapping[str, Any] | None = None,
    ) -> Mapping[str, Any]:
        return {"timeout": self._config.request_timeout_s}

    def request_params(
        self,
        stream_state: Mapping[str, Any] | None,
        stream_slice: Mapping[str, Any] | None = None,
        next_page_token: Mapping[str, Any] | None = None,
    ) -> MutableMapping[str, Any]:
        params: dict[str, Any] = {"language": self._config.language}
        if self.paginated:
            params["page"] = (next_page_token or {}).get("page", 1)
        return params

    def next_page_token(self, response: requests.Response) -> Mapping[str, Any] | None:
        if not self.paginated:
            return None
        body = json_body(response)
        page, total = int(body.get("page", 1)), int(body.get("total_pages", 1))
        if page < min(total, self.page_limit, TMDB_MAX_PAGE):
            return {"page": page + 1}
        return None

    def parse_response(
        self,
        response: requests.Response,
        *,
        stream_state: Mapping[str, Any],
        stream_slice: Mapping[str, Any] | None = None,
        next_page_token: Mapping[str, Any] | None = None,
    ) -> Iterable[Mapping[str, Any]]:
        body = json_body(response)
        yield from body[self.data_field] if self.data_field else [body]
