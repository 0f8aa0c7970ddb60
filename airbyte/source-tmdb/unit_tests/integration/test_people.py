"""people: every referenced cast/crew person, fetched once per sync."""

from __future__ import annotations

from typing import Any
from unittest import TestCase

from airbyte_cdk.models import SyncMode
from airbyte_cdk.test.catalog_builder import CatalogBuilder
from airbyte_cdk.test.entrypoint_wrapper import EntrypointOutput, read
from airbyte_cdk.test.mock_http import HttpMocker
from airbyte_cdk.test.state_builder import StateBuilder
from freezegun import freeze_time

from source_tmdb import SourceTmdb, idset
from unit_tests.integration.config import ConfigBuilder
from unit_tests.integration.request_builder import TmdbRequestBuilder
from unit_tests.integration.response_builder import (
    changes,
    json_response,
    list_page,
    movie,
    not_found,
    person,
)

NOW = "2025-03-15T12:00:00Z"


def _read(streams: list[str], mode: SyncMode, state: Any = None) -> EntrypointOutput:
    catalog = CatalogBuilder()
    for name in streams:
        catalog = catalog.with_stream(name, mode)
    return read(SourceTmdb(), ConfigBuilder().build(), catalog.build(), state)


def _ids(output: EntrypointOutput, stream: str) -> list[int]:
    return [m.record.data["id"] for m in output.records if m.record.stream == stream]


@freeze_time(NOW)
class TestFullRefresh(TestCase):
    @HttpMocker()
    def test_given_people_shared_across_movies_when_read_then_each_is_fetched_once(
        self, http_mocker: HttpMocker
    ) -> None:
        http_mocker.get(TmdbRequestBuilder.seed_list("movie/popular").build(), list_page([11, 12]))
        http_mocker.get(TmdbRequestBuilder.movie(11).build(), json_response(movie(11, cast=[1, 2], crew=[3])))
        http_mocker.get(TmdbRequestBuilder.movie(12).build(), json_response(movie(12, cast=[2], crew=[3, 4])))
        person_requests = {p: TmdbRequestBuilder.person(p).build() for p in (1, 2, 3, 4)}
        for person_id, request in person_requests.items():
            http_mocker.get(request, json_response(person(person_id)))

        output = _read(["credits", "people"], SyncMode.full_refresh)

        assert _ids(output, "people") == [1, 2, 3, 4]
        for request in person_requests.values():
            http_mocker.assert_number_of_calls(request, 1)

    @HttpMocker()
    def test_given_a_person_answers_404_when_read_then_it_is_skipped_and_the_sync_goes_on(
        self, http_mocker: HttpMocker
    ) -> None:
        http_mocker.get(TmdbRequestBuilder.seed_list("movie/popular").build(), list_page([11]))
        http_mocker.get(TmdbRequestBuilder.movie(11).build(), json_response(movie(11, cast=[1], crew=[2])))
        http_mocker.get(TmdbRequestBuilder.person(1).build(), not_found())
        http_mocker.get(TmdbRequestBuilder.person(2).build(), json_response(person(2)))

        output = _read(["people"], SyncMode.full_refresh)

        assert _ids(output, "people") == [2]
        assert not output.errors


