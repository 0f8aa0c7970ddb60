"""HTTP plumbing shared by every stream: auth, the request budget, error handling and backoff.

Everything here plugs into airbyte-cdk's own machinery: the budget is an `HttpAPIBudget` with a
`MovingWindowCallRatePolicy`, retries run in `HttpClient`'s backoff loop, and errors are mapped by an
`HttpStatusErrorHandler`. Messages never contain a URL, because v3 auth puts the key in the query
string; the entrypoint's secret filter is the second line of defence.
"""

from __future__ import annotations

import email.utils
import logging
import math
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import orjson
import requests
from airbyte_cdk.models import FailureType
from airbyte_cdk.sources.streams.call_rate import HttpAPIBudget, MovingWindowCallRatePolicy, Rate
from airbyte_cdk.sources.streams.http.error_handlers import (
    BackoffStrategy,
    ErrorResolution,
    HttpStatusErrorHandler,
    ResponseAction,
)
from airbyte_cdk.sources.streams.http.http_client import HttpClient
from airbyte_cdk.sources.streams.http.requests_native_auth import TokenAuthenticator
from requests.auth import AuthBase

from source_tmdb.config import TmdbConfig
from source_tmdb.request_counts import COUNTER

BAD_CREDENTIALS = (
    "TMDB rejected the credentials (HTTP 401{detail}). Check the API key (TMDB_API_KEY) or the read "
    "access token in the connector configuration."
)
# Seen by the budget as "no calls left" so every stream waits, not just the one that got the 429.
RATE_LIMIT_STATUS = 429
_JSON_ATTR = "_tmdb_json"


class ApiKeyAuth(AuthBase):
    """TMDB v3 auth: the key as the `api_key` query parameter, set once even when a retry re-signs."""

    def __init__(self, api_key: str) -> None:
        self._api_key = api_key

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        parts = urlsplit(request.url or "")
        query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "api_key"]
        query.append(("api_key", self._api_key))
        request.url = urlunsplit(parts._replace(query=urlencode(query)))
        return request


def authenticator(config: TmdbConfig) -> AuthBase | None:
    """The api_key wins when both are set; None lets discover run without a credential."""
    if config.api_key:
        return ApiKeyAuth(config.api_key)
    if config.read_access_token:
        return TokenAuthenticator(token=config.read_access_token)
    return None


def request_budget(requests_per_second: int) -> HttpAPIBudget:
    """One moving-window budget for the whole sync: every stream's session draws from it.

    Besides the per-second cap, at most a tenth of it may go in any 100 ms, so requests are spread
    over the second instead of bursting at its start: a server counting with a token bucket or a
    window then never sees more than the budget, even when network jitter shifts arrivals.
    """
    per_tenth = max(1, math.ceil(requests_per_second / 10))
    policy = MovingWindowCallRatePolicy(
        rates=[
            Rate(limit=per_tenth, interval=timedelta(milliseconds=100)),
            Rate(limit=requests_per_second, interval=timedelta(seconds=1)),
        ],
        matchers=[],
    )
    return HttpAPIBudget(policies=[policy], status_codes_for_ratelimit_hit=[RATE_LIMIT_STATUS])


def json_body(response: requests.Response) -> Any:
    """Parse a response once; the error handler has usually parsed it already to detect bad JSON."""
    if not hasattr(response, _JSON_ATTR):
        setattr(response, _JSON_ATTR, orjson.loads(response.content))
    return getattr(response, _JSON_ATTR)


def tmdb_status(response: requests.Response) -> str:
    """TMDB's own error code and message (`status_code` 7, 34, 25 ...), never the request URL."""
    try:
        body = json_body(response)
    except orjson.JSONDecodeError:
        return ""
    if isinstance(body, dict) and "status_code" in body:
        return f", TMDB status_code {body['status_code']}: {body.get('status_message', '')}"
    return ""


