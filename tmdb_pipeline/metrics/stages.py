"""The stages' registries in one place: observe a run, push a stage, list what the code exports."""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from prometheus_client import CollectorRegistry

from tmdb_pipeline.metrics import export, extract, land, sync, transform
from tmdb_pipeline.metrics.runs import RunMetrics

STAGES: dict[str, tuple[str, CollectorRegistry, RunMetrics]] = {
    "extract": (extract.JOB, extract.REGISTRY, extract.RUN),
    "land": (land.JOB, land.REGISTRY, land.RUN),
    "transform": (transform.JOB, transform.REGISTRY, transform.RUN),
    "sync": (sync.JOB, sync.REGISTRY, sync.RUN),
}
F = TypeVar("F", bound=Callable[..., Any])


def registries(stage: str | None = None) -> list[CollectorRegistry]:
    """One stage's registries (land includes the lag), or every stage's."""
    names = [stage] if stage else list(STAGES)
    found = [STAGES[name][1] for name in names]
    if "land" in names:
        found.append(land.lag_registry())
    return found


def push_stage(stage: str) -> bool:
    return export.push(STAGES[stage][0], export.combined(registries(stage)))


@contextmanager
def observed(stage: str | None, push: bool = False) -> Iterator[None]:
    """Record the run's outcome and duration (a clean typer.Exit(0) is a success); push it if asked."""
    if stage is None:
        yield
        return
    began, ok = time.monotonic(), False
    try:
        yield
        ok = True
    except BaseException as exc:
        ok = getattr(exc, "exit_code", 1) == 0
        raise
    finally:
        STAGES[stage][2].finished(ok, time.monotonic() - began)
        if push:
            push_stage(stage)


def observed_command(stage: str) -> Callable[[F], F]:
    """For a one-shot CLI command: its stage's metrics are pushed when it ends, however it ends."""

    def wrap(command: F) -> F:
        @functools.wraps(command)
        def run(*args: Any, **kwargs: Any) -> Any:
            with observed(stage, push=True):
                return command(*args, **kwargs)

        return run  # type: ignore[return-value]

    return wrap


def exported_names(*others: CollectorRegistry) -> set[str]:
    """Every sample name the stages export (lag included) and `others` do, for checking dashboards
    and rules; the API's registry comes in `others` (the core does not import serving)."""
    names: set[str] = set()
    for registry in [*registries(), *others]:
        for collector in list(registry._collector_to_names):  # the registry keeps no public list
            described = collector.describe() if hasattr(collector, "describe") else collector.collect()
            for family in described:
                names |= _sample_names(family.name, family.type)
    return names


def _sample_names(name: str, kind: str) -> set[str]:
    suffixes = {
        "counter": ["_total", "_created"],
        "histogram": ["_bucket", "_count", "_sum", "_created"],
        "summary": ["_count", "_sum", "_created"],
        "info": ["_info"],
    }.get(kind, [""])
    return {name + suffix for suffix in suffixes}
