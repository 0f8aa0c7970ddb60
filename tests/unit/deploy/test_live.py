"""The speed layer in deploy/: `tmdb-pipeline live --continuous` as its own compose service and k8s
Deployment, with its checkpoint on its own volume and its heartbeat as the health probe."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from deploy_support import VARIANTS, image_name, one

from tmdb_pipeline.stack.process import free_port

PROBE = ["python", "-m", "tmdb_pipeline.stack.live"]
COMMAND = ["tmdb-pipeline", "live", "--continuous"]


def test_given_compose_then_the_live_job_runs_alone_on_its_own_volume_with_the_heartbeat_probe(compose):
    services = compose["services"]
    live = services["live"]
    assert image_name(live["image"]) == "tmdb-pipeline" and live["command"] == COMMAND
    assert live["volumes"] == ["live-data:/data"]
    assert live["environment"]["LIVE_CHECKPOINT_DIR"].startswith("file:///data/")
    assert live["healthcheck"]["test"] == ["CMD", *PROBE]
    assert {"kafka", "mongo"} <= set(live["depends_on"])
    # one job per checkpoint: nothing else runs the speed layer
    others = [name for name, s in services.items() if name != "live" and "--live" in s.get("command", [])]
    assert others == []


@pytest.mark.parametrize("variant", VARIANTS)
def test_given_an_overlay_then_one_live_pod_keeps_its_checkpoint_on_its_own_claim(rendered, variant):
    docs = rendered[variant]
    deployment = one(docs, "Deployment", "live")
    assert deployment["spec"]["replicas"] == 1 and deployment["spec"]["strategy"]["type"] == "Recreate"
    spec = deployment["spec"]["template"]["spec"]
    (container,) = spec["containers"]
    assert image_name(container["image"]) == "tmdb-pipeline" and container["args"] == COMMAND
    env = {item["name"]: item for item in container["env"]}
    assert env["LIVE_CHECKPOINT_DIR"]["value"].startswith("file:///data/")
    assert {m["mountPath"]: m["name"] for m in container["volumeMounts"]} == {"/data": "data"}
    (volume,) = spec["volumes"]
    assert volume["persistentVolumeClaim"]["claimName"] == "live-data"
    one(docs, "PersistentVolumeClaim", "live-data")
    for probe in ("startupProbe", "livenessProbe"):
        assert container[probe]["exec"]["command"] == PROBE, probe
    assert env["MONGO_URI"]["valueFrom"]["secretKeyRef"]["name"] == "tmdb-mongodb-connection"


def test_given_no_heartbeat_when_the_probe_runs_then_it_fails_on_mongodb_not_on_an_import():
    env = os.environ | {
        "MONGO_URI": f"mongodb://127.0.0.1:{free_port()}/",
        "MONGO_SERVER_SELECTION_TIMEOUT_MS": "300",
    }
    done = subprocess.run(
        [sys.executable, *PROBE[1:]], env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 1
    assert "no speed-layer heartbeat within 30s (last: None)" in done.stderr
