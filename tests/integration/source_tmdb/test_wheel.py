"""The connector as its image installs it: a wheel built from airbyte/source-tmdb, installed into a
fresh virtualenv, run through its console script (what /entrypoint.sh execs) against the emulator.

The project's .venv has source-tmdb installed editable, so nothing else tests that the wheel carries
the spec and the schemas, or that the script works outside the project. Dependencies are pinned to the
versions in .venv (the lock's) and come from uv's cache; uv reads the package index only for metadata
its cache lacks.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[3]
CONNECTOR_DIR = ROOT / "airbyte" / "source-tmdb"


def _uv() -> str:
    found = shutil.which("uv") or str(ROOT / ".local" / "tools" / "bin" / "uv")
    if not Path(found).exists():
        pytest.fail("uv not found: run `make setup`, which installs it under .local/tools")
    return found


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The `source-tmdb` script of a fresh venv holding only the built wheel and its dependencies."""
    uv, work = _uv(), tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [uv, "build", "--offline", "--wheel", "--out-dir", str(work / "dist"), str(CONNECTOR_DIR)],
        check=True,
        capture_output=True,
    )
    wheel = next((work / "dist").glob("source_tmdb-*.whl"))
    subprocess.run([uv, "venv", "--offline", "--python", sys.executable, str(work / "venv")], check=True)
    pins = subprocess.run(
        [uv, "pip", "freeze", "--python", sys.executable], check=True, capture_output=True, text=True
    ).stdout
    constraints = work / "constraints.txt"
    constraints.write_text(
        "\n".join(line for line in pins.splitlines() if "==" in line and not line.startswith("source-tmdb"))
    )
    install = [
        uv,
        "pip",
        "install",
        "--python",
        str(work / "venv" / "bin" / "python"),
        "-c",
        str(constraints),
    ]
    done = subprocess.run([*install, "--offline", str(wheel)], capture_output=True, text=True)
    if done.returncode != 0:
        # uv's cache holds the wheels (uv sync put them there) but not always the index pages that
        # an offline resolution needs; read those from the index, the wheels still come from the cache.
        done = subprocess.run([*install, str(wheel)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-3000:]
    yield work / "venv" / "bin" / "source-tmdb"


def test_given_the_wheel_in_a_fresh_venv_when_spec_check_discover_read_then_it_works_like_the_image(
    installed, connector, emulator, tmp_path
):
    def run(*args: str) -> list[dict]:
        done = subprocess.run(
            [str(installed), *args], capture_output=True, text=True, timeout=300, check=False
        )
        assert done.returncode == 0, done.stderr[-2000:]
        return connector.parse(done.stdout)

    # the package, not the project's editable checkout
    probe = installed.with_name("python")
    origin = subprocess.run(
        [str(probe), "-c", "import source_tmdb; print(source_tmdb.__file__)"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert str(CONNECTOR_DIR) not in origin and "site-packages" in origin

    spec = next(m for m in run("spec") if m["type"] == "SPEC")["spec"]["connectionSpecification"]
    assert "credentials" in spec["required"]

    config = connector.config_for(emulator, max_movies=10, max_pages=1)
    inputs = connector.write_inputs(tmp_path, config, connector.catalog_for())
    config_args = inputs[:2]
    status = next(m for m in run("check", *config_args) if m["type"] == "CONNECTION_STATUS")
    assert status["connectionStatus"]["status"] == "SUCCEEDED"

    catalog = next(m for m in run("discover", *config_args) if m["type"] == "CATALOG")["catalog"]
    # the schemas are package data: each stream's must have come with the wheel
    assert {s["name"] for s in catalog["streams"]} == set(connector.streams)
    assert all(s["json_schema"]["properties"] for s in catalog["streams"])

    messages = run("read", *inputs)
    streams = {m["record"]["stream"] for m in messages if m["type"] == "RECORD"}
    assert streams == set(connector.streams)
    assert not [m for m in messages if m["type"] == "TRACE" and m["trace"]["type"] == "ERROR"]
    assert json.dumps(messages).count(emulator.api_key) == 0
