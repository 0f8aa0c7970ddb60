"""Settings of the local Superset (`tmdb-pipeline superset up | down`)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings

from tmdb_pipeline.settings import PROJECT_ROOT, settings_config

DEFAULT_ENVIRONMENT = PROJECT_ROOT / "bi" / "superset" / ".venv"


class SupersetSettings(BaseSettings):
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

    @field_validator("secret_key", "admin_password", "environment", mode="before")
    @classmethod
    def _empty_is_default(cls, value: object, info: object) -> object:
        # `.env.example` lists these empty: empty means "generate" / "the default", never "" itself
        if value == "":
            return DEFAULT_ENVIRONMENT if getattr(info, "field_name", "") == "environment" else None
        return value

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"
