"""Superset as a managed local process: gunicorn from Superset's own environment (bi/superset/),
SQLite metadata under `.local/superset/`, connected to the Spark SQL endpoint over `hive://`, with
the dashboard bundle of bi/superset/assets/ imported at every start."""

from __future__ import annotations

import json
import secrets
import subprocess

import httpx

from tmdb_pipeline.settings import PROJECT_ROOT, StackSettings
from tmdb_pipeline.sql_endpoint.settings import SqlEndpointSettings
from tmdb_pipeline.stack.process import LocalService, StackError, port_is_open
from tmdb_pipeline.superset.dashboard import OUT as ASSETS
from tmdb_pipeline.superset.settings import SupersetSettings

BI_DIR = PROJECT_ROOT / "bi" / "superset"


class SupersetService(LocalService):
    name = "superset"

    def __init__(
        self, stack: StackSettings, settings: SupersetSettings, endpoint: SqlEndpointSettings
    ) -> None:
        super().__init__(
            stack.model_copy(update={"start_timeout_s": max(stack.start_timeout_s, settings.start_timeout_s)})
        )
        self.settings = settings
        self.endpoint = endpoint

    @property
    def ports(self) -> list[int]:
        return [self.settings.port]

    @property
    def address(self) -> str:
        return f"{self.settings.host}:{self.settings.port}"

    @property
    def database_uri(self) -> str:
        return f"hive://superset@{self.endpoint.host}:{self.endpoint.port}/gold"

    def _bin(self, name: str) -> str:
        return str(self.settings.environment / "bin" / name)

    def install(self) -> None:
        if not (self.settings.environment / "bin" / "superset").exists():
            raise StackError(
                f"Superset's environment is missing at {self.settings.environment}: run scripts/setup.sh "
                "(it installs bi/superset/ from its own uv.lock)."
            )

    def secrets(self) -> dict[str, str]:
        """SECRET_KEY and the admin password: from the settings, else generated once (mode 600)."""
        path = self.root / "secrets.json"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            partial = path.with_suffix(".partial")
            partial.write_text(
                json.dumps(
                    {"secret_key": secrets.token_urlsafe(42), "admin_password": secrets.token_urlsafe(12)}
                )
            )
            partial.chmod(0o600)
            partial.rename(path)
        generated = json.loads(path.read_text())
        given = self.settings
        return {
            "secret_key": given.secret_key.get_secret_value()
            if given.secret_key
            else generated["secret_key"],
            "admin_password": (
                given.admin_password.get_secret_value()
                if given.admin_password
                else generated["admin_password"]
            ),
        }

    def environment(self) -> dict[str, str]:
        keys = self.secrets()
        return super().environment() | {
            "SUPERSET_CONFIG_PATH": str(BI_DIR / "superset_config.py"),
            "SUPERSET_HOME": str(self.root),
            "SUPERSET_SECRET_KEY": keys["secret_key"],
            "FLASK_APP": "superset",
            "TMDB_SUPERSET_ADMIN": self.settings.admin_username,
            "TMDB_SUPERSET_ADMIN_PASSWORD": keys["admin_password"],
            "TMDB_SUPERSET_DATABASE_URI": self.database_uri,
            "TMDB_SUPERSET_ASSETS": str(ASSETS),
        }

    def _run(self, *args: str) -> None:
        with self.log_file.open("ab") as log:
            done = subprocess.run(
                list(args),
                cwd=self.root,
                env=self.environment(),
                stdout=log,
                stderr=subprocess.STDOUT,
                check=False,
            )
        if done.returncode != 0:
            raise StackError(
                f"`{' '.join(args[:3])}` failed; last lines of {self.log_file}:\n{self.tail_log()}"
            )

    def prepare(self) -> None:
        """Migrate the metadata, sync roles, then the admin and the endpoint's connection (idempotent)."""
        super().prepare()
        self._run(self._bin("superset"), "db", "upgrade")
        self._run(self._bin("superset"), "init")
        self._run(self._bin("python"), str(BI_DIR / "bootstrap.py"))

    def command(self) -> list[str]:
        return [
            self._bin("gunicorn"),
            "--workers=1",
            "--threads=4",
            "--timeout=300",
            f"--bind={self.address}",
            "superset.app:create_app()",
        ]

    def healthy(self) -> bool:
        if not port_is_open(self.settings.host, self.settings.port):
            return False
        try:
            return httpx.get(f"{self.settings.url}/health", timeout=5).status_code == 200
        except httpx.HTTPError:
            return False

    def version(self) -> str:
        return f"Superset, {self.settings.url}"
