"""A pass's dbt build, of only what reads Bronze tables that changed since the last one.

After each successful pass build, the pass records where every lakehouse table stood (its current
Iceberg snapshot) and a fingerprint of what dbt built with (the project's files and the pass's vars),
in dbt's target folder. The next pass compares, and builds:

- nothing, when no Bronze table moved, Silver and Gold are as the last build left them and the
  fingerprint is the same (incremental models would find no new row, and the tables would be rebuilt
  from the same input);
- `source:tmdb.<table>+` for each Bronze table that moved (its models, their descendants and the
  tests on them), when Silver, Gold and the fingerprint are as recorded;
- everything, otherwise: no record, another project or vars, or a Silver/Gold table changed or gone
  outside a pass (a hand-run `dbt build`, a dropped table).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tmdb_pipeline.transform.runner import DBT_PROJECT, PASS_BUILD, DbtOutcome, pipeline_vars, run_dbt

log = logging.getLogger("tmdb_pipeline.transform")
RECORD_FILE = "tmdb_last_pass_build.json"
SOURCE = "tmdb"  # the dbt source whose tables are Bronze's (dbt_project/models/staging/tmdb)
BUILT_LAYERS = ("silver", "gold")  # Bronze's namespace is the landing's (LANDING_NAMESPACE)
# what dbt builds from: a change to any of these may change any model
PROJECT_INPUTS = ("dbt_project.yml", "models", "macros", "data-tests", "seeds", "snapshots")

Snapshots = dict[str, int | None]  # "layer.table" -> its current snapshot id (None: no snapshot yet)


@dataclass(frozen=True)
class BuildPlan:
    """The pass's build: `select` None builds everything, an empty tuple nothing."""

    select: tuple[str, ...] | None
    reason: str

    @property
    def builds_nothing(self) -> bool:
        return self.select == ()

    def dbt_args(self) -> list[str]:
        return [*PASS_BUILD, *(("--select", *self.select) if self.select else ())]


@dataclass(frozen=True)
class PassBuild:
    plan: BuildPlan
    outcome: DbtOutcome


def run_pass_build(
    progress: Callable[[str], None] | None = None, target_dir: Path | None = None
) -> PassBuild:
    """Plan the pass's build from the last one's record, run it (unless there is nothing to build)
    and record it. `target_dir` replaces dbt's target folder (DBT_TARGET_PATH or the project's)."""
    variables = pipeline_vars()
    fingerprint = project_fingerprint(variables)
    bronze = variables["bronze_schema"]
    before = lakehouse_snapshots((bronze, *BUILT_LAYERS))
    record = (target_dir or default_target_dir()) / RECORD_FILE
    plan = plan_build(read_record(record), before, fingerprint, bronze)
    log.info("pass build: %s", plan.reason)
    if plan.builds_nothing:
        return PassBuild(plan, DbtOutcome(success=True, command=[]))
    args = plan.dbt_args() + (["--target-path", str(target_dir)] if target_dir else [])
    outcome = run_dbt(args, progress=progress)
    if outcome.success:
        write_record(record, before, fingerprint, bronze)
    else:
        forget_record(record)
    return PassBuild(plan, outcome)


def plan_build(record: Mapping[str, Any] | None, now: Snapshots, fingerprint: str, bronze: str) -> BuildPlan:
    """The build that brings Silver and Gold up to date with Bronze (the `bronze` namespace), from the
    last build's record."""
    if not record:
        return BuildPlan(None, "no earlier pass build is recorded")
    if record.get("fingerprint") != fingerprint:
        return BuildPlan(None, "the dbt project or its vars changed since the last pass build")
    before: Mapping[str, int | None] = record.get("snapshots", {})
    built = {t for t in {*before, *now} if t.split(".", 1)[0] in BUILT_LAYERS}
    if moved := sorted(t for t in built if before.get(t) != now.get(t)):
        return BuildPlan(None, f"Silver/Gold changed outside a pass: {', '.join(moved)}")
    # Bronze tables dbt reads (the quarantine, say, is none of them)
    sources = [f"{bronze}.{name}" for name in record.get("sources", [])]
    tables = [t.split(".", 1)[1] for t in sorted(sources) if before.get(t) != now.get(t)]
    if not tables:
        return BuildPlan((), "no Bronze table changed since the last pass build")
    return BuildPlan(tuple(f"source:{SOURCE}.{t}+" for t in tables), f"new in Bronze: {', '.join(tables)}")


def project_fingerprint(variables: Mapping[str, Any], project_dir: Path = DBT_PROJECT) -> str:
    digest = hashlib.sha256(json.dumps(variables, sort_keys=True, default=str).encode())
    for name in PROJECT_INPUTS:
        root = project_dir / name
        files = sorted(root.rglob("*")) if root.is_dir() else [root]
        for path in (f for f in files if f.is_file()):
            digest.update(path.relative_to(project_dir).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def lakehouse_snapshots(layers: tuple[str, ...]) -> Snapshots:
    """Each table's current snapshot in `layers`, through the configured catalog."""
    from tmdb_pipeline.stack.catalog import get_catalog

    catalog = get_catalog()
    snapshots: Snapshots = {}
    namespaces = set(catalog.list_namespaces())
    for layer in layers:
        if (layer,) not in namespaces:
            continue
        for identifier in catalog.list_tables(layer):
            current = catalog.load_table(identifier).current_snapshot()
            snapshots[".".join(identifier)] = current.snapshot_id if current else None
    return snapshots


def default_target_dir() -> Path:
    """dbt's target folder: DBT_TARGET_PATH when set (as dbt reads it), else the project's."""
    return DBT_PROJECT / os.environ.get("DBT_TARGET_PATH", "target")  # an absolute one replaces it


def read_record(path: Path) -> dict[str, Any] | None:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as unreadable:  # a torn or foreign file: build everything, rewrite it
        log.warning("ignoring the unreadable pass build record %s: %s", path, unreadable)
        return None


def write_record(path: Path, bronze_before: Snapshots, fingerprint: str, bronze: str) -> None:
    """Bronze as it was when the build started (rows landed during it are built next time), Silver
    and Gold as the build left them, and the Bronze tables the project reads (from the manifest the
    build wrote beside the record)."""
    built = lakehouse_snapshots(BUILT_LAYERS)
    landed = {t: s for t, s in bronze_before.items() if t.startswith(f"{bronze}.")}
    manifest = json.loads((path.parent / "manifest.json").read_text(encoding="utf-8"))
    sources = sorted(s["name"] for s in manifest["sources"].values() if s["source_name"] == SOURCE)
    record = {"fingerprint": fingerprint, "sources": sources, "snapshots": landed | built}
    path.parent.mkdir(parents=True, exist_ok=True)
    scratch = path.with_suffix(".tmp")
    scratch.write_text(json.dumps(record, indent=1, sort_keys=True), encoding="utf-8")
    scratch.replace(path)


def forget_record(path: Path) -> None:
    """After a failed build: the next pass builds everything."""
    path.unlink(missing_ok=True)
