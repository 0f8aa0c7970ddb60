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


@freeze_time("2025-03-15T12:00:00Z")
class TestOneRecordPerIdAndWindow(TestCase):
    @HttpMocker()
    def test_given_pages_that_repeat_an_id_when_read_then_the_window_has_it_once(
        self, http_mocker: HttpMocker
    ) -> None:
        # TMDB's pages can shift while they are read, so an id may come back on the next page.
        first, second = template("changes"), template("changes")
        first.update(results=[{"id": 1, "adult": False}, {"id": 2, "adult": False}], page=1, total_pages=2)
        second.update(results=[{"id": 2, "adult": False}, {"id": 3, "adult": False}], page=2, total_pages=2)
        http_mocker.get(
            TmdbRequestBuilder.changes("movie", "2025-03-15", "2025-03-15", 1).build(), json_response(first)
        )
        http_mocker.get(
            TmdbRequestBuilder.changes("movie", "2025-03-15", "2025-03-15", 2).build(), json_response(second)
        )

        output = _read(ConfigBuilder().with_start_date("2025-03-15").build(), SyncMode.incremental)

        assert [r.record.data["id"] for r in output.records] == [1, 2, 3]

    def test_given_the_catalog_when_discovered_then_the_key_is_id_and_window(self) -> None:
        from airbyte_cdk.test.entrypoint_wrapper import discover

        streams = {s.name: s for s in discover(SourceTmdb(), ConfigBuilder().build()).catalog.catalog.streams}

        assert streams["movie_changes"].source_defined_primary_key == [["id"], ["window_start"]]


@freeze_time("2025-03-15T12:00:00Z")
class TestOneRequestPerWindow(TestCase):
    @HttpMocker()
    def test_given_per_movie_streams_and_movie_changes_with_state_when_read_then_each_window_is_requested_once(
        self, http_mocker: HttpMocker
    ) -> None:
        from source_tmdb import idset
        from unit_tests.integration.response_builder import list_page, movie

        window = TmdbRequestBuilder.changes("movie", "2025-03-14", "2025-03-15").build()
        http_mocker.get(window, changes([11, 99]))
        http_mocker.get(TmdbRequestBuilder.seed_list("movie/popular").build(), list_page([11, 12]))
        http_mocker.get(TmdbRequestBuilder.movie(11).build(), json_response(movie(11)))
        state = (
            StateBuilder()
            .with_stream_state(
                "movie_details", {"cursor": "2025-03-14T08:00:00+00:00", "movie_ids": idset.pack([11, 12])}
            )
            .with_stream_state("movie_changes", {"window_end": "2025-03-14"})
            .build()
        )
        catalog = (
            CatalogBuilder()
            .with_stream("movie_details", SyncMode.incremental)
            .with_stream("movie_changes", SyncMode.incremental)
            .build()
        )

        output = read(SourceTmdb(), ConfigBuilder().build(), catalog, state)

        by_stream = {(r.record.stream, r.record.data["id"]) for r in output.records}
        assert by_stream == {("movie_details", 11), ("movie_changes", 11), ("movie_changes", 99)}
        http_mocker.assert_number_of_calls(window, 1)
