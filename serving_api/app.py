"""The app factory: `create_app()` wires settings, MongoDB, controllers, errors, auth, CORS, metrics
and OpenAPI. uvicorn runs it as a factory: `uvicorn --factory serving_api.app:create_app`."""

from __future__ import annotations

import logging

from litestar import Litestar
from litestar.config.compression import CompressionConfig
from litestar.config.cors import CORSConfig
from litestar.datastructures import State
from litestar.di import Provide
from litestar.logging import LoggingConfig

from serving_api.domain.genres.controllers import GenreController
from serving_api.domain.genres.repository import STATS_ORDER
from serving_api.domain.live.controllers import LiveController
from serving_api.domain.movies.controllers import MovieController
from serving_api.domain.movies.repository import REVIEW_ORDER, sort_spec
from serving_api.domain.people.controllers import PeopleController
from serving_api.domain.people.repository import COLLABORATOR_ROLE_FIELDS, people_sort_spec
from serving_api.domain.search.controllers import SearchController
from serving_api.domain.search.repository import TITLE_ORDER
from serving_api.domain.system.controllers import SystemController
from serving_api.domain.trending.controllers import TrendingController
from serving_api.domain.trending.repository import TRENDING_ORDER
from serving_api.lib.auth import API_KEY_HEADER, ApiKeyGuard
from serving_api.lib.errors import EXCEPTION_HANDLERS
from serving_api.lib.guard import ConcurrencyGuard
from serving_api.lib.http import ServingApp, SnapshotCaching
from serving_api.lib.metrics import Metrics, MetricsMiddleware
from serving_api.lib.mongo import Mongo, provide_db
from serving_api.lib.openapi import openapi_config
from serving_api.lib.pagination import page_dependency
from serving_api.lib.query import QueryRules, check_query, openapi_without_nulls
from serving_api.lib.resident import Preparation, ResidentCollections
from serving_api.lib.snapshot import ReadCache, SnapshotCache, provide_totals, resident_warmth
from serving_api.settings import ApiSettings
from serving_api.sync.indexes import MOVIE_SORT_FIELDS, PEOPLE_SORT_FIELDS
from tmdb_pipeline.settings import MongoSettings, load

CONTROLLERS = [
    MovieController,
    PeopleController,
    TrendingController,
    GenreController,
    SearchController,
    LiveController,
    SystemController,
]


def resident_preparation() -> dict[str, Preparation]:
    """What the routes' queries use of each resident copy, built when a snapshot is loaded."""
    orders = ("asc", "desc")
    return {
        "movie_cards": Preparation(
            orders=[sort_spec(sort, order) for sort in MOVIE_SORT_FIELDS for order in orders] + [TITLE_ORDER],
            equalities=["genres", "original_language", "sentiment_label"],
            prefixes=["_title_tokens"],
        ),
        "person_cards": Preparation(
            orders=[people_sort_spec(sort, order) for sort in PEOPLE_SORT_FIELDS for order in orders],
            equalities=["known_for_department"],
            prefixes=["_name_tokens"],
        ),
        "reviews": Preparation(orders=[REVIEW_ORDER], equalities=["movie_id"]),
        "trending": Preparation(orders=[TRENDING_ORDER]),
        "genre_stats": Preparation(orders=[STATS_ORDER], equalities=["genre"]),
        # a person's pairs are found by equality and only they are sorted: no whole-collection order
        "co_stars": Preparation(equalities=["person_id"]),
        "collaborations": Preparation(equalities=list(COLLABORATOR_ROLE_FIELDS.values())),
    }


def create_app(settings: ApiSettings | None = None, mongo: MongoSettings | None = None) -> Litestar:
    settings = settings or load(ApiSettings)
    mongo = mongo or load(MongoSettings)
    metrics = Metrics()
    database = Mongo(mongo, settings, metrics)
    resident = ResidentCollections(settings.resident_max_documents, resident_preparation())
    snapshots = SnapshotCache(
        settings.snapshot_refresh_ms / 1000, on_new=lambda db, new: resident.warm(db, new.tag, new.documents)
    )
    keys = settings.key_values()
    cors = (
        CORSConfig(
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "HEAD", "OPTIONS"],
            allow_headers=[API_KEY_HEADER, "Content-Type"],
            max_age=600,
        )
        if settings.cors_origins
        else None
    )
    app = ServingApp(
        settings=settings,
        before_request=check_query,
        route_handlers=CONTROLLERS,
        dependencies={
            "db": Provide(provide_db, sync_to_thread=False),
            "paging": page_dependency(settings),
            "totals": Provide(provide_totals, sync_to_thread=False),
        },
        lifespan=[database.lifespan, resident_warmth],
        state=State(
            {
                "settings": settings,
                "metrics": metrics,
                "snapshots": snapshots,
                "counts": ReadCache(settings.read_cache_size),
                "resident": resident,
            }
        ),
        guards=[ApiKeyGuard(keys, settings.docs_path)] if keys else [],
        # outermost first: a 304 costs no slot, and the guard's budget covers every query
        middleware=[
            MetricsMiddleware(metrics),
            SnapshotCaching(snapshots, settings),
            ConcurrencyGuard(settings),
        ],
        compression_config=CompressionConfig(backend="gzip", minimum_size=1024, gzip_compress_level=6),
        exception_handlers=EXCEPTION_HANDLERS,
        cors_config=cors,
        openapi_config=openapi_config(settings),
        logging_config=LoggingConfig(
            root={"level": logging.getLevelName(settings.log_level.upper()), "handlers": ["queue_listener"]},
            log_exceptions="never",  # our handlers log what matters, without echoing requests
        ),
        debug=False,
    )
    openapi_without_nulls(app.openapi_schema)
    app.state.query_rules = QueryRules(app.openapi_schema)
    return app
