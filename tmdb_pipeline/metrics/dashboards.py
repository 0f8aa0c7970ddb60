"""Grafana dashboards as code: `python -m tmdb_pipeline.metrics.dashboards` writes monitoring/grafana/.

Each panel is one PromQL query over metrics the stages export; tests check that every query parses
(promtool) and names only exported metrics, and that the committed JSON is what this module builds.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tmdb_pipeline.settings import PROJECT_ROOT

OUT = PROJECT_ROOT / "monitoring" / "grafana" / "dashboards"
DATASOURCE = {"type": "prometheus", "uid": "prometheus"}


@dataclass(frozen=True)
class Panel:
    title: str
    expr: str
    legend: str = ""
    unit: str = "short"
    kind: str = "timeseries"  # or "stat"


EXTRACT = [
    Panel(
        "Records per second by stream",
        "sum by (stream) (rate(tmdb_extract_records_total[5m]))",
        "{{stream}}",
        "ops",
    ),
    Panel(
        "Records of the last run",
        'sum by (stream) (tmdb_extract_records_total{job="tmdb_extract"})',
        "{{stream}}",
        kind="stat",
    ),
    Panel(
        "Bytes per second to Kafka",
        "sum by (stream) (rate(tmdb_extract_bytes_total[5m]))",
        "{{stream}}",
        "Bps",
    ),
    Panel(
        "TMDB answers by status class",
        "sum by (status_class) (rate(tmdb_extract_http_responses_total[5m]))",
        "{{status_class}}",
        "reqps",
    ),
    Panel(
        "HTTP requests per stream",
        "sum by (stream) (rate(tmdb_extract_http_requests_total[5m]))",
        "{{stream}}",
        "reqps",
    ),
    Panel("Retries", "sum by (stream) (rate(tmdb_extract_http_retries_total[5m]))", "{{stream}}", "reqps"),
    Panel(
        "Saved state age", "time() - max(tmdb_extract_state_saved_timestamp_seconds)", "state", "s", "stat"
    ),
    Panel(
        "Last run succeeded", "max without (instance) (tmdb_extract_last_run_success)", "{{job}}", kind="stat"
    ),
    Panel(
        "Last run duration", "max without (instance) (tmdb_extract_last_run_duration_seconds)", "{{job}}", "s"
    ),
]
LAND = [
    Panel(
        "Landing lag (records in Kafka not in Bronze)",
        "max by (topic) (tmdb_landing_lag_records)",
        "{{topic}}",
    ),
    Panel(
        "Rows landed per second by table",
        "sum by (table) (rate(tmdb_landing_rows_total[5m]))",
        "{{table}}",
        "ops",
    ),
    Panel(
        "Rows landed (last run or since start)",
        "sum by (table) (tmdb_landing_rows_total)",
        "{{table}}",
        kind="stat",
    ),
    Panel(
        "Quarantined rows per second",
        "sum(rate(tmdb_landing_quarantined_rows_total[5m]))",
        "quarantined",
        "ops",
    ),
    Panel("Batches per minute", "sum(rate(tmdb_landing_batches_total[5m])) * 60", "batches"),
    Panel(
        "Batch duration p95",
        "histogram_quantile(0.95, sum by (le) (rate(tmdb_landing_batch_duration_seconds_bucket[15m])))",
        "p95",
        "s",
    ),
    Panel(
        "Time since the last batch",
        "time() - max(tmdb_landing_last_batch_timestamp_seconds)",
        "batch",
        "s",
        "stat",
    ),
]
TRANSFORM = [
    Panel("Model build time", "max by (model) (tmdb_transform_model_duration_seconds)", "{{model}}", "s"),
    Panel(
        "Models not successful",
        'count(tmdb_transform_model_status{tmdb_transform_model_status!="success"} == 1)',
        "models",
        kind="stat",
    ),
    Panel("Failed dbt tests", "max without (instance) (tmdb_transform_failed_tests)", "{{job}}", kind="stat"),
    Panel(
        "dbt nodes by status",
        "sum by (resource_type, status) (tmdb_transform_nodes_total)",
        "{{resource_type}} {{status}}",
    ),
    Panel(
        "Bronze source age (dbt source freshness)",
        "max by (source) (tmdb_transform_source_age_seconds)",
        "{{source}}",
        "s",
    ),
    # `empty` (no rows yet, no age above) apart from `error` (stale), as the alerts tell them apart
    Panel(
        "Bronze sources by freshness state",
        "count by (tmdb_transform_source_freshness) "
        "(max by (source, tmdb_transform_source_freshness) (tmdb_transform_source_freshness) == 1)",
        "{{tmdb_transform_source_freshness}}",
        kind="stat",
    ),
    Panel("Reviews scored", "sum(tmdb_transform_reviews_scored_total)", "reviews", kind="stat"),
    Panel(
        "Sentiment texts per second",
        "sum(tmdb_transform_reviews_scored_total) / sum(tmdb_transform_scoring_seconds_total)",
        "texts/s",
        "ops",
        "stat",
    ),
    Panel(
        "Last run duration",
        "max without (instance) (tmdb_transform_last_run_duration_seconds)",
        "{{job}}",
        "s",
    ),
]
SYNC = [
    Panel(
        "Documents by action",
        "sum by (collection, action) (tmdb_sync_documents_total)",
        "{{collection}} {{action}}",
    ),
    Panel(
        "Upserts per second",
        'sum by (collection) (rate(tmdb_sync_documents_total{action="upserted"}[5m]))',
        "{{collection}}",
        "ops",
    ),
    Panel(
        "Age of the Gold served",
        "time() - min by (collection) (tmdb_sync_gold_snapshot_timestamp_seconds)",
        "{{collection}}",
        "s",
    ),
    Panel(
        "Collection sync time",
        "max by (collection) (tmdb_sync_collection_duration_seconds)",
        "{{collection}}",
        "s",
    ),
    Panel(
        "Last run succeeded", "max without (instance) (tmdb_sync_last_run_success)", "{{job}}", kind="stat"
    ),
]
API = [
    Panel(
        "Requests per second by route",
        "sum by (route) (rate(tmdb_api_requests_total[5m]))",
        "{{route}}",
        "reqps",
    ),
    Panel(
        "5xx ratio",
        'sum(rate(tmdb_api_requests_total{status=~"5.."}[5m])) / sum(rate(tmdb_api_requests_total[5m]))',
        "5xx",
        "percentunit",
    ),
    Panel(
        "p99 latency by route",
        "histogram_quantile(0.99, sum by (le, route) (rate(tmdb_api_request_duration_seconds_bucket[5m])))",
        "{{route}}",
        "s",
    ),
    Panel("Requests in progress", "sum(tmdb_api_requests_in_progress)", "in progress"),
    Panel(
        "MongoDB p95 by command",
        "histogram_quantile(0.95, sum by (le, command) (rate(tmdb_api_mongo_command_duration_seconds_bucket[5m])))",
        "{{command}}",
        "s",
    ),
]
SINCE_SUCCESS = " or ".join(
    f'label_replace(time() - max(tmdb_{stage}_last_success_timestamp_seconds), "stage", "{stage}", "", "")'
    for stage in ("extract", "landing", "transform", "sync")
)
# the whole flow on one screen: TMDB -> Kafka -> Bronze -> Silver/Gold -> MongoDB -> API
OVERVIEW = [
    Panel("1 extract: records/s to Kafka", "sum(rate(tmdb_extract_records_total[5m]))", "records/s", "ops"),
    Panel("2 land: lag (records)", "sum(max by (topic, partition) (tmdb_landing_lag_records))", "lag"),
    Panel("2 land: rows/s to Bronze", "sum(rate(tmdb_landing_rows_total[5m]))", "rows/s", "ops"),
    Panel("3 transform: failed tests", "max(tmdb_transform_failed_tests)", "failed", kind="stat"),
    Panel(
        "4 sync: documents upserted",
        'sum(tmdb_sync_documents_total{action="upserted"})',
        "upserted",
        kind="stat",
    ),
    Panel("4 sync: Gold age", "time() - min(tmdb_sync_gold_snapshot_timestamp_seconds)", "age", "s", "stat"),
    Panel("5 API: requests/s", "sum(rate(tmdb_api_requests_total[5m]))", "req/s", "reqps"),
    Panel("Time since each stage last succeeded", SINCE_SUCCESS, "{{stage}}", "s"),
    Panel("Firing alerts", 'sum by (alertname) (ALERTS{alertstate="firing"})', "{{alertname}}"),
]
DASHBOARDS = {
    "tmdb-overview": ("TMDB pipeline: overview", OVERVIEW),
    "tmdb-extract": ("TMDB pipeline: extract", EXTRACT),
    "tmdb-land": ("TMDB pipeline: landing", LAND),
    "tmdb-transform": ("TMDB pipeline: transform", TRANSFORM),
    "tmdb-sync": ("TMDB pipeline: sync to MongoDB", SYNC),
    "tmdb-api": ("TMDB pipeline: serving API", API),
}


def panel_json(panel: Panel, index: int) -> dict[str, Any]:
    width = 8 if panel.kind == "stat" else 12
    return {
        "id": index + 1,
        "type": panel.kind,
        "title": panel.title,
        "datasource": DATASOURCE,
        "gridPos": {"h": 8, "w": width, "x": (index % 2) * 12, "y": (index // 2) * 8},
        "fieldConfig": {"defaults": {"unit": panel.unit}, "overrides": []},
        "targets": [
            {"refId": "A", "datasource": DATASOURCE, "expr": panel.expr, "legendFormat": panel.legend}
        ],
    }


def dashboard_json(uid: str, title: str, panels: list[Panel]) -> dict[str, Any]:
    return {
        "uid": uid,
        "title": title,
        "tags": ["tmdb"],
        "schemaVersion": 39,
        "version": 1,
        "editable": True,
        "refresh": "30s",
        "time": {"from": "now-6h", "to": "now"},
        "panels": [panel_json(panel, i) for i, panel in enumerate(panels)],
    }


def render() -> dict[str, str]:
    return {
        f"{uid}.json": json.dumps(dashboard_json(uid, title, panels), indent=2) + "\n"
        for uid, (title, panels) in DASHBOARDS.items()
    }


def write(out: Path = OUT) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in render().items():
        (out / name).write_text(text)
        written.append(out / name)
    return written


if __name__ == "__main__":
    for path in write():
        print(path.relative_to(PROJECT_ROOT))
