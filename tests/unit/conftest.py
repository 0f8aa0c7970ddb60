"""Every unit test reads settings afresh: `load` caches each settings model, and tests set the
environment variables they are about."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from tmdb_pipeline.settings import load


@pytest.fixture(autouse=True)
def fresh_settings() -> Iterator[None]:
    load.cache_clear()
    yield
    load.cache_clear()


@pytest.fixture
def stack_service_names(monkeypatch: pytest.MonkeyPatch) -> Callable[..., list[str]]:
    """The local stack's services, in start order, with the given settings variables set."""

    def names(**variables: str) -> list[str]:
        from tmdb_pipeline.orchestrate.stack import local_stack

        for name, value in variables.items():
            monkeypatch.setenv(name, value)
        load.cache_clear()
        return [service.name for service in local_stack().services]

    return names
