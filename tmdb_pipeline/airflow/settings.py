"""Settings of the local Airflow (`tmdb-pipeline airflow up | down`) and of the DAG it runs."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator

from tmdb_pipeline.settings import PROJECT_ROOT, PipelineSettings, settings_config

ORCHESTRATION_DIR = PROJECT_ROOT / "orchestration" / "airflow"
DEFAULT_ENVIRONMENT = ORCHESTRATION_DIR / ".venv"
DEFAULT_DAGS = ORCHESTRATION_DIR / "dags"
# Airflow plugins of our own: orchestration/airflow/plugins/lineage_file_sink.py (DataHub's file sink)
PLUGINS_FOLDER = ORCHESTRATION_DIR / "plugins"
DEFAULT_CLI = PROJECT_ROOT / ".venv" / "bin" / "tmdb-pipeline"
DEFAULT_DBT = PROJECT_ROOT / ".venv" / "bin" / "dbt"


class AirflowSettings(PipelineSettings):
    """Airflow's API server, its admin, and the DAG's knobs (passed to Airflow's processes as
    `AIRFLOW_DAG_*`, `AIRFLOW_PIPELINE_CLI`, `AIRFLOW_DBT_EXECUTABLE`); an unset admin password is
    generated once into `.local/airflow/secrets.json` (mode 600), never hard-coded."""

    model_config = settings_config("AIRFLOW_")

    host: str = Field("127.0.0.1", description="address Airflow's API server (UI + REST) binds")
    port: int = Field(8085, ge=1, le=65535, description="Airflow's API server (UI + REST)")
    log_server_port: int = Field(8793, ge=1, le=65535, description="task log server (the triggerer's is +1)")
    admin_username: str = Field("admin", pattern=r"^[A-Za-z0-9_.-]+$")
    admin_password: SecretStr | None = Field(None, description="default generated once")
    environment: Path = Field(DEFAULT_ENVIRONMENT, description="Airflow's own virtualenv (scripts/setup.sh)")
    dags_folder: Path = Field(DEFAULT_DAGS)
    parallelism: int = Field(2, ge=1, description="task processes at once (the stages are Spark JVMs)")
    start_timeout_s: float = Field(300.0, gt=0, description="the first start migrates the SQLite metadata")
    # --- the DAG (orchestration/airflow/dags/tmdb_batch_pass.py) ---
    pipeline_cli: Path = Field(DEFAULT_CLI, description="the `tmdb-pipeline` every task runs")
    dbt_executable: Path = Field(
        DEFAULT_DBT, description="plain dbt for the per-model tasks (endpoint target)"
    )
    dag_dbt: Literal["endpoint", "session"] = Field(
        "endpoint",
        description="endpoint: one task per dbt model over the Spark SQL endpoint; session: one "
        "`tmdb-pipeline transform` task",
    )
    dag_landing: Literal["once", "continuous"] = Field(
        "once", description="continuous: `land --continuous` runs as a service, the DAG has no land task"
    )
    dag_schedule: str = Field("@daily", description="cron or preset; `none` = only when triggered")
    dag_retries: int = Field(2, ge=0)
    dag_retry_delay_s: float = Field(60.0, ge=0, description="first retry's delay; doubles each retry")

    @field_validator("environment", "dags_folder", "pipeline_cli", "dbt_executable")
    @classmethod
    def _absolute(cls, value: Path) -> Path:
        return value.expanduser().resolve()

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def dag_environment(self) -> dict[str, str]:
        """What the DAG file reads (it never imports the pipeline)."""
        return {
            "AIRFLOW_PIPELINE_CLI": str(self.pipeline_cli),
            "AIRFLOW_DBT_EXECUTABLE": str(self.dbt_executable),
            "AIRFLOW_DAG_DBT": self.dag_dbt,
            "AIRFLOW_DAG_LANDING": self.dag_landing,
            "AIRFLOW_DAG_SCHEDULE": self.dag_schedule,
            "AIRFLOW_DAG_RETRIES": str(self.dag_retries),
            "AIRFLOW_DAG_RETRY_DELAY_S": str(self.dag_retry_delay_s),
        }
