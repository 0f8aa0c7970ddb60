"""Fixtures for the lineage unit tests: the connector's real schema files and a small dbt manifest
shaped like the one `dbt parse` writes (sources in `bronze`, staging in `silver`, marts in `gold`)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tmdb_pipeline.lineage.dbt_manifest import DbtProject, read_manifest
from tmdb_pipeline.lineage.names import Coordinates
from tmdb_pipeline.lineage.streams import StreamSchema, schema_files

STREAMS = ("genres", "movies", "movie_details", "credits", "reviews", "people", "movie_changes")


def _source(stream: str) -> dict:
    return {"resource_type": "source", "schema": "bronze", "name": stream, "identifier": stream}


def _model(name: str, schema: str, depends_on: list[str]) -> dict:
    return {
        "resource_type": "model",
        "schema": schema,
        "name": name,
        "alias": name,
        "config": {"materialized": "table"},
        "depends_on": {"nodes": depends_on, "macros": []},
        "columns": {"movie_id": {"name": "movie_id", "data_type": "bigint"}},
    }


def manifest_document() -> dict:
    src = {f"source.tmdb.tmdb.{s}": _source(s) for s in STREAMS}
    stg = {
        f"model.tmdb.stg_tmdb__{s}": _model(f"stg_tmdb__{s}", "silver", [f"source.tmdb.tmdb.{s}"])
        for s in ("movie_details", "credits", "reviews", "people")
    }
    marts = {
        "model.tmdb.movie_metrics": _model(
            "movie_metrics", "gold", ["model.tmdb.stg_tmdb__movie_details", "model.tmdb.stg_tmdb__credits"]
        ),
        "model.tmdb.movie_reviews": _model("movie_reviews", "gold", ["model.tmdb.stg_tmdb__reviews"]),
        "model.tmdb.person_filmography": _model(
            "person_filmography", "gold", ["model.tmdb.stg_tmdb__people", "model.tmdb.stg_tmdb__credits"]
        ),
        "model.tmdb.trending_movies": _model(
            "trending_movies", "gold", ["model.tmdb.stg_tmdb__movie_details"]
        ),
        "model.tmdb.genre_year_trends": _model("genre_year_trends", "gold", ["model.tmdb.movie_metrics"]),
    }
    return {"metadata": {"project_name": "tmdb"}, "nodes": stg | marts, "sources": src}


@pytest.fixture(scope="session")
def streams() -> list[StreamSchema]:
    return schema_files()


@pytest.fixture
def coords() -> Coordinates:
    return Coordinates()


@pytest.fixture
def dbt_project(tmp_path: Path) -> DbtProject:
    path = tmp_path / "manifest.json"
    path.write_text(json.dumps(manifest_document()))
    return read_manifest(path)
