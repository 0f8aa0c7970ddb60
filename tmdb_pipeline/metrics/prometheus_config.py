"""The local Prometheus's configuration, generated from the settings (deploy/ has a static one)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tmdb_pipeline.metrics.settings import MetricsSettings
from tmdb_pipeline.settings import PROJECT_ROOT, StackSettings

RULES_DIR = PROJECT_ROOT / "monitoring" / "rules"


def local_config(stack: StackSettings, metrics: MetricsSettings, api_port: int) -> dict[str, Any]:
    host = stack.host

    def job(name: str, port: int, **extra: Any) -> dict[str, Any]:
        return {"job_name": name, "static_configs": [{"targets": [f"{host}:{port}"]}], **extra}

    jobs = [
        job("prometheus", metrics.prometheus_port),
        # honor_labels: the pushed `job` label (tmdb_extract, ...) is kept, not replaced by this job's
        job("pushgateway", metrics.pushgateway_port, honor_labels=True),
        job("tmdb-api", api_port),
    ]
    for name, port in (
        ("tmdb-landing", metrics.landing_port),
        ("tmdb-pipeline", metrics.pipeline_port),
        ("tmdb-lag-exporter", metrics.exporter_port),
    ):
        if port:
            jobs.append(job(name, port))
    interval = f"{metrics.scrape_interval_s}s"
    return {
        "global": {"scrape_interval": interval, "evaluation_interval": interval},
        "rule_files": [str(path) for path in sorted(RULES_DIR.glob("*.yml"))],
        "scrape_configs": jobs,
    }


def write_local_config(path: Path, stack: StackSettings, metrics: MetricsSettings, api_port: int) -> Path:
    import yaml

    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(local_config(stack, metrics, api_port), sort_keys=False))
    return path
