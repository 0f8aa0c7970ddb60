"""The app factory: `create_app()` wires settings, MongoDB, controllers, errors, auth, CORS, metrics
and OpenAPI. uvicorn runs it as a factory: `uvicorn --factory serving_api.app:create_app`."""

from __future__ import annotations

import logging

from litestar import Litestar
from litestar.config.cors import CORSConfig
from litestar.datastructures import State
from litestar.di import Provide
from litestar.logging import LoggingConfig

from serving_api.domain.genres.controllers import GenreController
from serving_api.domain.movies.controllers import MovieController
from serving_api.domain.people.controllers import PeopleController
from serving_api.domain.search.controllers import SearchController
from serving_api.domain.system.controllers import SystemController
from serving_api.domain.trending.controllers import TrendingController
from serving_api.lib.auth import API_KEY_HEADER, ApiKeyGuard
from serving_api.lib.errors import EXCEPTION_HANDLERS
from serving_api.lib.metrics import Metrics, MetricsMiddleware
from serving_api.lib.mongo import Mongo, provide_db
from serving_api.lib.openapi import openapi_config
from serving_api.lib.pagination import page_dependency
from serving_api.settings import ApiSettings
from tmdb_pipeline.settings import MongoSettings, load

CONTROLLERS = [
    MovieController,
    PeopleController,
    TrendingController,
    GenreController,
    SearchController,
    SystemController,
]


def create_app(settings: ApiSettings | None = None, mongo: MongoSettings | None = None) -> Litestar:
    settings = settings or load(ApiSettings)
    mongo = mongo or load(MongoSettings)
    metrics = Metrics()
    database = Mongo(mongo, settings, metrics)
    keys = settings.key_values()
    cors = (
        CORSConfig(
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "OPTIONS"],
            allow_headers=[API_KEY_HEADER, "Content-Type"],
            max_age=600,
        )
        if settings.cors_origins
        else None
    )
    return Litestar(
        route_handlers=CONTROLLERS,
        dependencies={
            "db": Provide(provide_db, sync_to_thread=False),
            "paging": page_dependency(settings),
        },
        lifespan=[database.lifespan],
        state=State({"settings": settings, "metrics": metrics}),
        guards=[ApiKeyGuard(keys, settings.docs_path)] if keys else [],
        middleware=[MetricsMiddleware(metrics)],
        exception_handlers=EXCEPTION_HANDLERS,
        cors_config=cors,
        openapi_config=openapi_config(settings),
        logging_config=LoggingConfig(
            root={"level": logging.getLevelName(settings.log_level.upper()), "handlers": ["queue_listener"]},
            log_exceptions="never",  # our handlers log what matters, without echoing requests
        ),
        debug=False,
    )
