"""Concurrent clients, a slow database and a full queue, against the real API and FerretDB.

Timing is not asserted here beyond generous budgets (speed lives in bench/api.py); what is asserted
is what each client gets: the right answer, never a 503 while the database is up, a 504 (not a
503) when a query outruns its budget, and a 429 only when a class's queue is full.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from tmdb_pipeline.testing.api import running_api

pytestmark = pytest.mark.integration

CLIENTS = 8


def concurrently(base_url: str, urls: list[str]) -> list[httpx.Response]:
    """Each url from its own client connection, all sent at once."""

    def get(url: str) -> httpx.Response:
        with httpx.Client(base_url=base_url, timeout=60.0) as client:
            return client.get(url)

    with ThreadPoolExecutor(len(urls)) as pool:
        return list(pool.map(get, urls))


def data_routes(served) -> list[str]:
    movie = served.gold.rows("movie_metrics")[0]["movie_id"]
    person = served.gold.rows("person_filmography")[0]["person_id"]
    return [
        "/movies?genre=Drama&sort=rating",
        f"/movies/{movie}",
        f"/movies/{movie}/reviews",
        "/people?sort=movie_count",
        f"/people/{person}",
        f"/people/{person}/co-stars?sort=name",
        f"/people/{person}/collaborators",
        "/trending",
        "/genres/stats?include_years=true",
        "/search?q=the",
    ]


def test_given_8_concurrent_clients_on_each_data_route_then_all_get_the_same_right_answer(api, served, http):
    for url in data_routes(served):
        expected = http.get(url)
        assert expected.status_code == 200, (url, expected.text)
        responses = concurrently(api.base_url, [url] * CLIENTS)
        assert [r.status_code for r in responses] == [200] * CLIENTS, (url, [r.text[:200] for r in responses])
        assert all(r.json() == expected.json() for r in responses), url


def test_given_8_concurrent_lookups_of_missing_ids_then_all_are_404(api):
    urls = [f"/movies/{99_999_900 + n}" for n in range(CLIENTS // 2)]
    urls += [f"/people/{99_999_900 + n}" for n in range(CLIENTS // 2)]
    responses = concurrently(api.base_url, urls)
    assert [r.status_code for r in responses] == [404] * CLIENTS, [r.text[:200] for r in responses]
    assert all(r.json()["status"] == 404 for r in responses)


def test_given_a_query_past_its_budget_then_504_and_the_database_saw_it_once(served, slow_find):
    env = {"MONGO_URI": f"mongodb://127.0.0.1:{slow_find.port}/", "MONGO_DATABASE": served.mongo.database}
    with running_api({**env, "API_QUERY_TIMEOUT_MS": "500"}) as api, httpx.Client(timeout=30.0) as client:
        finds = slow_find.count("find")
        began = time.monotonic()
        response = client.get(f"{api.base_url}/movies?page_size=5")
        elapsed = time.monotonic() - began
        time.sleep(3.5)  # anything sent again would have reached the proxy by now

        assert response.status_code == 504, response.text
        body = response.json()
        assert body["status"] == 504 and "slow" in body["detail"] and "unavailable" not in body["detail"]
        assert response.headers["retry-after"]
        assert slow_find.count("find") == finds + 1  # one query: no retried read
        assert elapsed < 2.9  # the budget (+ the socket margin) ended it, not the 3 s reply


def test_given_a_full_list_queue_then_429_while_lookups_still_answer(served, slow_find):
    env = {
        "MONGO_URI": f"mongodb://127.0.0.1:{slow_find.port}/",
        "MONGO_DATABASE": served.mongo.database,
        "API_LIST_CONCURRENCY": "1",
        "API_QUEUE_LIMIT": "0",
        # lists asked of MongoDB, not of resident copies: the slow server must hold the list slot
        # (the copies' background loads would also race the find count below)
        "API_RESIDENT_MAX_DOCUMENTS": "0",
    }
    person = served.gold.rows("person_filmography")[0]["person_id"]
    with running_api(env) as api, ThreadPoolExecutor(1) as pool:
        before = slow_find.count("find")
        slow = pool.submit(httpx.get, f"{api.base_url}/trending", timeout=30.0)  # holds the one list slot
        deadline = time.monotonic() + 10
        while slow_find.count("find") == before:
            assert time.monotonic() < deadline, "the first list request never reached MongoDB"
            time.sleep(0.05)
        time.sleep(0.2)

        busy = httpx.get(f"{api.base_url}/movies", timeout=30.0)
        assert busy.status_code == 429, busy.text
        assert busy.headers["retry-after"] == "1" and busy.json()["status"] == 429
        # lookups have their own slots (find_one is a find too: slow, but not refused)
        lookup = httpx.get(f"{api.base_url}/people/{person}", timeout=30.0)
        assert lookup.status_code == 200, lookup.text
        assert slow.result().status_code == 200
