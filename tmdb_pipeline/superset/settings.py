"""Settings of the local Superset (`tmdb-pipeline superset up | down`)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr

from tmdb_pipeline.settings import PROJECT_ROOT, PipelineSettings, settings_config

DEFAULT_ENVIRONMENT = PROJECT_ROOT / "bi" / "superset" / ".venv"


class SupersetSettings(PipelineSettings):
    """Superset's web server, its admin and its secrets; unset secrets are generated once into
    `.local/superset/secrets.json` (mode 600), never hard-coded."""

    model_config = settings_config("SUPERSET_")

    host: str = Field("127.0.0.1", description="address Superset's web server binds")
    port: int = Field(8088, ge=1, le=65535)
    secret_key: SecretStr | None = Field(None, description="Flask SECRET_KEY; default generated once")
    admin_username: str = Field("admin")
    admin_password: SecretStr | None = Field(None, description="default generated once")
    environment: Path = Field(DEFAULT_ENVIRONMENT, description="Superset's own virtualenv (scripts/setup.sh)")
    start_timeout_s: float = Field(300.0, gt=0, description="first start migrates its SQLite metadata")

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"
