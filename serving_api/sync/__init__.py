"""Gold (Iceberg, read with pyiceberg) -> MongoDB collections the API serves."""

from serving_api.sync.reader import GoldError
from serving_api.sync.run import CollectionReport, SyncError, SyncReport, run_sync

__all__ = ["CollectionReport", "GoldError", "SyncError", "SyncReport", "run_sync"]
