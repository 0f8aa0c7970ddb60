"""deploy/k8s/components/monitoring on the dev overlay: rendered by kustomize, scraping the ports the
pipeline serves, and its generated PrometheusRule and dashboard ConfigMaps in step with monitoring/."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from deploy_support import by_kind, render

from tmdb_pipeline.metrics import manifests
from tmdb_pipeline.metrics.settings import MetricsSettings


@pytest.fixture(scope="module")
def docs(k8s_copy: Path) -> list[dict[str, Any]]:
    overlay = k8s_copy / "overlays" / "dev-monitoring"
    shutil.copytree(k8s_copy / "overlays" / "dev", overlay)
    kustomization = yaml.safe_load((overlay / "kustomization.yaml").read_text())
    kustomization["components"] = [*kustomization.get("components", []), "../../components/monitoring"]
    (overlay / "kustomization.yaml").write_text(yaml.safe_dump(kustomization))
    return render(k8s_copy, "dev-monitoring")


def test_given_the_component_then_the_api_pipeline_and_kafka_are_scraped(docs):
    monitors = {
        d["metadata"]["name"]: d for d in by_kind(docs, "ServiceMonitor") + by_kind(docs, "PodMonitor")
    }
    assert set(monitors) == {"tmdb-api", "tmdb-pipeline", "tmdb-kafka"}
    (pipeline,) = [d for d in by_kind(docs, "Deployment") if d["metadata"]["name"] == "pipeline"]
    container = pipeline["spec"]["template"]["spec"]["containers"][0]
    assert {"name": "METRICS_HOST", "value": "0.0.0.0"} in container["env"]
    default_port = MetricsSettings.model_fields["pipeline_port"].default
    assert {"name": "metrics", "containerPort": default_port} in container["ports"]
    selector = monitors["tmdb-pipeline"]["spec"]["selector"]["matchLabels"]
    assert selector.items() <= pipeline["spec"]["template"]["metadata"]["labels"].items()
    (api,) = [d for d in by_kind(docs, "Service") if d["metadata"]["name"] == "api"]
    assert "http" in {port.get("name") for port in api["spec"]["ports"]}
    (kafka,) = by_kind(docs, "Kafka")
    assert kafka["spec"]["kafka"]["metricsConfig"]["valueFrom"]["configMapKeyRef"]["name"] == "kafka-metrics"
    assert [d for d in by_kind(docs, "ConfigMap") if d["metadata"]["name"] == "kafka-metrics"]


def test_given_monitoring_then_the_generated_manifests_are_current(docs):
    for name, text in manifests.render().items():
        assert (manifests.COMPONENT / name).read_text() == text, (
            "run python -m tmdb_pipeline.metrics.manifests"
        )
    dashboards = [
        d for d in by_kind(docs, "ConfigMap") if d["metadata"].get("labels", {}).get("grafana_dashboard")
    ]
    assert len(dashboards) == len(list((manifests.MONITORING / "grafana" / "dashboards").glob("*.json")))
    assert (
        by_kind(docs, "PrometheusRule")[0]["spec"]["groups"] == manifests.prometheus_rule()["spec"]["groups"]
    )
