"""genres and movies (the seed lists)."""

from __future__ import annotations

from typing import Any
from unittest import TestCase

from airbyte_cdk.models import SyncMode
from airbyte_cdk.test.catalog_builder import CatalogBuilder
from airbyte_cdk.test.entrypoint_wrapper import EntrypointOutput, read
from airbyte_cdk.test.mock_http import HttpMocker

from source_tmdb import SourceTmdb
from unit_tests.integration.config import ConfigBuilder
from unit_tests.integration.request_builder import TmdbRequestBuilder
from unit_tests.integration.response_builder import json_response, list_page, template


def _read(config: dict[str, Any], stream: str) -> EntrypointOutput:
    return read(SourceTmdb(), config, CatalogBuilder().with_stream(stream, SyncMode.full_refresh).build())


class TestGenres(TestCase):
    @HttpMocker()
    def test_given_genre_list_when_read_then_one_record_per_genre(self, http_mocker: HttpMocker) -> None:
        body = template("genres")
        body["genres"].append({"id": 35, "name": "Comedy"})
        http_mocker.get(TmdbRequestBuilder.genres().build(), json_response(body))

        output = _read(ConfigBuilder().build(), "genres")

        assert [r.record.data for r in output.records] == [
            {"id": 18, "name": "Drama"},
            {"id": 35, "name": "Comedy"},
        ]

    @HttpMocker()
    def test_given_a_read_access_token_when_read_then_it_is_sent_as_bearer_without_api_key(
        self, http_mocker: HttpMocker
    ) -> None:
        from airbyte_cdk.test.mock_http import HttpRequest

        request = HttpRequest(
            url="https://api.themoviedb.org/3/genre/movie/list",
            query_params={"language": "en-US"},
            headers={"Authorization": "Bearer token-123"},
        )
        http_mocker.get(request, json_response(template("genres")))

        output = _read(ConfigBuilder().with_read_access_token("token-123").build(), "genres")

        assert len(output.records) == 1


class TestMovies(TestCase):
    @HttpMocker()
    def test_given_two_lists_sharing_movies_when_read_then_movies_are_deduplicated_by_id(
        self, http_mocker: HttpMocker
    ) -> None:
        http_mocker.get(TmdbRequestBuilder.seed_list("movie/popular").build(), list_page([1, 2, 3]))
        http_mocker.get(TmdbRequestBuilder.seed_list("movie/top_rated").build(), list_page([3, 4]))

        output = _read(ConfigBuilder().with_seed_lists("popular", "top_rated").build(), "movies")

        assert [r.record.data["id"] for r in output.records] == [1, 2, 3, 4]

    @HttpMocker()
    def test_given_more_pages_than_max_pages_when_read_then_it_stops_at_max_pages(
        self, http_mocker: HttpMocker
    ) -> None:
        http_mocker.get(TmdbRequestBuilder.seed_list("movie/popular", 1).build(), list_page([1, 2], 1, 9))
        http_mocker.get(TmdbRequestBuilder.seed_list("movie/popular", 2).build(), list_page([3, 4], 2, 9))

        output = _read(ConfigBuilder().with_max_pages(2).build(), "movies")

        assert [r.record.data["id"] for r in output.records] == [1, 2, 3, 4]

    @HttpMocker()
    def test_given_max_movies_reached_mid_list_when_read_then_no_further_page_is_requested(
        self, http_mocker: HttpMocker
    ) -> None:
        http_mocker.get(TmdbRequestBuilder.seed_list("movie/popular", 1).build(), list_page([1, 2, 3], 1, 5))

        output = _read(ConfigBuilder().with_max_pages(5).with_max_movies(2).build(), "movies")

        assert [r.record.data["id"] for r in output.records] == [1, 2]

    @HttpMocker()
    def test_given_region_trending_and_discover_filters_when_read_then_each_list_gets_its_parameters(
        self, http_mocker: HttpMocker
    ) -> None:
        http_mocker.get(
            TmdbRequestBuilder.seed_list("movie/upcoming").with_param("region", "FR").build(), list_page([1])
        )
        http_mocker.get(TmdbRequestBuilder.seed_list("trending/movie/week").build(), list_page([2]))
        http_mocker.get(
            TmdbRequestBuilder.seed_list("discover/movie")
            .with_param("region", "FR")
            .with_param("sort_by", "vote_count.desc")
            .with_param("with_genres", "18")
            .build(),
            list_page([3]),
        )
        config = (
            ConfigBuilder()
            .with_seed_lists("upcoming", "trending_week", "discover")
            .with_region("FR")
            .with_discover_filters(sort_by="vote_count.desc", with_genres="18")
            .build()
        )

        output = _read(config, "movies")

        assert [r.record.data["id"] for r in output.records] == [1, 2, 3]

    @HttpMocker()
    def test_given_discover_sliced_by_year_when_read_then_each_year_is_paged_newest_first_and_deduplicated(
        self, http_mocker: HttpMocker
    ) -> None:
        def year_page(year: int, page: int) -> Any:
            return (
                TmdbRequestBuilder.seed_list("discover/movie", page)
                .with_param("sort_by", "vote_count.desc")
                .with_param("primary_release_year", year)
                .build()
            )

        http_mocker.get(TmdbRequestBuilder.seed_list("movie/popular").build(), list_page([1, 2]))
        # 2021 has more pages than max_pages (2); 2020 repeats movie 2 (popular) and 11 (2021)
        http_mocker.get(year_page(2021, 1), list_page([10, 11], 1, 7))
        http_mocker.get(year_page(2021, 2), list_page([12, 13], 2, 7))
        http_mocker.get(year_page(2020, 1), list_page([2, 11, 20], 1, 1))
        http_mocker.get(year_page(2019, 1), list_page([], 1, 0))
        config = (
            ConfigBuilder()
            .with_seed_lists("popular", "discover")
            .with_discover_filters(sort_by="vote_count.desc")
            .with_discover_years(2019, 2021)
            .with_max_pages(2)
            .build()
        )

        output = _read(config, "movies")

        assert [r.record.data["id"] for r in output.records] == [1, 2, 10, 11, 12, 13, 20]

    @HttpMocker()
    def test_given_discover_sliced_by_year_when_max_movies_is_reached_then_older_years_are_not_requested(
        self, http_mocker: HttpMocker
    ) -> None:
        http_mocker.get(
            TmdbRequestBuilder.seed_list("discover/movie").with_param("primary_release_year", 2021).build(),
            list_page([10, 11]),
        )
        http_mocker.get(
            TmdbRequestBuilder.seed_list("discover/movie").with_param("primary_release_year", 2020).build(),
            list_page([20, 21]),
        )
        config = (
            ConfigBuilder()
            .with_seed_lists("discover")
            .with_discover_years(1990, 2021)
            .with_max_movies(3)
            .build()
        )

        output = _read(config, "movies")

        # a request HttpMocker has no answer for (2019's) would end the read with an error
        assert not output.errors
        assert [r.record.data["id"] for r in output.records] == [10, 11, 20]
