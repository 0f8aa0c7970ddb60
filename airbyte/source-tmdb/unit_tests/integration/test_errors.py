"""Backoff: 429 honours Retry-After, 5xx and malformed JSON are retried, through the CDK's HttpClient."""

from __future__ import annotations

from unittest import TestCase
from unittest.mock import patch

from airbyte_cdk.models import SyncMode
from airbyte_cdk.test.catalog_builder import CatalogBuilder
from airbyte_cdk.test.entrypoint_wrapper import EntrypointOutput, read
from airbyte_cdk.test.mock_http import HttpMocker, HttpResponse

from source_tmdb import SourceTmdb
from unit_tests.integration.config import ConfigBuilder
from unit_tests.integration.request_builder import TmdbRequestBuilder
from unit_tests.integration.response_builder import json_response, list_page, movie

RATE_LIMITED = json_response(
    {
        "success": False,
        "status_code": 25,
        "status_message": "Your request count (#) is over the allowed limit of (40).",
    },
    429,
    {"Retry-After": "3"},
)


def _read_details() -> EntrypointOutput:
    catalog = CatalogBuilder().with_stream("movie_details", SyncMode.full_refresh).build()
    return read(SourceTmdb(), ConfigBuilder().build(), catalog)


class TestBackoff(TestCase):
    @HttpMocker()
    def test_given_429_with_retry_after_when_read_then_it_waits_that_long_and_retries(
        self, http_mocker: HttpMocker
    ) -> None:
        http_mocker.get(TmdbRequestBuilder.seed_list("movie/popular").build(), list_page([11]))
        request = TmdbRequestBuilder.movie(11).build()
        http_mocker.get(request, [RATE_LIMITED, json_response(movie(11))])

        with patch("time.sleep") as sleep:
            output = _read_details()

        assert [r.record.data["id"] for r in output.records] == [11]
        http_mocker.assert_number_of_calls(request, 2)
        # The CDK adds one second to the server's Retry-After.
        assert 4 in [call.args[0] for call in sleep.call_args_list]

    @HttpMocker()
    def test_given_5xx_then_success_when_read_then_the_record_arrives(self, http_mocker: HttpMocker) -> None:
        http_mocker.get(TmdbRequestBuilder.seed_list("movie/popular").build(), list_page([11]))
        request = TmdbRequestBuilder.movie(11).build()
        failure = json_response(
            {"success": False, "status_code": 11, "status_message": "Internal error"}, 500
        )
        http_mocker.get(request, [failure, failure, json_response(movie(11))])

        with patch("time.sleep"):
            output = _read_details()

        assert [r.record.data["id"] for r in output.records] == [11]
        http_mocker.assert_number_of_calls(request, 3)
        assert not output.errors

    @HttpMocker()
    def test_given_a_malformed_body_then_success_when_read_then_the_record_arrives(
        self, http_mocker: HttpMocker
    ) -> None:
        http_mocker.get(TmdbRequestBuilder.seed_list("movie/popular").build(), list_page([11]))
        request = TmdbRequestBuilder.movie(11).build()
        http_mocker.get(request, [HttpResponse('{"id": 11, "title": "trunc', 200), json_response(movie(11))])

        with patch("time.sleep"):
            output = _read_details()

        assert [r.record.data["id"] for r in output.records] == [11]
        http_mocker.assert_number_of_calls(request, 2)
