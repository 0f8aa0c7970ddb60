"""movie_changes: the change feed walked in windows of at most 14 days."""

from __future__ import annotations

from typing import Any
from unittest import TestCase

from airbyte_cdk.models import SyncMode
from airbyte_cdk.test.catalog_builder import CatalogBuilder
from airbyte_cdk.test.entrypoint_wrapper import EntrypointOutput, read
from airbyte_cdk.test.mock_http import HttpMocker
from airbyte_cdk.test.state_builder import StateBuilder
from freezegun import freeze_time

from source_tmdb import SourceTmdb
from unit_tests.integration.config import ConfigBuilder
from unit_tests.integration.request_builder import TmdbRequestBuilder
from unit_tests.integration.response_builder import changes, json_response, template


def _read(config: dict[str, Any], mode: SyncMode, state: Any = None) -> EntrypointOutput:
    return read(SourceTmdb(), config, CatalogBuilder().with_stream("movie_changes", mode).build(), state)


@freeze_time("2025-03-15T12:00:00Z")
class TestIncremental(TestCase):
    @HttpMocker()
    def test_given_a_start_date_20_days_ago_when_read_then_two_windows_are_walked_and_state_is_today(
        self, http_mocker: HttpMocker
    ) -> None:
        http_mocker.get(
            TmdbRequestBuilder.changes("movie", "2025-02-23", "2025-03-08").build(), changes([1, 2])
        )
        http_mocker.get(
            TmdbRequestBuilder.changes("movie", "2025-03-09", "2025-03-15").build(), changes([2, 3])
        )

        output = _read(ConfigBuilder().with_start_date("2025-02-23").build(), SyncMode.incremental)

        rows = [(r.record.data["id"], r.record.data["window_start"]) for r in output.records]
        assert rows == [(1, "2025-02-23"), (2, "2025-02-23"), (2, "2025-03-09"), (3, "2025-03-09")]
        assert output.most_recent_state.stream_state.__dict__ == {"window_end": "2025-03-15"}

    @HttpMocker()
    def test_given_state_when_read_then_it_starts_on_the_saved_day(self, http_mocker: HttpMocker) -> None:
        http_mocker.get(TmdbRequestBuilder.changes("movie", "2025-03-14", "2025-03-15").build(), changes([5]))
        state = StateBuilder().with_stream_state("movie_changes", {"window_end": "2025-03-14"}).build()

        output = _read(ConfigBuilder().build(), SyncMode.incremental, state)

        assert [r.record.data["id"] for r in output.records] == [5]

    @HttpMocker()
    def test_given_a_window_of_two_pages_when_read_then_both_pages_are_read(
        self, http_mocker: HttpMocker
    ) -> None:
        first, second = template("changes"), template("changes")
        first.update(results=[{"id": 1, "adult": False}], page=1, total_pages=2)
        second.update(results=[{"id": 2, "adult": True}], page=2, total_pages=2)
        http_mocker.get(
            TmdbRequestBuilder.changes("movie", "2025-03-15", "2025-03-15", 1).build(), json_response(first)
        )
        http_mocker.get(
            TmdbRequestBuilder.changes("movie", "2025-03-15", "2025-03-15", 2).build(), json_response(second)
        )

        output = _read(ConfigBuilder().with_start_date("2025-03-15").build(), SyncMode.incremental)

        assert [r.record.data["id"] for r in output.records] == [1, 2]
