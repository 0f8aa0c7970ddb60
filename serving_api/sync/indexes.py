"""The indexes the API's queries need, created by the sync (create_index is idempotent).

Sorted listings end with `_id` so paging is stable and the sort is served by the index in both
directions (desc walks it forwards, asc backwards). The API's repositories import the sort fields
from here, so a new sort option cannot ship without its index.
"""

from __future__ import annotations

from pymongo import ASCENDING, DESCENDING, IndexModel

# public sort name -> document field, for GET /movies?sort=
MOVIE_SORT_FIELDS: dict[str, str] = {
    "popularity": "popularity",
    "rating": "vote_average",
    "release_date": "release_date",
    "sentiment": "sentiment_score",
}
# GET /people?sort=
PEOPLE_SORT_FIELDS: dict[str, str] = {
    "popularity": "popularity",
    "movie_count": "movie_count",
}
# GET /people/{id}/co-stars?sort=
CO_STAR_SORT_FIELDS: dict[str, str] = {
    "movies_together": "movies_together",
    "name": "co_star_name",
}
# GET /people/{id}/collaborators: by movies together, of either side or of one
COLLABORATOR_FILTER_FIELDS: tuple[str, ...] = ("_person_ids", "actor_id", "director_id")


def _sorted_by(field: str, *prefix: str) -> IndexModel:
    keys = [(p, ASCENDING) for p in prefix] + [(field, DESCENDING), ("_id", ASCENDING)]
    name = "_".join([*prefix, field, "id"]).replace(".", "_")
    return IndexModel(keys, name=name)


INDEXES: dict[str, list[IndexModel]] = {
    # /movies/{id} reads `movies` by _id only; lists and search read `movie_cards`
    "movie_cards": [
        *(_sorted_by(field) for field in MOVIE_SORT_FIELDS.values()),
        *(_sorted_by(field, "genres") for field in MOVIE_SORT_FIELDS.values()),
        _sorted_by("popularity", "original_language"),
        _sorted_by("popularity", "sentiment_label"),
        IndexModel([("release_year", ASCENDING), ("popularity", DESCENDING)], name="release_year_popularity"),
        IndexModel([("_title_tokens", ASCENDING)], name="title_tokens"),
    ],
    "reviews": [
        IndexModel(
            [("movie_id", ASCENDING), ("created_at", DESCENDING), ("_id", ASCENDING)],
            name="movie_id_created_at_id",
        ),
    ],
    # /people/{id} reads `people` by _id only; the list and name search read `person_cards`
    "person_cards": [
        *(_sorted_by(field) for field in PEOPLE_SORT_FIELDS.values()),
        _sorted_by("popularity", "known_for_department"),
        IndexModel([("_name_tokens", ASCENDING)], name="name_tokens"),
    ],
    "trending": [IndexModel([("trend_rank", ASCENDING), ("_id", ASCENDING)], name="trend_rank_id")],
    "genre_stats": [
        IndexModel([("genre", ASCENDING), ("release_year", ASCENDING)], name="genre_release_year"),
        IndexModel([("release_year", ASCENDING)], name="release_year"),
    ],
    # one person's co-stars: an equality on person_id, then the sort
    "co_stars": [_sorted_by(field, "person_id") for field in CO_STAR_SORT_FIELDS.values()],
    # `_person_ids` is an array (a multikey index): a person's pairs on either side
    "collaborations": [_sorted_by("movies_together", field) for field in COLLABORATOR_FILTER_FIELDS],
}
