"""Where metrics go: the Pushgateway of one-shot commands, the /metrics ports of long-running ones,
and the optional local Prometheus + Pushgateway of `stack up`."""

from __future__ import annotations

from pydantic import Field

from tmdb_pipeline.settings import PipelineSettings, settings_config


class MetricsSettings(PipelineSettings):
    """Prometheus metrics and the local monitoring services."""

    model_config = settings_config("METRICS_")

    pushgateway_url: str = Field(
        "",
        pattern=r"^(https?://\S+)?$",
        description="one-shot commands push here; empty = the local Pushgateway when METRICS_STACK, else none",
    )
    push_timeout_s: float = Field(5.0, gt=0, description="a slower Pushgateway is skipped with a warning")
    host: str = Field("127.0.0.1", description="address the /metrics servers bind (0.0.0.0 in a container)")
    landing_port: int = Field(9464, ge=0, le=65535, description="/metrics of `land --continuous`; 0 = off")
    pipeline_port: int = Field(9465, ge=0, le=65535, description="/metrics of `run --continuous`; 0 = off")
    exporter_port: int = Field(
        9466,
        ge=0,
        le=65535,
        description="/metrics of the local lag exporter (landing lag while landing is down)",
    )
    stack: bool = Field(
        False, description="`stack up` also runs Prometheus, the Pushgateway and the lag exporter"
    )
    prometheus_port: int = Field(9490, ge=1, le=65535, description="local Prometheus")
    pushgateway_port: int = Field(9491, ge=1, le=65535, description="local Pushgateway")
    scrape_interval_s: int = Field(15, ge=1, description="local Prometheus scrape and rule interval")
    retention: str = Field("7d", pattern=r"^\d+[smhdwy]$", description="local Prometheus TSDB retention")

    def push_url(self, host: str) -> str:
        if self.pushgateway_url:
            return self.pushgateway_url
        return f"http://{host}:{self.pushgateway_port}" if self.stack else ""
