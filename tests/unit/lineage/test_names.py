"""URN naming: each platform named the way DataHub's own source for it names things."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from datahub.ingestion.source.openapi import APISource

from tmdb_pipeline.lineage.names import EXTRACT, LANDING, SERVING_API_NAME, SERVING_SYNC, Coordinates
from tmdb_pipeline.lineage.topology import ENDPOINTS


def test_given_defaults_when_naming_then_each_hop_has_the_documented_urn(coords):
    assert coords.tmdb("movies") == "urn:li:dataset:(urn:li:dataPlatform:tmdb,v3.movies,PROD)"
    assert coords.topic("movies") == "urn:li:dataset:(urn:li:dataPlatform:kafka,tmdb_movies,PROD)"
    assert coords.bronze("movies") == "urn:li:dataset:(urn:li:dataPlatform:iceberg,tmdb.bronze.movies,PROD)"
    assert coords.quarantine() == "urn:li:dataset:(urn:li:dataPlatform:iceberg,tmdb.bronze.quarantine,PROD)"
    assert coords.gold("movie_metrics") == (
        "urn:li:dataset:(urn:li:dataPlatform:iceberg,tmdb.gold.movie_metrics,PROD)"
    )
    assert coords.collection("movies") == "urn:li:dataset:(urn:li:dataPlatform:mongodb,tmdb.movies,PROD)"


def test_given_other_settings_when_naming_then_prefix_catalog_database_and_env_follow_them():
    coords = Coordinates(
        env="DEV", topic_prefix="x_", catalog_name="lake", bronze_namespace="raw", mongo_database="serving"
    )
    assert coords.topic("reviews") == "urn:li:dataset:(urn:li:dataPlatform:kafka,x_reviews,DEV)"
    assert coords.bronze("reviews") == "urn:li:dataset:(urn:li:dataPlatform:iceberg,lake.raw.reviews,DEV)"
    assert coords.collection("people") == "urn:li:dataset:(urn:li:dataPlatform:mongodb,serving.people,DEV)"


def test_given_the_jobs_when_naming_then_each_job_sits_in_its_own_flow(coords):
    assert coords.job(EXTRACT) == "urn:li:dataJob:(urn:li:dataFlow:(airbyte,tmdb_extract,PROD),source-tmdb)"
    assert (
        coords.job(LANDING) == "urn:li:dataJob:(urn:li:dataFlow:(spark,bronze_landing,PROD),kafka_to_bronze)"
    )
    assert coords.flow(SERVING_SYNC) == "urn:li:dataFlow:(tmdb-pipeline,serving_sync,PROD)"


@pytest.mark.parametrize("path", sorted(ENDPOINTS))
def test_given_a_route_when_naming_then_the_urn_is_what_datahubs_openapi_source_would_ingest(coords, path):
    # DataHub's openapi source, run on serving_api's OpenAPI document with `name: tmdb_api`
    source = SimpleNamespace(config=SimpleNamespace(name=SERVING_API_NAME), platform="openapi")
    _, their_urn, _ = APISource.init_dataset(source, path, {"description": "", "tags": []})
    assert coords.endpoint(path) == their_urn
