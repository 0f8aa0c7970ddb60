"""TMDB's error bodies: `{"success": false, "status_code": N, "status_message": "..."}`.

Codes, HTTP statuses and messages as listed at developer.themoviedb.org/docs/errors.
"""

from __future__ import annotations

from typing import Any

import msgspec

# code: (HTTP status, message)
ERRORS: dict[int, tuple[int, str]] = {
    5: (422, "Invalid parameters: Your request parameters are incorrect."),
    7: (401, "Invalid API key: You must be granted a valid key."),
    9: (503, "Service offline: This service is temporarily offline, try again later."),
    11: (500, "Internal error: Something went wrong, contact TMDB."),
    20: (422, "Invalid date range: Should be a range no longer than 14 days."),
    22: (400, "Invalid page: Pages start at 1 and max at 500. They are expected to be an integer."),
    23: (400, "Invalid date: Format needs to be YYYY-MM-DD."),
    24: (504, "Your request to the backend server timed out. Try again."),
    25: (429, "Your request count (#) is over the allowed limit of (40)."),
    27: (400, "Too many append to response objects: The maximum number of remote calls is 20."),
    34: (404, "The resource you requested could not be found."),
    42: (405, "This resource does not support this request method."),
    43: (502, "Couldn't connect to the backend server."),
}
INVALID_API_KEY = 7
NOT_FOUND = 34
INVALID_PAGE = 22
RATE_LIMITED = 25


class TmdbError(Exception):
    """Raised by the service; the app turns it into TMDB's body and HTTP status."""

    def __init__(self, code: int, message: str | None = None) -> None:
        self.code = code
        self.http_status, default = ERRORS[code]
        self.message = message or default
        super().__init__(self.message)

    def body(self) -> bytes:
        return error_body(self.code, self.message)


class ValidationFailed(Exception):
    """TMDB's other error shape, `{"errors": [...]}` with 422 (e.g. /search/movie without a query)."""

    http_status = 422

    def __init__(self, *errors: str) -> None:
        self.errors = list(errors)
        super().__init__("; ".join(errors))

    def body(self) -> bytes:
        return msgspec.json.encode({"errors": self.errors})


def error_body(code: int, message: str | None = None) -> bytes:
    payload: dict[str, Any] = {
        "success": False,
        "status_code": code,
        "status_message": message or ERRORS[code][1],
    }
    return msgspec.json.encode(payload)


def rate_limit_message(limit: float) -> str:
    return f"Your request count (#) is over the allowed limit of ({limit:g})."
