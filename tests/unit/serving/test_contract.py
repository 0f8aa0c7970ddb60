"""The Gold contract: exact names, a comparison that catches drift but not harmless encodings, and\nthe checks that keep the sync's documents, the API's responses, dbt's marts and the lineage to it."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime
from typing import Any, ClassVar

import msgspec
import pyarrow as pa
import pytest
import yaml

from serving_api.domain.live.schemas import LiveMover
from serving_api.domain.movies.schemas import MovieDetail
from serving_api.domain.people.schemas import Collaborator, collaborator
from serving_api.lib.responses import FromDocument
from serving_api.sync.contract import GOLD_TABLES, MOVIE_METRICS, TIMESTAMP, schema_problems
from serving_api.sync.documents import TARGETS, Target, movie_card_document
from tmdb_pipeline.lineage.topology import serving_targets
from tmdb_pipeline.settings import PROJECT_ROOT


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
        + [pa.field("vote_count", pa.list_(pa.int64()))]
    )
    problems = schema_problems(drifted, MOVIE_METRICS)
    assert problems == ["missing column title", "column vote_count is list<item: int64>, expected int64"]


def test_given_a_narrower_type_when_compared_then_it_passes_because_the_sync_casts_it():
    narrower = pa.schema(
        [pa.field(f.name, pa.int32()) if f.name == "vote_count" else f for f in MOVIE_METRICS]
    )
    assert schema_problems(narrower, MOVIE_METRICS) == []


# --- the contract is the one definition: documents, response structs, dbt's marts and the lineage
# are checked against it here.


def contract_value(data_type: pa.DataType) -> Any:
    """A non-null value of a contract type, as pyarrow's to_pylist() gives it to the sync."""
    if pa.types.is_integer(data_type):
        return 7
    if pa.types.is_floating(data_type):
        return 1.5
    if pa.types.is_string(data_type):
        return "Amélie"
    if pa.types.is_boolean(data_type):
        return True
    if pa.types.is_date(data_type):
        return date(2001, 4, 25)
    if pa.types.is_timestamp(data_type):
        return datetime(2024, 5, 1, 12, tzinfo=UTC)
    if pa.types.is_list(data_type):
        return [contract_value(data_type.value_type)]
    if pa.types.is_struct(data_type):
        return {field.name: contract_value(field.type) for field in data_type}
    raise AssertionError(f"no sample value for {data_type}: extend contract_value")


class RecordingRow(dict):
    """A Gold row that remembers which columns were read (a column it lacks raises KeyError)."""

    def __init__(self, values: dict[str, Any]) -> None:
        super().__init__(values)
        self.read: set[str] = set()

    def __getitem__(self, column: str) -> Any:
        self.read.add(column)
        return super().__getitem__(column)


def full_row(table: str) -> dict[str, Any]:
    return {field.name: contract_value(field.type) for field in GOLD_TABLES[table]}


def sparse_row(target: Target) -> dict[str, Any]:
    """Every column null but those without which the target makes no document (its keys)."""
    row = full_row(target.table)
    for column in list(row):
        kept = row[column]
        row[column] = None
        if target.to_document(dict(row)) is None:
            row[column] = kept
    return row


def test_given_the_sync_targets_then_they_read_exactly_the_contract_columns():
    assert {target.table for target in TARGETS} == set(GOLD_TABLES)
    for table, schema in GOLD_TABLES.items():
        read: set[str] = set()
        for target in (t for t in TARGETS if t.table == table):
            row = RecordingRow(full_row(table))  # only contract columns: reading another raises
            assert target.to_document(row) is not None
            read |= row.read
        assert read == set(schema.names), f"{table}: the contract names columns no document reads"


def response_structs() -> list[type[FromDocument]]:
    import serving_api.app  # noqa: F401  (imports every route's schemas)

    return [
        struct for struct in FromDocument.__subclasses__() if struct.__module__.startswith("serving_api.")
    ]


# fields the routes compute rather than read (the rest come from the document)
COMPUTED: dict[type[FromDocument], Callable[[dict[str, Any]], FromDocument]] = {
    Collaborator: lambda doc: collaborator(doc, person_id=doc["actor_id"]),
    LiveMover: lambda doc: LiveMover.from_document(doc, rank=1),
}


def assert_same(served: Any, stored: Any, where: str) -> None:
    """The served value is the stored one, of the same type (an int is not served as a float)."""
    if isinstance(served, msgspec.Struct):
        for name in served.__struct_fields__:
            assert name in stored, f"{where}.{name} is not in the document"
            assert_same(getattr(served, name), stored[name], f"{where}.{name}")
    elif isinstance(served, list):
        assert len(served) == len(stored), where
        for index, (item, stored_item) in enumerate(zip(served, stored, strict=True)):
            assert_same(item, stored_item, f"{where}[{index}]")
    elif type(served) is date and isinstance(stored, datetime):
        assert served == stored.date(), where  # a day is stored as midnight UTC
    else:
        assert type(served) is type(stored) and served == stored, (
            f"{where}: {served!r} served, {stored!r} stored"
        )


@pytest.mark.parametrize("rows", ["full", "sparse"])
def test_given_documents_of_contract_rows_then_every_response_struct_converts_from_them(rows):
    structs = response_structs()
    assert {Collaborator, LiveMover, MovieDetail} <= set(structs)
    for struct in structs:
        targets = [t for t in TARGETS if t.collection == struct.collection]
        assert targets, f"{struct.__name__} reads {struct.collection!r}, which the sync does not write"
        row = full_row(targets[0].table) if rows == "full" else sparse_row(targets[0])
        doc = targets[0].to_document(row)
        served = COMPUTED.get(struct, struct.from_document)(doc)  # strict: a missing or mistyped field fails
        renamed = (
            dict(struct.renamed)
            if struct is not Collaborator
            else {"id": "director_id", "name": "director_name"}
        )
        for name in served.__struct_fields__:
            if struct in COMPUTED and name in ("role", "rank"):
                continue
            source = renamed.get(name, name)
            assert source in doc, f"{struct.__name__}.{name}: the document has no {source!r}"
            assert_same(getattr(served, name), doc[source], f"{struct.__name__}.{name}")


def test_given_a_struct_that_disagrees_with_the_contract_then_the_conversion_fails():
    class Drifted(FromDocument):
        collection: ClassVar[str] = "movie_cards"
        renamed: ClassVar[Mapping[str, str]] = {"id": "_id"}

        id: int
        vote_count: str | None  # the contract says bigint

    doc = movie_card_document(full_row("movie_metrics"))
    with pytest.raises(msgspec.ValidationError, match="vote_count"):
        Drifted.from_document(doc)


def test_given_dbt_s_marts_then_each_documents_every_contract_column():
    marts = yaml.safe_load(
        (PROJECT_ROOT / "dbt_project" / "models" / "marts" / "_marts__models.yml").read_text()
    )
    documented = {model["name"]: {c["name"] for c in model.get("columns", [])} for model in marts["models"]}
    for table, schema in GOLD_TABLES.items():
        assert table in documented, f"Gold table {table} is not a documented mart"
        missing = set(schema.names) - documented[table]
        assert not missing, f"{table}: columns the sync reads but _marts__models.yml does not name: {missing}"


def test_given_the_lineage_then_its_serving_edges_start_at_contract_tables():
    # the lineage's Gold columns come from dbt's manifest (the marts' YAML, checked above)
    tables = {table for table, _ in serving_targets()}
    assert tables == set(GOLD_TABLES)
