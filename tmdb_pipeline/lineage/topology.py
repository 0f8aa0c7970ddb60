"""The serving layer's shape: which Gold table feeds which collection, which collection each route reads.

The tables are listed here, as the core does not import the stages: a unit test checks the Gold ->
collection pairs against the sync's own targets (serving_api/sync/documents.py), the routes against
serving_api's app and the live collections against spark_streaming/live.py, so a new route or target
that is not in these tables fails the build instead of silently missing from the lineage.
"""

from __future__ import annotations

# (Gold table, MongoDB collection), in the sync's order
SERVING_TARGETS: tuple[tuple[str, str], ...] = (
    ("movie_metrics", "movies"),
    ("movie_metrics", "movie_cards"),
    ("movie_reviews", "reviews"),
    ("person_filmography", "people"),
    ("person_filmography", "person_cards"),
    ("trending_movies", "trending"),
    ("genre_year_trends", "genre_stats"),
    ("co_stars", "co_stars"),
    ("actor_director_pairs", "collaborations"),
)

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
    return list(SERVING_TARGETS)
