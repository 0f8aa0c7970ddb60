"""The local stack as the CLI and the demo run it: the serving API's address read from serving's
settings here, above the stages, and passed down to the stack."""

from __future__ import annotations

from serving_api.settings import ApiSettings
from tmdb_pipeline.settings import load
from tmdb_pipeline.stack.api import ApiAddress
from tmdb_pipeline.stack.manager import LocalStack


def api_address() -> ApiAddress:
    settings = load(ApiSettings)
    return ApiAddress(settings.host, settings.port)


def local_stack() -> LocalStack:
    """`LocalStack.from_env()` with the API's address from API_HOST / API_PORT."""
    return LocalStack.from_env(api_address())
