"""The serving layer in the lineage matches serving_api: every data route and every synced table."""

from __future__ import annotations

import re

from serving_api.app import create_app
from serving_api.settings import ApiSettings
from serving_api.sync.documents import TARGETS
from spark_streaming.live import QUERIES
from tmdb_pipeline.lineage.topology import ENDPOINTS, LIVE_SOURCES, OPERATIONAL_ROUTES, serving_targets


def test_given_the_app_when_listing_routes_then_each_data_route_is_in_the_lineage():
    docs = ApiSettings().docs_path
    paths = {re.sub(r"\{(\w+):\w+\}", r"{\1}", route.path) for route in create_app().routes}
    data_routes = {p for p in paths if p not in OPERATIONAL_ROUTES and not p.startswith(docs)}
    assert data_routes == set(ENDPOINTS)


def test_given_the_endpoints_when_mapping_then_they_read_only_synced_or_live_collections():
    synced = {collection for _, collection in serving_targets()}
    live = {collection for collection in LIVE_SOURCES if collection in ENDPOINTS.values()}
    assert set(ENDPOINTS.values()) == synced | live
    assert set(LIVE_SOURCES) == {query.collection for query in QUERIES}  # spark_streaming/live.py
    assert len(serving_targets()) == len(TARGETS)


def test_given_the_sync_targets_then_the_lineage_lists_the_same_gold_to_collection_pairs():
    assert serving_targets() == [(target.table, target.collection) for target in TARGETS]
