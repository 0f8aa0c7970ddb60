"""Query-parameter parsing with TMDB's answers to bad input (error codes 22, 23, 27, 34, 5)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from tmdb_pipeline.emulator.errors import TmdbError

MAX_PAGE = 500
MAX_APPENDS = 20


def page(value: str | None) -> int:
    if value is None or value == "":
        return 1
    try:
        number = int(value)
    except ValueError:
        raise TmdbError(22) from None
    if not 1 <= number <= MAX_PAGE:
        raise TmdbError(22)
    return number


def record_id(value: str) -> int:
    """TMDB accepts `550` and `550-fight-club`; anything else is not found."""
    head = value.split("-", 1)[0]
    if not head.isdigit():
        raise TmdbError(34)
    return int(head)


def day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise TmdbError(23) from None


def instant(value: str, end_of_day: bool = False) -> float:
    """A date (its start, or the start of the next day for an inclusive end) or an ISO datetime."""
    if len(value) == 10:
        moment = datetime.combine(day(value), datetime.min.time(), UTC)
        return moment.timestamp() + (86_400 if end_of_day else 0)
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise TmdbError(23) from None
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp()


def appends(value: str | None) -> list[str]:
    names = [name.strip() for name in (value or "").split(",") if name.strip()]
    if len(names) > MAX_APPENDS:
        raise TmdbError(27)
    return names


def integer(value: str | None, name: str) -> int | None:
    if value is None or value == "":
        return None
    try:
        return int(float(value))
    except ValueError:
        raise TmdbError(5, f"Invalid parameters: {name} must be a number.") from None


def number(value: str | None, name: str) -> float | None:
    if value is None or value == "":
        return None
    try:
        return float(value)
    except ValueError:
        raise TmdbError(5, f"Invalid parameters: {name} must be a number.") from None
