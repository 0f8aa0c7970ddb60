"""deploy/k8s/components/monitoring on the dev overlay: rendered by kustomize, scraping the ports the
pipeline serves, its generated PrometheusRule and dashboard ConfigMaps in step with monitoring/, and
Strimzi's metrics configuration valid for Strimzi's Kafka CRD and for the operator's own checks."""

from __future__ import annotations

import copy
import json
import re
import shutil
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from deploy_support import CRD_SCHEMAS, by_kind, one, render

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


# Vendored from Strimzi's Kafka CRD (source, commit and version in its "$comment"): the check needs
# neither the network nor ../shared.
METRICS_CONFIG_SCHEMA = json.loads(
    (Path(__file__).parent / "schemas" / "strimzi-kafka-v1-metricsconfig.json").read_text()
)
# The CRD's one CEL rule on metricsConfig (x-kubernetes-validations), applied in metrics_config_errors
JMX_NEEDS_VALUE_FROM = "self.type != 'jmxPrometheusExporter' || has(self.valueFrom)"
# Strimzi's MetricsModel.METRICS_PORT_NAME: the container port of the JMX exporter on every Kafka pod
STRIMZI_METRICS_PORT = "tcp-prometheus"
JMX_TYPES = {"GAUGE", "COUNTER", "UNTYPED"}
# the keys of a rule in the Prometheus JMX exporter's configuration (its README, "Configuration")
JMX_RULE_KEYS = {
    "pattern",
    "name",
    "value",
    "valueFactor",
    "help",
    "type",
    "labels",
    "cache",
    "attrNameSnakeCase",
}


def metrics_config_errors(kafka: dict[str, Any], docs: list[dict[str, Any]]) -> list[str]:
    """What the API server (CRD schema + CEL rule) and Strimzi's cluster operator would refuse in the
    Kafka CR's metricsConfig: the operator (JmxPrometheusExporterModel) needs a ConfigMap name and key,
    the ConfigMap in the Kafka's namespace with that key, and YAML it can parse."""
    config = kafka["spec"]["kafka"].get("metricsConfig")
    if config is None:
        return ["spec.kafka.metricsConfig is missing"]
    validator = jsonschema.Draft7Validator(METRICS_CONFIG_SCHEMA)
    errors = [
        f"metricsConfig/{'/'.join(map(str, e.path))}: {e.message}" for e in validator.iter_errors(config)
    ]
    if config.get("type") == "jmxPrometheusExporter" and "valueFrom" not in config:
        errors.append("metricsConfig: valueFrom property is required")
    if errors or config["type"] != "jmxPrometheusExporter":
        return errors
    ref = config["valueFrom"].get("configMapKeyRef") or {}
    if not ref.get("name") or not ref.get("key"):
        return [f"metricsConfig: the ConfigMap reference needs a name and a key, got {ref}"]
    maps = [
        d
        for d in by_kind(docs, "ConfigMap")
        if d["metadata"]["name"] == ref["name"]
        and d["metadata"].get("namespace") == kafka["metadata"].get("namespace")
    ]
    if len(maps) != 1 or ref["key"] not in maps[0].get("data", {}):
        return [f"no ConfigMap {ref['name']} with key {ref['key']} beside Kafka/{kafka['metadata']['name']}"]
    try:
        exporter = yaml.safe_load(maps[0]["data"][ref["key"]])
    except yaml.YAMLError as error:
        return [f"{ref['name']}/{ref['key']} is not YAML: {error}"]
    return jmx_exporter_errors(exporter)


