"""Per-batch landing metrics: logged, and appended as JSON lines for monitoring."""

from __future__ import annotations

import json
import logging
from dataclasses import asdict, dataclass, field
from pathlib import Path

from tmdb_pipeline.metrics.land import record_batch

log = logging.getLogger("spark_streaming")


@dataclass
class BatchMetrics:
    batch_id: int
    rows_per_table: dict[str, int] = field(default_factory=dict)
    quarantined: int = 0
    skipped_tables: list[str] = field(default_factory=list)  # already committed: a replayed batch
    duration_s: float = 0.0
    finished_at: str = ""
    # highest offset landed per "topic/partition": lets a caller wait until Kafka's end is landed
    max_offsets: dict[str, int] = field(default_factory=dict)

    @property
    def rows(self) -> int:
        return sum(self.rows_per_table.values()) + self.quarantined

    @property
    def rows_per_s(self) -> float:
        return self.rows / self.duration_s if self.duration_s else 0.0


class MetricsSink:
    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)

    def record(self, metrics: BatchMetrics) -> None:
        line = {**asdict(metrics), "rows": metrics.rows, "rows_per_s": round(metrics.rows_per_s, 1)}
        with self.path.open("a") as out:
            out.write(json.dumps(line) + "\n")
        record_batch(
            metrics.rows_per_table, metrics.quarantined, len(metrics.skipped_tables), metrics.duration_s
        )
        log.info(
            "batch %d: %d rows in %.1fs (%.0f rows/s), quarantined %d, per table %s%s",
            metrics.batch_id,
            metrics.rows,
            metrics.duration_s,
            metrics.rows_per_s,
            metrics.quarantined,
            metrics.rows_per_table,
            f", replay skipped {metrics.skipped_tables}" if metrics.skipped_tables else "",
        )
