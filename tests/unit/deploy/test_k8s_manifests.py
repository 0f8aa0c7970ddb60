"""deploy/k8s: every overlay renders with kustomize into manifests that the operators and the API server
would accept (custom resources against their CRD schemas, core kinds structurally checked), and the
rendered cluster says what the settings say."""

from __future__ import annotations

import copy
import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from deploy_support import (
    CRD_SCHEMAS,
    K8S,
    PIPELINE_IMAGE,
    ROOT,
    SUPERSET_IMAGE,
    VARIANTS,
    by_kind,
    config_data,
    env_file_entries,
    image_name,
    one,
    pod_specs,
)

# API groups served by Kubernetes itself; anything else is a custom resource and needs a CRD schema.
CORE_GROUPS = {"", "apps", "batch", "policy", "rbac.authorization.k8s.io", "networking.k8s.io", "autoscaling"}
CLUSTER_SCOPED = {"Namespace", "ClusterRole", "ClusterRoleBinding"}
# Secrets created by an operator at run time, with the resource that creates them.
OPERATOR_SECRETS = {"tmdb-mongodb-connection": "MongoDBCommunity"}
BRONZE_WRITERS = ("run", "land")

needs_schemas = pytest.mark.skipif(
    not CRD_SCHEMAS.is_dir(), reason=f"CRD schemas not found at {CRD_SCHEMAS} (../shared is absent)"
)


def group_version(doc: dict[str, Any]) -> tuple[str, str]:
    group, _, version = doc["apiVersion"].rpartition("/")
    return group, version


def schema_for(doc: dict[str, Any]) -> dict[str, Any]:
    group, version = group_version(doc)
    path = CRD_SCHEMAS / group / f"{doc['kind'].lower()}_{version}.json"
    assert path.exists(), f"no CRD schema for {doc['kind']} {doc['apiVersion']} ({path})"
    return json.loads(path.read_text())


def schema_errors(doc: dict[str, Any]) -> list[str]:
    schema = schema_for(doc)
    validator = jsonschema.validators.validator_for(schema, default=jsonschema.Draft7Validator)(schema)
    return [
        f"{doc['kind']}/{doc['metadata']['name']} at {'/'.join(map(str, e.path)) or '.'}: {e.message[:300]}"
        for e in validator.iter_errors(doc)
    ]


def container_args(container: dict[str, Any]) -> list[str]:
    return [*container.get("command", []), *container.get("args", [])]


def writes_bronze(words: list[str]) -> bool:
    """`tmdb-pipeline run ...` or `... land ...` (the SparkApplication passes the CLI's arguments)."""
    text = " ".join(words)
    return any(re.search(rf"(^|tmdb-pipeline\s+){cmd}(\s|$)", text) for cmd in BRONZE_WRITERS)


@pytest.mark.parametrize("variant", VARIANTS)
def test_given_an_overlay_when_rendered_then_every_resource_is_named_and_in_the_tmdb_namespace(
    rendered, variant
):
    docs = rendered[variant]
    assert len(docs) > 20
    seen = set()
    for doc in docs:
        assert doc.get("apiVersion") and doc.get("kind"), doc
        name = doc.get("metadata", {}).get("name")
        assert name and re.fullmatch(r"[a-z0-9]([-a-z0-9.]*[a-z0-9])?", name), f"bad name {name!r}"
        assert (doc["kind"], name) not in seen, f"duplicate {doc['kind']}/{name}"
        seen.add((doc["kind"], name))
        if doc["kind"] not in CLUSTER_SCOPED:
            assert doc["metadata"].get("namespace") == "tmdb", f"{doc['kind']}/{name} outside tmdb"
        assert doc["metadata"].get("labels", {}).get("app.kubernetes.io/part-of") == "tmdb-pipeline"


@needs_schemas
@pytest.mark.parametrize("variant", VARIANTS)
def test_given_an_overlay_when_rendered_then_custom_resources_match_their_crd_schemas(rendered, variant):
    custom = [doc for doc in rendered[variant] if group_version(doc)[0] not in CORE_GROUPS]
    kinds = {doc["kind"] for doc in custom}
    assert {"Kafka", "KafkaNodePool", "KafkaTopic", "MongoDBCommunity"} <= kinds
    assert not any(group_version(doc)[0] == "minio.min.io" for doc in custom), (
        "MinIO is replaced by SeaweedFS"
    )
    if variant.endswith("+spark-operator"):
        assert "SparkApplication" in kinds
    errors = [error for doc in custom for error in schema_errors(doc)]
    assert errors == []


