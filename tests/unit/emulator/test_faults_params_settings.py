"""Rate limiting, fault draws, parameter errors and settings: the small pure pieces."""

from __future__ import annotations

import pytest

from tmdb_pipeline.emulator import params
from tmdb_pipeline.emulator.errors import TmdbError
from tmdb_pipeline.emulator.faults import FaultConfig, FaultInjector, TokenBucket, path_template
from tmdb_pipeline.emulator.settings import load_settings
from tmdb_pipeline.settings import ConfigError


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_given_a_rate_of_4_when_5_requests_arrive_at_once_then_the_fifth_waits_a_quarter_second() -> None:
    clock = FakeClock()
    bucket = TokenBucket(4.0, clock)
    assert [bucket.take() for _ in range(4)] == [0.0] * 4
    assert bucket.take() == pytest.approx(0.25)
    clock.now += 0.25
    assert bucket.take() == 0.0


def test_given_fault_rates_when_many_requests_are_drawn_then_shares_match_the_rates() -> None:
    injector = FaultInjector(FaultConfig(fail_rate=0.2, slow_rate=0.1, malformed_rate=0.3), seed=1)
    draws = [injector.decide() for _ in range(20_000)]
    failed = sum(d.server_error is not None for d in draws) / len(draws)
    slow = sum(d.slow for d in draws) / len(draws)
    malformed = sum(d.malformed for d in draws) / len(draws)
    assert failed == pytest.approx(0.2, abs=0.02)
    assert slow == pytest.approx(0.8 * 0.1, abs=0.02)  # among the requests that did not fail
    assert malformed == pytest.approx(0.8 * 0.3, abs=0.02)
    assert {d.server_error[0] for d in draws if d.server_error} == {500, 502, 503, 504}


def test_given_no_fault_rates_when_drawn_then_nothing_happens() -> None:
    injector = FaultInjector(FaultConfig(), seed=1)
    assert all(
        d.server_error is None and not d.slow and not d.malformed
        for d in (injector.decide() for _ in range(100))
    )


def test_given_paths_with_ids_when_templated_then_ids_are_replaced() -> None:
    assert path_template("/3/movie/550/credits") == "/3/movie/{id}/credits"
    assert path_template("/3/movie/550-fight-club") == "/3/movie/{id}"
    assert path_template("/3/movie/popular") == "/3/movie/popular"


@pytest.mark.parametrize("raw", ["0", "501", "abc", "-1", "1.5"])
def test_given_a_bad_page_when_parsed_then_error_22(raw: str) -> None:
    with pytest.raises(TmdbError) as caught:
        params.page(raw)
    assert caught.value.code == 22 and caught.value.http_status == 400


def test_given_pages_in_range_when_parsed_then_numbers() -> None:
    assert params.page(None) == 1 and params.page("1") == 1 and params.page("500") == 500


def test_given_21_appends_when_parsed_then_error_27_and_20_pass() -> None:
    assert len(params.appends(",".join(["credits"] * 20))) == 20
    with pytest.raises(TmdbError) as caught:
        params.appends(",".join(["credits"] * 21))
    assert caught.value.code == 27


def test_given_ids_when_parsed_then_slugs_pass_and_words_are_not_found() -> None:
    assert params.record_id("550-fight-club") == 550
    with pytest.raises(TmdbError) as caught:
        params.record_id("abc")
    assert caught.value.code == 34 and caught.value.http_status == 404


def test_given_environment_variables_when_loading_then_they_apply_and_options_override(monkeypatch) -> None:
    monkeypatch.setenv("EMULATOR_MOVIES", "1234")
    monkeypatch.setenv("EMULATOR_RATE_LIMIT", "0")
    settings = load_settings()
    assert settings.movies == 1234 and settings.rate_limit is None
    assert load_settings(movies=99, seed=None).movies == 99


def test_given_a_bad_value_when_loading_then_the_error_names_the_option_or_variable(monkeypatch) -> None:
    with pytest.raises(ConfigError, match="--movies"):
        load_settings(movies=5)
    monkeypatch.setenv("EMULATOR_FAIL_RATE", "2")
    with pytest.raises(ConfigError, match="EMULATOR_FAIL_RATE"):
        load_settings()
