"""Query and path parameters shared by several routes, with their limits in one place.

Every value reaching a MongoDB query is a typed scalar checked here (ints, floats, enums, strings
with a pattern): a client cannot smuggle an operator such as `{"$ne": null}` into a filter, and
unknown parameters (`genre[$ne]=x`) are simply not read.
"""

from __future__ import annotations

from typing import Annotated, Literal

from litestar.params import Parameter

from serving_api.lib.errors import invalid_parameter
from serving_api.sync.documents import tokens

MAX_ID = 2**53  # ids beyond JSON's exact integers are not ids
MIN_YEAR, MAX_YEAR = 1870, 2100

SortOrder = Literal["asc", "desc"]
SentimentLabel = Literal["positive", "negative", "neutral"]

Order = Annotated[SortOrder, Parameter(description="sort direction", required=False)]
Genre = Annotated[
    str | None,
    Parameter(
        description="genre name as TMDB spells it, e.g. Drama or Science Fiction",
        min_length=1,
        max_length=40,
        pattern=r"^[A-Za-z0-9][A-Za-z0-9 &'-]*$",
        required=False,
    ),
]
YearFrom = Annotated[
    int | None,
    Parameter(ge=MIN_YEAR, le=MAX_YEAR, description="first release year included", required=False),
]
YearTo = Annotated[
    int | None,
    Parameter(ge=MIN_YEAR, le=MAX_YEAR, description="last release year included", required=False),
]
Department = Annotated[
    str | None,
    Parameter(
        description="known-for department, e.g. Acting or Directing",
        min_length=1,
        max_length=40,
        pattern=r"^[A-Za-z][A-Za-z &-]*$",
        required=False,
    ),
]
# the words of a search are its runs of letters, digits and underscores: it needs at least one
WORD_PATTERN = r"\w"
SearchText = Annotated[
    str,
    Parameter(
        description="words to look for (at least one letter or digit); each must start a word of the name",
        min_length=1,
        max_length=100,
        pattern=WORD_PATTERN,
    ),
]
OptionalSearchText = Annotated[
    str | None,
    Parameter(
        description="words the name must contain (each matches the start of a word)",
        min_length=1,
        max_length=100,
        pattern=WORD_PATTERN,
        required=False,
    ),
]


MovieId = Annotated[int, Parameter(ge=1, le=MAX_ID, title="Movie id", description="TMDB movie id")]
PersonId = Annotated[int, Parameter(ge=1, le=MAX_ID, title="Person id", description="TMDB person id")]


def check_year_range(year_from: int | None, year_to: int | None) -> None:
    if year_from is not None and year_to is not None and year_from > year_to:
        raise invalid_parameter("year_from", f"year_from ({year_from}) is after year_to ({year_to})")


def search_tokens(text: str, parameter: str = "q") -> list[str]:
    """The words of a search, folded like the stored tokens; at least one, at most eight."""
    words = tokens(text)
    if not words:
        raise invalid_parameter(parameter, "must contain at least one letter or digit")
    return words[:8]
