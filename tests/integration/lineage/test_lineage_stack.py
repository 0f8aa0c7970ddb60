"""The recipes and the emitter on the real test stack, read back from the file sink's output:
names line up across sources, TMDB reaches every collection and endpoint, dbt models keep their
upstreams."""

from __future__ import annotations

import json

import pytest
from datahub.utilities.urns.dataset_urn import DatasetUrn

from tmdb_pipeline.lineage.metadata import MetadataGraph, read_metadata
from tmdb_pipeline.lineage.run import EMITTER_FILE
from tmdb_pipeline.lineage.topology import ENDPOINTS

from .conftest import COLLECTIONS, StackLineage

pytestmark = pytest.mark.integration


def _metadata(lineage: StackLineage, *names: str) -> MetadataGraph:
    return read_metadata([lineage.output / name for name in names])


def _datasets(lineage: StackLineage, source: str, platform: str) -> set[str]:
    """Datasets a recipe described itself (with properties or a schema), not those it only points at."""
    metadata = _metadata(lineage, f"{source}.json")
    return {
        urn
        for urn, aspects in metadata.aspects.items()
        if f"dataPlatform:{platform}," in urn
        and aspects & {"datasetProperties", "schemaMetadata", "DatasetProperties"}
    }


ALL_FILES = ("kafka.json", "iceberg.json", "mongodb.json", "dbt.json", EMITTER_FILE)


def test_given_the_stack_when_running_the_recipes_then_each_succeeds_with_a_file_sink(stack_lineage):
    runs = {r.source: r for r in stack_lineage.run.recipes}
    assert sorted(runs) == ["dbt", "iceberg", "kafka", "mongodb"]
    for source, run in runs.items():
        assert run.ok, f"{source} failed, see {run.log}:\n{run.log.read_text()[-3000:]}"
        assert json.loads(run.output.read_text()), f"{source} wrote no metadata"
        assert "type: file" in run.recipe.read_text()


def test_given_the_recipes_when_reading_their_datasets_then_the_emitters_names_line_up(stack_lineage):
    coords, streams = stack_lineage.coords, stack_lineage.streams
    assert _datasets(stack_lineage, "kafka", "kafka") == {coords.topic(s.name) for s in streams}
    assert _datasets(stack_lineage, "mongodb", "mongodb") == {coords.collection(c) for c in COLLECTIONS}
    iceberg = _datasets(stack_lineage, "iceberg", "iceberg")
    assert {coords.bronze(s.name) for s in streams} | {coords.quarantine()} <= iceberg
    assert {coords.gold(t) for t in ("movie_metrics", "movie_reviews", "genre_year_trends")} <= iceberg
    # dbt's sources point at the very Bronze tables the emitter lands into
    dbt = _metadata(stack_lineage, "dbt.json")
    for stream in ("movies", "reviews", "credits"):
        source_node = DatasetUrn.create_from_ids("dbt", f"bronze.{stream}", coords.env).urn()
        assert dbt.upstreams(source_node) == {coords.bronze(stream)}


def test_given_all_metadata_when_walking_from_tmdb_then_every_collection_and_endpoint_is_reached(
    stack_lineage,
):
    metadata = _metadata(stack_lineage, *ALL_FILES)
    reached = metadata.reachable(metadata.entities("tmdb"))
    collections = metadata.entities("mongodb")
    endpoints = metadata.entities("openapi")
    assert len(collections) == len(COLLECTIONS)
    assert len(endpoints) == len(ENDPOINTS)
    assert sorted((collections | endpoints) - reached) == []


def test_given_only_the_recipes_when_walking_from_tmdb_then_no_collection_is_reached(stack_lineage):
    # the control: the recipes alone cannot connect TMDB to MongoDB, so the walk above is the emitter's doing
    metadata = _metadata(stack_lineage, "kafka.json", "iceberg.json", "mongodb.json", "dbt.json")
    reached = metadata.reachable([stack_lineage.coords.tmdb(s.name) for s in stack_lineage.streams])
    assert not reached & metadata.entities("mongodb")


def test_given_the_manifest_when_reading_dbt_metadata_then_every_model_has_its_upstreams(stack_lineage):
    manifest = json.loads((stack_lineage.dbt_target / "manifest.json").read_text())
    relations = manifest["nodes"] | manifest["sources"]
    metadata = _metadata(stack_lineage, *ALL_FILES)
    catalog = stack_lineage.coords.catalog_name

    def name(urn: str) -> str:
        return DatasetUrn.from_string(urn).name.removeprefix(f"{catalog}.")

    models = [n for n in manifest["nodes"].values() if n["resource_type"] == "model"]
    assert models, "the dbt project has no models"
    for model in models:
        node = f"{model['schema']}.{model['alias']}"
        declared = {
            f"{relations[d]['schema']}.{relations[d].get('identifier') or relations[d]['alias']}"
            for d in model["depends_on"]["nodes"]
        }
        found = {name(up) for up in metadata.upstreams(DatasetUrn.create_from_ids("dbt", node, "PROD").urn())}
        assert declared <= found, f"{node}: missing {declared - found}"


def test_given_the_run_when_it_checks_itself_then_it_reports_connected(stack_lineage):
    check = stack_lineage.run.connectivity
    assert check is not None
    assert check.unreached == [] and check.missing_upstreams == {}
    assert stack_lineage.run.ok
