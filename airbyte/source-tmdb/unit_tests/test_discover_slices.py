"""The discover seed read one release year at a time: the slices, their parameters, the config checks."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from airbyte_cdk.models import FailureType
from airbyte_cdk.utils.traced_exception import AirbyteTracedException

from source_tmdb.config import TmdbConfig
from source_tmdb.http import request_budget
from source_tmdb.streams.catalog import Movies, seed_slices

CREDENTIALS = {"auth_type": "api_key", "api_key": "slice-test-key"}


def config_of(**options: Any) -> TmdbConfig:
    return TmdbConfig.from_mapping({"credentials": CREDENTIALS, **options})


def params_of(config: TmdbConfig, stream_slice: dict[str, Any]) -> dict[str, Any]:
    movies = Movies(config, request_budget(config.requests_per_second))
    return dict(movies.request_params({}, stream_slice=stream_slice, next_page_token={"page": 3}))


def test_given_no_slicing_option_when_sliced_then_one_slice_per_seed_list_as_before() -> None:
    config = config_of(seed_lists=["popular", "discover", "upcoming"], discover_year_from=2030)

    assert config.discover_slice_by_year is False
    assert config.discover_years == ()
    assert seed_slices(config) == [{"seed": "popular"}, {"seed": "discover"}, {"seed": "upcoming"}]


def test_given_slicing_on_when_sliced_then_discover_is_one_slice_per_year_newest_first_in_list_order() -> (
    None
):
    config = config_of(
        seed_lists=["popular", "discover", "top_rated"],
        discover_slice_by_year=True,
        discover_year_from=2019,
        discover_year_to=2021,
    )

    assert seed_slices(config) == [
        {"seed": "popular"},
        {"seed": "discover", "primary_release_year": 2021},
        {"seed": "discover", "primary_release_year": 2020},
        {"seed": "discover", "primary_release_year": 2019},
        {"seed": "top_rated"},
    ]


def test_given_one_year_range_when_sliced_then_one_discover_slice() -> None:
    config = config_of(
        seed_lists=["discover"], discover_slice_by_year=True, discover_year_from=1999, discover_year_to=1999
    )

    assert seed_slices(config) == [{"seed": "discover", "primary_release_year": 1999}]


def test_given_slicing_on_without_years_when_parsed_then_from_1900_to_two_years_ahead() -> None:
    config = config_of(seed_lists=["discover"], discover_slice_by_year=True)

    years = config.discover_years
    assert years[0] == datetime.now(UTC).year + 2
    assert years[-1] == 1900
    assert list(years) == sorted(years, reverse=True)
    assert len(years) == len(set(years)) == years[0] - 1900 + 1


def test_given_a_year_slice_when_requested_then_filters_region_and_year_are_merged() -> None:
    config = config_of(
        seed_lists=["discover"],
        region="FR",
        discover_filters={"sort_by": "vote_count.desc", "with_genres": "18"},
        discover_slice_by_year=True,
        discover_year_from=2000,
        discover_year_to=2001,
    )

    assert params_of(config, {"seed": "discover", "primary_release_year": 2001}) == {
        "language": "en-US",
        "page": 3,
        "region": "FR",
        "sort_by": "vote_count.desc",
        "with_genres": "18",
        "primary_release_year": 2001,
    }


def test_given_an_unsliced_seed_when_requested_then_no_year_parameter() -> None:
    config = config_of(seed_lists=["discover"], discover_filters={"with_genres": "18"})

    assert params_of(config, {"seed": "discover"}) == {"language": "en-US", "page": 3, "with_genres": "18"}
    assert params_of(config, {"seed": "popular"}) == {"language": "en-US", "page": 3}


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (
            {"discover_year_from": 2021, "discover_year_to": 2020},
            "discover_year_from (2021) is after discover_year_to (2020)",
        ),
        ({"discover_year_from": 1700, "discover_year_to": 2000}, "must be years between 1800 and 2100"),
        ({"discover_year_from": 2000, "discover_year_to": 2500}, "must be years between 1800 and 2100"),
        ({"discover_year_from": 2101}, "must be years between 1800 and 2100"),
        ({"seed_lists": ["popular"]}, "add 'discover' to seed_lists"),
        (
            {"discover_filters": {"primary_release_year": 2020}},
            "discover_filters sets ['primary_release_year']",
        ),
        ({"discover_filters": {"year": 2020}}, "discover_filters sets ['year']"),
    ],
)
def test_given_slicing_on_with_a_bad_setting_when_parsed_then_a_config_error_says_what_to_fix(
    options: dict[str, Any], message: str
) -> None:
    config = {"seed_lists": ["discover"], "discover_slice_by_year": True, **options}

    with pytest.raises(AirbyteTracedException) as raised:
        config_of(**config)

    assert raised.value.failure_type == FailureType.config_error
    assert message in raised.value.message


def test_given_slicing_off_when_years_are_odd_then_they_are_ignored_not_rejected() -> None:
    config = config_of(discover_year_from=2021, discover_year_to=2020, discover_filters={"year": 2020})

    assert config.discover_years == ()
