"""`tmdb-pipeline lineage` end to end: recipes, the emitter, the HTML page, and a connectivity check.

Order matters only for the reader: recipes first, then the emitter, so a file-mode run ends with
every metadata file of this run in the output folder, which the check then reads back.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from datahub.utilities.urns.dataset_urn import DatasetUrn

from tmdb_pipeline.lineage.dbt_manifest import DbtProject, read_manifest
from tmdb_pipeline.lineage.graph import LineageGraph, build_graph
from tmdb_pipeline.lineage.html import render_html
from tmdb_pipeline.lineage.mcps import build_mcps
from tmdb_pipeline.lineage.metadata import MetadataGraph, read_metadata
from tmdb_pipeline.lineage.names import ICEBERG, Coordinates
from tmdb_pipeline.lineage.recipes import SOURCES, RecipeRun, RecipeSettings, run_recipes
from tmdb_pipeline.lineage.sinks import emit_rest, write_file
from tmdb_pipeline.lineage.streams import StreamSchema, stream_schemas
from tmdb_pipeline.lineage.topology import ENDPOINTS, serving_targets

EMITTER_FILE = "pipeline_lineage.json"


@dataclass(frozen=True)
class Connectivity:
    """What the metadata says: does every collection and endpoint trace back to TMDB, and does
    every dbt model have the upstreams its manifest declares?"""

    unreached: list[str]  # collections and endpoints no TMDB stream leads to
    missing_upstreams: dict[str, list[str]]  # dbt model -> declared dependencies missing in DataHub

    @property
    def ok(self) -> bool:
        return not self.unreached and not self.missing_upstreams


@dataclass
class LineageRun:
    graph: LineageGraph
    proposals: int
    destination: str
    recipes: list[RecipeRun] = field(default_factory=list)
    metadata_files: list[Path] = field(default_factory=list)
    html: Path | None = None
    connectivity: Connectivity | None = None

    @property
    def ok(self) -> bool:
        recipes_ok = all(r.ok or r.skipped for r in self.recipes)
        return recipes_ok and (self.connectivity is None or self.connectivity.ok)


def relation_name(urn: str, catalog_name: str) -> str:
    """`<namespace>.<table>` of an Iceberg or dbt dataset URN (the catalog instance dropped)."""
    parsed = DatasetUrn.from_string(urn)
    name = parsed.name
    if parsed.platform.endswith(f":{ICEBERG}") and name.startswith(f"{catalog_name}."):
        name = name[len(catalog_name) + 1 :]
    return name


def check_connectivity(
    metadata: MetadataGraph, graph: LineageGraph, coords: Coordinates, dbt: DbtProject | None
) -> Connectivity:
    sources = [n.urn for n in graph.by_stage("tmdb")]
    reached = metadata.reachable(sources)
    targets = [n.urn for n in graph.by_stage("mongodb")] + [n.urn for n in graph.by_stage("api")]
    missing: dict[str, list[str]] = {}
    for model in dbt.models if dbt else []:
        node = f"{model.schema}.{model.identifier}"
        dbt_urn = DatasetUrn.create_from_ids("dbt", node, coords.env).urn()
        have = {relation_name(up, coords.catalog_name) for up in metadata.upstreams(dbt_urn)}
        wanted = {
            f"{dbt.relations[d].schema}.{dbt.relations[d].identifier}"
            for d in model.depends_on
            if d in dbt.relations
        }
        if wanted - have:
            missing[node] = sorted(wanted - have)
    return Connectivity([t for t in targets if t not in reached], missing)


def load_dbt(target_dir: Path) -> DbtProject | None:
    manifest = target_dir / "manifest.json"
    return read_manifest(manifest) if manifest.exists() else None


def pipeline_graph(
    coords: Coordinates, settings: RecipeSettings, streams: list[StreamSchema] | None = None
) -> tuple[LineageGraph, DbtProject | None]:
    dbt = load_dbt(settings.lineage.dbt_target_dir)
    graph = build_graph(
        coords,
        streams if streams is not None else stream_schemas(),
        serving_targets(),
        ENDPOINTS,
        dbt,
    )
    return graph, dbt


def run_lineage(
    settings: RecipeSettings,
    *,
    recipes: bool = True,
    html: Path | None = None,
    output_dir: Path | None = None,
    streams: list[StreamSchema] | None = None,
) -> LineageRun:
    output_dir = (output_dir or settings.lineage.output_dir).resolve()
    coords = Coordinates.from_settings(
        settings.kafka, settings.iceberg, settings.landing, settings.mongo, settings.lineage
    )
    graph, dbt = pipeline_graph(coords, settings, streams)
    recipe_runs = run_recipes(settings, output_dir, SOURCES) if recipes else []
    mcps = build_mcps(graph, coords)
    if settings.lineage.uses_server:
        run = LineageRun(graph, emit_rest(mcps, settings.lineage), settings.lineage.gms_url, recipe_runs)
    else:
        emitted = write_file(mcps, output_dir / EMITTER_FILE)
        files = [r.output for r in recipe_runs if r.ok and r.output is not None] + [emitted]
        run = LineageRun(graph, len(mcps), str(emitted), recipe_runs, files)
        # the check needs the recipes' metadata, and dbt's above all: it is the bridge Bronze -> Gold
        if recipes and dbt is not None:
            run.connectivity = check_connectivity(read_metadata(files), graph, coords, dbt)
    if html is not None:
        html.parent.mkdir(parents=True, exist_ok=True)
        html.write_text(render_html(graph), encoding="utf-8")
        run.html = html
    return run
