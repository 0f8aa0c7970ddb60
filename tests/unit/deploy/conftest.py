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

from deploy_support import BI_COMPOSE_FILE, COMPONENTS, COMPOSE_FILE, K8S, VARIANTS, render


@pytest.fixture(scope="session")
def k8s_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """deploy/k8s with credentials/*.env made from the templates, plus an overlay per variant with a
    component: dev-<component> (dev listing it) and prod-<component> (a wrapper over prod)."""
    target = tmp_path_factory.mktemp("deploy") / "k8s"
    # never the developer's real credentials: only the templates travel
    shutil.copytree(
        K8S,
        target,
        ignore=lambda folder, names: [
            n for n in names if Path(folder).name == "credentials" and n.endswith(".env")
        ],
    )
    for example in target.glob("**/credentials/*.env.example"):
        shutil.copy(example, example.with_suffix(""))
    prod = yaml.safe_load((target / "overlays" / "prod" / "kustomization.yaml").read_text())
    for name, component in COMPONENTS.items():
        dev = target / "overlays" / f"dev-{name}"
        shutil.copytree(target / "overlays" / "dev", dev)
        kustomization = yaml.safe_load((dev / "kustomization.yaml").read_text())
        assert "components" not in kustomization, "dev already lists components: update this fixture"
        kustomization["components"] = [component]
        (dev / "kustomization.yaml").write_text(yaml.safe_dump(kustomization, sort_keys=False))
        # prod + the component, as deploy/README.md tells: an overlay over prod (with prod's images)
        wrapper = target / "overlays" / f"prod-{name}"
        wrapper.mkdir()
        (wrapper / "kustomization.yaml").write_text(
            yaml.safe_dump(
                {
                    "apiVersion": "kustomize.config.k8s.io/v1beta1",
                    "kind": "Kustomization",
                    "resources": ["../prod"],
                    "components": [component],
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


@pytest.fixture(scope="session")
def bi_compose() -> dict[str, Any]:
    return yaml.safe_load(BI_COMPOSE_FILE.read_text())
