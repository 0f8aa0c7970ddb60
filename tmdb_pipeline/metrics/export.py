"""Getting metrics out: served on a port by long-running processes, pushed by one-shot commands.

Observability must never stop the pipeline: a taken port or an unreachable Pushgateway costs one
warning that names the setting to change, and the stage carries on.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from urllib.parse import urlsplit

from prometheus_client import CollectorRegistry, push_to_gateway, start_http_server
from prometheus_client.metrics_core import Metric
from prometheus_client.registry import Collector

from tmdb_pipeline.metrics.settings import MetricsSettings
from tmdb_pipeline.settings import StackSettings, load

log = logging.getLogger("tmdb_pipeline.metrics")


class Union(Collector):
    """Several registries exposed as one (a process that runs several stages serves them all)."""

    def __init__(self, registries: Iterable[CollectorRegistry]) -> None:
        self.registries = list(registries)

    def collect(self) -> Iterator[Metric]:
        for registry in self.registries:
            yield from registry.collect()


def combined(registries: Iterable[CollectorRegistry]) -> CollectorRegistry:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(Union(registries))
    return registry


def serve(registries: Iterable[CollectorRegistry], port: int, setting: str, host: str = "") -> bool:
    """Serve /metrics on `port` (0 = off); False, with one warning naming `setting`, when it is taken."""
    if not port:
        return False
    address = host or load(MetricsSettings).host
    try:
        start_http_server(port, addr=address, registry=combined(registries))
    except OSError as exc:
        log.warning(
            "metrics not served: %s:%d is unavailable (%s); choose another port with %s",
            address,
            port,
            exc.strerror or exc,
            setting,
        )
        return False
    log.info("metrics on http://%s:%d/metrics", address, port)
    return True


def safe_url(url: str) -> str:
    """scheme://host:port of a URL: never a password or a token in a log line."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.hostname or ''}{f':{parts.port}' if parts.port else ''}"


def push(job: str, registry: CollectorRegistry, settings: MetricsSettings | None = None) -> bool:
    """Push one stage's registry (replacing the job's previous push); a no-op without a Pushgateway."""
    settings = settings or load(MetricsSettings)
    url = settings.push_url(load(StackSettings).host)
    if not url:
        return False
    try:
        push_to_gateway(url, job=job, registry=registry, timeout=settings.push_timeout_s)
    except Exception as exc:  # any failure to push is only a warning
        log.warning(
            "metrics of %s not pushed: Pushgateway %s failed (%s); check METRICS_PUSHGATEWAY_URL",
            job,
            safe_url(url),
            type(exc).__name__,
        )
        return False
    return True
