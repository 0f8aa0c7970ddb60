"""deploy/monitoring/docker-compose.monitoring.yml, layered on deploy/docker-compose.yml: rendered by
`docker compose config` (no engine), its mounts exist, and Prometheus's static targets are the ports
the pipeline serves."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
import yaml
from deploy_support import COMPOSE_FILE, DEPLOY, ROOT, compose_command, env_file_entries

from tmdb_pipeline.metrics.settings import MetricsSettings

OVERRIDE = DEPLOY / "monitoring" / "docker-compose.monitoring.yml"


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> dict:
    command = compose_command()
    if command is None:
        pytest.skip("no Docker Compose CLI; deploy/scripts/install-compose.sh builds one without an engine")
    entries = env_file_entries(DEPLOY / ".env.example") | {"GRAFANA_ADMIN_PASSWORD": ""}
    env_file = tmp_path_factory.mktemp("compose") / "compose.env"
    env_file.write_text("".join(f"{k}={v or 'placeholder-' + k.lower()}\n" for k, v in entries.items()))
    files = ["-f", str(COMPOSE_FILE), "-f", str(OVERRIDE), "--env-file", str(env_file)]
    done = subprocess.run(
        [*command, *files, "--profile", "emulator", "config", "--format", "json"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)["services"]


def test_given_the_monitoring_file_then_prometheus_pushgateway_and_grafana_join_the_stack(rendered):
    assert {"prometheus", "pushgateway", "grafana", "pipeline", "api"} <= set(rendered)
    pipeline = rendered["pipeline"]["environment"]
    assert pipeline["METRICS_HOST"] == "0.0.0.0"
    assert pipeline["METRICS_PUSHGATEWAY_URL"] == "http://pushgateway:9091"
    assert "MONGO_URI" in pipeline  # the override adds to the base environment, it does not replace it
    for name in ("prometheus", "grafana"):
        for volume in rendered[name]["volumes"]:
            if volume["type"] == "bind":
                assert Path(volume["source"]).exists(), volume["source"]
                assert Path(volume["source"]).resolve().is_relative_to(ROOT / "monitoring")


def test_given_the_static_prometheus_config_then_it_scrapes_the_ports_the_pipeline_serves():
    config = yaml.safe_load((ROOT / "monitoring" / "prometheus.yml").read_text())
    targets = {job["job_name"]: job["static_configs"][0]["targets"][0] for job in config["scrape_configs"]}
    assert targets["tmdb-pipeline"] == f"pipeline:{MetricsSettings.model_fields['pipeline_port'].default}"
    assert targets["tmdb-api"] == "api:8000"
    assert targets["pushgateway"] == "pushgateway:9091"
