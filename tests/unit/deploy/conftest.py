"""Fixtures for the deploy/ checks: kustomize renders of every overlay and the parsed compose file.

No cluster and no Docker engine: kustomize (pinned, built by deploy/scripts/install-kustomize.sh, or
the one on PATH, or `kubectl kustomize`) renders the overlays from a copy of deploy/k8s whose
git-ignored credential files are made from their `.example` templates.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

sys.path.insert(0, str(Path(__file__).parent))

from deploy_support import COMPOSE_FILE, K8S, SPARK_COMPONENT, VARIANTS, render


@pytest.fixture(scope="session")
def k8s_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """deploy/k8s with credentials/*.env made from the templates, plus the +spark-operator overlays."""
    target = tmp_path_factory.mktemp("deploy") / "k8s"
    # never the developer's real credentials: only the templates travel
    shutil.copytree(
        K8S,
        target,
        ignore=lambda folder, names: [
            n for n in names if Path(folder).name == "credentials" and n.endswith(".env")
        ],
    )
    for example in (target / "base" / "credentials").glob("*.env.example"):
        shutil.copy(example, example.with_suffix(""))
    spark = target / "overlays" / "dev-spark-operator"
    shutil.copytree(target / "overlays" / "dev", spark)
    kustomization = yaml.safe_load((spark / "kustomization.yaml").read_text())
    assert "components" not in kustomization, "dev already lists components: update this fixture"
    kustomization["components"] = [SPARK_COMPONENT]
    (spark / "kustomization.yaml").write_text(yaml.safe_dump(kustomization, sort_keys=False))
    # prod + the component, as deploy/README.md tells: an overlay over prod (with prod's image)
    prod = yaml.safe_load((target / "overlays" / "prod" / "kustomization.yaml").read_text())
    wrapper = target / "overlays" / "prod-spark-operator"
    wrapper.mkdir()
    (wrapper / "kustomization.yaml").write_text(
        yaml.safe_dump(
            {
                "apiVersion": "kustomize.config.k8s.io/v1beta1",
                "kind": "Kustomization",
                "resources": ["../prod"],
                "components": [SPARK_COMPONENT],
                "images": prod["images"],
            },
            sort_keys=False,
        )
    )
    return target


@pytest.fixture(scope="session")
def rendered(k8s_copy: Path) -> dict[str, list[dict[str, Any]]]:
    return {variant: render(k8s_copy, variant) for variant in VARIANTS}


@pytest.fixture(scope="session")
def compose() -> dict[str, Any]:
    return yaml.safe_load(COMPOSE_FILE.read_text())