@freeze_time(NOW)
class TestIncremental(TestCase):
    @HttpMocker()
    def test_given_state_when_read_then_only_new_and_changed_people_are_fetched(
        self, http_mocker: HttpMocker
    ) -> None:
        # Movie 12 is new: its people 3 (new) and 2 (known, unchanged) are referenced; 1 is known and changed.
        http_mocker.get(TmdbRequestBuilder.seed_list("movie/popular").build(), list_page([11, 12]))
        http_mocker.get(TmdbRequestBuilder.changes("movie", "2025-03-14", "2025-03-15").build(), changes([]))
        http_mocker.get(
            TmdbRequestBuilder.changes("person", "2025-03-14", "2025-03-15").build(), changes([1, 77])
        )
        http_mocker.get(TmdbRequestBuilder.movie(12).build(), json_response(movie(12, cast=[2], crew=[3])))
        for person_id in (1, 3):
            http_mocker.get(TmdbRequestBuilder.person(person_id).build(), json_response(person(person_id)))
        state = (
            StateBuilder()
            .with_stream_state(
                "people",
                {
                    "cursor": "2025-03-14T06:00:00+00:00",
                    "movie_ids": idset.pack([11]),
                    "person_ids": idset.pack([1, 2]),
                },
            )
            .build()
        )

        output = _read(["people"], SyncMode.incremental, state)

        assert _ids(output, "people") == [1, 3]
        final = output.most_recent_state.stream_state.__dict__
        assert idset.unpack(final["person_ids"]) == {1, 2, 3}
        assert idset.unpack(final["movie_ids"]) == {11, 12}
        assert final["cursor"] == "2025-03-15T12:00:00+00:00"

    @HttpMocker()
    def test_given_an_interrupted_fetch_phase_when_resumed_then_no_movie_is_read_again(
        self, http_mocker: HttpMocker
    ) -> None:
        http_mocker.get(TmdbRequestBuilder.person(9).build(), json_response(person(9)))
        state = (
            StateBuilder()
            .with_stream_state(
                "people",
                {
                    "movie_ids": idset.pack([11]),
                    "person_ids": idset.pack([5]),
                    "in_progress": {
                        "started_at": "2025-03-15T11:00:00+00:00",
                        "todo": idset.pack([5, 9]),
                        "after_id": 5,
                    },
                },
            )
            .build()
        )

        output = _read(["people"], SyncMode.incremental, state)

        assert _ids(output, "people") == [9]
        assert output.most_recent_state.stream_state.__dict__["cursor"] == "2025-03-15T11:00:00+00:00"


def _movie_with_roles(movie_id: int) -> dict[str, Any]:
    """Cast 1..4 billed in that order (order 0..3); crew 10 directs, 11 edits, 12 writes the screenplay."""
    body = movie(movie_id, cast=[1, 2, 3, 4], crew=[10, 11, 12])
    for order, credit in enumerate(body["credits"]["cast"]):
        credit["order"] = order
    for credit, job in zip(body["credits"]["crew"], ("Director", "Editor", "Screenplay"), strict=True):
        credit["job"] = job
    return body


@freeze_time(NOW)
class TestPeopleScope(TestCase):
    def _read_people(
        self, http_mocker: HttpMocker, config: dict[str, Any], fetched: list[int]
    ) -> EntrypointOutput:
        # HttpMocker fails on a request nobody registered: a person outside the scope is never asked for.
        http_mocker.get(TmdbRequestBuilder.seed_list("movie/popular").build(), list_page([11]))
        http_mocker.get(TmdbRequestBuilder.movie(11).build(), json_response(_movie_with_roles(11)))
        for person_id in fetched:
            http_mocker.get(TmdbRequestBuilder.person(person_id).build(), json_response(person(person_id)))
        catalog = CatalogBuilder().with_stream("credits", SyncMode.full_refresh)
        catalog = catalog.with_stream("people", SyncMode.full_refresh)
        return read(SourceTmdb(), config, catalog.build())

    @HttpMocker()
    def test_given_principal_scope_when_read_then_top_billed_cast_and_key_crew_only(
        self, http_mocker: HttpMocker
    ) -> None:
        config = ConfigBuilder().with_people_scope("principal", principal_cast_limit=2).build()

        output = self._read_people(http_mocker, config, [1, 2, 10, 12])

        assert not output.errors
        assert _ids(output, "people") == [1, 2, 10, 12]
        # credits keep everyone: the scope only decides whose person details are fetched
        assert len([m for m in output.records if m.record.stream == "credits"]) == 7

    @HttpMocker()
    def test_given_the_default_config_when_read_then_the_scope_is_principal(
        self, http_mocker: HttpMocker
    ) -> None:
        output = self._read_people(http_mocker, ConfigBuilder().build(), [1, 2, 3, 4, 10, 12])

        # default limit 10 takes all four actors; Director and Screenplay are default principal jobs
        assert _ids(output, "people") == [1, 2, 3, 4, 10, 12]

    @HttpMocker()
    def test_given_scope_all_when_read_then_every_cast_and_crew_member(self, http_mocker: HttpMocker) -> None:
        output = self._read_people(
            http_mocker, ConfigBuilder().with_people_scope("all").build(), [1, 2, 3, 4, 10, 11, 12]
        )

        assert _ids(output, "people") == [1, 2, 3, 4, 10, 11, 12]
