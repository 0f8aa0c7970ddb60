"""The checks behind /health, each timed and bounded by its own short timeout."""

from __future__ import annotations

import time
from datetime import datetime

import pymongo
from pymongo.errors import PyMongoError

from serving_api.domain.system.schemas import DependencyHealth
from serving_api.lib.mongo import Db
from serving_api.sync.documents import TARGETS
from serving_api.sync.state import STATE_COLLECTION


class HealthChecks:
    def __init__(self, db: Db, timeout_s: float, slow_ms: float = float("inf")) -> None:
        self.db = db
        self.timeout_s = timeout_s
        self.slow_ms = slow_ms

    async def mongodb(self) -> DependencyHealth:
        began = time.perf_counter()
        try:
            with pymongo.timeout(self.timeout_s):
                await self.db.command("ping")
        except PyMongoError as exc:
            return DependencyHealth("mongodb", "down", _ms(began), type(exc).__name__)
        latency = _ms(began)
        if latency > self.slow_ms:
            return DependencyHealth("mongodb", "slow", latency, f"ping slower than {self.slow_ms:g} ms")
        return DependencyHealth("mongodb", "up", latency)

    async def serving_data(self) -> DependencyHealth:
        """Whether the sync has filled every collection, and when it last ran."""
        began = time.perf_counter()
        try:
            with pymongo.timeout(self.timeout_s):
                records = await self.db[STATE_COLLECTION].find({}, {"synced_at": 1}).to_list()
        except PyMongoError as exc:
            return DependencyHealth("serving_data", "down", _ms(began), type(exc).__name__)
        synced = {record["_id"]: record.get("synced_at") for record in records}
        missing = [t.collection for t in TARGETS if t.collection not in synced]
        if missing:
            return DependencyHealth(
                "serving_data", "empty", _ms(began), f"never synced: {', '.join(missing)}"
            )
        last = max((at for at in synced.values() if isinstance(at, datetime)), default=None)
        return DependencyHealth(
            "serving_data", "up", _ms(began), f"last sync {last.isoformat()}" if last else None
        )


def _ms(began: float) -> float:
    return round((time.perf_counter() - began) * 1000, 3)
