"""Rate limit and injected faults, each counted at the admin endpoint."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

import httpx
import pytest

from tmdb_pipeline.testing.emulator import RunningEmulator, running_emulator

NO_FAULTS = {"fail_rate": 0.0, "slow_rate": 0.0, "malformed_rate": 0.0, "rate_limit": None}


@pytest.fixture(scope="module")
def limited() -> Iterator[RunningEmulator]:
    with running_emulator(movies=100, seed=3, rate_limit=5) as handle:
        assert httpx.get(f"{handle.admin_url}/faults").json()["rate_limit"] == 5.0, "the start option applies"
        yield handle


@pytest.fixture()
def faulty(limited: RunningEmulator) -> Iterator[RunningEmulator]:
    """The same server with no rate limit and fresh counters; faults are off again afterwards."""
    limited.set_faults(**NO_FAULTS)
    limited.reset_stats()
    yield limited
    limited.set_faults(**NO_FAULTS, slow_delay_s=2.0)


def test_given_a_limit_of_5_per_second_when_bursting_then_429_with_retry_after_and_code_25(
    limited: RunningEmulator,
) -> None:
    limited.set_faults(rate_limit=5)  # a fresh, full bucket
    limited.reset_stats()
    with httpx.Client(base_url=limited.base_url, params={"api_key": limited.api_key}) as client:
        responses = [client.get("/genre/movie/list") for _ in range(25)]
        refused = [r for r in responses if r.status_code == 429]
        assert all(r.status_code == 200 for r in responses[:5]), "a burst as large as the rate passes"
        assert 0 < len(refused) <= 25 - 5
        for response in refused:
            assert int(response.headers["retry-after"]) >= 1
            body = response.json()
            assert body["status_code"] == 25 and body["success"] is False and "(5)" in body["status_message"]
        time.sleep(int(refused[-1].headers["retry-after"]))
        assert client.get("/genre/movie/list").status_code == 200
    stats = limited.stats()
    assert stats["rate_limited"] == len(refused) and stats["requests"] == 26


def test_given_fail_rate_1_when_calling_then_every_answer_is_a_tmdb_5xx_and_counted(
    faulty: RunningEmulator,
) -> None:
    faulty.set_faults(fail_rate=1.0)
    with httpx.Client(base_url=faulty.base_url, params={"api_key": faulty.api_key}) as client:
        responses = [client.get("/movie/1") for _ in range(8)]
    for response in responses:
        assert response.status_code in (500, 502, 503, 504)
        assert response.json()["status_code"] in (11, 43, 9, 24)
    assert faulty.stats()["faults"]["5xx"] == 8


def test_given_a_fail_rate_of_30_percent_when_calling_then_about_that_share_fails(
    faulty: RunningEmulator,
) -> None:
    faulty.set_faults(fail_rate=0.3)
    with httpx.Client(base_url=faulty.base_url, params={"api_key": faulty.api_key}) as client:
        failed = sum(client.get("/genre/movie/list").status_code >= 500 for _ in range(200))
    assert 30 <= failed <= 90
    assert faulty.stats()["faults"]["5xx"] == failed


def test_given_malformed_rate_1_when_calling_then_bodies_are_cut_json_and_counted(
    faulty: RunningEmulator,
) -> None:
    faulty.set_faults(malformed_rate=1.0)
    with httpx.Client(base_url=faulty.base_url, params={"api_key": faulty.api_key}) as client:
        response = client.get("/movie/1")
    assert response.status_code == 200
    assert int(response.headers["content-length"]) == len(response.content)
    with pytest.raises(json.JSONDecodeError):
        json.loads(response.content)
    assert response.content.startswith(b'{"adult":')
    assert faulty.stats()["faults"]["malformed"] == 1


def test_given_slow_rate_1_when_calling_then_answers_are_delayed_and_counted(faulty: RunningEmulator) -> None:
    faulty.set_faults(slow_rate=1.0, slow_delay_s=0.4)
    began = time.perf_counter()
    response = httpx.get(f"{faulty.base_url}/movie/1", params={"api_key": faulty.api_key})
    assert response.status_code == 200 and response.json()["id"] == 1
    assert time.perf_counter() - began >= 0.4
    assert faulty.stats()["faults"]["slow"] == 1


def test_given_bad_fault_settings_when_posted_then_400_and_nothing_changes(faulty: RunningEmulator) -> None:
    with pytest.raises(httpx.HTTPStatusError):
        faulty.set_faults(fail_rate=2.0)
    with pytest.raises(httpx.HTTPStatusError):
        faulty.set_faults(bogus=1.0)
    assert httpx.get(f"{faulty.admin_url}/faults").json()["fail_rate"] == 0.0


def test_given_faults_when_calling_admin_endpoints_then_they_are_exempt(faulty: RunningEmulator) -> None:
    faulty.set_faults(fail_rate=1.0, rate_limit=1)
    for _ in range(5):
        assert faulty.stats()["faults"]["5xx"] == 0
