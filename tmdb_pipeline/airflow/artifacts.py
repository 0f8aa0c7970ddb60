"""What the DAG reads from the pipeline, written before Airflow parses it: dbt's manifest (Cosmos
renders one task per model from it, without running dbt in Airflow's process) and the lineage plan
(each task's inlets and outlets as DataHub URNs, named by the same code as the lineage emitter's).

Both live in `<airflow home>/tmdb/` (`AIRFLOW_DAG_ARTIFACTS` tells the DAG where), and are written
again at every `tmdb-pipeline airflow up` / `prepare`, so a new dbt model or stream shows up there.
"""

from __future__ import annotations

import json
import os
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from tmdb_pipeline.airflow.settings import AirflowSettings
from tmdb_pipeline.stack.process import StackError
from tmdb_pipeline.transform.runner import DBT_PROJECT

MANIFEST = Path("dbt") / "manifest.json"
LINEAGE_PLAN = Path("lineage_plan.json")
PLAN_VERSION = 1


@dataclass(frozen=True)
class Artifacts:
    manifest: Path
    plan: Path
    seconds: float


def _iolets(inlets: list[str], outlets: list[str]) -> dict[str, list[str]]:
    return {"inlets": sorted(set(inlets)), "outlets": sorted(set(outlets))}


def lineage_plan(manifest: Path) -> dict:
    """Inlets and outlets of the DAG's tasks (by task id) and of each dbt model's task (by model)."""
    from tmdb_pipeline.lineage.dbt_manifest import read_manifest
    from tmdb_pipeline.lineage.names import Coordinates
    from tmdb_pipeline.lineage.streams import schema_files
    from tmdb_pipeline.lineage.topology import serving_targets

    coords = Coordinates.load()
    streams = [s.name for s in schema_files()]
    targets = serving_targets()
    topics = [coords.topic(s) for s in streams]
    tasks = {
        "extract": _iolets([coords.tmdb(s) for s in streams], topics),
        "land": _iolets(topics, [coords.bronze(s) for s in streams] + [coords.quarantine()]),
        "sync_serving": _iolets(
            [coords.gold(table) for table, _ in targets],
            [coords.collection(collection) for _, collection in targets],
        ),
    }
    dbt = read_manifest(manifest)
    urns = {uid: coords.iceberg(r.schema, r.identifier) for uid, r in dbt.relations.items()}
    models = {
        model.unique_id.rsplit(".", 1)[-1]: _iolets(
            [urns[d] for d in model.depends_on if d in urns], [urns[model.unique_id]]
        )
        for model in dbt.models
    }
    return {"version": PLAN_VERSION, "env": coords.env, "tasks": tasks, "dbt_models": models}


def parse_manifest(settings: AirflowSettings, target: Path, log_dir: Path) -> Path:
    """`dbt parse` with the pipeline's dbt (no connection is opened): the manifest Cosmos renders."""
    env = {**os.environ, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    env.pop("DBT_TARGET", None)  # the per-model tasks run the profile's default, the endpoint
    command = [
        str(settings.dbt_executable), "parse", "--project-dir", str(DBT_PROJECT),
        "--profiles-dir", str(DBT_PROJECT), "--target-path", str(target), "--log-path", str(log_dir),
        "--target", "endpoint",
    ]  # fmt: skip
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600, check=False)
    if done.returncode != 0:
        raise StackError(f"`dbt parse` failed for the DAG's manifest:\n{(done.stdout + done.stderr)[-3000:]}")
    return target / "manifest.json"


def write_artifacts(settings: AirflowSettings, directory: Path) -> Artifacts:
    """Write the manifest and the lineage plan into `directory` (atomically: the DAG may be parsing)."""
    began = time.monotonic()
    directory.mkdir(parents=True, exist_ok=True)
    parsed = parse_manifest(settings, directory / "dbt-parse", directory / "logs")
    manifest = directory / MANIFEST
    manifest.parent.mkdir(parents=True, exist_ok=True)
    partial = manifest.with_suffix(".partial")
    partial.write_bytes(parsed.read_bytes())
    partial.replace(manifest)
    plan = directory / LINEAGE_PLAN
    partial = plan.with_suffix(".partial")
    partial.write_text(json.dumps(lineage_plan(manifest), indent=1, sort_keys=True))
    partial.replace(plan)
    return Artifacts(manifest, plan, time.monotonic() - began)
