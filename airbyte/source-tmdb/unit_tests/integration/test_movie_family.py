"""movie_details, credits and reviews: one appended request per movie feeds all three."""

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
from unit_tests.integration.response_builder import json_response, list_page, movie, not_found, reviews_page

NOW = "2025-03-15T12:00:00Z"


def _read(streams: list[str], mode: SyncMode = SyncMode.full_refresh, state: Any = None) -> EntrypointOutput:
    catalog = CatalogBuilder()
    for name in streams:
        catalog = catalog.with_stream(name, mode)
    return read(SourceTmdb(), ConfigBuilder().build(), catalog.build(), state)


def _records(output: EntrypointOutput, stream: str) -> list[dict[str, Any]]:
    return [m.record.data for m in output.records if m.record.stream == stream]


@freeze_time(NOW)
class TestFullRefresh(TestCase):
    @HttpMocker()
    def test_given_three_streams_selected_when_read_then_each_movie_is_requested_once(
        self, http_mocker: HttpMocker
    ) -> None:
        http_mocker.get(TmdbRequestBuilder.seed_list("movie/popular").build(), list_page([11, 12]))
        requests = {movie_id: TmdbRequestBuilder.movie(movie_id).build() for movie_id in (11, 12)}
        for movie_id, request in requests.items():
            http_mocker.get(request, json_response(movie(movie_id, cast=[1, 2], crew=[3])))

        output = _read(["movie_details", "credits", "reviews"])

        for request in requests.values():
            http_mocker.assert_number_of_calls(request, 1)
        details = _records(output, "movie_details")
        assert [d["id"] for d in details] == [11, 12]
        assert all("credits" not in d and "reviews" not in d for d in details)
        assert details[0]["keywords"]["keywords"][0]["name"] == "lighthouse"
        assert details[0]["external_ids"]["imdb_id"] == "tt0001001"
        credits = _records(output, "credits")
        assert len(credits) == 6
        assert {(c["movie_id"], c["person_id"], c["credit_type"]) for c in credits} == {
            (m, p, t) for m in (11, 12) for p, t in ((1, "cast"), (2, "cast"), (3, "crew"))
        }
        assert {r["movie_id"] for r in _records(output, "reviews")} == {11, 12}
        assert not output.errors

    @HttpMocker()
    def test_given_only_credits_selected_when_read_then_it_uses_the_appended_call(
        self, http_mocker: HttpMocker
    ) -> None:
        http_mocker.get(TmdbRequestBuilder.seed_list("movie/popular").build(), list_page([11]))
        http_mocker.get(TmdbRequestBuilder.movie(11).build(), json_response(movie(11, cast=[1], crew=[2, 3])))

        output = _read(["credits"])

        assert sorted(c["credit_id"] for c in _records(output, "credits")) == [
            "cast-11-1",
            "crew-11-2",
            "crew-11-3",
        ]

    @HttpMocker()
    def test_given_reviews_on_three_pages_when_read_then_pages_two_and_three_come_from_the_reviews_path(
        self, http_mocker: HttpMocker
    ) -> None:
        http_mocker.get(TmdbRequestBuilder.seed_list("movie/popular").build(), list_page([11]))
        http_mocker.get(
            TmdbRequestBuilder.movie(11).build(), json_response(movie(11, reviews=2, review_pages=3))
        )
        for page in (2, 3):
            http_mocker.get(
                TmdbRequestBuilder.movie_reviews(11, page).build(),
                json_response(reviews_page(11, page, 2, 3)),
            )

        output = _read(["reviews"])

        reviews = _records(output, "reviews")
        assert len(reviews) == 6
        assert {r["id"] for r in reviews} == {f"rev-11-{p}-{n}" for p in (1, 2, 3) for n in range(2)}
        assert all(r["movie_id"] == 11 for r in reviews)

    @HttpMocker()
    def test_given_a_movie_answers_404_when_read_then_it_is_skipped_counted_and_logged(
        self, http_mocker: HttpMocker
    ) -> None:
        http_mocker.get(TmdbRequestBuilder.seed_list("movie/popular").build(), list_page([11, 12, 13]))
        http_mocker.get(TmdbRequestBuilder.movie(11).build(), json_response(movie(11)))
        missing = TmdbRequestBuilder.movie(12).build()
        http_mocker.get(missing, not_found())
        http_mocker.get(TmdbRequestBuilder.movie(13).build(), json_response(movie(13)))

        output = _read(["movie_details", "credits"])

        assert [d["id"] for d in _records(output, "movie_details")] == [11, 13]
        assert {c["movie_id"] for c in _records(output, "credits")} == {11, 13}
        http_mocker.assert_number_of_calls(missing, 1)
        assert not output.errors
        warnings = [m.log.message for m in output.logs if m.log.level.name == "WARN"]
        assert any("Movie 12 not found" in w for w in warnings)
        assert any("Skipped 1 movie(s)" in w for w in warnings)


