"""/health (public, 503 when MongoDB is down) and /metrics (Prometheus text format)."""

from __future__ import annotations

from litestar import Controller, MediaType, Response, get
from litestar.datastructures import State
from litestar.di import NamedDependency
from litestar.openapi.datastructures import ResponseSpec
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from serving_api.domain.system.repository import HealthChecks
from serving_api.domain.system.schemas import Health
from serving_api.lib.auth import PUBLIC
from serving_api.lib.errors import error_specs
from serving_api.lib.metrics import Metrics
from serving_api.lib.mongo import Db
from serving_api.lib.openapi import VERSION
from serving_api.settings import ApiSettings


class SystemController(Controller):
    tags = ("System",)

    @get(
        "/health",
        operation_id="getHealth",
        summary="Health of the API and its dependencies",
        opt={PUBLIC: True},
        security=[{}],
        responses={
            503: ResponseSpec(data_container=Health, description="MongoDB is unavailable"),
            **error_specs(),
        },
        cache_control=None,
    )
    async def health(self, db: NamedDependency[Db], state: State) -> Response[Health]:
        """Checks MongoDB (ping) and the synced data; never needs an API key. `degraded` when MongoDB
        answers slowly or the data is missing, `unavailable` (503) when it does not answer."""
        settings: ApiSettings = state.settings
        checks = HealthChecks(db, settings.health_timeout_ms / 1000, settings.health_slow_ms)
        mongodb = await checks.mongodb()
        dependencies = [mongodb]
        if mongodb.status != "down":
            dependencies.append(await checks.serving_data())
        if mongodb.status == "down":
            status, code = "unavailable", 503
        elif any(d.status != "up" for d in dependencies):
            status, code = "degraded", 200
        else:
            status, code = "ok", 200
        return Response(
            Health(status=status, version=VERSION, dependencies=dependencies),
            status_code=code,
            headers={"Cache-Control": "no-store"},
        )

    @get(
        "/metrics",
        operation_id="getMetrics",
        summary="Prometheus metrics",
        media_type=MediaType.TEXT,
        responses=error_specs(401),
    )
    async def metrics(self, state: State) -> Response[bytes]:
        """Requests and latencies by route, MongoDB command timings (Prometheus text format)."""
        metrics: Metrics = state.metrics
        return Response(generate_latest(metrics.registry), media_type=CONTENT_TYPE_LATEST)
