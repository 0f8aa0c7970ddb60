"""Run the API for real, through `tmdb-pipeline api` (uvicorn) in a subprocess, for tests and benchmarks.

with running_api({"MONGO_DATABASE": "tmdb_test"}) as api:
    httpx.get(f"{api.base_url}/movies")
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import httpx

from tmdb_pipeline.stack.process import free_port

HOST = "127.0.0.1"
# the CLI command itself, without needing the lead's registration in tmdb_pipeline.cli
_LAUNCH = "import typer; from tmdb_pipeline.cli.serving import api; typer.run(api)"


class ApiProcessError(Exception):
    """The API process did not start; the message holds the end of its log."""


@dataclass
class RunningApi:
    base_url: str
    port: int
    process: subprocess.Popen[bytes]
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


def _wait_ready(process: subprocess.Popen[bytes], base_url: str, log_path: Path, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise ApiProcessError(f"API exited with {process.returncode}:\n{log_path.read_text()[-3000:]}")
        with contextlib.suppress(httpx.HTTPError):
            # any answer (200, or 503 with MongoDB down) means uvicorn serves the app
            if httpx.get(base_url + "/health", timeout=3.0).status_code in (200, 503):
                return
        time.sleep(0.1)
    raise ApiProcessError(f"API not ready after {timeout_s:.0f}s:\n{log_path.read_text()[-3000:]}")


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


@contextlib.contextmanager
def running_api(
    env: Mapping[str, str] | None = None, args: tuple[str, ...] = (), startup_timeout_s: float = 30.0
) -> Iterator[RunningApi]:
    """Start the API on a free port of 127.0.0.1 with `env` over os.environ; stop it afterwards."""
    full_env = {**os.environ, "API_LOG_LEVEL": "warning", **(env or {})}
    with tempfile.TemporaryDirectory(prefix="tmdb-api-") as tmp:
        log_path = Path(tmp) / "api.log"
        for attempt in range(3):  # another process may take the free port before uvicorn binds it
            port = free_port(HOST)
            command = [
                sys.executable,
                "-c",
                _LAUNCH,
                "--host",
                HOST,
                "--port",
                str(port),
                "--no-access-log",
                *args,
            ]
            with log_path.open("wb") as log_file:
                process = subprocess.Popen(command, env=full_env, stdout=log_file, stderr=subprocess.STDOUT)
            base_url = f"http://{HOST}:{port}"
            try:
                _wait_ready(process, base_url, log_path, startup_timeout_s)
                break
            except ApiProcessError:
                _stop(process)
                if attempt == 2 or "address already in use" not in log_path.read_text().lower():
                    raise
        try:
            yield RunningApi(base_url, port, process, log_path)
        finally:
            _stop(process)
