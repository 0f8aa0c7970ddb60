"""The Gold contract: exact names, and a comparison that catches drift but not harmless encodings."""

from __future__ import annotations

import pyarrow as pa

from serving_api.sync.contract import GOLD_TABLES, MOVIE_METRICS, TIMESTAMP, schema_problems


def test_given_the_contract_then_it_names_the_gold_tables_and_their_keys():
    assert set(GOLD_TABLES) == {
        "movie_metrics",
        "movie_reviews",
        "person_filmography",
        "trending_movies",
        "genre_year_trends",
        "co_stars",
        "actor_director_pairs",
    }
    assert GOLD_TABLES["movie_metrics"].field("movie_id").type == pa.int64()
    assert GOLD_TABLES["movie_reviews"].field("review_id").type == pa.string()
    assert GOLD_TABLES["person_filmography"].field("person_id").type == pa.int64()
    assert GOLD_TABLES["trending_movies"].field("trend_rank").type == pa.int32()
    assert GOLD_TABLES["genre_year_trends"].field("release_year").type == pa.int32()
    # Spark's bigint ids and count(distinct ...)
    assert GOLD_TABLES["co_stars"].field("co_star_id").type == pa.int64()
    assert GOLD_TABLES["actor_director_pairs"].field("movies_together").type == pa.int64()
    assert MOVIE_METRICS.field("updated_at").type == TIMESTAMP
    cast = MOVIE_METRICS.field("top_cast").type.value_type
    assert [f.name for f in cast] == ["person_id", "name", "character", "cast_order"]


def test_given_a_schema_read_back_by_pyiceberg_when_compared_then_large_types_and_extra_columns_pass():
    # pyiceberg reads strings and lists as their large variants and names list items "element"
    def large(data_type: pa.DataType) -> pa.DataType:
        if data_type == pa.string():
            return pa.large_string()
        if pa.types.is_list(data_type):
            return pa.large_list(pa.field("element", large(data_type.value_type)))
        if pa.types.is_struct(data_type):
            return pa.struct([(f.name, large(f.type)) for f in data_type])
        return data_type

    read_back = pa.schema([(f.name, large(f.type)) for f in MOVIE_METRICS] + [("extra", pa.int8())])
    assert schema_problems(read_back, MOVIE_METRICS) == []


def test_given_a_drifted_schema_when_compared_then_each_problem_is_named():
    drifted = pa.schema(
        [f for f in MOVIE_METRICS if f.name not in ("title", "vote_count")]
        + [pa.field("vote_count", pa.string())]
    )
    problems = schema_problems(drifted, MOVIE_METRICS)
    assert problems == ["missing column title (string)", "column vote_count: expected int64, got string"]
