"""`stack up | down | status`: the local services as one unit.

Ports are checked for every service before any is started, and a failed `up` stops what it
started, so a clash never leaves the stack half-up.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from tmdb_pipeline.settings import KafkaSettings, MongoSettings, SparkSettings, StackSettings, load
from tmdb_pipeline.stack.kafka import KafkaService
from tmdb_pipeline.stack.mongo import MongoService
from tmdb_pipeline.stack.process import LocalService, ServiceStatus, StackError
from tmdb_pipeline.stack.spark import spark_jars


def services(stack: StackSettings | None = None) -> list[LocalService]:
    stack = stack or load(StackSettings)
    return [KafkaService(stack, load(KafkaSettings)), MongoService(stack, load(MongoSettings))]


@dataclass
class UpReport:
    started: list[str] = field(default_factory=list)
    reused: list[str] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)


def install() -> None:
    """Fetch everything the stack runs (jars, binaries) without starting anything."""
    stack = load(StackSettings)
    for service in services(stack):
        service.install()
    spark_jars(stack, load(SparkSettings))


def up() -> UpReport:
    stack = load(StackSettings)
    all_services = services(stack)
    clashes = [(s.name, port) for s in all_services for port in s.busy_ports()]
    if clashes:
        described = ", ".join(f"{stack.host}:{port} (needed by {name})" for name, port in clashes)
        raise StackError(
            f"Port already in use by another program: {described}. Stop that program or choose other "
            "ports (KAFKA_PORT, KAFKA_CONTROLLER_PORT, MONGO_PORT); nothing was started."
        )
    spark_jars(stack, load(SparkSettings))  # Spark runs in-process; make sure its jars are cached
    report = UpReport()
    started: list[LocalService] = []
    try:
        for service in all_services:
            began = time.monotonic()
            if service.pid() is not None and service.healthy():
                report.reused.append(service.name)
            else:
                service.start()
                started.append(service)
                report.started.append(service.name)
            report.seconds[service.name] = time.monotonic() - began
    except BaseException:
        for service in started:
            service.stop()
        raise
    return report


def down() -> list[str]:
    return [service.name for service in reversed(services()) if service.stop()]


def status() -> list[ServiceStatus]:
    return [service.status() for service in services()]
