"""A stack service started on a free port in a temporary stack home, for one test or benchmark."""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

from tmdb_pipeline.settings import StackSettings, load
from tmdb_pipeline.stack.process import LocalService, StackError, free_port

HOST = "127.0.0.1"
ATTEMPTS = 3
S = TypeVar("S", bound=LocalService)


@contextlib.contextmanager
def on_free_port(
    build: Callable[[StackSettings, int], S], prefix: str, startup_timeout_s: float, stop_timeout_s: float
) -> Iterator[S]:
    """Start the service `build` makes for (a temporary stack home, a free port of 127.0.0.1), yield
    it once healthy, stop it afterwards. Another process may bind that port between the OS handing it
    out and the service binding it: only that clash is retried, on a fresh port."""
    with tempfile.TemporaryDirectory(prefix=prefix) as home:
        stack = load(StackSettings).model_copy(
            update={"home": Path(home), "host": HOST, "start_timeout_s": startup_timeout_s}
        )
        for attempt in range(1, ATTEMPTS + 1):
            service = build(stack, free_port(HOST))
            service.log_file.unlink(missing_ok=True)  # the log tells this attempt's clash apart
            try:
                service.start()
                break
            except StackError:
                if attempt == ATTEMPTS or "address already in use" not in service.tail_log(50).lower():
                    raise
        try:
            yield service
        finally:
            service.stop(timeout=stop_timeout_s)
