"""Run a benchmark once per lakehouse topology in the same run, and compare.

A Spark session's default catalog is fixed when the session starts, so each topology runs in its
own process: the embedded default (JDBC catalog on SQLite, file warehouse) and the production one
(Iceberg's REST catalog server on a SeaweedFS S3 store). The REST + S3 run gets a private store and
catalog of its own (temporary home, free ports), so a benchmark never touches the stack's tables.
Each child writes its figures as JSON; the parent prints them side by side with the ratio.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tmdb_pipeline.settings import IcebergSettings, KafkaSettings, S3Settings, StackSettings, load
from tmdb_pipeline.stack.iceberg_rest import IcebergRestService
from tmdb_pipeline.stack.process import free_port, port_is_free
from tmdb_pipeline.stack.s3 import GRPC_OFFSET, SeaweedFsService

LOCAL, OBJECT_STORE = "local files", "REST + S3"


def _free_port_pair() -> int:
    """A free port whose SeaweedFS gRPC twin (port + 10000) is free too, both below Linux's ephemeral
    range (32768+) so that no client socket can take the twin while the server starts."""
    while True:
        port = random.randrange(20000, 22700)
        if port_is_free("127.0.0.1", port) and port_is_free("127.0.0.1", port + GRPC_OFFSET):
            return port


@contextmanager
def private_object_store() -> Iterator[dict[str, str]]:
    """SeaweedFS + Iceberg's REST catalog in a temporary home on free ports; yields the environment
    that points a pipeline process at them."""
    shared = load(StackSettings)
    home = Path(tempfile.mkdtemp(prefix="bench-lakehouse-"))
    env = {
        "STACK_HOME": str(home),
        "STACK_DOWNLOADS": str(shared.downloads),
        "ICEBERG_CATALOG_TYPE": "rest",
        "ICEBERG_WAREHOUSE": "s3://warehouse/",  # over a file warehouse the caller may have set
        "ICEBERG_REST_PORT": str(free_port()),
        **{
            name: str(_free_port_pair())
            for name in ("S3_PORT", "S3_MASTER_PORT", "S3_VOLUME_PORT", "S3_FILER_PORT")
        },
    }
    stack = StackSettings(home=home, downloads=shared.downloads)
    s3 = S3Settings(
        port=int(env["S3_PORT"]),
        master_port=int(env["S3_MASTER_PORT"]),
        volume_port=int(env["S3_VOLUME_PORT"]),
        filer_port=int(env["S3_FILER_PORT"]),
    )
    iceberg = IcebergSettings(
        catalog_type="rest", warehouse=env["ICEBERG_WAREHOUSE"], rest_port=int(env["ICEBERG_REST_PORT"])
    )
    services = [SeaweedFsService(stack, s3, iceberg), IcebergRestService(stack, iceberg, s3)]
    try:
        for service in services:
            service.start()
        yield env
    finally:
        for service in reversed(services):
            service.stop()
        shutil.rmtree(home, ignore_errors=True)


def run_per_topology(script: Path, args: list[str]) -> dict[str, dict]:
    """`script --topology NAME --result-file F args` once per topology; {topology: its JSON}."""
    results = {}
    work = Path(tempfile.mkdtemp(prefix="bench-topologies-"))
    # children reach the stack's Kafka by address: the REST child's stack home is a private one
    base = {**os.environ, "KAFKA_BOOTSTRAP_SERVERS": load(KafkaSettings).bootstrap_servers}
    for name in (LOCAL, OBJECT_STORE):
        result = work / f"{len(results)}.json"
        command = [sys.executable, str(script), "--topology", name, "--result-file", str(result), *args]
        print(f"\n######## {name}", flush=True)
        if name == LOCAL:
            subprocess.run(command, env={**base, "ICEBERG_CATALOG_TYPE": "jdbc"}, check=True)
        else:
            with private_object_store() as env:
                subprocess.run(command, env={**base, **env}, check=True)
        results[name] = json.loads(result.read_text())
    shutil.rmtree(work, ignore_errors=True)
    return results


def print_comparison(results: dict[str, dict], figures: dict[str, str]) -> None:
    """One line per figure (`key: label`, seconds): local, REST + S3 and the ratio REST/local."""
    local, remote = results[LOCAL], results[OBJECT_STORE]
    print(f"\n== the same run on both topologies (seconds; ratio = {OBJECT_STORE} / {LOCAL})")
    print(f"{'':<46}{LOCAL:>12}{OBJECT_STORE:>12}{'ratio':>8}")
    for key, label in figures.items():
        if key in local and key in remote:
            print(f"{label:<46}{local[key]:>12.1f}{remote[key]:>12.1f}{remote[key] / local[key]:>8.2f}")
