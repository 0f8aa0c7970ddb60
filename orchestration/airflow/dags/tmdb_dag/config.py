"""The DAG's configuration, from the environment of Airflow's processes.

`tmdb-pipeline airflow up` sets these from the pipeline's settings (`AIRFLOW_*` in `.env`); a
deployment sets them in the scheduler's and workers' environment. A bad value raises here, at
parse time, so it is an import error in the tests and in the UI, not a failed task at night.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

# orchestration/airflow/dags/tmdb_dag/config.py -> the repository root
REPO_ROOT = Path(__file__).resolve().parents[4]
DBT_MODES = ("endpoint", "session")
LANDING_MODES = ("once", "continuous")
# bash: each task a subprocess of Airflow's worker, running the pipeline's CLI from its environment;
# kubernetes: each task a pod of the pipeline's image (KubernetesPodOperator; deploy/k8s/airflow/)
TASK_RUNNERS = ("bash", "kubernetes")
# per-task ceilings: a stage stuck on a dead connection fails and is retried instead of hanging
TIMEOUTS = {
    "extract": timedelta(hours=2),
    "land": timedelta(hours=1),
    "sql_endpoint": timedelta(minutes=10),
    "dbt_model": timedelta(minutes=45),
    "transform": timedelta(hours=2),
    "sync_serving": timedelta(minutes=45),
    "dbt_docs": timedelta(minutes=20),
    "lineage": timedelta(minutes=30),
    "maintain": timedelta(hours=2),
}
MAX_RETRY_DELAY = timedelta(minutes=30)


class DagConfigError(ValueError):
    """A DAG setting is invalid; the message names the variable."""


@dataclass(frozen=True)
class PodConfig:
    """AIRFLOW_DAG_TASK_RUNNER=kubernetes: where each task's pod runs and what it is made of. The pod
    template (a file on Airflow's side, mounted from deploy/k8s/airflow/values.yaml) carries the
    pipeline's settings, secrets, volume and security context; the DAG only adds image and command."""

    image: str  # the pipeline's image, e.g. registry.example.com/tmdb/tmdb-pipeline:0.1.0
    namespace: str
    template: Path  # a Pod manifest whose container `base` the task's image and command fill in
    home: Path  # the repository inside the image: dbt_project/ and the CLI there
    artifacts: Path  # on the pods' shared volume: dbt docs between the dbt_docs and lineage tasks

    @property
    def dbt_project(self) -> Path:
        return self.home / "dbt_project"


@dataclass(frozen=True)
class DagConfig:
    pipeline_home: Path  # the repository: the tasks' working directory, dbt_project/ inside
    cli: Path  # `tmdb-pipeline`, from the pipeline's own environment
    dbt: Path  # plain dbt from the same environment (the per-model tasks)
    artifacts: Path  # dbt manifest + lineage plan written by `tmdb-pipeline airflow prepare`
    dbt_mode: str
    landing: str
    schedule: str | None
    retries: int
    retry_delay: timedelta
    pod: PodConfig | None = None  # set: every task runs as a pod of the pipeline's image

    @property
    def dbt_project(self) -> Path:
        return self.pipeline_home / "dbt_project"

    @property
    def manifest(self) -> Path:
        return self.artifacts / "dbt" / "manifest.json"

    @property
    def lineage_plan(self) -> Path:
        return self.artifacts / "lineage_plan.json"

    @property
    def dbt_docs(self) -> Path:
        return self.artifacts / "dbt-docs"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> DagConfig:
        env = os.environ if environ is None else environ
        home = Path(env.get("AIRFLOW_PIPELINE_HOME") or REPO_ROOT)
        airflow_home = Path(env.get("AIRFLOW_HOME") or Path.home() / "airflow")
        schedule = env.get("AIRFLOW_DAG_SCHEDULE", "@daily").strip()
        return cls(
            pipeline_home=home,
            cli=Path(env.get("AIRFLOW_PIPELINE_CLI") or home / ".venv" / "bin" / "tmdb-pipeline"),
            dbt=Path(env.get("AIRFLOW_DBT_EXECUTABLE") or home / ".venv" / "bin" / "dbt"),
            artifacts=Path(env.get("AIRFLOW_DAG_ARTIFACTS") or airflow_home / "tmdb"),
            dbt_mode=_choice(env, "AIRFLOW_DAG_DBT", DBT_MODES),
            landing=_choice(env, "AIRFLOW_DAG_LANDING", LANDING_MODES),
            schedule=None if schedule.lower() in ("", "none") else schedule,
            retries=int(_number(env, "AIRFLOW_DAG_RETRIES", "2")),
            retry_delay=timedelta(seconds=_number(env, "AIRFLOW_DAG_RETRY_DELAY_S", "60")),
            pod=_pod(env) if _choice(env, "AIRFLOW_DAG_TASK_RUNNER", TASK_RUNNERS) == "kubernetes" else None,
        )


def _pod(env: Mapping[str, str]) -> PodConfig:
    missing = [n for n in ("AIRFLOW_DAG_POD_IMAGE", "AIRFLOW_DAG_POD_TEMPLATE") if not env.get(n, "").strip()]
    if missing:
        raise DagConfigError(f"AIRFLOW_DAG_TASK_RUNNER=kubernetes needs {' and '.join(missing)}")
    template = Path(env["AIRFLOW_DAG_POD_TEMPLATE"].strip())
    if not template.is_file():
        raise DagConfigError(f"AIRFLOW_DAG_POD_TEMPLATE={template}: no such file")
    return PodConfig(
        image=env["AIRFLOW_DAG_POD_IMAGE"].strip(),
        namespace=env.get("AIRFLOW_DAG_POD_NAMESPACE", "").strip() or "tmdb",
        template=template,
        home=Path(env.get("AIRFLOW_DAG_POD_PIPELINE_HOME", "").strip() or "/app"),
        artifacts=Path(env.get("AIRFLOW_DAG_POD_ARTIFACTS", "").strip() or "/data/stack/airflow"),
    )


def _choice(env: Mapping[str, str], name: str, allowed: tuple[str, ...]) -> str:
    value = env.get(name, allowed[0]).strip().lower() or allowed[0]
    if value not in allowed:
        raise DagConfigError(f"{name}={value!r}: expected one of {', '.join(allowed)}")
    return value


def _number(env: Mapping[str, str], name: str, default: str) -> float:
    raw = env.get(name, default).strip() or default
    try:
        value = float(raw)
    except ValueError:
        raise DagConfigError(f"{name}={raw!r}: expected a number") from None
    if value < 0:
        raise DagConfigError(f"{name}={raw!r}: expected a number >= 0")
    return value


def cross_model_tests(manifest: Path) -> list[str]:
    """dbt tests that read two or more models (relationships, reconciliations), by name: a model's
    own task cannot run them before the other model is built."""
    nodes = json.loads(manifest.read_text()).get("nodes", {})
    return sorted(
        node["name"]
        for node in nodes.values()
        if node.get("resource_type") == "test"
        and len({d for d in node.get("depends_on", {}).get("nodes", []) if d.startswith("model.")}) > 1
    )
