"""The graph as DataHub metadata change proposals: what the emitter writes, to a file or a server.

The emitter writes only what no recipe writes, so neither overwrites the other (an aspect is
replaced whole by its last writer):
- TMDB streams and API endpoints are ours entirely: properties, schema, subtype, lineage.
- Kafka topics: the schema (the kafka recipe finds none: our topics are JSON without a registry)
  and their upstream TMDB stream.
- Bronze tables and MongoDB collections: only their upstreams. Their schemas and properties are
  the iceberg and mongodb recipes' (read from the catalog and the documents, so always true).
- Jobs: DataFlow, DataJob and the job's inputs and outputs.
dbt's edges are left to the dbt recipe.
"""

from __future__ import annotations

from collections.abc import Iterator

from datahub.emitter.mcp import MetadataChangeProposalWrapper
from datahub.ingestion.source.common.subtypes import DatasetSubTypes
from datahub.metadata.schema_classes import (
    DataFlowInfoClass,
    DataJobInfoClass,
    DataJobInputOutputClass,
    DataPlatformInfoClass,
    DatasetLineageTypeClass,
    DatasetPropertiesClass,
    PlatformTypeClass,
    StatusClass,
    SubTypesClass,
    UpstreamClass,
    UpstreamLineageClass,
)

from tmdb_pipeline.lineage import names
from tmdb_pipeline.lineage.graph import EMITTER, LineageGraph, Node
from tmdb_pipeline.lineage.names import JOBS, Coordinates
from tmdb_pipeline.lineage.schemas import kafka_schema_metadata, tmdb_schema_metadata

# Platforms DataHub does not ship: declared so the UI names them properly.
CUSTOM_PLATFORMS = {
    names.TMDB: ("TMDB", PlatformTypeClass.OTHERS),
    names.SERVING_SYNC.orchestrator: ("tmdb-pipeline", PlatformTypeClass.OTHERS),
}


def _mcp(urn: str, aspect: object) -> MetadataChangeProposalWrapper:
    return MetadataChangeProposalWrapper(entityUrn=urn, aspect=aspect)  # type: ignore[arg-type]


def _platforms() -> Iterator[MetadataChangeProposalWrapper]:
    for platform, (display, kind) in CUSTOM_PLATFORMS.items():
        info = DataPlatformInfoClass(name=platform, type=kind, datasetNameDelimiter=".", displayName=display)
        yield _mcp(names.platform_urn(platform), info)


def _owned_dataset(node: Node, subtype: str) -> Iterator[MetadataChangeProposalWrapper]:
    custom = {"pipeline_node": node.key}
    if node.stream is not None:
        custom |= {
            "airbyte_stream": node.stream.name,
            "primary_key": ",".join(node.stream.key_fields),
            "schema_origin": f"source-tmdb {node.stream.origin}",
        }
    yield _mcp(
        node.urn,
        DatasetPropertiesClass(name=node.label, description=node.description, customProperties=custom),
    )
    yield _mcp(node.urn, SubTypesClass(typeNames=[subtype]))
    yield _mcp(node.urn, StatusClass(removed=False))


def _datasets(graph: LineageGraph, coords: Coordinates) -> Iterator[MetadataChangeProposalWrapper]:
    for node in graph.nodes.values():
        if node.stage == "tmdb" and node.stream is not None:
            yield from _owned_dataset(node, DatasetSubTypes.API_ENDPOINT)
            yield _mcp(node.urn, tmdb_schema_metadata(node.stream))
        elif node.stage == "api":
            yield from _owned_dataset(node, DatasetSubTypes.API_ENDPOINT)
        elif node.stage == "kafka" and node.stream is not None:
            yield _mcp(node.urn, kafka_schema_metadata(node.stream, coords.topic_name(node.stream.name)))


def _lineage(graph: LineageGraph) -> Iterator[MetadataChangeProposalWrapper]:
    downstreams = dict.fromkeys(e.downstream for e in graph.edges if e.origin == EMITTER)
    for urn in downstreams:
        kind = (
            DatasetLineageTypeClass.VIEW
            if graph.nodes[urn].stage == "api"
            else DatasetLineageTypeClass.TRANSFORMED
        )
        upstreams = [UpstreamClass(dataset=up, type=kind) for up in graph.upstreams(urn, origin=EMITTER)]
        yield _mcp(urn, UpstreamLineageClass(upstreams=upstreams))


def _jobs(graph: LineageGraph, coords: Coordinates) -> Iterator[MetadataChangeProposalWrapper]:
    for job in JOBS:
        job_urn = coords.job(job)
        if job_urn not in graph.nodes:
            continue
        flow_urn = coords.flow(job)
        yield _mcp(flow_urn, DataFlowInfoClass(name=job.flow_id, description=job.description))
        yield _mcp(
            job_urn,
            DataJobInfoClass(
                name=job.title, type="COMMAND", description=job.description, flowUrn=flow_urn, env=coords.env
            ),
        )
        inputs, outputs = graph.job_io(job_urn)
        yield _mcp(job_urn, DataJobInputOutputClass(inputDatasets=inputs, outputDatasets=outputs))
        yield _mcp(job_urn, StatusClass(removed=False))


def build_mcps(graph: LineageGraph, coords: Coordinates) -> list[MetadataChangeProposalWrapper]:
    return [*_platforms(), *_datasets(graph, coords), *_jobs(graph, coords), *_lineage(graph)]