@needs_schemas
def test_given_a_misspelled_field_in_a_custom_resource_then_the_schema_check_reports_it(rendered):
    topic = copy.deepcopy(by_kind(rendered["dev"], "KafkaTopic")[0])
    topic["spec"]["replica"] = topic["spec"].pop("replicas")
    pool = copy.deepcopy(by_kind(rendered["dev"], "KafkaNodePool")[0])
    del pool["spec"]["roles"]
    assert any("replica" in error for error in schema_errors(topic))
    assert any("roles" in error for error in schema_errors(pool))


@pytest.mark.parametrize("variant", VARIANTS)
def test_given_an_overlay_then_every_container_has_a_pinned_image_and_resources(rendered, variant):
    workloads = list(pod_specs(rendered[variant]))
    assert workloads
    for workload, spec in workloads:
        for container in spec["containers"] + spec.get("initContainers", []):
            where = f"{workload['kind']}/{workload['metadata']['name']}/{container['name']}"
            image = container.get("image", "")
            assert ":" in image.rsplit("/", 1)[-1], f"{where}: image {image!r} has no tag"
            assert not image.endswith(":latest"), f"{where}: image {image!r} is :latest"
            resources = container.get("resources", {})
            assert {"cpu", "memory"} <= set(resources.get("requests", {})), f"{where}: no cpu/memory request"
            assert "memory" in resources.get("limits", {}), f"{where}: no memory limit"
            assert container.get("securityContext", {}).get("allowPrivilegeEscalation") is False, where
        assert spec.get("securityContext", {}).get("runAsNonRoot") is True, workload["metadata"]["name"]


@pytest.mark.parametrize("variant", VARIANTS)
def test_given_an_overlay_then_workload_selectors_services_and_budgets_match_their_pods(rendered, variant):
    docs = rendered[variant]
    pods = {}
    for workload, spec in pod_specs(docs):
        if workload["kind"] in ("Deployment", "StatefulSet"):
            labels = workload["spec"]["template"]["metadata"]["labels"]
            selector = workload["spec"]["selector"]["matchLabels"]
            assert selector.items() <= labels.items(), workload["metadata"]["name"]
            ports = {p["name"]: p["containerPort"] for c in spec["containers"] for p in c.get("ports", [])}
            pods[workload["metadata"]["name"]] = (labels, ports)
    for service in by_kind(docs, "Service"):
        selector = service["spec"]["selector"]
        matched = [ports for labels, ports in pods.values() if selector.items() <= labels.items()]
        assert matched, f"Service/{service['metadata']['name']} selects no pod"
        for port in service["spec"]["ports"]:
            target = port.get("targetPort", port["port"])
            assert target in matched[0] or target in matched[0].values(), (service["metadata"]["name"], port)
    for budget in by_kind(docs, "PodDisruptionBudget"):
        selector = budget["spec"]["selector"]["matchLabels"]
        assert any(selector.items() <= labels.items() for labels, _ in pods.values())


@pytest.mark.parametrize("variant", VARIANTS)
def test_given_the_api_then_readiness_is_health_over_http_and_it_has_a_liveness_probe(rendered, variant):
    api = one(rendered[variant], "Deployment", "api")
    (container,) = api["spec"]["template"]["spec"]["containers"]
    assert container_args(container)[:2] == ["tmdb-pipeline", "api"]
    ports = {p["name"]: p["containerPort"] for p in container["ports"]}
    readiness = container["readinessProbe"]["httpGet"]
    assert readiness["path"] == "/health"
    assert ports.get(readiness["port"], readiness["port"]) == 8000
    assert "livenessProbe" in container
    env = {e["name"]: e.get("value") for e in container.get("env", [])}
    assert env.get("API_HOST") == "0.0.0.0", "the API must listen on the pod's interface"
    assert config_data(rendered[variant])["API_PORT"] == "8000"
    service = one(rendered[variant], "Service", "api")
    assert [p["port"] for p in service["spec"]["ports"]] == [8000]


