"""The lineage plan: each task's inlets and outlets as DataHub URNs.

The pipeline writes it (`tmdb-pipeline airflow prepare`, tmdb_pipeline/airflow/artifacts.py) with
the lineage emitter's own naming code, so the DataJobs DataHub's Airflow plugin emits for these
tasks sit between the very datasets the recipes describe.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

PLAN_VERSION = 1
PREPARE_HINT = "run `tmdb-pipeline airflow prepare` (`tmdb-pipeline airflow up` runs it too)"


@dataclass(frozen=True)
class Iolets:
    inlets: tuple[str, ...] = ()
    outlets: tuple[str, ...] = ()


@dataclass(frozen=True)
class LineagePlan:
    tasks: dict[str, Iolets] = field(default_factory=dict)
    dbt_models: dict[str, Iolets] = field(default_factory=dict)

    def task(self, task_id: str) -> Iolets:
        return self.tasks.get(task_id, Iolets())

    def model(self, name: str) -> Iolets:
        return self.dbt_models.get(name, Iolets())


def _iolets(entry: dict) -> Iolets:
    return Iolets(tuple(entry.get("inlets", ())), tuple(entry.get("outlets", ())))


def read_plan(path: Path) -> LineagePlan:
    if not path.exists():
        raise FileNotFoundError(f"The DAG's lineage plan {path} is missing: {PREPARE_HINT}.")
    data = json.loads(path.read_text())
    if data.get("version") != PLAN_VERSION:
        raise ValueError(f"The lineage plan {path} has version {data.get('version')!r}: {PREPARE_HINT}.")
    return LineagePlan(
        {task: _iolets(entry) for task, entry in data.get("tasks", {}).items()},
        {model: _iolets(entry) for model, entry in data.get("dbt_models", {}).items()},
    )
