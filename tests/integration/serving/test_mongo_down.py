"""MongoDB stopped under a running API: /health says 503 at once and every route fails fast with 503.

The API runs for real (uvicorn via `tmdb-pipeline api`) against its own FerretDB, started here and
really stopped (SIGTERM to the server process), then started again to show the API recovers.
"""

from __future__ import annotations

import time

import httpx
import pytest

from tmdb_pipeline.settings import MongoSettings, StackSettings, load
from tmdb_pipeline.stack.mongo import MongoService
from tmdb_pipeline.stack.process import free_port
from tmdb_pipeline.testing.api import running_api

pytestmark = pytest.mark.integration

ROUTES = [
    "/movies",
    "/movies/1",
    "/movies/1/reviews",
    "/people",
    "/people/1",
    "/people/1/co-stars",
    "/people/1/collaborators",
    "/trending",
    "/genres/stats",
    "/search?q=the",
]


def timed_get(client: httpx.Client, url: str) -> tuple[httpx.Response, float]:
    began = time.monotonic()
    response = client.get(url)
    return response, time.monotonic() - began


def test_given_mongodb_stopped_then_health_is_503_and_routes_fail_fast(tmp_path):
    stack = StackSettings(home=tmp_path, downloads=load(StackSettings).downloads)
    mongo = MongoSettings(port=free_port(), database="tmdb_down_test")
    server = MongoService(stack, mongo)
    server.start()
    env = {"MONGO_URI": "", "MONGO_PORT": str(mongo.port), "MONGO_DATABASE": mongo.database}
    try:
        with running_api(env) as api, httpx.Client(base_url=api.base_url, timeout=10.0) as client:
            health = client.get("/health")
            assert health.status_code == 200
            assert health.json()["status"] == "degraded"  # reachable, but nothing synced yet
            assert client.get("/movies").status_code == 200  # and the pool holds live connections

            server.stop()

            response, elapsed = timed_get(client, "/health")
            assert response.status_code == 503
            assert elapsed < 2.0
            mongodb = response.json()["dependencies"][0]
            assert (mongodb["name"], mongodb["status"]) == ("mongodb", "down")
            for url in ROUTES:
                response, elapsed = timed_get(client, url)
                assert response.status_code == 503, (url, response.text)
                assert elapsed < 2.5, (url, elapsed)
                body = response.json()
                assert set(body) == {"status", "title", "detail", "errors"} and body["status"] == 503
                assert response.headers["retry-after"] == "5"

            server.start()
            deadline = time.monotonic() + 15
            while client.get("/health").status_code != 200:
                assert time.monotonic() < deadline, "the API did not recover after MongoDB came back"
                time.sleep(0.2)
            assert client.get("/movies").status_code == 200
    finally:
        server.stop()
