"""Run the ingestion recipes in datahub/recipes/ with `datahub ingest`, rendered for this run.

A recipe cannot branch, so the committed recipes name the REST sink and the runner renders a
copy per run under `<output>/recipes/`:
- no DataHub address: the sink becomes a file sink (`<output>/<source>.json`) and dbt's write
  semantics OVERRIDE (PATCH needs a server to read from);
- the Iceberg catalog name goes where a recipe cannot take a variable (a mapping key, and the
  platform instance it must match);
- dbt's catalog.json / run_results.json are left out while a dbt run has not written them.
Everything else stays a `${VARIABLE}`: the rendered files hold no secret, and the values come from
the pipeline's settings through the subprocess's environment.
"""

from __future__ import annotations

import copy
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from tmdb_pipeline.lineage.settings import LineageSettings
from tmdb_pipeline.settings import (
    PROJECT_ROOT,
    IcebergSettings,
    KafkaSettings,
    LandingSettings,
    MongoSettings,
    S3Settings,
    StackSettings,
    load,
)
from tmdb_pipeline.stack.catalog import pyiceberg_properties_by_reference

RECIPE_DIR = PROJECT_ROOT / "datahub" / "recipes"
SOURCES = ("kafka", "iceberg", "mongodb", "dbt")


@dataclass(frozen=True)
class RecipeSettings:
    """Every setting a recipe reads, so tests can run recipes against their own services."""

    kafka: KafkaSettings
    mongo: MongoSettings
    iceberg: IcebergSettings
    stack: StackSettings
    landing: LandingSettings
    lineage: LineageSettings
    s3: S3Settings = field(default_factory=S3Settings)

    @classmethod
    def load(cls) -> RecipeSettings:
        return cls(
            load(KafkaSettings),
            load(MongoSettings),
            load(IcebergSettings),
            load(StackSettings),
            load(LandingSettings),
            load(LineageSettings),
            load(S3Settings),
        )

    def iceberg_catalog(self) -> tuple[dict[str, str], dict[str, str]]:
        """The iceberg recipe's catalog block, from the same settings → pyiceberg mapping every stage
        uses, with secrets as `${VARIABLE}` references, and those variables' values."""
        return pyiceberg_properties_by_reference(self.stack, self.iceberg, self.s3)

    def environment(self) -> dict[str, str]:
        """The variables the recipes reference, from the settings (so `.env` counts too)."""
        env = {
            "KAFKA_BOOTSTRAP_SERVERS": self.kafka.bootstrap_servers,
            "KAFKA_TOPIC_PREFIX": self.kafka.topic_prefix,
            "MONGO_URI": self.mongo.uri.get_secret_value(),
            "MONGO_DATABASE": self.mongo.database,
            "ICEBERG_CATALOG_DB": str(self.iceberg.catalog_db_path(self.stack)),
            "ICEBERG_WAREHOUSE": self.iceberg.warehouse_uri(self.stack),
            **self.iceberg_catalog()[1],
            "LANDING_NAMESPACE": self.landing.namespace,
            "DATAHUB_ENV": self.lineage.env,
            "DATAHUB_DBT_TARGET_DIR": str(self.lineage.dbt_target_dir),
            "DATAHUB_TELEMETRY_ENABLED": "false",  # the CLI would otherwise phone home
        }
        if self.lineage.uses_server:
            env["DATAHUB_GMS_URL"] = self.lineage.gms_url
            token = self.lineage.gms_token
            env["DATAHUB_GMS_TOKEN"] = token.get_secret_value() if token else ""
        return env


@dataclass(frozen=True)
class RecipeRun:
    source: str
    recipe: Path  # the rendered recipe that ran
    output: Path | None  # the file sink's output, None with the REST sink
    log: Path
    returncode: int
    seconds: float
    skipped: str = ""  # why it did not run

    @property
    def ok(self) -> bool:
        return self.returncode == 0 and not self.skipped


def recipe_path(source: str) -> Path:
    return RECIPE_DIR / f"{source}_to_datahub.dhub.yaml"


def load_recipe(source: str) -> dict[str, Any]:
    return yaml.safe_load(recipe_path(source).read_text())


