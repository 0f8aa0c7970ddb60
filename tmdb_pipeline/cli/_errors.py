"""Turn the project's expected errors into a clear message and an exit code, not a traceback."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import ParamSpec, TypeVar

import typer
from rich.console import Console

from tmdb_pipeline.settings import ConfigError
from tmdb_pipeline.stack.process import StackError

P = ParamSpec("P")
R = TypeVar("R")
# errors are never wrapped: an address or a command stays on one line in a task log or a pipe
err_console = Console(stderr=True, soft_wrap=True)


def friendly_errors(func: Callable[P, R]) -> Callable[P, R]:
    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        except ConfigError as exc:
            err_console.print(f"[bold red]Configuration error[/]\n{exc}", highlight=False)
            raise typer.Exit(2) from None
        except StackError as exc:
            err_console.print(f"[bold red]Local stack error[/]\n{exc}", highlight=False)
            raise typer.Exit(1) from None

    return wrapper
