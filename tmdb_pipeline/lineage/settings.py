"""`LineageSettings` (prefix `DATAHUB_`): where lineage goes, a DataHub server or local files."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr, field_validator

from tmdb_pipeline.settings import PROJECT_ROOT, PipelineSettings, settings_config


class LineageSettings(PipelineSettings):
    """DataHub's address when there is one; otherwise metadata files under `output_dir`."""

    model_config = settings_config("DATAHUB_")

    gms_url: str = Field("", description="DataHub GMS address, e.g. http://localhost:8080; empty = files")
    gms_token: SecretStr | None = Field(None, description="personal access token for the GMS")
    output_dir: Path = Field(
        PROJECT_ROOT / ".local" / "datahub", description="file-sink output and rendered recipes"
    )
    env: str = Field("PROD", pattern=r"^[A-Z]+$", description="DataHub environment (fabric) of every URN")
    dbt_target_dir: Path = Field(
        PROJECT_ROOT / "dbt_project" / "target", description="dbt artifacts: manifest, catalog, run_results"
    )

    @field_validator("output_dir", "dbt_target_dir")
    @classmethod
    def _absolute(cls, value: Path) -> Path:
        return value.expanduser().resolve()

    @field_validator("gms_url")
    @classmethod
    def _url(cls, value: str) -> str:
        value = value.strip().rstrip("/")
        if value and not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https:// (or be empty to write files)")
        return value

    @property
    def uses_server(self) -> bool:
        return bool(self.gms_url)
