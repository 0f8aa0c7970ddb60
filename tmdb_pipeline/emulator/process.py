"""Run the emulator as a real server in a subprocess, for tests of anything that talks to TMDB.

with running_emulator(movies=200, seed=7) as emu:
    httpx.get(f"{emu.base_url}/movie/popular", params={"api_key": emu.api_key})
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import httpx

from tmdb_pipeline.emulator.settings import DEFAULT_READ_ACCESS_TOKEN
from tmdb_pipeline.stack.process import free_port

HOST = "127.0.0.1"


class EmulatorError(Exception):
    """The emulator process did not start or stopped answering; the message holds its log."""


@dataclass
class RunningEmulator:
    base_url: str
    api_key: str
    read_access_token: str
    admin_url: str
    process: subprocess.Popen[bytes]
    log_path: Path
    movies: int
    _client: httpx.Client = field(default_factory=lambda: httpx.Client(timeout=30.0), repr=False)

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
        return self.log_path.read_text(errors="replace")

    def _admin(self, method: str, path: str, **kwargs: Any) -> Any:
        response = self._client.request(method, self.admin_url + path, **kwargs)
        response.raise_for_status()
        return response.json()


def _wait_ready(process: subprocess.Popen[bytes], admin_url: str, log_path: Path, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise EmulatorError(f"emulator exited with {process.returncode}:\n{log_path.read_text()[-3000:]}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(admin_url + "/health", timeout=1.0).status_code == 200:
                return
        time.sleep(0.05)
    raise EmulatorError(f"emulator not ready after {timeout_s:.0f}s:\n{log_path.read_text()[-3000:]}")


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


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
    settings = {
        "MOVIES": movies,
        "SEED": seed,
        "HOST": HOST,
        "RATE_LIMIT": rate_limit or 0,
        "FAIL_RATE": fail_rate,
        "SLOW_RATE": slow_rate,
        "MALFORMED_RATE": malformed_rate,
        "MUTATE_RATE": mutate_rate,
        "API_KEY": api_key,
        "READ_ACCESS_TOKEN": read_access_token,
        "SLOW_DELAY_S": slow_delay_s,
        **({"TODAY": today.isoformat()} if today else {}),
    }
    env = {k: v for k, v in os.environ.items() if not k.startswith("EMULATOR_")}
    env.update({f"EMULATOR_{k}": str(v) for k, v in settings.items()})
    with tempfile.TemporaryDirectory(prefix="tmdb-emulator-") as tmp:
        log_path = Path(tmp) / "emulator.log"
        for attempt in range(3):  # another process may grab the free port before the server binds it
            port = free_port(HOST)
            env["EMULATOR_PORT"] = str(port)
            with log_path.open("wb") as log_file:
                process = subprocess.Popen(
                    [sys.executable, "-m", "tmdb_pipeline.emulator"],
                    env=env,
                    stdout=log_file,
                    stderr=subprocess.STDOUT,
                )
            admin_url = f"http://{HOST}:{port}/__admin"
            try:
                _wait_ready(process, admin_url, log_path, startup_timeout_s)
                break
            except EmulatorError:
                _stop(process)
                if attempt == 2 or "address already in use" not in log_path.read_text().lower():
                    raise
        handle = RunningEmulator(
            base_url=f"http://{HOST}:{port}/3",
            api_key=api_key,
            read_access_token=read_access_token,
            admin_url=admin_url,
            process=process,
            log_path=log_path,
            movies=movies,
        )
        try:
            yield handle
        finally:
            handle._client.close()
            _stop(process)
