"""The four metrics every stage has: runs by outcome, last duration, last success, last outcome."""

from __future__ import annotations

import time
from dataclasses import dataclass

from prometheus_client import CollectorRegistry, Counter, Gauge


@dataclass(frozen=True)
class RunMetrics:
    runs: Counter
    duration: Gauge
    last_success: Gauge
    last_ok: Gauge

    def finished(self, ok: bool, seconds: float) -> None:
        self.runs.labels("success" if ok else "failure").inc()
        self.duration.set(seconds)
        self.last_ok.set(1 if ok else 0)
        if ok:
            self.last_success.set(time.time())


def run_metrics(stage: str, registry: CollectorRegistry) -> RunMetrics:
    return RunMetrics(
        Counter(f"tmdb_{stage}_runs", f"Finished {stage} runs by outcome", ["outcome"], registry=registry),
        Gauge(
            f"tmdb_{stage}_last_run_duration_seconds", f"Duration of the last {stage} run", registry=registry
        ),
        Gauge(
            f"tmdb_{stage}_last_success_timestamp_seconds",
            f"When a {stage} run last succeeded",
            registry=registry,
        ),
        Gauge(f"tmdb_{stage}_last_run_success", f"1 when the last {stage} run succeeded", registry=registry),
    )
