"""The emitter's proposals: the right aspects on the right entities, readable back from the file."""

from __future__ import annotations

from collections import defaultdict

from tmdb_pipeline.lineage.graph import EMITTER, build_graph
from tmdb_pipeline.lineage.mcps import build_mcps
from tmdb_pipeline.lineage.metadata import read_metadata
from tmdb_pipeline.lineage.names import EXTRACT
from tmdb_pipeline.lineage.sinks import write_file
from tmdb_pipeline.lineage.topology import ENDPOINTS, serving_targets


def _aspects(mcps):
    found = defaultdict(dict)
    for mcp in mcps:
        found[mcp.entityUrn][mcp.aspectName] = mcp.aspect
    return found


def _build(coords, streams, dbt=None):
    graph = build_graph(coords, streams, serving_targets(), ENDPOINTS, dbt)
    return graph, build_mcps(graph, coords)


def test_given_the_graph_when_written_to_a_file_then_reading_it_back_gives_the_emitted_edges(
    coords, streams, dbt_project, tmp_path
):
    graph, mcps = _build(coords, streams, dbt_project)
    metadata = read_metadata([write_file(mcps, tmp_path / "lineage.json")])
    emitted = {(e.upstream, e.downstream) for e in graph.edges if e.origin == EMITTER}
    assert emitted <= metadata.edges
    assert (coords.tmdb("movies"), coords.job(EXTRACT)) in metadata.edges
    # dbt's own edges are left to the dbt recipe
    assert (coords.bronze("reviews"), coords.iceberg("silver", "stg_tmdb__reviews")) not in metadata.edges


def test_given_tables_collections_and_topics_when_emitting_then_only_unowned_aspects_are_written(
    coords, streams
):
    _, mcps = _build(coords, streams)
    aspects = _aspects(mcps)
    # the iceberg and mongodb recipes own these entities' schemas and properties
    assert set(aspects[coords.bronze("movies")]) == {"upstreamLineage"}
    assert set(aspects[coords.collection("movies")]) == {"upstreamLineage"}
    assert coords.gold("movie_metrics") not in aspects
    # the kafka recipe finds no schema for our JSON topics: the connector's goes there
    assert set(aspects[coords.topic("movies")]) == {"schemaMetadata", "upstreamLineage"}


def test_given_a_stream_when_emitting_then_tmdb_and_kafka_schemas_come_from_its_json_schema(coords, streams):
    _, mcps = _build(coords, streams)
    aspects = _aspects(mcps)
    reviews = next(s for s in streams if s.name == "reviews")
    tmdb_paths = [
        f.fieldPath.rsplit("].", 1)[-1] for f in aspects[coords.tmdb("reviews")]["schemaMetadata"].fields
    ]
    assert set(reviews.json_schema["properties"]) <= set(tmdb_paths)
    kafka_paths = [f.fieldPath for f in aspects[coords.topic("reviews")]["schemaMetadata"].fields]
    assert any(p.endswith("._airbyte_emitted_at") for p in kafka_paths)
    assert any(p.endswith("._airbyte_data.[type=string].content") for p in kafka_paths)


def test_given_discovered_keys_when_emitting_then_the_key_field_is_flagged(coords, streams):
    from dataclasses import replace

    keyed = [replace(s, primary_key=(("credit_id",),)) if s.name == "credits" else s for s in streams]
    _, mcps = _build(coords, keyed)
    schema = _aspects(mcps)[coords.tmdb("credits")]["schemaMetadata"]
    assert schema.primaryKeys == ["credit_id"]
    assert [f.fieldPath.rsplit(".", 1)[-1] for f in schema.fields if f.isPartOfKey] == ["credit_id"]


def test_given_an_endpoint_when_emitting_then_it_is_a_view_of_its_collection(coords, streams):
    _, mcps = _build(coords, streams)
    lineage = _aspects(mcps)[coords.endpoint("/movies/{movie_id}/reviews")]["upstreamLineage"]
    assert [(u.dataset, u.type) for u in lineage.upstreams] == [(coords.collection("reviews"), "VIEW")]