@pytest.mark.parametrize("variant", VARIANTS)
def test_given_an_overlay_then_every_config_secret_and_volume_reference_resolves(rendered, variant):
    docs = rendered[variant]
    names = {kind: {d["metadata"]["name"] for d in by_kind(docs, kind)} for kind in ("ConfigMap", "Secret")}
    claims = {d["metadata"]["name"] for d in by_kind(docs, "PersistentVolumeClaim")}
    mongo = one(docs, "MongoDBCommunity", "tmdb-mongodb")
    operator_made = {u["connectionStringSecretName"] for u in mongo["spec"]["users"]}
    assert set(OPERATOR_SECRETS) <= operator_made

    def check(kind: str, name: str, where: str) -> None:
        if kind == "Secret" and name in OPERATOR_SECRETS:
            return
        assert name in names[kind], f"{where} refers to missing {kind} {name!r}"

    def walk(node: Any, where: str) -> None:
        if isinstance(node, dict):
            for key, kind in (("configMapRef", "ConfigMap"), ("configMapKeyRef", "ConfigMap")):
                if key in node:
                    check(kind, node[key]["name"], where)
            for key in ("secretRef", "secretKeyRef", "passwordSecretRef"):
                if key in node:
                    check("Secret", node[key]["name"], where)
            if "persistentVolumeClaim" in node:
                assert node["persistentVolumeClaim"]["claimName"] in claims, where
            if isinstance(node.get("configMap"), dict):
                check("ConfigMap", node["configMap"]["name"], where)
            for value in node.values():
                walk(value, where)
        elif isinstance(node, list):
            for value in node:
                walk(value, where)

    for doc in docs:
        walk(doc.get("spec", {}), f"{doc['kind']}/{doc['metadata']['name']}")


@pytest.mark.parametrize("variant", VARIANTS)
def test_given_an_overlay_then_kafka_topics_are_the_streams_with_the_configured_layout(rendered, variant):
    docs = rendered[variant]
    config = config_data(docs)
    streams = {p.stem for p in (ROOT / "airbyte/source-tmdb/source_tmdb/schemas").glob("*.json")}
    assert streams >= {"genres", "movies", "movie_details", "credits", "reviews", "people", "movie_changes"}
    topics = by_kind(docs, "KafkaTopic")
    assert {t["spec"]["topicName"] for t in topics} == {config["KAFKA_TOPIC_PREFIX"] + s for s in streams}
    brokers = sum(
        pool["spec"]["replicas"]
        for pool in by_kind(docs, "KafkaNodePool")
        if "broker" in pool["spec"]["roles"]
    )
    for topic in topics:
        spec = topic["spec"]
        assert (
            topic["metadata"]["labels"]["strimzi.io/cluster"]
            == one(docs, "Kafka", "tmdb")["metadata"]["name"]
        )
        assert spec["partitions"] == int(config["KAFKA_PARTITIONS"])
        assert spec["replicas"] == int(config["KAFKA_REPLICATION_FACTOR"]) <= brokers
        assert spec["config"]["retention.ms"] == int(config["KAFKA_RETENTION_MS"])
        assert spec["config"].get("min.insync.replicas", 1) < spec["replicas"] or spec["replicas"] == 1
    kafka = one(docs, "Kafka", "tmdb")
    listener = kafka["spec"]["kafka"]["listeners"][0]
    assert (
        config["KAFKA_BOOTSTRAP_SERVERS"] == f"{kafka['metadata']['name']}-kafka-bootstrap:{listener['port']}"
    )
    assert kafka["spec"]["kafka"]["config"]["default.replication.factor"] == spec["replicas"]


@pytest.mark.parametrize("variant", VARIANTS)
def test_given_an_overlay_then_mongodb_grants_the_pipeline_user_the_configured_database(rendered, variant):
    docs = rendered[variant]
    (user,) = one(docs, "MongoDBCommunity", "tmdb-mongodb")["spec"]["users"]
    assert {"name": "readWrite", "db": config_data(docs)["MONGO_DATABASE"]} in user["roles"]
    assert user["passwordSecretRef"]["key"] in env_file_entries(K8S / "base/credentials/tmdb.env.example")


@pytest.mark.parametrize("variant", VARIANTS)
def test_given_an_overlay_then_exactly_one_bronze_writer_is_active(rendered, variant):
    """Two landing jobs would race on the Bronze tables and the checkpoint."""
    writers = []
    for workload, spec in pod_specs(rendered[variant]):
        active = (
            workload["spec"].get("replicas", 1) > 0
            if workload["kind"] == "Deployment"
            else not workload["spec"].get("suspend", False)
        )
        if active and any(writes_bronze(container_args(c)) for c in spec["containers"]):
            writers.append(f"{workload['kind']}/{workload['metadata']['name']}")
    for app in by_kind(rendered[variant], "SparkApplication"):
        if writes_bronze(app["spec"].get("arguments", [])):
            writers.append(f"SparkApplication/{app['metadata']['name']}")
    expected = "SparkApplication/bronze-landing" if "spark" in variant else "Deployment/pipeline"
    assert writers == [expected]


