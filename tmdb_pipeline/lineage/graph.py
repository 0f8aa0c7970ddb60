"""The pipeline's lineage as a plain graph: datasets and jobs (nodes), who feeds whom (edges).

One graph serves three readers: the MCP builder (which emits the edges marked `emitter`), the HTML
page (which draws every edge) and the connectivity checks. Edges inside dbt come from the
manifest: they are drawn so the page shows Bronze -> Silver -> Gold, but the dbt recipe is what
puts them in DataHub, with more detail than the manifest's dependency list.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from datahub.utilities.urns.dataset_urn import DatasetUrn

from tmdb_pipeline.lineage import names
from tmdb_pipeline.lineage.dbt_manifest import DbtProject, DbtRelation
from tmdb_pipeline.lineage.names import EXTRACT, LANDING, LIVE_AGGREGATES, SERVING_SYNC, Coordinates, Job
from tmdb_pipeline.lineage.schemas import Column, columns, envelope_schema, record_schema
from tmdb_pipeline.lineage.streams import StreamSchema
from tmdb_pipeline.lineage.topology import LIVE_SOURCES

EMITTER = "emitter"
DBT = "dbt"

# Left-to-right order of the page's legend; a node's column comes from the graph itself.
STAGES = ("tmdb", "extract", "kafka", "landing", "bronze", "silver", "gold", "sync", "mongodb", "api")


@dataclass(frozen=True)
class Node:
    urn: str
    key: str  # readable and unique: `kafka:tmdb_movies`, `iceberg:tmdb.gold.movie_metrics`, `job:source-tmdb`
    label: str
    platform: str
    kind: str  # "dataset" or "job"
    stage: str
    description: str = ""
    columns: tuple[Column, ...] = ()
    stream: StreamSchema | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class Edge:
    upstream: str
    downstream: str
    job: str | None = None  # the DataJob that moves the data, when there is one
    origin: str = EMITTER


@dataclass
class LineageGraph:
    nodes: dict[str, Node] = field(default_factory=dict)
    edges: list[Edge] = field(default_factory=list)

    def add(self, node: Node) -> str:
        self.nodes.setdefault(node.urn, node)
        return node.urn

    def link(self, upstream: str, downstream: str, job: str | None = None, origin: str = EMITTER) -> None:
        edge = Edge(upstream, downstream, job, origin)
        if edge not in self.edges:
            self.edges.append(edge)

    def upstreams(self, urn: str, origin: str | None = None) -> list[str]:
        return [e.upstream for e in self.edges if e.downstream == urn and origin in (None, e.origin)]

    def jobs(self) -> list[Node]:
        return [n for n in self.nodes.values() if n.kind == "job"]

    def job_io(self, job_urn: str) -> tuple[list[str], list[str]]:
        inputs = _unique(e.upstream for e in self.edges if e.job == job_urn)
        outputs = _unique(e.downstream for e in self.edges if e.job == job_urn)
        return inputs, outputs

    def steps(self) -> list[tuple[str, str]]:
        """Edges as drawn and walked: through a job when one moves the data, as DataHub shows it."""
        steps: list[tuple[str, str]] = []
        for edge in self.edges:
            hops = (
                [(edge.upstream, edge.job), (edge.job, edge.downstream)]
                if edge.job
                else [(edge.upstream, edge.downstream)]
            )
            steps.extend(hop for hop in hops if hop not in steps)  # type: ignore[misc]
        return steps

    def reachable(self, starts: Iterable[str]) -> set[str]:
        following: dict[str, list[str]] = {}
        for up, down in self.steps():
            following.setdefault(up, []).append(down)
        todo = list(starts)
        seen = set(todo)
        while todo:
            for nxt in following.get(todo.pop(), []):
                if nxt not in seen:
                    seen.add(nxt)
                    todo.append(nxt)
        return seen

    def by_stage(self, stage: str) -> list[Node]:
        return [n for n in self.nodes.values() if n.stage == stage]


def _unique(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))


def _dataset_node(urn: str, stage: str, label: str | None = None, **extra: object) -> Node:
    parsed = DatasetUrn.from_string(urn)
    platform = parsed.platform.split(":")[-1]
    # Iceberg names start with the catalog (platform instance); the page reads better without it
    short = parsed.name.split(".", 1)[-1] if platform == names.ICEBERG else parsed.name
    return Node(
        urn=urn,
        key=f"{platform}:{parsed.name}",
        label=label or short,
        platform=platform,
        kind="dataset",
        stage=stage,
        **extra,  # type: ignore[arg-type]
    )


def _job_node(coords: Coordinates, job: Job, stage: str) -> Node:
    return Node(
        urn=coords.job(job),
        key=f"job:{job.job_id}",
        label=job.title,
        platform=job.orchestrator,
        kind="job",
        stage=stage,
        description=job.description,
    )


def _add_streams(graph: LineageGraph, coords: Coordinates, streams: Sequence[StreamSchema]) -> None:
    extract = graph.add(_job_node(coords, EXTRACT, "extract"))
    landing = graph.add(_job_node(coords, LANDING, "landing"))
    quarantine = graph.add(
        _dataset_node(
            coords.quarantine(),
            "bronze",
            description="Kafka messages that did not parse as a destination-kafka envelope, with the reason.",
        )
    )
    for stream in streams:
        keys = stream.key_fields
        source = graph.add(
            _dataset_node(
                coords.tmdb(stream.name),
                "tmdb",
                label=f"TMDB {stream.name}",
                description=f"{stream.title}. Primary key: {', '.join(keys) or 'none declared'}; "
                f"{'incremental' if stream.incremental else 'full refresh'} (schema from {stream.origin}).",
                columns=columns(record_schema(stream), keys),
                stream=stream,
            )
        )
        topic = graph.add(
            _dataset_node(
                coords.topic(stream.name),
                "kafka",
                description=f"`{stream.name}` records in Airbyte destination-kafka's envelope, keyed by "
                f"{', '.join(keys) or 'no key'}.",
                columns=columns(envelope_schema(stream)),
                stream=stream,
            )
        )
        bronze = graph.add(
            _dataset_node(
                coords.bronze(stream.name),
                "bronze",
                description=f"Raw `{stream.name}` records (`_airbyte_data`) with their Kafka coordinates, "
                "append-only, partitioned by ingestion day.",
            )
        )
        graph.link(source, topic, job=extract)
        graph.link(topic, bronze, job=landing)
        graph.link(topic, quarantine, job=landing)


def _dbt_stage(relation: DbtRelation, coords: Coordinates) -> str:
    if relation.schema == coords.bronze_namespace:
        return "bronze"
    return relation.schema if relation.schema in (names.SILVER, names.GOLD) else names.SILVER


def _add_dbt(graph: LineageGraph, coords: Coordinates, dbt: DbtProject) -> None:
    urns = {uid: coords.iceberg(r.schema, r.identifier) for uid, r in dbt.relations.items()}
    for uid, relation in dbt.relations.items():
        graph.add(
            _dataset_node(
                urns[uid],
                _dbt_stage(relation, coords),
                description=relation.description or f"dbt {relation.resource_type} `{uid}`",
                columns=tuple(Column(name, dtype) for name, dtype in relation.columns),
            )
        )
    for uid, relation in dbt.relations.items():
        for dependency in relation.depends_on:
            if dependency in urns:
                graph.link(urns[dependency], urns[uid], origin=DBT)


def _add_serving(
    graph: LineageGraph,
    coords: Coordinates,
    serving: Sequence[tuple[str, str]],
    endpoints: Mapping[str, str],
) -> None:
    sync = graph.add(_job_node(coords, SERVING_SYNC, "sync"))
    for table, collection in serving:
        gold = graph.add(_dataset_node(coords.gold(table), "gold", description=f"Gold mart `{table}` (dbt)."))
        target = graph.add(
            _dataset_node(
                coords.collection(collection),
                "mongodb",
                description=f"Documents of gold.{table}, upserted by id by the serving sync.",
            )
        )
        graph.link(gold, target, job=sync)
    for path, collection in endpoints.items():
        endpoint = graph.add(
            _dataset_node(
                coords.endpoint(path),
                "api",
                label=f"GET {path}",
                description=f"serving_api route `GET {path}`, answered from the `{collection}` collection.",
            )
        )
        graph.link(coords.collection(collection), endpoint)


def _add_live(graph: LineageGraph, coords: Coordinates, live: Mapping[str, Sequence[str]]) -> None:
    job = graph.add(_job_node(coords, LIVE_AGGREGATES, "sync"))
    for collection, streams in live.items():
        target = graph.add(
            _dataset_node(
                coords.collection(collection),
                "mongodb",
                description="Hourly windows upserted by the speed layer (`tmdb-pipeline live`).",
            )
        )
        for stream in streams:
            graph.link(coords.topic(stream), target, job=job)


def build_graph(
    coords: Coordinates,
    streams: Sequence[StreamSchema],
    serving: Sequence[tuple[str, str]],
    endpoints: Mapping[str, str],
    dbt: DbtProject | None = None,
    live: Mapping[str, Sequence[str]] | None = None,
) -> LineageGraph:
    graph = LineageGraph()
    _add_streams(graph, coords, streams)
    if dbt is not None:
        _add_dbt(graph, coords, dbt)
    _add_live(graph, coords, LIVE_SOURCES if live is None else live)
    _add_serving(graph, coords, serving, endpoints)
    return graph
