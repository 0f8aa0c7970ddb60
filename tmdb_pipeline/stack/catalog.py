"""pyiceberg's view of the same Iceberg catalog Spark uses (same SQLite tables, same catalog name)."""

from __future__ import annotations

from pyiceberg.catalog.sql import SqlCatalog

from tmdb_pipeline.settings import IcebergSettings, StackSettings, load


def get_catalog() -> SqlCatalog:
    stack, iceberg = load(StackSettings), load(IcebergSettings)
    catalog_db = iceberg.catalog_db_path(stack)
    catalog_db.parent.mkdir(parents=True, exist_ok=True)
    return SqlCatalog(
        iceberg.catalog_name,
        uri=f"sqlite:///{catalog_db}",
        warehouse=iceberg.warehouse_uri(stack),
    )
