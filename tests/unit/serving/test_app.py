"""The app without a database: validation, the error shape, API keys, CORS and OpenAPI.

MongoDB points at a closed port, so every test here shows behaviour decided before any query
(and the one that does query shows the fail-fast 503).
"""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator

import pytest
from litestar.testing import TestClient

from serving_api.app import create_app
from serving_api.settings import ApiSettings
from tmdb_pipeline.settings import MongoSettings


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def client_for(**settings: object) -> TestClient:
    api = ApiSettings(mongo_server_selection_timeout_ms=300, **settings)
    mongo = MongoSettings(port=closed_port(), database="nowhere")
    return TestClient(create_app(api, mongo), raise_server_exceptions=False)


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with client_for(max_page_size=50) as c:
        yield c


def assert_error_shape(body: dict, status: int) -> None:
    assert set(body) == {"status", "title", "detail", "errors"}
    assert body["status"] == status
    assert "Traceback" not in body["detail"]


@pytest.mark.parametrize(
    ("url", "parameter"),
    [
        ("/movies?page_size=51", "page_size"),
        ("/movies?page_size=0", "page_size"),
        ("/movies?page=0", "page"),
        ("/movies?page=300&page_size=50", "page"),  # deeper than API_MAX_OFFSET
        ("/movies?min_rating=11", "min_rating"),
        ("/movies?min_rating=nan", "min_rating"),
        ("/movies?year_from=abc", "year_from"),
        ("/movies?sort=budget", "sort"),
        ("/movies?order=sideways", "order"),
        ("/movies?sentiment=meh", "sentiment"),
        ("/movies?language=english", "language"),
        ('/movies?genre={"$ne":null}', "genre"),
        ("/movies/abc", "movie_id"),
        ("/movies/0", "movie_id"),
        ("/movies/99999999999999999999", "movie_id"),
        ("/movies/12/reviews?sentiment=great", "sentiment"),
        ("/people/-4", "person_id"),
        ("/people?sort=name", "sort"),
        ("/people/0/co-stars", "person_id"),
        ("/people/7/co-stars?sort=popularity", "sort"),
        ("/people/7/co-stars?order=up", "order"),
        ("/people/7/collaborators?role=writer", "role"),
        ("/people/7/collaborators?sort=name", "sort"),  # no sort: always by movies together
        ("/search", "q"),
        ("/search?q=" + "x" * 101, "q"),
        ("/genres/stats?include_years=perhaps", "include_years"),
        ("/trending?page_size=1000", "page_size"),
    ],
)
def test_given_a_bad_parameter_then_400_names_it(client, url, parameter):
    response = client.get(url)
    assert response.status_code == 400, response.text
    body = response.json()
    assert_error_shape(body, 400)
    assert [e["parameter"] for e in body["errors"]] == [parameter]
    assert parameter in body["detail"]


def test_given_an_unknown_path_then_404_has_the_same_shape(client):
    response = client.get("/films")
    assert response.status_code == 404
    assert_error_shape(response.json(), 404)


def test_given_mongodb_unreachable_when_querying_then_503_comes_fast_with_retry_after(client):
    began = time.monotonic()
    response = client.get("/movies")
    elapsed = time.monotonic() - began
    assert response.status_code == 503
    assert response.headers["retry-after"] == "5"
    assert_error_shape(response.json(), 503)
    assert elapsed < 2.0
    health = client.get("/health")
    assert health.status_code == 503
    assert health.json()["status"] == "unavailable"
    assert health.json()["dependencies"][0]["status"] == "down"


def test_given_an_unexpected_error_then_500_hides_it(client, monkeypatch):
    from serving_api.domain.movies.repository import MovieRepository

    async def explode(self, movie_id):
        raise RuntimeError("secret internal detail at /srv/app.py line 12")

    monkeypatch.setattr(MovieRepository, "get", explode)
    response = client.get("/movies/5")
    assert response.status_code == 500
    assert_error_shape(response.json(), 500)
    assert "secret" not in response.text
    assert "RuntimeError" not in response.text


def test_given_api_keys_then_every_route_but_health_and_docs_needs_one():
    with client_for(api_keys=["alpha-key-1", "beta-key-2"]) as c:
        for url in (
            "/movies?page_size=999",
            "/movies/1",
            "/people",
            "/trending",
            "/genres/stats",
            "/search?q=a",
            "/metrics",
        ):
            response = c.get(url)
            assert response.status_code == 401, url
            assert_error_shape(response.json(), 401)
            assert "alpha-key-1" not in response.text
        assert c.get("/movies", headers={"X-API-Key": "alpha-key-1x"}).status_code == 401
        # a valid key reaches validation (400) and the metrics endpoint (200)
        assert c.get("/movies?page_size=999", headers={"X-API-Key": "beta-key-2"}).status_code == 400
        assert c.get("/metrics", headers={"X-API-Key": "alpha-key-1"}).status_code == 200
        assert c.get("/health").status_code == 503  # public; MongoDB is down here
        assert c.get("/schema/openapi.json").status_code == 200
        schema = c.get("/schema/openapi.json").json()
        assert schema["components"]["securitySchemes"]["ApiKey"] == {
            "type": "apiKey",
            "name": "X-API-Key",
            "in": "header",
        }
        assert schema["paths"]["/health"]["get"]["security"] == [{}]


def test_given_cors_origins_then_only_those_get_cors_headers():
    with client_for(cors_origins=["https://app.example"]) as c:
        allowed = c.options(
            "/movies",
            headers={
                "Origin": "https://app.example",
                "Access-Control-Request-Method": "GET",
                "Access-Control-Request-Headers": "X-API-Key",
            },
        )
        assert allowed.status_code == 204
        assert allowed.headers["access-control-allow-origin"] == "https://app.example"
        assert "x-api-key" in allowed.headers["access-control-allow-headers"].lower()
        other = c.get("/movies?page_size=0", headers={"Origin": "https://evil.example"})
        assert "access-control-allow-origin" not in other.headers


def test_given_the_openapi_document_then_every_route_is_typed_and_documented(client):
    schema = client.get("/schema/openapi.json").json()
    operations = {
        op["operationId"]: (path, op) for path, item in schema["paths"].items() for op in item.values()
    }
    assert set(operations) == {
        "listMovies",
        "getMovie",
        "listMovieReviews",
        "listPeople",
        "getPerson",
        "listPersonCoStars",
        "listPersonCollaborators",
        "listTrending",
        "getGenreStats",
        "searchMovies",
        "getMovieLive",
        "listLiveTrending",
        "getGenreLive",
        "getHealth",
        "getMetrics",
    }
    for name, (_path, op) in operations.items():
        assert op.get("description"), name
        if name != "getMetrics":
            assert op["responses"]["200"]["content"]["application/json"]["schema"], name
        if name not in ("getHealth", "getMetrics"):
            error = op["responses"]["400"]["content"]["application/json"]["schema"]
            assert error == {"$ref": "#/components/schemas/ErrorBody"}, name
    page_size = next(p for p in operations["listMovies"][1]["parameters"] if p["name"] == "page_size")
    assert page_size["schema"]["maximum"] == 50
    assert client.get("/schema/swagger").status_code == 200
    assert "<html" in client.get("/schema/scalar").text.lower()
