"""dbt's models and their dependencies, read from `manifest.json` for the graph and the HTML page.

The dbt recipe is what puts these in DataHub (with columns, tests and run results); the emitter
only needs to know which Iceberg table each model is, to draw Bronze -> Silver -> Gold end to end.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class DbtRelation:
    unique_id: str
    resource_type: str  # "model", "source", "seed", "snapshot"
    schema: str  # the Iceberg namespace (dbt-spark has no database level)
    identifier: str
    description: str
    materialized: str
    depends_on: tuple[str, ...]
    columns: tuple[tuple[str, str], ...]  # (name, data type or "")


@dataclass(frozen=True)
class DbtProject:
    name: str
    relations: dict[str, DbtRelation]

    @property
    def models(self) -> list[DbtRelation]:
        return [r for r in self.relations.values() if r.resource_type == "model"]


RELATION_TYPES = ("model", "seed", "snapshot")


def _relation(unique_id: str, node: dict) -> DbtRelation:
    config = node.get("config") or {}
    columns = tuple(
        (name, str(column.get("data_type") or "")) for name, column in (node.get("columns") or {}).items()
    )
    return DbtRelation(
        unique_id=unique_id,
        resource_type=node["resource_type"],
        schema=node["schema"],
        identifier=node.get("identifier") or node.get("alias") or node["name"],
        description=node.get("description") or "",
        materialized=str(config.get("materialized") or ""),
        depends_on=tuple((node.get("depends_on") or {}).get("nodes") or ()),
        columns=columns,
    )


def read_manifest(path: Path) -> DbtProject:
    manifest = json.loads(path.read_text())
    relations = {
        uid: _relation(uid, node)
        for uid, node in manifest.get("nodes", {}).items()
        if node.get("resource_type") in RELATION_TYPES
    }
    relations.update({uid: _relation(uid, node) for uid, node in manifest.get("sources", {}).items()})
    return DbtProject(str(manifest.get("metadata", {}).get("project_name") or ""), relations)
