"""The Gold tables the serving layer reads, as Arrow schemas: the contract with dbt's marts.

Names and types are exact (Spark `int` -> int32, `bigint` -> int64, `timestamp` -> Iceberg
timestamptz -> Arrow timestamp[us, UTC]). Every column is nullable, as Spark writes them.
`schema_problems()` compares a real table's schema with its contract (the sync's check before it
reads); the sync casts what it scans to these schemas, so harmless widening (int32 where int64 is
promised) still reads.
"""

from __future__ import annotations

import pyarrow as pa

TIMESTAMP = pa.timestamp("us", tz="UTC")

MOVIE_METRICS = pa.schema(
    [
        ("movie_id", pa.int64()),
        ("title", pa.string()),
        ("original_title", pa.string()),
        ("original_language", pa.string()),
        ("overview", pa.string()),
        ("tagline", pa.string()),
        ("status", pa.string()),
        ("release_date", pa.date32()),
        ("release_year", pa.int32()),
        ("release_decade", pa.int32()),
        ("runtime_minutes", pa.int32()),
        ("runtime_bucket", pa.string()),
        ("budget", pa.int64()),
        ("revenue", pa.int64()),
        ("profit", pa.int64()),
        ("roi", pa.float64()),
        ("popularity", pa.float64()),
        ("popularity_tier", pa.string()),
        ("vote_average", pa.float64()),
        ("vote_count", pa.int64()),
        ("rating_tier", pa.string()),
        ("genres", pa.list_(pa.string())),
        ("poster_path", pa.string()),
        ("imdb_id", pa.string()),
        ("is_adult", pa.bool_()),
        ("review_count", pa.int64()),
        ("sentiment_mean_score", pa.float64()),
        ("sentiment_share_positive", pa.float64()),
        ("sentiment_share_negative", pa.float64()),
        ("sentiment_label", pa.string()),
        ("rating_sentiment_gap", pa.float64()),
        (
            "top_cast",
            pa.list_(
                pa.struct(
                    [
                        ("person_id", pa.int64()),
                        ("name", pa.string()),
                        ("character", pa.string()),
                        ("cast_order", pa.int32()),
                    ]
                )
            ),
        ),
        ("directors", pa.list_(pa.struct([("person_id", pa.int64()), ("name", pa.string())]))),
        ("updated_at", TIMESTAMP),
    ]
)

MOVIE_REVIEWS = pa.schema(
    [
        ("review_id", pa.string()),
        ("movie_id", pa.int64()),
        ("author", pa.string()),
        ("rating", pa.float64()),
        ("content", pa.string()),
        ("created_at", TIMESTAMP),
        ("updated_at", TIMESTAMP),
        ("sentiment_score", pa.float64()),
        ("sentiment_label", pa.string()),
        ("sentiment_confidence", pa.float64()),
    ]
)

PERSON_FILMOGRAPHY = pa.schema(
    [
        ("person_id", pa.int64()),
        ("name", pa.string()),
        ("known_for_department", pa.string()),
        ("popularity", pa.float64()),
        ("profile_path", pa.string()),
        ("birthday", pa.date32()),
        ("movie_count", pa.int64()),
        (
            "filmography",
            pa.list_(
                pa.struct(
                    [
                        ("movie_id", pa.int64()),
                        ("title", pa.string()),
                        ("release_year", pa.int32()),
                        ("credit_type", pa.string()),
                        ("role", pa.string()),
                        ("vote_average", pa.float64()),
                    ]
                )
            ),
        ),
    ]
)

TRENDING_MOVIES = pa.schema(
    [
        ("movie_id", pa.int64()),
        ("title", pa.string()),
        ("popularity", pa.float64()),
        ("previous_popularity", pa.float64()),
        ("popularity_change", pa.float64()),
        ("popularity_change_pct", pa.float64()),
        ("trend_rank", pa.int32()),
        ("observed_at", TIMESTAMP),
    ]
)

GENRE_YEAR_TRENDS = pa.schema(
    [
        ("genre", pa.string()),
        ("release_year", pa.int32()),
        ("movie_count", pa.int64()),
        ("avg_vote_average", pa.float64()),
        ("avg_popularity", pa.float64()),
        ("total_revenue", pa.int64()),
        ("avg_sentiment_score", pa.float64()),
    ]
)

# both directions of each pair are rows: (a, b) and (b, a)
CO_STARS = pa.schema(
    [
        ("person_id", pa.int64()),
        ("co_star_id", pa.int64()),
        ("co_star_name", pa.string()),
        ("movies_together", pa.int64()),
    ]
)

ACTOR_DIRECTOR_PAIRS = pa.schema(
    [
        ("actor_id", pa.int64()),
        ("actor_name", pa.string()),
        ("director_id", pa.int64()),
        ("director_name", pa.string()),
        ("movies_together", pa.int64()),
    ]
)

# table name (in the Gold namespace) -> its contract
GOLD_TABLES: dict[str, pa.Schema] = {
    "movie_metrics": MOVIE_METRICS,
    "movie_reviews": MOVIE_REVIEWS,
    "person_filmography": PERSON_FILMOGRAPHY,
    "trending_movies": TRENDING_MOVIES,
    "genre_year_trends": GENRE_YEAR_TRENDS,
    "co_stars": CO_STARS,
    "actor_director_pairs": ACTOR_DIRECTOR_PAIRS,
}


def normalize(data_type: pa.DataType) -> pa.DataType:
    """Large and small string/list types are the same data: pyiceberg reads large, we write small."""
    if pa.types.is_large_string(data_type):
        return pa.string()
    if pa.types.is_large_binary(data_type):
        return pa.binary()
    if pa.types.is_list(data_type) or pa.types.is_large_list(data_type):
        return pa.list_(normalize(data_type.value_type))
    if pa.types.is_struct(data_type):
        return pa.struct([(f.name, normalize(f.type)) for f in data_type])
    if pa.types.is_timestamp(data_type) and data_type.tz in ("UTC", "+00:00", "Etc/UTC"):
        return TIMESTAMP
    return data_type


def schema_problems(actual: pa.Schema, expected: pa.Schema) -> list[str]:
    """What keeps a real table from being read as its contract, one line each: missing columns and
    types that cannot be cast to the contract's (extra columns and widening, e.g. int32 where int64
    is promised, are fine: the sync casts what it scans)."""
    problems = []
    for field in expected:
        index = actual.get_field_index(field.name)
        if index < 0:
            problems.append(f"missing column {field.name}")
            continue
        got = actual.field(index).type
        if normalize(got) == normalize(field.type):
            continue
        try:
            pa.array([], type=got).cast(field.type)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            problems.append(f"column {field.name} is {got}, expected {field.type}")
    return problems
