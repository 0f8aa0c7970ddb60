"""The API's MongoDB client: PyMongo's async client, opened in the app's lifespan.

Timeouts are short on purpose: with MongoDB down a request waits at most the server-selection
timeout, then answers 503, instead of hanging until the client gives up. Reads are never retried
(`retryReads=False`): a retried read that timed out runs the same slow query a second time, doubling
the load exactly when the server is struggling. Each request's queries share one budget
(`API_QUERY_TIMEOUT_MS`, opened by `lib/guard.py`), sent with every query as maxTimeMS so the server
stops too; the socket timeout is the backstop. (PyMongo's own `timeout()` would also stretch server
selection to the whole budget, so an outage would take 2 s to report instead of 1.5.)
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from contextvars import ContextVar
from typing import Any

from litestar import Litestar
from litestar.datastructures import State
from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import ExecutionTimeout

from serving_api.lib.metrics import Metrics
from serving_api.settings import ApiSettings
from tmdb_pipeline.settings import MongoSettings

Db = AsyncDatabase[dict[str, Any]]
SOCKET_MARGIN_MS = 1000  # the server's maxTimeMS answer should arrive before the socket gives up
_DEADLINE: ContextVar[float | None] = ContextVar("query_deadline", default=None)


@contextmanager
def query_budget(seconds: float) -> Iterator[None]:
    """The queries run inside share one deadline (each request has its own context)."""
    token = _DEADLINE.set(time.monotonic() + seconds)
    try:
        yield
    finally:
        _DEADLINE.reset(token)


def max_time_ms() -> int | None:
    """maxTimeMS for the next query: what is left of the request's budget (None outside one)."""
    deadline = _DEADLINE.get()
    if deadline is None:
        return None
    left = int((deadline - time.monotonic()) * 1000)
    if left <= 0:
        raise ExecutionTimeout("the request's query budget is spent", 50)
    return left


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
            socketTimeoutMS=s.query_timeout_ms + SOCKET_MARGIN_MS,
            retryReads=False,
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
