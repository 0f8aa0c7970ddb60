"""The emulator's settings: `EMULATOR_*` environment variables (or `.env`), overridden by CLI options."""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import Field, ValidationError, field_validator

from tmdb_pipeline.settings import ENV_FILE, ConfigError, PipelineSettings, settings_config

# The emulator's own test credentials: printed by `tmdb-pipeline emulator`, not secrets.
DEFAULT_API_KEY = "emulator-test-key"
DEFAULT_READ_ACCESS_TOKEN = "emulator-test-read-access-token"


class EmulatorSettings(PipelineSettings):
    """How big the fake TMDB is, where it listens, and how badly it behaves."""

    model_config = settings_config("EMULATOR_")

    movies: int = Field(10_000, ge=10, le=1_000_000, description="catalogue size")
    seed: int = Field(42, description="same seed, same catalogue")
    host: str = Field("127.0.0.1", description="address to bind")
    port: int = Field(8765, ge=0, le=65535, description="port to bind")
    api_key: str = Field(DEFAULT_API_KEY, min_length=1, description="accepted `api_key` query parameter")
    read_access_token: str = Field(
        DEFAULT_READ_ACCESS_TOKEN, min_length=1, description="accepted Bearer token"
    )
    rate_limit: float | None = Field(
        None, ge=0, description="requests per second before 429; 0 or unset: none"
    )
    fail_rate: float = Field(0.0, ge=0, le=1, description="share of requests answered with a 5xx")
    slow_rate: float = Field(0.0, ge=0, le=1, description="share of requests delayed by slow_delay_s")
    slow_delay_s: float = Field(2.0, ge=0, le=120, description="delay of a slow answer")
    malformed_rate: float = Field(0.0, ge=0, le=1, description="share of answers cut short (invalid JSON)")
    mutate_rate: float = Field(0.0, ge=0, le=10_000, description="movie changes per second")
    today: date | None = Field(None, description="the catalogue's 'today' (default: the UTC date at start)")
    cache_size: int = Field(4096, ge=16, le=1_000_000, description="records kept in each LRU cache")

    @field_validator("rate_limit")
    @classmethod
    def _zero_is_unlimited(cls, value: float | None) -> float | None:
        return value or None


def load_settings(**overrides: Any) -> EmulatorSettings:
    """Environment plus explicit overrides (None means 'not given'); bad values raise ConfigError."""
    given = {name: value for name, value in overrides.items() if value is not None}
    try:
        return EmulatorSettings(**given)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            field = ".".join(str(part) for part in error.get("loc", ()))
            source = f"--{field.replace('_', '-')}" if field in given else f"EMULATOR_{field.upper()}"
            problems.append(f"{source} (got {error.get('input')!r}): {error.get('msg')}")
        raise ConfigError(
            "Invalid emulator configuration:\n  " + "\n  ".join(problems) + f"\nFix the option, the "
            f"environment variable or {ENV_FILE}."
        ) from None
