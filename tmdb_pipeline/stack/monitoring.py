"""Prometheus, the Pushgateway and the landing-lag exporter as optional stack services (METRICS_STACK).

Prometheus and the Pushgateway come from Debian (`scripts/setup.sh` installs them with apt-get);
Prometheus's configuration is generated from the settings at each start, its rules are the
repository's `monitoring/rules/`.
"""

from __future__ import annotations

import shutil
import subprocess
import sys

import httpx

from tmdb_pipeline.metrics.prometheus_config import write_local_config
from tmdb_pipeline.metrics.settings import MetricsSettings
from tmdb_pipeline.settings import StackSettings
from tmdb_pipeline.stack.process import LocalService, StackError, port_is_open


def _ready(url: str) -> bool:
    try:
        return httpx.get(url, timeout=3).status_code == 200
    except httpx.HTTPError:
        return False


def _binary(name: str, package: str) -> str:
    found = shutil.which(name)
    if not found:
        raise StackError(
            f"{name} is not installed: run scripts/setup.sh (as root it installs the Debian package "
            f"{package}), or `apt-get install {package}`; or set METRICS_STACK=false"
        )
    return found


class _HttpService(LocalService):
    port: int
    ready_path = "/-/ready"

    def __init__(self, stack: StackSettings, metrics: MetricsSettings) -> None:
        super().__init__(stack)
        self.metrics = metrics

    @property
    def ports(self) -> list[int]:
        return [self.port]

    @property
    def address(self) -> str:
        return f"{self.stack.host}:{self.port}"

    @property
    def url(self) -> str:
        return f"http://{self.address}"

    def healthy(self) -> bool:
        return port_is_open(self.stack.host, self.port) and _ready(self.url + self.ready_path)


class PrometheusService(_HttpService):
    name = "prometheus"

    def __init__(self, stack: StackSettings, metrics: MetricsSettings, api_port: int) -> None:
        super().__init__(stack, metrics)
        self.port = metrics.prometheus_port
        self.api_port = api_port
        self.config = self.root / "prometheus.yml"

    def install(self) -> None:
        _binary("prometheus", "prometheus")

    def prepare(self) -> None:
        super().prepare()
        write_local_config(self.config, self.stack, self.metrics, self.api_port)

    def command(self) -> list[str]:
        return [
            _binary("prometheus", "prometheus"),
            f"--config.file={self.config}",
            f"--storage.tsdb.path={self.root / 'data'}",
            f"--storage.tsdb.retention.time={self.metrics.retention}",
            f"--web.listen-address={self.address}",
            "--web.enable-lifecycle",  # POST /-/reload after editing rules
        ]

    def version(self) -> str:
        out = subprocess.run(
            [_binary("prometheus", "prometheus"), "--version"], capture_output=True, text=True
        )
        return (out.stdout or out.stderr).splitlines()[0] if (out.stdout or out.stderr) else "prometheus"


class PushgatewayService(_HttpService):
    name = "pushgateway"

    def __init__(self, stack: StackSettings, metrics: MetricsSettings) -> None:
        super().__init__(stack, metrics)
        self.port = metrics.pushgateway_port

    def install(self) -> None:
        _binary("prometheus-pushgateway", "prometheus-pushgateway")

    def command(self) -> list[str]:
        return [
            _binary("prometheus-pushgateway", "prometheus-pushgateway"),
            f"--web.listen-address={self.address}",
            f"--persistence.file={self.root / 'pushgateway.db'}",  # pushes survive a restart
        ]

    def version(self) -> str:
        return f"Pushgateway, {self.url}"


class LagExporterService(_HttpService):
    name = "lag-exporter"
    ready_path = "/metrics"

    def __init__(self, stack: StackSettings, metrics: MetricsSettings) -> None:
        super().__init__(stack, metrics)
        self.port = metrics.exporter_port

    def install(self) -> None:
        """Part of the package: nothing to fetch."""

    def command(self) -> list[str]:
        return [sys.executable, "-m", "tmdb_pipeline.metrics.exporter"]

    def version(self) -> str:
        return f"landing lag exporter, {self.url}/metrics"


def monitoring_services(stack: StackSettings, metrics: MetricsSettings, api_port: int) -> list[LocalService]:
    services: list[LocalService] = [PushgatewayService(stack, metrics)]
    if metrics.exporter_port:
        services.append(LagExporterService(stack, metrics))
    services.append(PrometheusService(stack, metrics, api_port))
    return services
