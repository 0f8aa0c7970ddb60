"""Which models a pass builds, from the last pass build's record and the lakehouse's snapshots."""

from __future__ import annotations

from pathlib import Path

import pytest

from tmdb_pipeline.transform.pass_build import (
    PASS_BUILD,
    BuildPlan,
    plan_build,
    project_fingerprint,
    read_record,
)

SOURCES = ["credits", "genres", "reviews"]
LAST = {
    "bronze.credits": 11,
    "bronze.genres": 12,
    "bronze.reviews": 13,
    "bronze._quarantine": 14,
    "silver.stg_tmdb__credits": 21,
    "gold.co_stars": 31,
}


def record(**changes: object) -> dict[str, object]:
    return {"fingerprint": "f1", "sources": SOURCES, "snapshots": dict(LAST)} | changes


def test_given_nothing_moved_then_nothing_is_built() -> None:
    plan = plan_build(record(), dict(LAST), "f1", "bronze")
    assert plan.builds_nothing
    assert plan.reason == "no Bronze table changed since the last pass build"


def test_given_two_bronze_tables_moved_then_only_their_descendants_are_selected() -> None:
    plan = plan_build(record(), LAST | {"bronze.reviews": 99, "bronze.credits": 98}, "f1", "bronze")
    assert plan.select == ("source:tmdb.credits+", "source:tmdb.reviews+")
    assert plan.dbt_args() == [*PASS_BUILD, "--select", "source:tmdb.credits+", "source:tmdb.reviews+"]
    assert plan.reason == "new in Bronze: credits, reviews"


def test_given_a_new_bronze_source_table_then_its_descendants_are_selected() -> None:
    before = {k: v for k, v in LAST.items() if k != "bronze.genres"}
    assert plan_build(record(snapshots=before), dict(LAST), "f1", "bronze").select == ("source:tmdb.genres+",)


def test_given_only_a_table_dbt_does_not_read_moved_then_nothing_is_built() -> None:
    assert plan_build(record(), LAST | {"bronze._quarantine": 99}, "f1", "bronze").builds_nothing


def test_given_another_bronze_namespace_then_its_tables_are_the_ones_compared() -> None:
    elsewhere = {f"landed.{k.split('.', 1)[1]}" if k.startswith("bronze.") else k: v for k, v in LAST.items()}

    assert plan_build(record(snapshots=elsewhere), dict(elsewhere), "f1", "landed").builds_nothing
    moved = elsewhere | {"landed.reviews": 99, "bronze.credits": 98}  # a table elsewhere is not Bronze
    assert plan_build(record(snapshots=elsewhere), moved, "f1", "landed").select == ("source:tmdb.reviews+",)


@pytest.mark.parametrize(
    ("last", "now", "fingerprint", "why"),
    [
        (None, LAST, "f1", "no earlier pass build is recorded"),
        (record(), LAST, "f2", "the dbt project or its vars changed since the last pass build"),
        (record(), LAST | {"gold.co_stars": 99}, "f1", "Silver/Gold changed outside a pass: gold.co_stars"),
        (
            record(),
            {k: v for k, v in LAST.items() if k != "silver.stg_tmdb__credits"},
            "f1",
            "Silver/Gold changed outside a pass: silver.stg_tmdb__credits",
        ),
        (record(), LAST | {"gold.new_mart": 5}, "f1", "Silver/Gold changed outside a pass: gold.new_mart"),
    ],
)
def test_given_no_trustworthy_record_then_everything_is_built(last, now, fingerprint, why) -> None:
    plan = plan_build(last, dict(now), fingerprint, "bronze")
    assert plan == BuildPlan(None, why)
    assert plan.dbt_args() == list(PASS_BUILD)


def test_the_fingerprint_follows_the_project_files_and_the_vars(tmp_path: Path) -> None:
    (tmp_path / "models").mkdir()
    (tmp_path / "dbt_project.yml").write_text("name: tmdb\n")
    model = tmp_path / "models" / "m.sql"
    model.write_text("select 1")
    first = project_fingerprint({"sentiment_version": "a"}, tmp_path)

    assert project_fingerprint({"sentiment_version": "a"}, tmp_path) == first
    assert project_fingerprint({"sentiment_version": "b"}, tmp_path) != first
    model.write_text("select 2")
    assert project_fingerprint({"sentiment_version": "a"}, tmp_path) != first
    (tmp_path / "target").mkdir()  # dbt's own output is no input
    (tmp_path / "target" / "manifest.json").write_text("{}")
    model.write_text("select 1")
    assert project_fingerprint({"sentiment_version": "a"}, tmp_path) == first


def test_given_a_torn_record_then_it_reads_as_none(tmp_path: Path) -> None:
    torn = tmp_path / "record.json"
    torn.write_text('{"fingerprint": "f1", "sour')
    assert read_record(torn) is None
    assert read_record(tmp_path / "absent.json") is None
