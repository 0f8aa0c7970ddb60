"""Read Gold tables with pyiceberg: the current snapshot, scanned to Arrow batches cast to the contract.

The scan is pinned to the snapshot id recorded afterwards, so a dbt run committing mid-sync cannot
make the recorded snapshot and the synced rows disagree.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pyarrow as pa
from pyiceberg.catalog import Catalog
from pyiceberg.exceptions import NoSuchNamespaceError, NoSuchTableError
from pyiceberg.table import Table

from serving_api.sync.contract import GOLD_TABLES, schema_problems


class GoldError(Exception):
    """A Gold table is missing or does not match its contract; the message says which and why."""


@dataclass(frozen=True)
class GoldTable:
    name: str  # contract name, e.g. movie_metrics
    identifier: str  # namespace.name
    snapshot_id: int | None  # None: the table was created but never written
    rows: int  # from the snapshot summary; 0 without a snapshot
    table: Table


def open_gold_table(catalog: Catalog, namespace: str, name: str) -> GoldTable:
    identifier = f"{namespace}.{name}"
    try:
        table = catalog.load_table(identifier)
    except (NoSuchTableError, NoSuchNamespaceError):
        raise GoldError(
            f"Gold table {identifier} does not exist: build the Gold marts with dbt first "
            f"(or point SERVING_GOLD_NAMESPACE at the namespace that holds them)"
        ) from None
    problems = schema_problems(table.schema().as_arrow(), GOLD_TABLES[name])
    if problems:
        raise GoldError(f"{identifier} does not match the serving contract: " + "; ".join(problems))
    snapshot = table.current_snapshot()
    rows = 0
    if snapshot is not None and snapshot.summary is not None:
        rows = int(snapshot.summary.additional_properties.get("total-records", 0))
    return GoldTable(name, identifier, snapshot.snapshot_id if snapshot else None, rows, table)


def read_batches(gold: GoldTable) -> Iterator[pa.RecordBatch]:
    """The contract's columns of the pinned snapshot, batch by batch, in the contract's types."""
    if gold.snapshot_id is None:
        return
    contract = GOLD_TABLES[gold.name]
    scan = gold.table.scan(selected_fields=tuple(contract.names), snapshot_id=gold.snapshot_id)
    for batch in scan.to_arrow_batch_reader():
        yield batch.select(contract.names).cast(contract)


def read_rows(gold: GoldTable) -> Iterator[dict[str, Any]]:
    for batch in read_batches(gold):
        yield from batch.to_pylist()
