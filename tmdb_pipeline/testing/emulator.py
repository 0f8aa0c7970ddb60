"""The emulator as a real server in a subprocess, for tests of anything that talks to TMDB.

with running_emulator(movies=200, seed=7) as emu:
    httpx.get(f"{emu.base_url}/movie/popular", params={"api_key": emu.api_key})
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Iterator
from datetime import date
from typing import Any

import httpx

from tmdb_pipeline.emulator.settings import DEFAULT_READ_ACCESS_TOKEN, EmulatorSettings
from tmdb_pipeline.settings import StackSettings
from tmdb_pipeline.stack.emulator import EmulatorService
from tmdb_pipeline.testing.services import HOST, on_free_port


class RunningEmulator(EmulatorService):
    """The stack's emulator service, with a client for its admin endpoints."""

    @property
    def admin_url(self) -> str:
        return f"http://{self.address}/__admin"

    @property
    def api_key(self) -> str:
        return self.emulator.api_key

    @property
    def read_access_token(self) -> str:
        return self.emulator.read_access_token

    @property
    def movies(self) -> int:
        return self.emulator.movies

    def stats(self) -> dict[str, Any]:
        return self._admin("GET", "/stats")

    def reset_stats(self) -> dict[str, Any]:
        return self._admin("POST", "/stats/reset")

    def mutate(self, n: int) -> dict[str, list[int]]:
        """Change `n` movies (and some people) right now; returns the ids changed."""
        return self._admin("POST", "/mutate", params={"count": n})

    def set_faults(self, **settings: float | None) -> dict[str, Any]:
        """fail_rate, slow_rate, malformed_rate, rate_limit (None: none), slow_delay_s, mutate_rate."""
        return self._admin("POST", "/faults", json=settings)

    def log(self) -> str:
        return self.log_file.read_text(errors="replace")

    def close(self) -> None:
        if "_client" in self.__dict__:
            self._client.close()

    @functools.cached_property
    def _client(self) -> httpx.Client:
        return httpx.Client(timeout=30.0)

    def _admin(self, method: str, path: str, **kwargs: Any) -> Any:
        response = self._client.request(method, self.admin_url + path, **kwargs)
        response.raise_for_status()
        return response.json()


@contextlib.contextmanager
def running_emulator(
    movies: int = 200,
    seed: int = 7,
    rate_limit: float | None = None,
    fail_rate: float = 0.0,
    slow_rate: float = 0.0,
    malformed_rate: float = 0.0,
    mutate_rate: float = 0.0,
    api_key: str = "test-key",
    read_access_token: str = DEFAULT_READ_ACCESS_TOKEN,
    slow_delay_s: float = 2.0,
    today: date | None = None,
    startup_timeout_s: float = 30.0,
) -> Iterator[RunningEmulator]:
    """Start `python -m tmdb_pipeline.emulator` on a free port of 127.0.0.1, yield a handle, stop it."""

    def build(stack: StackSettings, port: int) -> RunningEmulator:
        settings = EmulatorSettings(
            movies=movies,
            seed=seed,
            host=HOST,
            port=port,
            rate_limit=rate_limit or 0,
            fail_rate=fail_rate,
            slow_rate=slow_rate,
            malformed_rate=malformed_rate,
            mutate_rate=mutate_rate,
            api_key=api_key,
            read_access_token=read_access_token,
            slow_delay_s=slow_delay_s,
            today=today,
        )
        return RunningEmulator(stack, settings)

    with on_free_port(build, "tmdb-emulator-", startup_timeout_s, stop_timeout_s=5.0) as emulator:
        try:
            yield emulator
        finally:
            emulator.close()