def render(source: str, recipe: dict[str, Any], settings: RecipeSettings, output_dir: Path) -> dict[str, Any]:
    rendered = copy.deepcopy(recipe)
    config = rendered["source"]["config"]
    catalog_name = settings.iceberg.catalog_name
    if source == "iceberg":
        config["catalog"] = {catalog_name: settings.iceberg_catalog()[0]}
        config["platform_instance"] = catalog_name
    if source == "dbt":
        config["target_platform_instance"] = catalog_name
        target = settings.lineage.dbt_target_dir
        if not (target / "catalog.json").exists():
            config.pop("catalog_path", None)
        if not (target / "run_results.json").exists():
            config.pop("run_results_paths", None)
    if not settings.lineage.uses_server:
        rendered["sink"] = {"type": "file", "config": {"filename": str(output_dir / f"{source}.json")}}
        if source == "dbt":
            config["write_semantics"] = "OVERRIDE"
    return rendered


def mongo_hosting(mongo: MongoSettings) -> str:
    """The mongodb source's `hostingEnvironment`: AWS_DOCUMENTDB for FerretDB, whose aggregation
    lacks `$bsonSize` as DocumentDB's does (that is all the setting changes for platform mongodb)."""
    from pymongo import MongoClient
    from pymongo.errors import PyMongoError

    client: MongoClient = MongoClient(mongo.uri.get_secret_value(), serverSelectionTimeoutMS=3000)
    try:
        info = client.admin.command("buildInfo")
    except PyMongoError:
        return "SELF_HOSTED"  # unreachable: the recipe will say so itself
    finally:
        client.close()
    return "AWS_DOCUMENTDB" if "ferretdbVersion" in info else "SELF_HOSTED"


def datahub_executable() -> str:
    found = shutil.which("datahub", path=str(Path(sys.executable).parent)) or shutil.which("datahub")
    if not found:
        raise FileNotFoundError("the `datahub` CLI is not installed; run `make setup`")
    return found


def _skip_reason(source: str, settings: RecipeSettings) -> str:
    manifest = settings.lineage.dbt_target_dir / "manifest.json"
    if source == "dbt" and not manifest.exists():
        return f"no dbt manifest at {manifest}: run `tmdb-pipeline transform` first"
    return ""


def run_recipe(source: str, settings: RecipeSettings, output_dir: Path) -> RecipeRun:
    sink = "datahub" if settings.lineage.uses_server else "file"
    recipe_file = output_dir / "recipes" / f"{source}_to_{sink}.dhub.yaml"
    output = None if settings.lineage.uses_server else output_dir / f"{source}.json"
    log = output_dir / "logs" / f"{source}.log"
    if reason := _skip_reason(source, settings):
        return RecipeRun(source, recipe_file, None, log, 0, 0.0, skipped=reason)
    for folder in (recipe_file.parent, log.parent):
        folder.mkdir(parents=True, exist_ok=True)
    if output is not None:
        output.unlink(missing_ok=True)  # a failed run must not leave the last run's metadata looking current
    header = f"# Rendered from {recipe_path(source).relative_to(PROJECT_ROOT)} by `tmdb-pipeline lineage`.\n"
    rendered = render(source, load_recipe(source), settings, output_dir)
    recipe_file.write_text(header + yaml.safe_dump(rendered, sort_keys=False))
    command = [datahub_executable(), "ingest", "run", "-c", str(recipe_file), "--no-spinner"]
    if not settings.lineage.uses_server:
        command.append("--no-default-report")  # the run report would go to a server
    env = os.environ | settings.environment()
    if source == "mongodb":
        env["DATAHUB_MONGO_HOSTING"] = mongo_hosting(settings.mongo)
    began = time.monotonic()
    with log.open("w") as handle:
        result = subprocess.run(
            command,
            cwd=PROJECT_ROOT,
            env=env,
            stdout=handle,
            stderr=subprocess.STDOUT,
            timeout=600,
        )
    return RecipeRun(source, recipe_file, output, log, result.returncode, time.monotonic() - began)


def run_recipes(
    settings: RecipeSettings, output_dir: Path, sources: Sequence[str] = SOURCES, parallel: int = 2
) -> list[RecipeRun]:
    """Run each recipe in its own `datahub ingest` process, a few at a time (they mostly wait)."""
    with ThreadPoolExecutor(max_workers=max(1, parallel)) as pool:
        return list(pool.map(lambda source: run_recipe(source, settings, output_dir), sources))
