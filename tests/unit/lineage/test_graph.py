"""The lineage graph: every hop of the pipeline, jobs with their inputs and outputs, dbt in between."""

from __future__ import annotations

from tmdb_pipeline.lineage.graph import DBT, build_graph
from tmdb_pipeline.lineage.names import EXTRACT, LANDING, SERVING_SYNC
from tmdb_pipeline.lineage.topology import ENDPOINTS, serving_targets


def _graph(coords, streams, dbt=None):
    return build_graph(coords, streams, serving_targets(), ENDPOINTS, dbt)


def test_given_the_manifest_when_building_then_every_collection_and_endpoint_traces_back_to_tmdb(
    coords, streams, dbt_project
):
    graph = _graph(coords, streams, dbt_project)
    reached = graph.reachable(n.urn for n in graph.by_stage("tmdb"))
    targets = graph.by_stage("mongodb") + graph.by_stage("api")
    assert {n.key for n in graph.by_stage("mongodb")} == {
        f"mongodb:tmdb.{c}"
        for c in (
            "movies",
            "movie_cards",
            "reviews",
            "people",
            "person_cards",
            "trending",
            "genre_stats",
            "co_stars",
            "collaborations",
            "live_movie_reviews",  # the speed layer's, from the topics
            "live_movie_popularity",
            "live_genre_activity",
        )
    }
    assert len(graph.by_stage("api")) == len(ENDPOINTS)
    assert [n.key for n in targets if n.urn not in reached] == []


def test_given_no_manifest_when_building_then_bronze_does_not_reach_gold(coords, streams):
    # the dbt hop is the only bridge: without it the check must fail, not pass vacuously
    graph = _graph(coords, streams)
    reached = graph.reachable(n.urn for n in graph.by_stage("tmdb"))
    assert coords.bronze("movies") in reached
    assert coords.collection("movies") not in reached


def test_given_the_streams_when_building_then_each_job_reads_and_writes_its_hop(coords, streams):
    graph = _graph(coords, streams)
    names = [s.name for s in streams]

    inputs, outputs = graph.job_io(coords.job(EXTRACT))
    assert sorted(inputs) == sorted(coords.tmdb(s) for s in names)
    assert sorted(outputs) == sorted(coords.topic(s) for s in names)

    inputs, outputs = graph.job_io(coords.job(LANDING))
    assert sorted(inputs) == sorted(coords.topic(s) for s in names)
    assert sorted(outputs) == sorted([coords.bronze(s) for s in names] + [coords.quarantine()])

    inputs, outputs = graph.job_io(coords.job(SERVING_SYNC))
    assert coords.gold("movie_metrics") in inputs
    assert coords.collection("genre_stats") in outputs


def test_given_a_stream_when_building_then_its_table_has_exactly_its_own_topic_upstream(coords, streams):
    graph = _graph(coords, streams)
    assert graph.upstreams(coords.bronze("reviews")) == [coords.topic("reviews")]
    assert sorted(graph.upstreams(coords.quarantine())) == sorted(coords.topic(s.name) for s in streams)
    assert graph.upstreams(coords.collection("people")) == [coords.gold("person_filmography")]


def test_given_the_manifest_when_building_then_dbt_edges_are_marked_and_follow_depends_on(
    coords, streams, dbt_project
):
    graph = _graph(coords, streams, dbt_project)
    metrics = coords.gold("movie_metrics")
    assert sorted(graph.upstreams(metrics, origin=DBT)) == sorted(
        [coords.iceberg("silver", "stg_tmdb__movie_details"), coords.iceberg("silver", "stg_tmdb__credits")]
    )
    assert graph.upstreams(coords.iceberg("silver", "stg_tmdb__reviews"), origin=DBT) == [
        coords.bronze("reviews")
    ]


def test_given_nodes_when_building_then_keys_are_readable_and_unique(coords, streams, dbt_project):
    graph = _graph(coords, streams, dbt_project)
    keys = [n.key for n in graph.nodes.values()]
    assert len(keys) == len(set(keys))
    assert "kafka:tmdb_movies" in keys
    assert "iceberg:tmdb.gold.movie_metrics" in keys
    assert "openapi:tmdb_api.movies.movie_id.reviews" in keys
    assert "job:source-tmdb" in keys
