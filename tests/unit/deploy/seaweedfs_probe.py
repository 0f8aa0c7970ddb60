"""Runs deploy/k8s/base/seaweedfs/seaweedfs.sh with a real `weed` and probes it over S3, the way the
pipeline's pyarrow file IO does. Meant to run in a private network namespace (test_seaweedfs.py
starts it with `unshare -n`), so the fixed ports cannot meet another SeaweedFS on this machine.

Prints one JSON object of observations; the test decides.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

KEY, SECRET = "probe-key.1", "probe+secret/2="


def s3(key: str, secret: str) -> Any:
    from pyarrow import fs

    return fs.S3FileSystem(
        access_key=key,
        secret_key=secret,
        endpoint_override="127.0.0.1:8333",
        scheme="http",
        region="us-east-1",
        force_virtual_addressing=False,
        retry_strategy=fs.AwsStandardS3RetryStrategy(max_attempts=1),
    )


def refused(action: Any) -> bool:
    try:
        action()
    except OSError:
        return True
    return False


def preflight(key: str, secret: str) -> str:
    """The pipeline's own check of the object store (tmdb_pipeline.stack.catalog), with deploy's settings."""
    from pydantic import SecretStr

    from tmdb_pipeline.settings import IcebergSettings, S3Settings, StackSettings
    from tmdb_pipeline.stack.catalog import LakehouseError, check_object_store

    iceberg = IcebergSettings(
        catalog_type="rest", warehouse="s3://warehouse/", catalog_uri="http://127.0.0.1:9"
    )
    s3 = S3Settings(
        endpoint="http://127.0.0.1:8333",
        region="us-east-1",
        path_style_access=True,
        access_key_id=SecretStr(key),
        secret_access_key=SecretStr(secret),
    )
    try:
        check_object_store(StackSettings(), iceberg, s3)
    except LakehouseError as exc:
        return f"refused: {exc}"
    return "ok"


def main(script: str, work: str) -> dict[str, Any]:
    env = {
        **os.environ,
        "SEAWEEDFS_HOST": "127.0.0.1",
        "SEAWEEDFS_DIR": str(Path(work) / "data"),
        "TMPDIR": work,
        "S3_BUCKET": "warehouse",
    }
    from pyarrow import fs

    (Path(work) / "data").mkdir()
    seen: dict[str, Any] = {}
    bad = subprocess.run(
        ["sh", script, "serve"],
        env={**env, "S3_ACCESS_KEY_ID": 'a"b', "S3_SECRET_ACCESS_KEY": "x"},
        capture_output=True,
        text=True,
        timeout=10,
    )
    seen["bad_key_rc"] = bad.returncode
    log = open(Path(work) / "serve.log", "w")  # noqa: SIM115 - closed with the server below
    server = subprocess.Popen(
        ["sh", script, "serve"],
        env={**env, "S3_ACCESS_KEY_ID": KEY, "S3_SECRET_ACCESS_KEY": SECRET},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        began = time.monotonic()
        while time.monotonic() - began < 60:
            try:
                urllib.request.urlopen("http://127.0.0.1:8333/healthz", timeout=2)
                break
            except OSError:
                time.sleep(0.5)
        seen["healthy_after_s"] = round(time.monotonic() - began, 1)
        config = json.loads((Path(work) / "seaweedfs-s3.json").read_text())
        seen["identities"] = [(i["name"], sorted(i["actions"])) for i in config["identities"]]
        seen["config_mode"] = oct((Path(work) / "seaweedfs-s3.json").stat().st_mode & 0o777)
        for attempt in ("first", "again"):
            run = subprocess.run(
                ["sh", script, "ensure-bucket"], env=env, capture_output=True, text=True, timeout=120
            )
            seen[f"ensure_{attempt}"] = (run.returncode, run.stdout.strip().splitlines()[-1:])
        store = s3(KEY, SECRET)
        with store.open_output_stream("warehouse/probe/data.parquet") as out:
            out.write(b"PAR1 probe")
        with store.open_input_stream("warehouse/probe/data.parquet") as got:
            seen["read_back"] = got.read().decode()
        seen["listed"] = [info.path for info in store.get_file_info(fs.FileSelector("warehouse/probe"))]
        store.delete_file("warehouse/probe/data.parquet")
        # a second bucket exists, but the identity is limited to S3_BUCKET
        other = subprocess.run(
            ["sh", script, "ensure-bucket"],
            env={**env, "S3_BUCKET": "other"},
            capture_output=True,
            timeout=120,
        )
        seen["other_bucket_created"] = other.returncode == 0
        seen["other_bucket_refused"] = refused(lambda: store.open_output_stream("other/x").close())
        seen["wrong_secret_refused"] = refused(lambda: s3(KEY, "wrong").get_file_info("warehouse/probe/x"))
        seen["preflight"] = preflight(KEY, SECRET)
        seen["preflight_wrong_secret"] = preflight(KEY, "wrong")
    finally:
        # weed shuts down gracefully in about 25 s; the namespace is thrown away anyway
        server.kill()
        server.wait(timeout=30)
        log.close()
    seen["serve_log_tail"] = (Path(work) / "serve.log").read_text()[-1500:]
    return seen


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1], sys.argv[2])))
