"""The serving API as a managed local process: started by the demo, stopped by `stack down`.

The stack does not read serving's settings (the core never imports a stage): the CLI and the
orchestration pass the API's address in.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass

import httpx

from tmdb_pipeline.settings import StackSettings
from tmdb_pipeline.stack.process import LocalService, port_is_open


@dataclass(frozen=True)
class ApiAddress:
    host: str
    port: int


class ApiService(LocalService):
    name = "api"

    def __init__(self, stack: StackSettings, host: str, port: int) -> None:
        super().__init__(stack)
        self.host = host
        self.port = port

    @property
    def ports(self) -> list[int]:
        return [self.port]

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"

    @property
    def url(self) -> str:
        return f"http://{self.address}"

    def install(self) -> None:
        """Part of the package: nothing to fetch."""

    def command(self) -> list[str]:
        return [
            sys.executable,
            "-m",
            "tmdb_pipeline.cli",
            "api",
            "--host",
            self.host,
            "--port",
            str(self.port),
        ]

    def healthy(self) -> bool:
        if not port_is_open(self.host, self.port):
            return False
        try:
            return httpx.get(f"{self.url}/health", timeout=3).status_code == 200
        except httpx.HTTPError:
            return False

    def version(self) -> str:
        return f"Litestar API, {self.url}"
