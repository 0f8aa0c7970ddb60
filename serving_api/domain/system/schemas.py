"""Response schemas of /health."""

from __future__ import annotations

import msgspec


class DependencyHealth(msgspec.Struct):
    """One thing the API depends on, as just checked."""

    name: str
    status: str  # up, down, or empty (reachable but holding no synced data)
    latency_ms: float | None
    detail: str | None = None


class Health(msgspec.Struct):
    status: str  # ok, degraded (data missing) or unavailable (MongoDB down: HTTP 503)
    version: str
    dependencies: list[DependencyHealth]