def jmx_exporter_errors(exporter: Any) -> list[str]:
    """The Prometheus JMX exporter's rules: patterns that compile, `$n` only for groups the pattern has,
    known types, and metric names that are valid once the groups are filled in."""
    if not isinstance(exporter, dict) or not isinstance(exporter.get("rules"), list) or not exporter["rules"]:
        return ["the JMX exporter configuration needs a non-empty `rules` list"]
    errors = []
    for index, rule in enumerate(exporter["rules"]):
        unknown = set(rule) - JMX_RULE_KEYS
        if unknown:
            errors.append(f"rule {index}: unknown keys {sorted(unknown)}")
        try:
            groups = re.compile(rule["pattern"]).groups
        except (KeyError, re.error) as error:
            errors.append(f"rule {index}: bad pattern ({error})")
            continue
        if rule.get("type", "UNTYPED") not in JMX_TYPES:
            errors.append(f"rule {index}: type {rule.get('type')!r} is not one of {sorted(JMX_TYPES)}")
        texts = [rule.get("name", ""), *map(str, (rule.get("labels") or {}).values())]
        used = [int(n) for text in texts for n in re.findall(r"\$(\d+)", text)]
        if any(n > groups for n in used):
            errors.append(f"rule {index}: uses ${max(used)} but its pattern has {groups} groups")
        if "name" in rule and not re.fullmatch(
            r"[a-zA-Z_:][a-zA-Z0-9_:]*", re.sub(r"\$\d+", "x", rule["name"])
        ):
            errors.append(f"rule {index}: {rule['name']!r} is no Prometheus metric name")
    return errors


def test_given_the_component_then_kafkas_metrics_config_is_valid_for_strimzis_crd_and_operator(docs):
    assert METRICS_CONFIG_SCHEMA["x-kubernetes-validations"] == [
        {"rule": JMX_NEEDS_VALUE_FROM, "message": "valueFrom property is required"}
    ], "the vendored CRD has another CEL rule: update metrics_config_errors"
    kafka = one(docs, "Kafka", "tmdb")
    assert kafka["apiVersion"] == "kafka.strimzi.io/v1"
    assert metrics_config_errors(kafka, docs) == []
    # Prometheus scrapes the port Strimzi opens for the exporter, on the Kafka pods of this cluster
    monitor = one(docs, "PodMonitor", "tmdb-kafka")
    assert [e["port"] for e in monitor["spec"]["podMetricsEndpoints"]] == [STRIMZI_METRICS_PORT]
    assert monitor["spec"]["selector"]["matchLabels"]["strimzi.io/cluster"] == kafka["metadata"]["name"]
    if CRD_SCHEMAS.is_dir():  # and the whole CR against the full CRD schema, where ../shared has it
        full = json.loads((CRD_SCHEMAS / "kafka.strimzi.io" / "kafka_v1.json").read_text())
        assert [e.message for e in jsonschema.Draft7Validator(full).iter_errors(kafka)] == []


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda c: c.pop("type"), "'type' is a required property"),
        (lambda c: c.update(type="jmxExporter"), "is not one of"),
        (lambda c: c.update(valuesFrom=c.pop("valueFrom")), "valueFrom property is required"),
        (
            lambda c: c["valueFrom"]["configMapKeyRef"].update(name="kafka-metricz"),
            "no ConfigMap kafka-metricz",
        ),
        (lambda c: c["valueFrom"]["configMapKeyRef"].pop("key"), "needs a name and a key"),
    ],
)
def test_given_a_broken_metrics_config_then_the_check_names_the_fault(docs, change, expected):
    kafka = copy.deepcopy(one(docs, "Kafka", "tmdb"))
    change(kafka["spec"]["kafka"]["metricsConfig"])
    assert any(expected in error for error in metrics_config_errors(kafka, docs))


def test_given_broken_exporter_rules_then_the_check_names_the_fault():
    rule = {
        "pattern": "kafka.server<type=(.+), name=(.+)><>Value",
        "name": "kafka_server_$1_$2",
        "type": "GAUGE",
    }
    assert jmx_exporter_errors({"rules": [rule]}) == []
    assert jmx_exporter_errors({"rules": []}) != []
    assert "uses $3" in jmx_exporter_errors({"rules": [rule | {"labels": {"topic": "$3"}}]})[0]
    assert "bad pattern" in jmx_exporter_errors({"rules": [rule | {"pattern": "kafka<(.+><>"}]})[0]
    assert "type" in jmx_exporter_errors({"rules": [rule | {"type": "HISTOGRAM"}]})[0]
    assert "metric name" in jmx_exporter_errors({"rules": [rule | {"name": "kafka-server"}]})[0]
