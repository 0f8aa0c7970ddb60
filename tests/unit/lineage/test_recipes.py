"""The recipes in datahub/recipes/: valid for DataHub's own config models, free of secrets, and
rendered per run for the file sink or the server."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from datahub.configuration.config_loader import EnvResolver
from datahub.ingestion.sink.sink_registry import sink_registry
from datahub.ingestion.source.source_registry import source_registry
from pydantic import SecretStr

from tmdb_pipeline.lineage.recipes import SOURCES, RecipeSettings, load_recipe, recipe_path, render
from tmdb_pipeline.lineage.settings import LineageSettings
from tmdb_pipeline.settings import (
    IcebergSettings,
    KafkaSettings,
    LandingSettings,
    MongoSettings,
    StackSettings,
)

PASSWORD = "pa55-word-never-on-disk"


def _settings(tmp_path: Path, gms_url: str = "", catalog: str = "lake") -> RecipeSettings:
    return RecipeSettings(
        kafka=KafkaSettings(),
        mongo=MongoSettings(uri=SecretStr(f"mongodb://reader:{PASSWORD}@127.0.0.1:37017/")),
        iceberg=IcebergSettings(catalog_name=catalog, catalog_db=tmp_path / "catalog.db"),
        stack=StackSettings(),
        landing=LandingSettings(),
        lineage=LineageSettings(
            gms_url=gms_url,
            gms_token=SecretStr("tok") if gms_url else None,
            dbt_target_dir=tmp_path / "target",
        ),
    )


def _resolved(recipe: dict, settings: RecipeSettings) -> dict:
    return EnvResolver(settings.environment()).resolve(recipe)


@pytest.mark.parametrize("source", SOURCES)
def test_given_a_committed_recipe_when_resolved_for_a_server_then_datahub_accepts_its_config(
    source, tmp_path
):
    recipe = load_recipe(source)
    assert recipe_path(source).name == f"{source}_to_datahub.dhub.yaml"
    assert recipe["source"]["type"] == source
    assert recipe["sink"] == {
        "type": "datahub-rest",
        "config": {"server": "${DATAHUB_GMS_URL}", "token": "${DATAHUB_GMS_TOKEN:-}"},
    }
    resolved = _resolved(recipe, _settings(tmp_path, gms_url="http://datahub:8080"))
    source_registry.get(source).get_config_class().model_validate(resolved["source"]["config"])
    sink_registry.get("datahub-rest").get_config_class().model_validate(resolved["sink"]["config"])


def test_given_the_committed_recipes_when_read_then_credentials_are_only_variables():
    mongo = load_recipe("mongodb")["source"]["config"]
    assert mongo["connect_uri"].startswith("${MONGO_URI")
    for source in SOURCES:
        text = recipe_path(source).read_text()
        assert "password" not in text.lower().replace("may hold a password", "")


@pytest.mark.parametrize("source", SOURCES)
def test_given_no_server_when_rendering_then_the_sink_is_a_file_in_the_output_folder(source, tmp_path):
    settings = _settings(tmp_path)
    rendered = render(source, load_recipe(source), settings, tmp_path / "out")
    assert rendered["sink"] == {
        "type": "file",
        "config": {"filename": str(tmp_path / "out" / f"{source}.json")},
    }
    sink_registry.get("file").get_config_class().model_validate(rendered["sink"]["config"])
    source_registry.get(source).get_config_class().model_validate(
        _resolved(rendered, settings)["source"]["config"]
    )


def test_given_a_catalog_name_when_rendering_then_iceberg_and_dbt_use_it_as_instance(tmp_path):
    settings = _settings(tmp_path, catalog="lake")
    iceberg = render("iceberg", load_recipe("iceberg"), settings, tmp_path)["source"]["config"]
    assert list(iceberg["catalog"]) == ["lake"]
    assert iceberg["platform_instance"] == "lake"
    dbt = render("dbt", load_recipe("dbt"), settings, tmp_path)["source"]["config"]
    assert dbt["target_platform"] == "iceberg"
    assert dbt["target_platform_instance"] == "lake"
    assert dbt["write_semantics"] == "OVERRIDE"  # PATCH needs a server to read from


def test_given_dbt_artifacts_when_rendering_then_only_the_ones_present_are_named(tmp_path):
    settings = _settings(tmp_path)
    config = render("dbt", load_recipe("dbt"), settings, tmp_path)["source"]["config"]
    assert "catalog_path" not in config and "run_results_paths" not in config
    (tmp_path / "target").mkdir()
    (tmp_path / "target" / "catalog.json").write_text("{}")
    (tmp_path / "target" / "run_results.json").write_text("{}")
    config = render("dbt", load_recipe("dbt"), settings, tmp_path)["source"]["config"]
    resolved = EnvResolver(settings.environment()).resolve(config)
    assert resolved["catalog_path"] == str(tmp_path / "target" / "catalog.json")
    assert resolved["run_results_paths"] == [str(tmp_path / "target" / "run_results.json")]


@pytest.mark.parametrize("gms_url", ["", "http://datahub:8080"])
def test_given_a_secret_in_settings_when_rendering_then_it_reaches_only_the_environment(gms_url, tmp_path):
    settings = _settings(tmp_path, gms_url=gms_url)
    for source in SOURCES:
        text = yaml.safe_dump(render(source, load_recipe(source), settings, tmp_path))
        assert PASSWORD not in text
        assert "tok" not in text.replace("token", "")
    env = settings.environment()
    assert PASSWORD in env["MONGO_URI"]
    assert env["DATAHUB_TELEMETRY_ENABLED"] == "false"
    assert ("DATAHUB_GMS_URL" in env) == bool(gms_url)


def test_given_a_server_when_rendering_then_the_rest_sink_is_kept(tmp_path):
    settings = _settings(tmp_path, gms_url="http://datahub:8080")
    rendered = render("kafka", load_recipe("kafka"), settings, tmp_path)
    assert rendered["sink"]["type"] == "datahub-rest"
    assert _resolved(rendered, settings)["sink"]["config"] == {
        "server": "http://datahub:8080",
        "token": "tok",
    }


def test_given_a_rest_catalog_on_s3_when_rendering_iceberg_then_the_catalog_block_follows_with_keys_by_reference(
    tmp_path,
):
    from tmdb_pipeline.settings import S3Settings

    settings = RecipeSettings(
        **{
            **_settings(tmp_path).__dict__,
            "iceberg": IcebergSettings(
                catalog_type="rest", catalog_name="lake", catalog_uri="http://iceberg-rest:8181"
            ),
            "s3": S3Settings(
                endpoint="http://seaweedfs:8333",
                access_key_id=SecretStr("AKIA-lineage"),
                secret_access_key=SecretStr(PASSWORD),
            ),
        }
    )
    rendered = render("iceberg", load_recipe("iceberg"), settings, tmp_path)
    catalog = rendered["source"]["config"]["catalog"]["lake"]
    assert catalog["type"] == "rest" and catalog["uri"] == "http://iceberg-rest:8181"
    assert catalog["warehouse"] == "s3://warehouse/" and catalog["s3.endpoint"] == "http://seaweedfs:8333"
    text = yaml.safe_dump(rendered)
    assert PASSWORD not in text and "AKIA-lineage" not in text
    resolved = _resolved(rendered, settings)["source"]["config"]["catalog"]["lake"]
    assert resolved["s3.secret-access-key"] == PASSWORD
    source_registry.get("iceberg").get_config_class().model_validate(
        _resolved(rendered, settings)["source"]["config"]
    )
