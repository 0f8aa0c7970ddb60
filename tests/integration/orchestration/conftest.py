"""Airflow on the test stack: its own ports and home (`.local/test-stack/airflow`), a fresh
metadata database, lineage files in a temporary folder, and helpers that talk to it the way a data
engineer does (its CLI, its REST API with the admin's login) or read what a run left behind.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

# before any settings load: the test Airflow never meets a developer's (8085/8793)
os.environ.setdefault("AIRFLOW_PORT", "18085")
os.environ.setdefault("AIRFLOW_LOG_SERVER_PORT", "18793")

from tmdb_pipeline.airflow.settings import ORCHESTRATION_DIR, AirflowSettings
from tmdb_pipeline.lineage.settings import LineageSettings
from tmdb_pipeline.settings import StackSettings, load
from tmdb_pipeline.sql_endpoint.settings import SqlEndpointSettings
from tmdb_pipeline.stack.airflow import AirflowService

DAG_ID = "tmdb_batch_pass"
MAINTENANCE_DAG_ID = "tmdb_lakehouse_maintenance"
SCRIPTS = ORCHESTRATION_DIR / "scripts"
TIMINGS = Path(os.environ.get("STACK_HOME", ".")) / "airflow-timings.json"


def airflow_service(
    home: Path | None = None, output_dir: Path | None = None, **dag: object
) -> AirflowService:
    """The local Airflow's service object, as `tmdb-pipeline airflow up` builds it, with test knobs:
    no schedule (runs only when triggered) and one quick retry unless told otherwise."""
    stack = load(StackSettings)
    if home is not None:
        stack = stack.model_copy(update={"home": home})
    knobs = {"dag_schedule": "none", "dag_retries": 1, "dag_retry_delay_s": 1.0} | dag
    lineage = load(LineageSettings).model_copy(update={"gms_url": ""})
    if output_dir is not None:
        lineage = lineage.model_copy(update={"output_dir": output_dir})
    return AirflowService(
        stack, load(AirflowSettings).model_copy(update=knobs), load(SqlEndpointSettings), lineage
    )


def run_script(service: AirflowService, name: str, *args: str, timeout: float = 300) -> dict:
    """One of orchestration/airflow/scripts/ in Airflow's interpreter; it writes JSON, returned here."""
    out = service.root / f"{name}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        [service.bin("python"), str(SCRIPTS / name), *args, str(out)] if name == "check_dags.py"
        else [service.bin("python"), str(SCRIPTS / name), DAG_ID, str(out), *args],
        env=service.environment(), capture_output=True, text=True, timeout=timeout, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return json.loads(out.read_text())


@dataclass
class Orchestration:
    """The session's Airflow (not yet started: `dags test` needs no server) and its timings."""

    service: AirflowService
    prepare_s: float

    def airflow(
        self, *args: str, timeout: float = 600, env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess:
        return subprocess.run(
            [self.service.bin("airflow"), *args],
            env=self.service.environment() | (env or {}),
            cwd=self.service.root,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )

    def report(self, run_id: str | None = None) -> dict:
        return run_script(self.service, "run_report.py", *([run_id] if run_id else []))

    def task_log(self, run_id: str, task_id: str, attempt: int) -> str:
        path = (
            self.service.root / "logs" / f"dag_id={DAG_ID}" / f"run_id={run_id}" / f"task_id={task_id}"
            / f"attempt={attempt}.log"
        )  # fmt: skip
        return path.read_text(errors="replace") if path.exists() else ""

    def record(self, name: str, figures: object) -> None:
        """Keep a measured figure (setup, per-task seconds) for the README and the report."""
        timings = json.loads(TIMINGS.read_text()) if TIMINGS.exists() else {}
        timings[name] = figures
        TIMINGS.write_text(json.dumps(timings, indent=1))


class AirflowApi:
    """Airflow's REST API as the UI uses it, logged in as the admin with the generated password."""

    def __init__(self, service: AirflowService) -> None:
        self.base = service.settings.url
        password = service.secrets()["admin_password"]
        answer = httpx.post(
            f"{self.base}/auth/token",
            json={"username": service.settings.admin_username, "password": password},
            timeout=30,
        )
        answer.raise_for_status()
        self.http = httpx.Client(
            base_url=f"{self.base}/api/v2",
            headers={"Authorization": f"Bearer {answer.json()['access_token']}"},
            timeout=60,
        )

    def get(self, path: str, **params: object) -> dict:
        answer = self.http.get(path, params=params)
        answer.raise_for_status()
        return answer.json()

    def send(self, method: str, path: str, body: dict) -> dict:
        answer = self.http.request(method, path, json=body)
        assert answer.status_code < 300, f"{method} {path}: {answer.status_code} {answer.text}"
        return answer.json()

    def wait_run(self, run_id: str, until: set[str], timeout_s: float) -> dict:
        deadline = time.monotonic() + timeout_s
        while True:
            run = self.get(f"/dags/{DAG_ID}/dagRuns/{run_id}")
            if run["state"] in until or time.monotonic() > deadline:
                return run
            time.sleep(3)

    def task_instances(self, run_id: str) -> dict[str, dict]:
        items = self.get(f"/dags/{DAG_ID}/dagRuns/{run_id}/taskInstances", limit=200)["task_instances"]
        return {ti["task_id"]: ti for ti in items}


@pytest.fixture(scope="session")
def orchestration(local_stack: object, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Orchestration]:
    """The test stack's Airflow, prepared from scratch (artifacts, metadata, login); stopped after."""
    service = airflow_service(output_dir=tmp_path_factory.mktemp("datahub"))
    service.stop()
    for stale in ("airflow.db", "logs", "tmdb"):  # a fresh metadata database and DAG artifacts
        path = service.root / stale
        shutil.rmtree(path, ignore_errors=True) if path.is_dir() else path.unlink(missing_ok=True)
    began = time.monotonic()
    service.install()
    service.prepare()
    orchestration = Orchestration(service, time.monotonic() - began)
    orchestration.record("prepare_s", round(orchestration.prepare_s, 1))
    yield orchestration
    service.stop()
