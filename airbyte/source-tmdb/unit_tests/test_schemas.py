"""Every stream's schema against TMDB's real answers (../shared/data/tmdb/api-samples, read in place)
and against the records the connector builds from them; the unit templates keep the real shapes."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from airbyte_cdk.sources.utils.schema_helpers import ResourceSchemaLoader

from source_tmdb.streams.movie_hub import part_for

ROOT = Path(__file__).resolve().parents[3]
SAMPLES = Path(os.environ.get("TMDB_API_SAMPLES", ROOT.parent / "shared" / "data" / "tmdb" / "api-samples"))
TEMPLATES = Path(__file__).parent / "resource" / "http" / "response"
needs_samples = pytest.mark.skipif(not SAMPLES.is_dir(), reason=f"real TMDB samples not found at {SAMPLES}")
SYNCED_AT = "2025-01-01T00:00:00+00:00"


def sample(name: str) -> Any:
    return json.loads((SAMPLES / f"{name}.json").read_text())


def validator(stream: str) -> jsonschema.Draft7Validator:
    schema = ResourceSchemaLoader("source_tmdb").get_schema(stream)
    jsonschema.Draft7Validator.check_schema(schema)
    return jsonschema.Draft7Validator(schema, format_checker=jsonschema.FormatChecker())


def assert_valid(stream: str, records: list[dict[str, Any]]) -> None:
    check = validator(stream)
    assert records
    for record in records:
        errors = [f"{list(e.path)}: {e.message}" for e in check.iter_errors(record)]
        assert not errors, (stream, errors[:5])


def appended_movie() -> dict[str, Any]:
    """The real details answer with the real sub-resources appended, as append_to_response returns them."""
    body = sample("movie-details")
    for key, name in (
        ("credits", "movie-credits"),
        ("reviews", "movie-reviews"),
        ("keywords", "movie-keywords"),
        ("release_dates", "movie-release-dates"),
        ("external_ids", "movie-external-ids"),
    ):
        body[key] = {k: v for k, v in sample(name).items() if k != "id"}
    return body


@needs_samples
@pytest.mark.parametrize(
    "name",
    [
        "movie-popular",
        "movie-top-rated",
        "movie-now-playing",
        "movie-upcoming",
        "movie-similar",
        "movie-recommendations",
        "search-movie",
    ],
)
def test_given_a_real_list_answer_when_validated_then_every_item_is_a_valid_movies_record(name: str) -> None:
    assert_valid("movies", sample(name)["results"])


@needs_samples
def test_given_the_real_appended_answer_when_split_then_details_credits_and_reviews_are_valid() -> None:
    body = appended_movie()

    assert_valid("movie_details", [{**part_for("movie_details", body), "synced_at": SYNCED_AT}])
    credits = part_for("credits", body)
    records = [
        {**c, "credit_type": kind, "movie_id": 550, "person_id": c["id"], "synced_at": SYNCED_AT}
        for kind in ("cast", "crew")
        for c in credits[kind]
    ]
    assert len(records) == len(sample("movie-credits")["cast"]) + len(sample("movie-credits")["crew"])
    assert_valid("credits", records)
    reviews = [{**r, "movie_id": 550} for r in part_for("reviews", body)["results"]]
    assert any(r["author_details"]["rating"] is None for r in reviews)
    assert any(isinstance(r["author_details"]["rating"], int | float) for r in reviews)
    assert_valid("reviews", reviews)


@needs_samples
def test_given_a_real_person_changes_and_an_empty_release_date_when_validated_then_they_pass() -> None:
    assert_valid("people", [{**sample("person-details"), "synced_at": SYNCED_AT}])
    changes = [
        {**c, "window_start": "2024-01-01", "window_end": "2024-01-14"}
        for c in sample("movie-all-changes")["results"]
    ]
    assert_valid("movie_changes", changes)
    movie = {**sample("movie-popular")["results"][0], "release_date": ""}
    assert_valid("movies", [movie])
    assert_valid("movie_details", [{**sample("movie-details"), "release_date": "", "synced_at": SYNCED_AT}])


def test_given_a_record_missing_its_key_when_validated_then_it_fails() -> None:
    errors = list(validator("credits").iter_errors({"movie_id": 1, "person_id": 2, "credit_type": "cast"}))

    assert any("credit_id" in e.message for e in errors)


def _keys(value: Any, prefix: str = "") -> set[str]:
    if isinstance(value, dict):
        return {f"{prefix}{k}" for k in value} | {
            x for k, v in value.items() for x in _keys(v, f"{prefix}{k}.")
        }
    if isinstance(value, list) and value and isinstance(value[0], dict):
        return _keys(value[0], prefix)
    return set()


@needs_samples
@pytest.mark.parametrize(
    "template,real",
    [
        ("movie_list", "movie-popular"),
        ("movie_reviews", "movie-reviews"),
        ("person_details", "person-details"),
        ("changes", "movie-all-changes"),
        ("invalid_api_key", "invalid-api-key"),
        ("resource_not_found", "resource-not-found"),
    ],
)
def test_given_a_unit_template_when_compared_with_the_real_answer_then_it_has_the_same_fields(
    template: str, real: str
) -> None:
    ours = json.loads((TEMPLATES / f"{template}.json").read_text())

    assert _keys(ours) == _keys(sample(real))


@needs_samples
def test_given_the_movie_template_when_compared_with_the_real_appended_answer_then_same_fields() -> None:
    ours = json.loads((TEMPLATES / "movie_details.json").read_text())

    assert _keys(ours) == _keys(appended_movie())