@freeze_time(NOW)
class TestIncremental(TestCase):
    @HttpMocker()
    def test_given_no_state_when_read_then_state_tracks_movies_and_cursor_is_the_sync_start(
        self, http_mocker: HttpMocker
    ) -> None:
        http_mocker.get(TmdbRequestBuilder.seed_list("movie/popular").build(), list_page([11, 12]))
        for movie_id in (11, 12):
            http_mocker.get(TmdbRequestBuilder.movie(movie_id).build(), json_response(movie(movie_id)))

        output = _read(["movie_details"], SyncMode.incremental)

        state = output.most_recent_state.stream_state.__dict__
        assert state["cursor"] == "2025-03-15T12:00:00+00:00"
        assert "in_progress" not in state
        from source_tmdb import idset

        assert idset.unpack(state["movie_ids"]) == {11, 12}

    @HttpMocker()
    def test_given_state_when_read_then_only_changed_and_new_movies_are_fetched(
        self, http_mocker: HttpMocker
    ) -> None:
        from source_tmdb import idset

        http_mocker.get(TmdbRequestBuilder.seed_list("movie/popular").build(), list_page([11, 12, 13]))
        http_mocker.get(
            TmdbRequestBuilder.changes("movie", "2025-03-10", "2025-03-15").build(),
            json_response(
                {
                    "results": [{"id": 12, "adult": False}, {"id": 999, "adult": False}],
                    "page": 1,
                    "total_pages": 1,
                    "total_results": 2,
                }
            ),
        )
        http_mocker.get(TmdbRequestBuilder.movie(12).build(), json_response(movie(12)))
        http_mocker.get(TmdbRequestBuilder.movie(13).build(), json_response(movie(13)))
        state = (
            StateBuilder()
            .with_stream_state(
                "movie_details", {"cursor": "2025-03-10T08:00:00+00:00", "movie_ids": idset.pack([11, 12])}
            )
            .build()
        )

        output = _read(["movie_details"], SyncMode.incremental, state)

        # 12 changed, 13 is new to the stream; 11 is unchanged and 999 was never crawled.
        assert [d["id"] for d in _records(output, "movie_details")] == [12, 13]

    @HttpMocker()
    def test_given_an_interrupted_sync_when_resumed_then_it_starts_after_the_last_movie(
        self, http_mocker: HttpMocker
    ) -> None:
        from source_tmdb import idset

        http_mocker.get(TmdbRequestBuilder.seed_list("movie/popular").build(), list_page([11, 12, 13, 14]))
        for movie_id in (13, 14):
            http_mocker.get(TmdbRequestBuilder.movie(movie_id).build(), json_response(movie(movie_id)))
        state = (
            StateBuilder()
            .with_stream_state(
                "credits",
                {
                    "movie_ids": idset.pack([11, 12]),
                    "in_progress": {"started_at": "2025-03-15T11:00:00+00:00", "after_id": 12},
                },
            )
            .build()
        )

        output = _read(["credits"], SyncMode.incremental, state)

        assert {c["movie_id"] for c in _records(output, "credits")} == {13, 14}
        final = output.most_recent_state.stream_state.__dict__
        # The cursor is the interrupted attempt's start, so changes made meanwhile are picked up next time.
        assert final["cursor"] == "2025-03-15T11:00:00+00:00"
        assert idset.unpack(final["movie_ids"]) == {11, 12, 13, 14}

    @HttpMocker()
    def test_given_a_known_movie_changed_when_read_then_only_reviews_updated_since_the_cursor_are_emitted(
        self, http_mocker: HttpMocker
    ) -> None:
        from source_tmdb import idset

        http_mocker.get(TmdbRequestBuilder.seed_list("movie/popular").build(), list_page([11]))
        http_mocker.get(
            TmdbRequestBuilder.changes("movie", "2025-03-10", "2025-03-15").build(),
            json_response(
                {"results": [{"id": 11, "adult": False}], "page": 1, "total_pages": 1, "total_results": 1}
            ),
        )
        body = movie(11, reviews=2)
        body["reviews"]["results"][1]["updated_at"] = "2025-03-12T09:30:00.000Z"
        http_mocker.get(TmdbRequestBuilder.movie(11).build(), json_response(body))
        state = (
            StateBuilder()
            .with_stream_state(
                "reviews", {"cursor": "2025-03-10T08:00:00+00:00", "movie_ids": idset.pack([11])}
            )
            .build()
        )

        output = _read(["reviews"], SyncMode.incremental, state)

        assert [r["id"] for r in _records(output, "reviews")] == ["rev-11-1-1"]
