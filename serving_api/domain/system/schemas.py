"""Response schemas of /health."""

from __future__ import annotations

import msgspec


class DependencyHealth(msgspec.Struct):
    """One thing the API depends on, as just checked."""

    name: str
    status: str  # up, slow (answered past API_HEALTH_SLOW_MS), down, or empty (no synced data)
    latency_ms: float | None
    detail: str | None = None


class Health(msgspec.Struct):
    status: str  # ok, degraded (MongoDB slow or data missing) or unavailable (MongoDB down: HTTP 503)
    version: str
    dependencies: list[DependencyHealth]
