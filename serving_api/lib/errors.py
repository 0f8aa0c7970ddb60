"""One error shape for every failure, and the handlers that map exceptions onto it.

Bodies never carry a stack trace or an internal message: 5xx answers say what failed in general
terms and the detail goes to the server log. MongoDB being unreachable is a 503 with Retry-After;
a query past its time budget is a 504 (the database is up but slow), so clients and load balancers
can tell "down" from "slow" from "broken".
"""

from __future__ import annotations

import logging
import re
from http import HTTPStatus
from typing import Any

import msgspec
from litestar import MediaType, Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.openapi.datastructures import ResponseSpec
from litestar.status_codes import (
    HTTP_500_INTERNAL_SERVER_ERROR,
    HTTP_503_SERVICE_UNAVAILABLE,
    HTTP_504_GATEWAY_TIMEOUT,
)
from pymongo.errors import ConnectionFailure, PyMongoError, ServerSelectionTimeoutError

logger = logging.getLogger("serving_api")
RETRY_AFTER_S = 5


class ErrorItem(msgspec.Struct):
    """One invalid input."""

    parameter: str | None
    source: str | None  # query, path or header
    message: str


class ErrorBody(msgspec.Struct):
    """The body of every error response."""

    status: int
    title: str
    detail: str
    errors: list[ErrorItem] = msgspec.field(default_factory=list)


def _title(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def error_response(
    status: int, detail: str, errors: list[ErrorItem] | None = None, headers: dict[str, str] | None = None
) -> Response[ErrorBody]:
    body = ErrorBody(status=status, title=_title(status), detail=detail, errors=errors or [])
    return Response(content=body, status_code=status, media_type=MediaType.JSON, headers=headers)


def invalid_parameter(parameter: str, message: str, source: str = "query") -> ValidationException:
    """A 400 naming the parameter, raised by code that validates across parameters."""
    return ValidationException(
        detail=f"invalid {parameter}", extra=[{"key": parameter, "source": source, "message": message}]
    )


def _items(extra: Any) -> list[ErrorItem]:
    if isinstance(extra, dict):
        extra = [extra]
    if not isinstance(extra, list):
        return []
    return [
        ErrorItem(
            parameter=_text(item.get("key")),
            source=_text(item.get("source")),
            message=_text(item.get("message")) or "invalid value",
        )
        for item in extra
        if isinstance(item, dict)
    ]


def _text(value: Any) -> str | None:
    """Litestar reports sources as enums (ParamType.QUERY): keep their value."""
    if value is None:
        return None
    return str(getattr(value, "value", value))


# Litestar reports a missing required parameter in the detail only
_MISSING = re.compile(r"Missing required (\w+) parameter '([^']+)'")


def validation_handler(_: Request[Any, Any, Any], exc: ValidationException) -> Response[ErrorBody]:
    items = _items(exc.extra)
    if not items and (missing := _MISSING.search(exc.detail or "")):
        items = [ErrorItem(parameter=missing[2], source=missing[1], message="required")]
    if items:
        detail = "; ".join(
            f"{item.parameter}: {item.message}" if item.parameter else item.message for item in items
        )
        detail = f"Invalid parameter{'s' if len(items) > 1 else ''}: {detail}"
    else:
        detail = "Invalid request"
    return error_response(400, detail, items)


def http_exception_handler(request: Request[Any, Any, Any], exc: HTTPException) -> Response[ErrorBody]:
    if exc.status_code >= 500:
        return internal_error_handler(request, exc)
    detail = exc.detail if exc.detail and exc.detail != _title(exc.status_code) else _title(exc.status_code)
    return error_response(exc.status_code, detail, headers=exc.headers)


def mongo_error_handler(request: Request[Any, Any, Any], exc: PyMongoError) -> Response[ErrorBody]:
    if exc.timeout and not isinstance(exc, ServerSelectionTimeoutError):
        # a server was selected, so it is up: the query (or its reply) outran the request's budget
        logger.warning("MongoDB too slow for %s %s: %s", request.method, request.url.path, type(exc).__name__)
        return error_response(
            HTTP_504_GATEWAY_TIMEOUT,
            "The database is slow and the query exceeded its time budget; retry later or narrow the query",
            headers={"Retry-After": str(RETRY_AFTER_S)},
        )
    if isinstance(exc, ConnectionFailure):
        logger.warning(
            "MongoDB unavailable for %s %s: %s", request.method, request.url.path, type(exc).__name__
        )
        return error_response(
            HTTP_503_SERVICE_UNAVAILABLE,
            "The database is unavailable; retry shortly",
            headers={"Retry-After": str(RETRY_AFTER_S)},
        )
    return internal_error_handler(request, exc)


def internal_error_handler(request: Request[Any, Any, Any], exc: Exception) -> Response[ErrorBody]:
    logger.error("unhandled error in %s %s", request.method, request.url.path, exc_info=exc)
    return error_response(HTTP_500_INTERNAL_SERVER_ERROR, "Internal error; it has been logged")


EXCEPTION_HANDLERS: dict[type[Exception], Any] = {
    ValidationException: validation_handler,
    HTTPException: http_exception_handler,
    PyMongoError: mongo_error_handler,
    Exception: internal_error_handler,
}


def error_specs(*statuses: int) -> dict[int, ResponseSpec]:
    """OpenAPI entries for the error statuses a route can answer, all with ErrorBody; every route
    can answer 414 and 431 (request too large)."""
    statuses = (*statuses, 414, 431)
    descriptions = {
        400: "A parameter is invalid; `errors` names each one",
        401: "X-API-Key missing or not accepted (only when API keys are configured)",
        404: "No such resource",
        414: "The request target is longer than API_MAX_URL_LENGTH",
        431: "The request headers are larger than API_MAX_HEADER_BYTES",
        429: "Too many requests of this kind are in progress; retry after Retry-After seconds",
        503: "MongoDB is unavailable; retry after Retry-After seconds",
        504: "MongoDB answered too slowly (the query exceeded its time budget)",
    }
    return {
        status: ResponseSpec(data_container=ErrorBody, description=descriptions.get(status, _title(status)))
        for status in statuses
    }