@pytest.mark.parametrize(
    ("variant", "tag"),
    [
        ("dev", "dev"),
        ("prod", "0.1.0"),
        ("dev+spark-operator", "dev"),
        ("prod+spark-operator", "0.1.0"),
        ("dev+bi", "dev"),
        ("prod+bi", "0.1.0"),
    ],
)
def test_given_an_overlay_then_every_pipeline_image_has_the_overlay_tag(rendered, variant, tag):
    images = [
        c["image"]
        for _, spec in pod_specs(rendered[variant])
        for c in spec["containers"] + spec.get("initContainers", [])
    ]
    images += [app["spec"]["image"] for app in by_kind(rendered[variant], "SparkApplication")]
    ours = [image for image in images if image_name(image) in (PIPELINE_IMAGE, SUPERSET_IMAGE)]
    assert len(ours) >= 3
    assert {image.rsplit(":", 1)[1] for image in ours} == {tag}
    superset = [image for image in ours if image_name(image) == SUPERSET_IMAGE]
    assert len(superset) == (2 if variant.endswith("+bi") else 0)  # the init and the web container
    if variant.startswith("prod"):
        assert all(image.startswith("registry.example.com/") for image in ours)


def test_given_prod_then_the_stateful_services_and_the_api_are_replicated(rendered):
    prod, dev = rendered["prod"], rendered["dev"]
    assert one(prod, "Deployment", "api")["spec"]["replicas"] >= 2
    assert by_kind(prod, "PodDisruptionBudget")
    assert sum(p["spec"]["replicas"] for p in by_kind(prod, "KafkaNodePool")) >= 3
    assert one(prod, "MongoDBCommunity", "tmdb-mongodb")["spec"]["members"] >= 3
    # SeaweedFS stays one server (see deploy/README.md), with more disk and memory than dev
    store = {
        variant: one(rendered[variant], "StatefulSet", "seaweedfs")["spec"] for variant in ("dev", "prod")
    }
    disk = {
        v: spec["volumeClaimTemplates"][0]["spec"]["resources"]["requests"]["storage"]
        for v, spec in store.items()
    }
    assert int(disk["prod"].removesuffix("Gi")) > int(disk["dev"].removesuffix("Gi"))
    assert config_data(prod)["KAFKA_REPLICATION_FACTOR"] == "3"
    assert config_data(dev)["KAFKA_REPLICATION_FACTOR"] == "1"
    memory = one(prod, "Deployment", "pipeline")["spec"]["template"]["spec"]["containers"][0]["resources"]
    driver = config_data(prod)["SPARK_DRIVER_MEMORY"]
    assert int(memory["limits"]["memory"].removesuffix("Gi")) > int(driver.removesuffix("g"))


def test_given_the_credential_templates_then_they_hold_names_and_no_values():
    examples = sorted((K8S / "base" / "credentials").glob("*.env.example"))
    assert [example.name for example in examples] == ["s3.env.example", "tmdb.env.example"]
    examples += [K8S / "components/bi/credentials/superset.env.example"]
    for example in examples:
        entries = env_file_entries(example)
        assert entries, example
        assert all(value == "" for value in entries.values()), f"{example.name} carries a value"


def test_given_real_credential_files_then_git_ignores_them():
    if not (ROOT / ".git").exists() or shutil.which("git") is None:
        pytest.skip("not a git checkout")
    real = [
        "deploy/.env",
        *(str(p.relative_to(ROOT)).removesuffix(".example") for p in K8S.glob("**/credentials/*.example")),
    ]
    ignored = subprocess.run(["git", "check-ignore", *real], cwd=ROOT, capture_output=True, text=True)
    assert set(ignored.stdout.split()) == set(real)
    templates = [
        "deploy/.env.example",
        *(str(p.relative_to(ROOT)) for p in K8S.glob("**/credentials/*.example")),
    ]
    not_ignored = subprocess.run(
        ["git", "check-ignore", *templates], cwd=ROOT, capture_output=True, text=True
    )
    assert not_ignored.stdout == "", f"templates ignored by git: {not_ignored.stdout}"


def test_given_the_overlays_when_listed_then_dev_and_prod_exist_and_build_from_the_base():
    for overlay in ("dev", "prod"):
        text = (K8S / "overlays" / overlay / "kustomization.yaml").read_text()
        assert "../../base" in text
    assert Path(K8S / "components/spark-operator-landing/kustomization.yaml").exists()
