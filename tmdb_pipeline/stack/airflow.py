"""Airflow as a managed local process: `airflow standalone` (scheduler, DAG processor, API server,
triggerer) from Airflow's own environment (orchestration/airflow/), SQLite metadata and task logs
under `.local/airflow/`, the DAG folder orchestration/airflow/dags/, lineage to DataHub (or a file)
through DataHub's Airflow plugin."""

from __future__ import annotations

import base64
import json
import os
import secrets
import subprocess
from pathlib import Path

import httpx

from tmdb_pipeline.airflow.artifacts import Artifacts, write_artifacts
from tmdb_pipeline.airflow.settings import PLUGINS_FOLDER, AirflowSettings
from tmdb_pipeline.lineage.settings import LineageSettings
from tmdb_pipeline.settings import PROJECT_ROOT, StackSettings
from tmdb_pipeline.sql_endpoint.settings import SqlEndpointSettings
from tmdb_pipeline.stack.process import LocalService, StackError, port_is_open

AIRFLOW_FILE = "airflow.json"  # the DataHub plugin's file sink, beside `tmdb-pipeline lineage`'s files
SIMPLE_AUTH = "airflow.api_fastapi.auth.managers.simple.simple_auth_manager.SimpleAuthManager"


class AirflowService(LocalService):
    name = "airflow"

    def __init__(
        self,
        stack: StackSettings,
        settings: AirflowSettings,
        endpoint: SqlEndpointSettings,
        lineage: LineageSettings,
    ) -> None:
        super().__init__(
            stack.model_copy(update={"start_timeout_s": max(stack.start_timeout_s, settings.start_timeout_s)})
        )
        self.settings = settings
        self.endpoint = endpoint
        self.lineage = lineage

    @property
    def ports(self) -> list[int]:
        # the API server, the scheduler's task-log server and the triggerer's
        return [self.settings.port, self.settings.log_server_port, self.settings.log_server_port + 1]

    @property
    def address(self) -> str:
        return f"{self.settings.host}:{self.settings.port}"

    @property
    def artifacts_dir(self) -> Path:
        return self.root / "tmdb"

    @property
    def lineage_file(self) -> Path:
        return self.lineage.output_dir / AIRFLOW_FILE

    def bin(self, name: str) -> str:
        return str(self.settings.environment / "bin" / name)

    def install(self) -> None:
        if not Path(self.bin("airflow")).exists():
            raise StackError(
                f"Airflow's environment is missing at {self.settings.environment}: run scripts/setup.sh "
                "(it installs orchestration/airflow/ from its own uv.lock)."
            )
        if not self.settings.pipeline_cli.exists():
            raise StackError(
                f"The DAG's tasks run {self.settings.pipeline_cli}, which does not exist: run "
                "scripts/setup.sh or set AIRFLOW_PIPELINE_CLI."
            )

    def secrets(self) -> dict[str, str]:
        """Airflow's signing keys and the admin password: the password from the settings, else all
        generated once (mode 600), so tokens and logins survive restarts."""
        path = self.root / "secrets.json"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            generated = {
                "admin_password": secrets.token_urlsafe(12),
                "jwt_secret": secrets.token_urlsafe(32),
                "api_secret_key": secrets.token_urlsafe(32),
                "fernet_key": base64.urlsafe_b64encode(os.urandom(32)).decode(),
            }
            partial = path.with_suffix(".partial")
            partial.write_text(json.dumps(generated))
            partial.chmod(0o600)
            partial.rename(path)
        keys = json.loads(path.read_text())
        if self.settings.admin_password:
            keys["admin_password"] = self.settings.admin_password.get_secret_value()
        return keys

    def _passwords_file(self, password: str) -> Path:
        """The simple auth manager's users file: it generates (and prints) only missing users'."""
        path = self.root / "passwords.json"
        partial = path.with_suffix(".partial")
        partial.touch(mode=0o600)
        partial.chmod(0o600)
        partial.write_text(json.dumps({self.settings.admin_username: password}))
        partial.replace(path)
        return path

    def environment(self) -> dict[str, str]:
        keys = self.secrets()
        home = self.root
        base = super().environment()
        airflow = {
            # `airflow standalone` starts its components as `airflow ...` from PATH
            "PATH": os.pathsep.join([str(self.settings.environment / "bin"), base.get("PATH", os.defpath)]),
            "AIRFLOW_HOME": str(home),
            "AIRFLOW__CORE__DAGS_FOLDER": str(self.settings.dags_folder),
            "AIRFLOW__CORE__PLUGINS_FOLDER": str(PLUGINS_FOLDER),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
            "AIRFLOW__CORE__PARALLELISM": str(self.settings.parallelism),
            "AIRFLOW__CORE__FERNET_KEY": keys["fernet_key"],
            "AIRFLOW__CORE__AUTH_MANAGER": SIMPLE_AUTH,
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": f"{self.settings.admin_username}:admin",
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(home / "passwords.json"),
            "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"{self.settings.url}/execution/",
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home / 'airflow.db'}",
            "AIRFLOW__API__HOST": self.settings.host,
            "AIRFLOW__API__PORT": str(self.settings.port),
            "AIRFLOW__API__BASE_URL": self.settings.url,
            "AIRFLOW__API__WORKERS": "1",
            "AIRFLOW__API__SECRET_KEY": keys["api_secret_key"],
            "AIRFLOW__API_AUTH__JWT_SECRET": keys["jwt_secret"],
            "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": str(self.settings.log_server_port),
            "AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT": str(self.settings.log_server_port + 1),
            # the OpenLineage provider comes with DataHub's plugin, which does the emitting
            "AIRFLOW__OPENLINEAGE__NAMESPACE": "tmdb",
            # no usage reports from Airflow, Cosmos or DataHub: nothing leaves the machine
            "AIRFLOW__USAGE_DATA_COLLECTION__ENABLED": "False",
            "AIRFLOW__COSMOS__ENABLE_TELEMETRY": "False",
            "SCARF_ANALYTICS": "false",
            "DO_NOT_TRACK": "true",
            "DATAHUB_TELEMETRY_ENABLED": "false",
        }
        dag = self.settings.dag_environment() | {
            "AIRFLOW_DAG_ARTIFACTS": str(self.artifacts_dir),
            "AIRFLOW_PIPELINE_HOME": str(PROJECT_ROOT),
            # plain dbt reads the endpoint's address from these (profiles.yml), not from .env
            "SQL_ENDPOINT_HOST": self.endpoint.host,
            "SQL_ENDPOINT_PORT": str(self.endpoint.port),
            "STACK_HOME": str(self.stack.home),
            # `tmdb-pipeline lineage` writes its files beside the plugin's
            "DATAHUB_OUTPUT_DIR": str(self.lineage.output_dir),
        }
        return base | airflow | dag | self._datahub_environment()

    def _datahub_environment(self) -> dict[str, str]:
        """DataHub's plugin: to the GMS when DATAHUB_GMS_URL is set, else to a metadata file."""
        executions = "True"
        if self.lineage.uses_server:
            conn_id = "datahub_rest_default"
            connection = {"conn_type": "datahub-rest", "host": self.lineage.gms_url}
            if self.lineage.gms_token:
                connection["password"] = self.lineage.gms_token.get_secret_value()
        else:
            conn_id = "datahub_file_default"
            connection = {"conn_type": "datahub-file", "host": str(self.lineage_file)}
            # a file keeps the lineage, not the run history (which would grow it every run)
            executions = "False"
        return {
            "AIRFLOW__DATAHUB__CAPTURE_EXECUTIONS": executions,
            "AIRFLOW__DATAHUB__ENABLED": "True",
            "AIRFLOW__DATAHUB__CONN_ID": conn_id,
            "AIRFLOW__DATAHUB__CLUSTER": self.lineage.env,
            # the datasets are the recipes' (they describe them); the tasks only point at them
            "AIRFLOW__DATAHUB__MATERIALIZE_IOLETS": "False",
            f"AIRFLOW_CONN_{conn_id.upper()}": json.dumps(connection),
        }

    def airflow(self, *args: str, timeout: float = 600, check: bool = True) -> subprocess.CompletedProcess:
        """One `airflow` CLI command with this service's configuration; its output goes to the log."""
        self.log_file.parent.mkdir(parents=True, exist_ok=True)
        with self.log_file.open("ab") as log:
            done = subprocess.run(
                [self.bin("airflow"), *args],
                cwd=self.root,
                env=self.environment(),
                stdout=log,
                stderr=subprocess.STDOUT,
                timeout=timeout,
                check=False,
            )
        if check and done.returncode != 0:
            raise StackError(
                f"`airflow {' '.join(args[:2])}` failed; last lines of {self.log_file}:\n{self.tail_log()}"
            )
        return done

    def prepare_artifacts(self) -> Artifacts:
        return write_artifacts(self.settings, self.artifacts_dir)

    def rotate_lineage_file(self) -> None:
        """A fresh plugin file per start, so it does not grow run after run (the previous one is kept
        beside it); orchestration/airflow/plugins/lineage_file_sink.py makes each record an append."""
        self.lineage.output_dir.mkdir(parents=True, exist_ok=True)
        if self.lineage_file.exists():
            self.lineage_file.replace(self.lineage_file.with_suffix(".previous.json"))

    def prepare(self) -> None:
        """The DAG's artifacts, the metadata database (migrated, idempotent) and the admin's login."""
        super().prepare()
        self.rotate_lineage_file()
        self.prepare_artifacts()
        self._passwords_file(self.secrets()["admin_password"])
        self.airflow("db", "migrate")

    def command(self) -> list[str]:
        return [self.bin("airflow"), "standalone"]

    def healthy(self) -> bool:
        """The API server answers, and the scheduler and the DAG processor heartbeat."""
        if not port_is_open(self.settings.host, self.settings.port):
            return False
        try:
            answer = httpx.get(f"{self.settings.url}/api/v2/monitor/health", timeout=5)
        except httpx.HTTPError:
            return False
        if answer.status_code != 200:
            return False
        health = answer.json()
        return all(
            (health.get(part) or {}).get("status") == "healthy"
            for part in ("metadatabase", "scheduler", "dag_processor")
        )

    def version(self) -> str:
        return f"Airflow, {self.settings.url}"
