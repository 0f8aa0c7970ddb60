"""The lineage graph as one self-contained HTML page: data, script and style inline, nothing fetched.

The page carries the graph as JSON and draws it with its own script (lineage.js), so what a
browser shows is built from exactly the data DataHub receives, with dbt's edges added from the
manifest.
"""

from __future__ import annotations

import html
import json
from datetime import UTC, datetime
from importlib import resources
from typing import Any

from tmdb_pipeline.lineage.graph import DBT, EMITTER, LineageGraph

STAGE_LABELS = {
    "tmdb": "TMDB API",
    "extract": "Extract",
    "kafka": "Kafka",
    "landing": "Landing",
    "bronze": "Bronze",
    "silver": "Silver",
    "gold": "Gold",
    "sync": "Serving sync",
    "mongodb": "MongoDB",
    "api": "REST API",
}


def graph_data(graph: LineageGraph) -> dict[str, Any]:
    keys = {urn: node.key for urn, node in graph.nodes.items()}
    dbt_steps = {(e.upstream, e.downstream) for e in graph.edges if e.origin == DBT}
    return {
        "stages": [{"id": stage, "label": label} for stage, label in STAGE_LABELS.items()],
        "nodes": [
            {
                "id": node.key,
                "urn": node.urn,
                "label": node.label,
                "platform": node.platform,
                "kind": node.kind,
                "stage": node.stage,
                "description": node.description,
                "columns": [[c.name, c.type, c.is_key] for c in node.columns],
            }
            for node in graph.nodes.values()
        ],
        "edges": [
            {"from": keys[up], "to": keys[down], "origin": DBT if (up, down) in dbt_steps else EMITTER}
            for up, down in graph.steps()
        ],
    }


def _asset(name: str) -> str:
    return resources.files("tmdb_pipeline.lineage").joinpath("page", name).read_text(encoding="utf-8")


def render_html(graph: LineageGraph, title: str = "TMDB pipeline lineage", note: str = "") -> str:
    # `</` inside a script element would end it early; JSON allows the escaped form
    data = json.dumps(graph_data(graph), ensure_ascii=False).replace("</", "<\\/")
    generated = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    subtitle = f"Generated {generated} by <code>tmdb-pipeline lineage</code>. {html.escape(note)}".strip()
    page = _asset("template.html")
    for marker, value in (
        ("__CSS__", _asset("lineage.css")),
        ("__JS__", _asset("lineage.js")),
        ("__TITLE__", html.escape(title)),
        ("__SUBTITLE__", subtitle),
        ("__DATA__", data),  # last: the data may contain text that looks like a marker
    ):
        page = page.replace(marker, value)
    return page
