"""The API for real, `tmdb-pipeline api` (uvicorn) in a subprocess, for tests and benchmarks.

with running_api({"MONGO_DATABASE": "tmdb_test"}) as api:
    httpx.get(f"{api.base_url}/movies")
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator, Mapping

import httpx

from tmdb_pipeline.settings import StackSettings
from tmdb_pipeline.stack.api import ApiService
from tmdb_pipeline.testing.services import HOST, on_free_port


class RunningApi(ApiService):
    """The stack's API service with the test's environment over os.environ and extra CLI options."""

    def __init__(
        self, stack: StackSettings, port: int, env: Mapping[str, str], args: tuple[str, ...]
    ) -> None:
        super().__init__(stack, HOST, port)
        self.env = dict(env)
        self.args = args

    @property
    def base_url(self) -> str:
        return self.url

    def command(self) -> list[str]:
        return [*super().command(), "--no-access-log", *self.args]

    def environment(self) -> dict[str, str]:
        return {**os.environ, "API_LOG_LEVEL": "warning", **self.env}

    def healthy(self) -> bool:
        # serving is enough: /health answers 503 while MongoDB is down, and some tests want exactly that
        try:
            return httpx.get(f"{self.url}/health", timeout=3.0).status_code in (200, 503)
        except httpx.HTTPError:
            return False

    def log(self) -> str:
        return self.log_file.read_text(errors="replace")


@contextlib.contextmanager
def running_api(
    env: Mapping[str, str] | None = None, args: tuple[str, ...] = (), startup_timeout_s: float = 30.0
) -> Iterator[RunningApi]:
    """Start the API on a free port of 127.0.0.1 with `env` over os.environ; stop it afterwards.
    A start that fails raises the stack's StackError with the end of the API's log."""

    def build(stack: StackSettings, port: int) -> RunningApi:
        return RunningApi(stack, port, env or {}, args)

    with on_free_port(build, "tmdb-api-", startup_timeout_s, stop_timeout_s=10.0) as api:
        yield api
