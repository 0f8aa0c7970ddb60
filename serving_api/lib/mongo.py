"""The API's MongoDB client: PyMongo's async client, opened in the app's lifespan.

Timeouts are short on purpose: with MongoDB down a request waits at most the server-selection
timeout, then answers 503, instead of hanging until the client gives up. There is deliberately no
client-wide `timeoutMS`: under it PyMongo retries a failed read until that budget is spent, which
turns "MongoDB is down" into a 5-second wait instead of a 1.5-second one.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from litestar import Litestar
from litestar.datastructures import State
from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase

from serving_api.lib.metrics import Metrics
from serving_api.settings import ApiSettings
from tmdb_pipeline.settings import MongoSettings

Db = AsyncDatabase[dict[str, Any]]


class Mongo:
    def __init__(self, mongo: MongoSettings, settings: ApiSettings, metrics: Metrics) -> None:
        self.mongo = mongo
        self.settings = settings
        self.metrics = metrics
        self.client: AsyncMongoClient[dict[str, Any]] | None = None

    def connect(self) -> AsyncMongoClient[dict[str, Any]]:
        s = self.settings
        return AsyncMongoClient(
            self.mongo.uri.get_secret_value(),
            serverSelectionTimeoutMS=s.mongo_server_selection_timeout_ms,
            connectTimeoutMS=s.mongo_connect_timeout_ms,
            socketTimeoutMS=s.mongo_socket_timeout_ms,
            maxPoolSize=s.mongo_max_pool_size,
            tz_aware=True,
            appname="tmdb-serving-api",
            event_listeners=[self.metrics.mongo_listener],
        )

    @asynccontextmanager
    async def lifespan(self, app: Litestar) -> AsyncIterator[None]:
        self.client = self.connect()
        app.state.db = self.client[self.mongo.database]
        try:
            yield
        finally:
            await self.client.close()
            self.client = None


def provide_db(state: State) -> Db:
    db: Db = state.db
    return db
