"""One emulator server for the read-only API tests; tests that change state start their own."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tmdb_pipeline.testing.emulator import RunningEmulator, running_emulator


@pytest.fixture(scope="session")
def emu() -> Iterator[RunningEmulator]:
    with running_emulator(movies=300, seed=7) as handle:
        yield handle


@pytest.fixture(scope="session")
def api(emu: RunningEmulator) -> Iterator[httpx.Client]:
    """A client that sends the emulator's key as TMDB's `api_key` query parameter."""
    with httpx.Client(base_url=emu.base_url, params={"api_key": emu.api_key}, timeout=30.0) as client:
        yield client
