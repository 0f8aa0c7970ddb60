"""`tmdb-pipeline lineage --no-recipes`: the emitter's file and the page, without any service."""

from __future__ import annotations

import typer
from typer.testing import CliRunner

from tmdb_pipeline.cli.lineage import lineage
from tmdb_pipeline.lineage.metadata import read_metadata
from tmdb_pipeline.lineage.names import LANDING, Coordinates


def test_given_no_server_when_running_without_recipes_then_the_file_and_page_are_written(
    tmp_path, monkeypatch
):
    monkeypatch.delenv("DATAHUB_GMS_URL", raising=False)
    monkeypatch.setenv("DATAHUB_DBT_TARGET_DIR", str(tmp_path / "no-dbt-yet"))
    app = typer.Typer()
    app.command()(lineage)

    result = CliRunner().invoke(
        app, ["--no-recipes", "--output", str(tmp_path / "out"), "--html", str(tmp_path / "page.html")]
    )

    assert result.exit_code == 0, result.output
    metadata = read_metadata([tmp_path / "out" / "pipeline_lineage.json"])
    coords = Coordinates.load()
    assert (coords.topic("reviews"), coords.job(LANDING)) in metadata.edges
    assert metadata.upstreams(coords.bronze("reviews")) == {coords.topic("reviews"), coords.job(LANDING)}
    assert "lineage-data" in (tmp_path / "page.html").read_text()
    assert not (tmp_path / "out" / "recipes").exists()
