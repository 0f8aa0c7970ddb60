"""Query and path parameters shared by several routes, with their limits in one place.

Every value reaching a MongoDB query is a typed scalar checked here (ints, floats, enums, strings
with a pattern): a client cannot smuggle an operator such as `{"$ne": null}` into a filter, and
unknown parameters (`genre[$ne]=x`) are simply not read.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, Literal

from litestar.params import Parameter

from serving_api.sync.documents import tokens
from serving_api.sync.indexes import CO_STAR_SORT_FIELDS, MOVIE_SORT_FIELDS, PEOPLE_SORT_FIELDS

MAX_ID = 2**53  # ids beyond JSON's exact integers are not ids
MIN_YEAR, MAX_YEAR = 1870, 2100

SortOrder = Literal["asc", "desc"]
SentimentLabel = Literal["positive", "negative", "neutral"]

Order = Annotated[SortOrder, Parameter(description="sort direction", required=False)]


def choices(options: Mapping[str, object]) -> Any:
    """A Literal of the mapping's keys: a parameter's values, listed once where they are served."""
    return Literal[tuple(options)]


# the sorts the sync's indexes serve (sync/indexes.py): a sort cannot ship without its index
MovieSort = choices(MOVIE_SORT_FIELDS)
PeopleSort = choices(PEOPLE_SORT_FIELDS)
CoStarSort = choices(CO_STAR_SORT_FIELDS)


def _genre(required: bool) -> Any:
    return Parameter(
        description="genre name as TMDB spells it, e.g. Drama or Science Fiction",
        min_length=1,
        max_length=40,
        pattern=r"^[A-Za-z0-9][A-Za-z0-9 &'-]*$",
        required=required,
    )


Genre = Annotated[str | None, _genre(required=False)]
RequiredGenre = Annotated[str, _genre(required=True)]
YearFrom = Annotated[
    int | None,
    Parameter(ge=MIN_YEAR, le=MAX_YEAR, description="first release year included", required=False),
]
YearTo = Annotated[
    int | None,
    Parameter(
        ge=MIN_YEAR,
        le=MAX_YEAR,
        description="last release year included (before year_from, the range is empty)",
        required=False,
    ),
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
# any text is a valid search; one without letters or digits has no words and matches nothing
SearchText = Annotated[
    str,
    Parameter(
        description="words to look for; each must start a word of the title (no words: no matches)",
        min_length=1,
        max_length=100,
    ),
]
OptionalSearchText = Annotated[
    str | None,
    Parameter(
        description="words the name must contain, each matching the start of a word (no words: no matches)",
        min_length=1,
        max_length=100,
        required=False,
    ),
]


MovieId = Annotated[int, Parameter(ge=1, le=MAX_ID, title="Movie id", description="TMDB movie id")]
PersonId = Annotated[int, Parameter(ge=1, le=MAX_ID, title="Person id", description="TMDB person id")]


def search_tokens(text: str) -> list[str]:
    """The words of a search, folded like the stored tokens; at most eight, perhaps none."""
    return tokens(text)[:8]
