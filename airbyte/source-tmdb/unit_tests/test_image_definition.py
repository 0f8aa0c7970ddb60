"""metadata.yaml, the Dockerfile and pyproject.toml describe one image (the image is built in the standard
suite's image tests, which need a Docker engine; these checks need none)."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def _dockerfile() -> str:
    return (ROOT / "Dockerfile").read_text()


def test_given_metadata_and_dockerfile_when_compared_then_same_base_image_version_and_name() -> None:
    metadata = yaml.safe_load((ROOT / "metadata.yaml").read_text())["data"]
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    dockerfile = _dockerfile()

    base = re.search(r"^ARG BASE_IMAGE=(\S+)$", dockerfile, re.MULTILINE)
    assert base and base.group(1) == metadata["connectorBuildOptions"]["baseImage"]
    assert dockerfile.count("FROM ${BASE_IMAGE}") == 2
    assert metadata["dockerImageTag"] == project["version"]
    assert f"LABEL io.airbyte.version={project['version']}" in dockerfile
    assert f"LABEL io.airbyte.name={metadata['dockerRepository']}" in dockerfile
    assert "language:python" in metadata["tags"]


def test_given_the_dockerfile_when_read_then_it_runs_the_console_script_as_the_airbyte_user() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    dockerfile = _dockerfile()

    # Airbyte's Python template: the console script named after the connector, behind /entrypoint.sh.
    assert project["scripts"] == {"source-tmdb": "source_tmdb.run:run"}
    assert 'exec source-tmdb "$@"' in dockerfile
    assert 'ENV AIRBYTE_ENTRYPOINT="/entrypoint.sh"' in dockerfile
    assert 'ENTRYPOINT ["/entrypoint.sh"]' in dockerfile
    users = re.findall(r"^USER (\S+)$", dockerfile, re.MULTILINE)
    assert users == ["airbyte"]
    # USER comes after every RUN: nothing in the final image runs as root.
    final_stage = dockerfile.split("FROM ${BASE_IMAGE}\n", 1)[1]
    assert final_stage.index("USER airbyte") > final_stage.rindex("RUN ")
    assert "secrets" not in re.findall(r"^COPY (.+)$", dockerfile, re.MULTILINE).__str__()
