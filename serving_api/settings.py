"""Settings of the serving layer: the API (`API_*`) and the Gold -> MongoDB sync (`SERVING_*`).

MongoDB's address and database come from the core's `MongoSettings` (`MONGO_*`), shared with the
sync, so both always talk to the same database. Read them with `tmdb_pipeline.settings.load()`,
which turns a bad value into a message naming the variable.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import NoDecode

from tmdb_pipeline.settings import PipelineSettings, settings_config


def _split(value: object) -> object:
    """Comma-separated string -> list (the natural way to write a list in an env var)."""
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return value


class ApiSettings(PipelineSettings):
    """The Litestar API: where it listens, who may call it, and how long it waits for MongoDB."""

    model_config = settings_config("API_")

    host: str = Field("127.0.0.1", description="address uvicorn binds")
    port: int = Field(8000, ge=1, le=65535)
    live_max_age_s: float = Field(
        60.0, gt=0, description="serve the speed layer's figures while its heartbeat is this recent"
    )
    workers: int = Field(1, ge=1, le=64, description="uvicorn worker processes")
    api_keys: Annotated[list[SecretStr], NoDecode] = Field(
        default_factory=list,
        description="comma-separated keys; when set every route but /health needs X-API-Key",
    )
    cors_origins: Annotated[list[str], NoDecode] = Field(
        default_factory=list, description="comma-separated origins allowed by CORS; empty = CORS off"
    )
    default_page_size: int = Field(20, ge=1)
    max_page_size: int = Field(100, ge=1, le=1000, description="page_size above this is a 400")
    max_offset: int = Field(10_000, ge=100, description="deepest row reachable by paging (skip cost)")
    mongo_server_selection_timeout_ms: int = Field(
        1500, ge=100, description="how long a request waits for a MongoDB server before a 503"
    )
    mongo_connect_timeout_ms: int = Field(2000, ge=100)
    query_timeout_ms: int = Field(
        5000, ge=10, description="budget of one request's MongoDB queries (maxTimeMS); past it a 504"
    )
    mongo_max_pool_size: int = Field(50, ge=1)
    health_timeout_ms: int = Field(1000, ge=50, description="budget of /health's MongoDB ping")
    health_slow_ms: int = Field(250, ge=1, description="a ping slower than this makes /health degraded")
    list_concurrency: int = Field(
        4, ge=1, le=1000, description="list and search requests querying MongoDB at once, per worker"
    )
    lookup_concurrency: int = Field(16, ge=1, le=1000, description="lookups by id querying MongoDB at once")
    queue_limit: int = Field(
        64, ge=0, le=10_000, description="requests of one class waiting for a slot; past it a 429"
    )
    snapshot_refresh_ms: int = Field(
        1000, ge=0, description="how often the synced snapshot (ETag, cached totals) is re-read"
    )
    cache_max_age_s: int = Field(
        60, ge=0, description="Cache-Control max-age of data routes; ETags make revalidation cheap"
    )
    read_cache_size: int = Field(
        2048, ge=0, description="reads (pages, totals, lookups) kept per synced snapshot; 0 = off"
    )
    resident_max_documents: int = Field(
        200_000,
        ge=0,
        description="card collections up to this size are read once per synced snapshot and lists "
        "answered from memory (0: every list queries MongoDB)",
    )
    max_url_length: int = Field(2048, ge=256, le=8192, description="longer request targets get a 414")
    max_header_bytes: int = Field(8192, ge=1024, le=65536, description="larger request headers get a 431")
    docs_path: str = Field("/schema", pattern=r"^/[a-z][a-z0-9_/-]*$", description="OpenAPI and docs")
    log_level: str = Field("info", pattern=r"^(critical|error|warning|info|debug)$")

    @field_validator("api_keys", "cors_origins", mode="before")
    @classmethod
    def _comma_separated(cls, value: object) -> object:
        return _split(value)

    @model_validator(mode="after")
    def _page_sizes(self) -> ApiSettings:
        if self.default_page_size > self.max_page_size:
            raise ValueError("API_DEFAULT_PAGE_SIZE must not exceed API_MAX_PAGE_SIZE")
        return self

    def key_values(self) -> list[str]:
        return [key.get_secret_value() for key in self.api_keys if key.get_secret_value()]


class SyncSettings(PipelineSettings):
    """The Gold -> MongoDB sync: which Iceberg namespace it reads and how big its writes are."""

    model_config = settings_config("SERVING_")

    gold_namespace: str = Field(
        "gold", pattern=r"^[a-z_][a-z0-9_]*$", description="Iceberg namespace of Gold"
    )
    batch_size: int = Field(1000, ge=1, le=100_000, description="documents per bulk write")
    write_strategy: Literal["auto", "upsert", "delete_insert"] = Field(
        "auto", description="auto: delete_insert on FerretDB (slow updates), upsert on MongoDB"
    )
