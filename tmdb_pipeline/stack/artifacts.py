"""Fetch what the local stack runs: JVM jars from Maven Central and FerretDB from the Go module proxy.

Everything lands in a versioned folder under `.local/downloads/`; a folder with a `.complete`
marker is reused, so installs are idempotent and a half-finished one is redone.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from tmdb_pipeline.stack.process import StackError

MAVEN_DIR = Path(__file__).parent / "maven"


def _complete(folder: Path) -> bool:
    return (folder / ".complete").exists()


def _missing(folder: Path, artifacts: list[str]) -> list[str]:
    names = [jar.name for jar in folder.glob("*.jar")]
    return [
        a
        for a in artifacts
        if not any(n.startswith(f"{a}-") and n[len(a) + 1 : len(a) + 2].isdigit() for n in names)
    ]


def _require(tool: str, hint: str) -> str:
    path = shutil.which(tool)
    if path is None:
        raise StackError(f"`{tool}` is not on PATH; {hint}")
    return path


def _run(command: list[str], what: str, env: dict[str, str] | None = None) -> None:
    result = subprocess.run(command, capture_output=True, text=True, env=env)
    if result.returncode != 0:
        output = (result.stdout + result.stderr).strip().splitlines()[-25:]
        raise StackError(f"{what} failed (exit {result.returncode}):\n" + "\n".join(output))


def maven_jars(
    pom: str,
    target: Path,
    properties: dict[str, str],
    include_artifacts: list[str] | None = None,
) -> list[Path]:
    """Copy the runtime dependency closure of one of our poms into `target` (once; again when the
    pom gained an artifact the folder lacks)."""
    if not _complete(target) or _missing(target, include_artifacts or []):
        mvn = _require("mvn", "install Maven (Debian package `maven`)")
        staging = target.with_name(target.name + ".partial")
        shutil.rmtree(staging, ignore_errors=True)
        command = [
            mvn, "-q", "-B",
            "-s", str(MAVEN_DIR / "settings.xml"),
            "-f", str(MAVEN_DIR / pom),
            "dependency:copy-dependencies",
            f"-DoutputDirectory={staging}",
            "-DincludeScope=runtime",
        ]  # fmt: skip
        command += [f"-D{key}={value}" for key, value in properties.items()]
        if include_artifacts:
            command.append("-DincludeArtifactIds=" + ",".join(include_artifacts))
        _run(command, f"Resolving {pom} from Maven Central")
        shutil.rmtree(target, ignore_errors=True)
        staging.rename(target)
        (target / ".complete").touch()
    return sorted(target.glob("*.jar"))


def ferretdb_binary(version: str, target: Path) -> Path:
    """Build FerretDB `version` with `go install` from the Go module proxy (once)."""
    binary = target / "ferretdb"
    if _complete(target) and binary.exists():
        return binary
    go = _require("go", "install Go (https://go.dev) or the Debian package `golang`")
    target.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, GOBIN=str(target), CGO_ENABLED="0", GOFLAGS="-trimpath")
    _run([go, "install", f"github.com/FerretDB/FerretDB/cmd/ferretdb@{version}"], "Building FerretDB", env)
    (target / ".complete").touch()
    return binary
