"""`python -m tmdb_pipeline.metrics.exporter`: the landing lag on its own port, for as long as it runs.

The landing job serves its lag too, but a stopped landing job serves nothing; this small process
(started by `stack up` with METRICS_STACK=true) keeps reading Kafka and the checkpoint, so the lag
alert sees a stalled landing job fall behind.
"""

from __future__ import annotations

import logging
import signal
import threading

from tmdb_pipeline.metrics.export import serve
from tmdb_pipeline.metrics.land import lag_registry
from tmdb_pipeline.metrics.settings import MetricsSettings
from tmdb_pipeline.settings import load


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    if not serve([lag_registry()], load(MetricsSettings).exporter_port, "METRICS_EXPORTER_PORT"):
        raise SystemExit(1)  # this process has no other purpose
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    stop.wait()


if __name__ == "__main__":
    main()
