"""The HTML page: one self-contained file whose data is the graph, safe against odd text."""

from __future__ import annotations

import json
import re
from dataclasses import replace

from tmdb_pipeline.lineage.graph import DBT, build_graph
from tmdb_pipeline.lineage.html import render_html
from tmdb_pipeline.lineage.topology import ENDPOINTS, serving_targets


def _data(page: str) -> dict:
    match = re.search(r'<script id="lineage-data" type="application/json">(.*?)</script>', page, re.S)
    assert match, "the page carries its data in #lineage-data"
    return json.loads(match.group(1))


def test_given_the_graph_when_rendering_then_every_node_and_step_is_in_the_page_data(
    coords, streams, dbt_project
):
    graph = build_graph(coords, streams, serving_targets(), ENDPOINTS, dbt_project)
    data = _data(render_html(graph))
    assert sorted(n["id"] for n in data["nodes"]) == sorted(n.key for n in graph.nodes.values())
    assert len(data["edges"]) == len(graph.steps())
    dbt_edges = {(e["from"], e["to"]) for e in data["edges"] if e["origin"] == DBT}
    assert ("iceberg:tmdb.bronze.reviews", "iceberg:tmdb.silver.stg_tmdb__reviews") in dbt_edges
    assert all(e["from"] in {n["id"] for n in data["nodes"]} for e in data["edges"])


def test_given_the_page_when_rendering_then_it_loads_nothing_from_the_network(coords, streams):
    page = render_html(build_graph(coords, streams, serving_targets(), ENDPOINTS))
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page)
    assert "<link" not in page
    assert "@import" not in page
    assert "function" in page and "<svg" not in page.split("<script")[0]  # drawn by the script, not baked in


def test_given_text_that_closes_a_script_when_rendering_then_the_data_survives(coords, streams):
    graph = build_graph(coords, streams, serving_targets(), ENDPOINTS)
    urn = coords.topic("movies")
    graph.nodes[urn] = replace(graph.nodes[urn], description="</script><script>alert(1)</script> __JS__")
    data = _data(render_html(graph))
    node = next(n for n in data["nodes"] if n["urn"] == urn)
    assert node["description"] == "</script><script>alert(1)</script> __JS__"
