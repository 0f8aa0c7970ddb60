"""The TMDB emulator as a stack service: started by `stack up` when no TMDB key is configured."""

from __future__ import annotations

import os
import sys

import httpx

from tmdb_pipeline.emulator.settings import EmulatorSettings
from tmdb_pipeline.settings import StackSettings
from tmdb_pipeline.stack.process import LocalService, port_is_open


class EmulatorService(LocalService):
    name = "tmdb-emulator"

    def __init__(self, stack: StackSettings, emulator: EmulatorSettings) -> None:
        super().__init__(stack)
        self.emulator = emulator

    @property
    def ports(self) -> list[int]:
        return [self.emulator.port]

    @property
    def address(self) -> str:
        return f"{self.emulator.host}:{self.emulator.port}"

    @property
    def base_url(self) -> str:
        return f"http://{self.address}/3"

    def install(self) -> None:
        """Pure Python, part of the package: nothing to fetch."""

    def command(self) -> list[str]:
        return [sys.executable, "-m", "tmdb_pipeline.emulator"]

    def environment(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("EMULATOR_")}
        for field, value in self.emulator.model_dump(exclude_none=True).items():
            env[f"EMULATOR_{field.upper()}"] = str(value)
        return env

    def healthy(self) -> bool:
        if not port_is_open(self.emulator.host, self.emulator.port):
            return False
        try:
            return httpx.get(f"http://{self.address}/__admin/health", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    def version(self) -> str:
        return f"TMDB emulator, {self.emulator.movies} movies, seed {self.emulator.seed}"
