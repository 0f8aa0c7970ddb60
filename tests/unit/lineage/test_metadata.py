"""Reading DataHub metadata files back: every shape the recipes write carries its lineage edges."""

from __future__ import annotations

from datahub.emitter.mce_builder import make_dataset_urn
from datahub.ingestion.sink.file import write_metadata_file
from datahub.metadata.schema_classes import (
    DatasetLineageTypeClass,
    DatasetSnapshotClass,
    MetadataChangeEventClass,
    UpstreamClass,
    UpstreamLineageClass,
)
from datahub.specific.dataset import DatasetPatchBuilder

from tmdb_pipeline.lineage.metadata import read_metadata

A, B, C = (make_dataset_urn("iceberg", name) for name in ("a", "b", "c"))


def test_given_a_snapshot_and_a_patch_when_reading_then_both_edges_are_found(tmp_path):
    snapshot = MetadataChangeEventClass(
        proposedSnapshot=DatasetSnapshotClass(
            urn=B,
            aspects=[UpstreamLineageClass(upstreams=[UpstreamClass(A, DatasetLineageTypeClass.TRANSFORMED)])],
        )
    )
    patch = list(
        DatasetPatchBuilder(C).add_upstream_lineage(UpstreamClass(B, DatasetLineageTypeClass.COPY)).build()
    )
    path = tmp_path / "metadata.json"
    write_metadata_file(path, [snapshot, *patch])

    graph = read_metadata([path])

    assert graph.edges == {(A, B), (B, C)}
    assert graph.reachable([A]) == {A, B, C}
    assert graph.upstreams(C) == {B}


def test_given_no_edges_when_walking_then_only_the_start_is_reached(tmp_path):
    path = tmp_path / "empty.json"
    write_metadata_file(path, [])
    assert read_metadata([path]).reachable([A]) == {A}
