"""`tmdb-pipeline emulator`: prints where it listens and the test key, serves, stops on Ctrl-C."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tmdb_pipeline.stack.process import free_port

CLI = str(Path(sys.executable).with_name("tmdb-pipeline"))


def test_given_options_when_the_cli_serves_then_it_prints_the_url_and_key_and_stops_on_ctrl_c() -> None:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("EMULATOR_")}
    process = subprocess.Popen(
        [CLI, "emulator", "--movies", "50", "--seed", "2", "--port", str(port), "--api-key", "cli-key"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env={**env, "COLUMNS": "200"},
        text=True,
    )
    try:
        lines = []
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not any("Serving" in line for line in lines):
            lines.append(process.stdout.readline())
        printed = "".join(lines)
        assert f"http://127.0.0.1:{port}/3" in printed and "cli-key" in printed and "not secrets" in printed
        answer = None
        while time.monotonic() < deadline and answer is None:
            try:
                answer = httpx.get(
                    f"http://127.0.0.1:{port}/3/genre/movie/list", params={"api_key": "cli-key"}
                )
            except httpx.ConnectError:
                time.sleep(0.1)
        assert answer is not None and answer.status_code == 200
        health = httpx.get(f"http://127.0.0.1:{port}/__admin/health").json()
        assert health["movies"] == 50 and health["seed"] == 2
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=15) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_given_a_catalogue_too_small_when_starting_the_cli_then_it_exits_2_naming_the_option() -> None:
    result = subprocess.run([CLI, "emulator", "--movies", "5"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert "--movies" in result.stderr + result.stdout
