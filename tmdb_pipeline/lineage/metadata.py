"""Read DataHub metadata files (the file sink's output) back into a lineage graph, to check it.

A file mixes the shapes DataHub writes: MCE snapshots (`proposedSnapshot` with a list of aspects),
MCPs with the aspect as JSON (`aspect.json` or a serialized `aspect.value`), and JSON-patch MCPs
(`changeType: PATCH`, as the dbt source writes upstreams). Lineage is taken from UpstreamLineage
(upstream -> dataset) and DataJobInputOutput (input -> job -> output).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# aspect names as MCPs spell them; MCE snapshots use the class names
UPSTREAM_LINEAGE = "upstreamLineage"
JOB_IO = "dataJobInputOutput"
SCHEMA = "schemaMetadata"
_SNAPSHOT_ASPECTS = {
    "UpstreamLineage": UPSTREAM_LINEAGE,
    "DataJobInputOutput": JOB_IO,
    "SchemaMetadata": SCHEMA,
}


@dataclass
class MetadataGraph:
    aspects: dict[str, set[str]] = field(default_factory=dict)  # entity urn -> aspect names seen
    edges: set[tuple[str, str]] = field(default_factory=set)  # (upstream, downstream)
    schema_fields: dict[str, list[str]] = field(default_factory=dict)  # urn -> field paths

    def saw(self, urn: str, aspect: str) -> None:
        self.aspects.setdefault(urn, set()).add(aspect)

    def upstreams(self, urn: str) -> set[str]:
        return {up for up, down in self.edges if down == urn}

    def reachable(self, starts: Iterable[str]) -> set[str]:
        following: dict[str, set[str]] = {}
        for up, down in self.edges:
            following.setdefault(up, set()).add(down)
        todo = list(starts)
        seen = set(todo)
        while todo:
            for nxt in following.get(todo.pop(), ()):
                if nxt not in seen:
                    seen.add(nxt)
                    todo.append(nxt)
        return seen

    def entities(self, platform: str | None = None) -> set[str]:
        marker = f"urn:li:dataPlatform:{platform}," if platform else ""
        return {urn for urn in self.aspects if marker in urn}


def _add_aspect(graph: MetadataGraph, urn: str, name: str, value: dict[str, Any]) -> None:
    graph.saw(urn, name)
    if name == UPSTREAM_LINEAGE:
        for upstream in value.get("upstreams", []):
            graph.edges.add((upstream["dataset"], urn))
    elif name == JOB_IO:
        inputs = list(value.get("inputDatasets", [])) + [
            e["destinationUrn"] for e in value.get("inputDatasetEdges", []) or []
        ]
        outputs = list(value.get("outputDatasets", [])) + [
            e["destinationUrn"] for e in value.get("outputDatasetEdges", []) or []
        ]
        graph.edges.update((i, urn) for i in inputs)
        graph.edges.update((urn, o) for o in outputs)
    elif name == SCHEMA:
        graph.schema_fields[urn] = [f["fieldPath"] for f in value.get("fields", [])]


def _add_patch(graph: MetadataGraph, urn: str, name: str, operations: list[dict[str, Any]]) -> None:
    graph.saw(urn, name)
    for op in operations:
        if op.get("op") != "add":
            continue
        path, value = op.get("path", ""), op.get("value") or {}
        if name == UPSTREAM_LINEAGE and path.startswith("/upstreams/"):
            graph.edges.add((value.get("dataset") or path.removeprefix("/upstreams/"), urn))
        elif name == JOB_IO and path.startswith("/inputDatasetEdges/"):
            graph.edges.add((value.get("destinationUrn"), urn))
        elif name == JOB_IO and path.startswith("/outputDatasetEdges/"):
            graph.edges.add((urn, value.get("destinationUrn")))


def _aspect_value(aspect: dict[str, Any]) -> Any:
    if "json" in aspect:
        return aspect["json"]
    if "value" in aspect:  # the wire form: a serialized JSON string
        return json.loads(aspect["value"])
    return aspect


def add_record(graph: MetadataGraph, record: dict[str, Any]) -> None:
    if "proposedSnapshot" in record:
        snapshot = next(iter(record["proposedSnapshot"].values()))
        for aspect in snapshot.get("aspects", []):
            for class_name, value in aspect.items():
                short = class_name.rsplit(".", 1)[-1]
                _add_aspect(graph, snapshot["urn"], _SNAPSHOT_ASPECTS.get(short, short), value)
        return
    urn, name = record.get("entityUrn"), record.get("aspectName")
    if not urn or not name or "aspect" not in record:
        return
    value = _aspect_value(record["aspect"])
    if record.get("changeType") == "PATCH":
        _add_patch(graph, urn, name, value)
    else:
        _add_aspect(graph, urn, name, value)


def read_metadata(paths: Iterable[Path]) -> MetadataGraph:
    graph = MetadataGraph()
    for path in paths:
        for record in json.loads(path.read_text()):
            add_record(graph, record)
    return graph
