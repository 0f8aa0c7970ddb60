"""The serving layer's shape: which Gold table feeds which collection, which collection each route reads.

Gold -> MongoDB comes from the sync's own target table, so the lineage follows the code. The
routes are listed here; a unit test checks them against serving_api's app, so a new route that
is not in this table fails the build instead of silently missing from the lineage.
"""

from __future__ import annotations

# route (as in the OpenAPI document, parameters without converters) -> the collection it reads
ENDPOINTS: dict[str, str] = {
    "/movies": "movie_cards",  # lists and search read the small card copy of each movie
    "/movies/{movie_id}": "movies",
    "/search": "movie_cards",
    "/movies/{movie_id}/reviews": "reviews",
    "/people": "person_cards",  # the list and name search read the small card copy of each person
    "/people/{person_id}": "people",
    "/people/{person_id}/co-stars": "co_stars",
    "/people/{person_id}/collaborators": "collaborations",
    "/trending": "trending",
    "/genres/stats": "genre_stats",
    # the speed layer's routes (Gold's collections are their fallback)
    "/movies/{movie_id}/live": "live_movie_popularity",
    "/live/trending": "live_movie_popularity",
    "/genres/live": "live_genre_activity",
}

# the speed layer's collections and the streams (topics) each aggregates: spark_streaming/live.py
LIVE_SOURCES: dict[str, tuple[str, ...]] = {
    "live_movie_reviews": ("reviews",),
    "live_movie_popularity": ("movie_details",),
    "live_genre_activity": ("movie_details",),
}

# routes that serve no pipeline data
OPERATIONAL_ROUTES = frozenset({"/health", "/metrics"})


def serving_targets() -> list[tuple[str, str]]:
    """(Gold table, MongoDB collection) pairs, as the serving sync writes them."""
    from serving_api.sync.documents import TARGETS

    return [(target.table, target.collection) for target in TARGETS]