class TmdbErrorHandler(HttpStatusErrorHandler):
    """Maps TMDB answers to CDK actions: 401 is a config error, 429/5xx/bad JSON are retried."""

    def __init__(self, logger: logging.Logger, *, not_found_ok: bool = False, max_retries: int = 10) -> None:
        super().__init__(logger=logger, max_retries=max_retries, max_time=timedelta(minutes=10))
        self._not_found_ok = not_found_ok
        # The last transport failure, so `check` can tell "unreachable" from "answered badly".
        self.last_transport_error: requests.RequestException | None = None

    def interpret_response(
        self, response_or_exception: requests.Response | Exception | None = None
    ) -> ErrorResolution:
        if isinstance(
            response_or_exception, requests.exceptions.InvalidSchema | requests.exceptions.InvalidURL
        ):
            return super().interpret_response(response_or_exception)
        if isinstance(response_or_exception, requests.RequestException):
            # Connection refused, DNS, timeouts, cut bodies: transient. No URL: it may hold the key.
            self.last_transport_error = response_or_exception
            return _retry(f"Could not reach TMDB ({type(response_or_exception).__name__}); retrying.")
        if not isinstance(response_or_exception, requests.Response):
            return super().interpret_response(response_or_exception)
        response = response_or_exception
        self.last_transport_error = None
        status = response.status_code
        if response.ok:
            try:
                json_body(response)
            except orjson.JSONDecodeError:
                return _retry("TMDB sent a malformed JSON body; retrying.")
            return ErrorResolution(response_action=ResponseAction.SUCCESS)
        if status == 401:
            return ErrorResolution(
                response_action=ResponseAction.FAIL,
                failure_type=FailureType.config_error,
                error_message=BAD_CREDENTIALS.format(detail=tmdb_status(response)),
            )
        if status == 404 and self._not_found_ok:
            return ErrorResolution(
                response_action=ResponseAction.IGNORE, error_message="TMDB answered 404 (not found)."
            )
        if status == RATE_LIMIT_STATUS:
            COUNTER.retried()
            return ErrorResolution(
                response_action=ResponseAction.RATE_LIMITED,
                failure_type=FailureType.transient_error,
                error_message=f"TMDB rate limit hit (HTTP 429{tmdb_status(response)}); backing off.",
            )
        if status >= 500:
            return _retry(f"TMDB answered HTTP {status}{tmdb_status(response)}; retrying.")
        return ErrorResolution(
            response_action=ResponseAction.FAIL,
            failure_type=FailureType.system_error,
            error_message=f"TMDB answered HTTP {status}{tmdb_status(response)}.",
        )


def _retry(message: str) -> ErrorResolution:
    COUNTER.retried()
    return ErrorResolution(
        response_action=ResponseAction.RETRY,
        failure_type=FailureType.transient_error,
        error_message=message,
    )


class RetryAfterBackoff(BackoffStrategy):
    """Waits what `Retry-After` says (seconds or an HTTP date); without it, the CDK's exponential backoff."""

    def backoff_time(
        self,
        response_or_exception: requests.Response | requests.RequestException | None,
        attempt_count: int,
    ) -> float | None:
        if not isinstance(response_or_exception, requests.Response):
            return None
        value = response_or_exception.headers.get("Retry-After")
        if not value:
            return None
        try:
            return max(float(value), 0.0)
        except ValueError:
            pass
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        return max((when - datetime.now(UTC)).total_seconds(), 0.0)


def http_client(
    name: str,
    config: TmdbConfig,
    budget: HttpAPIBudget,
    logger: logging.Logger,
    *,
    not_found_ok: bool = False,
    max_retries: int = 10,
) -> HttpClient:
    """A CDK HttpClient wired like the streams' own: same budget, auth, error handler and backoff."""
    client = HttpClient(
        name=name,
        logger=logger,
        error_handler=TmdbErrorHandler(logger, not_found_ok=not_found_ok, max_retries=max_retries),
        api_budget=budget,
        authenticator=authenticator(config),
        backoff_strategy=RetryAfterBackoff(),
        request_timeout=config.request_timeout_s,
    )
    COUNTER.attach(client)
    return client
