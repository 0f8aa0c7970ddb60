"""Settings for every component, read from the environment and `.env`.

One pydantic-settings model per concern, each with its own prefix (`TMDB_`, `KAFKA_`, ...).
`.env.example` lists every variable with its default. `load()` turns a validation error into a
message that names the variable and the fix, so a typo fails at start, not deep in a run.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict
from pydantic_settings.exceptions import SettingsError

# The repository root: the package is installed editable from it, and `.local/` lives beside it.
PROJECT_ROOT = Path(__file__).resolve().parents[1]
ENV_FILE = PROJECT_ROOT / ".env"


class ConfigError(Exception):
    """A setting is missing or invalid; the message says which and how to fix it."""


def settings_config(prefix: str) -> SettingsConfigDict:
    """The one configuration every settings model uses: its env prefix, `.env`, unknown names ignored."""
    return SettingsConfigDict(env_prefix=prefix, env_file=ENV_FILE, env_file_encoding="utf-8", extra="ignore")


class PipelineSettings(BaseSettings):
    """The base of every settings model: an empty value means the setting's default. `.env.example`
    lists optional settings as `NAME=`, and a user starts by copying it to `.env`; an empty variable
    in the environment still overrides a value in `.env` (the environment wins before this runs)."""

    @model_validator(mode="before")
    @classmethod
    def _empty_is_default(cls, data: Any) -> Any:
        if isinstance(data, dict):
            return {name: value for name, value in data.items() if value != ""}
        return data


class StackSettings(PipelineSettings):
    """Where the local stack keeps its downloads, data, logs and pids."""

    model_config = settings_config("STACK_")

    home: Path = Field(PROJECT_ROOT / ".local", description="data, logs and pids of local services")
    downloads: Path = Field(
        PROJECT_ROOT / ".local" / "downloads", description="jars and binaries fetched once, shared by homes"
    )
    host: str = Field("127.0.0.1", description="address every local service binds to")
    start_timeout_s: float = Field(90.0, gt=0, description="how long `stack up` waits for health")

    @field_validator("home", "downloads")
    @classmethod
    def _absolute(cls, value: Path) -> Path:
        return value.expanduser().resolve()


class KafkaSettings(PipelineSettings):
    """Apache Kafka: the local KRaft broker and the topics the pipeline writes."""

    model_config = settings_config("KAFKA_")

    bootstrap_servers: str = Field("", description="comma-separated host:port list; default the local broker")
    version: str = Field("4.1.1", description="Apache Kafka version run by the local stack")
    port: int = Field(9092, ge=1, le=65535, description="local broker's client port")
    controller_port: int = Field(9093, ge=1, le=65535, description="local broker's KRaft controller port")
    heap: str = Field("512m", description="JVM heap of the local broker")
    topic_prefix: str = Field("tmdb_", pattern=r"^[A-Za-z0-9_]*$")
    partitions: int = Field(3, ge=1)
    replication_factor: int = Field(1, ge=1)
    retention_ms: int = Field(-1, ge=-1, description="-1 keeps records forever (Bronze replays)")
    spark_fetch_max_wait_ms: int = Field(
        10,
        ge=0,
        le=500,
        description="how long the broker holds a Spark consumer's fetch when no new data is there; "
        "Spark reads planned offset ranges only, and Kafka's 500 ms default cost every topic partition "
        "of every batch half a second at its end",
    )

    @model_validator(mode="after")
    def _default_bootstrap(self) -> KafkaSettings:
        if not self.bootstrap_servers:
            self.bootstrap_servers = f"127.0.0.1:{self.port}"
        return self

    def spark_source_options(self) -> dict[str, str]:
        """The options every Spark Kafka reader of the pipeline starts from."""
        return {
            "kafka.bootstrap.servers": self.bootstrap_servers,
            "kafka.fetch.max.wait.ms": str(self.spark_fetch_max_wait_ms),
        }


class MongoSettings(PipelineSettings):
    """The MongoDB wire-protocol server (FerretDB locally, MongoDB in deploy/)."""

    model_config = settings_config("MONGO_")

    uri: SecretStr = Field(SecretStr(""), description="connection string; default the local server")
    database: str = Field("tmdb")
    port: int = Field(27017, ge=1, le=65535, description="local FerretDB port")
    ferretdb_version: str = Field("v1.24.2", pattern=r"^v1\.\d+\.\d+$")
    server_selection_timeout_ms: int = Field(3000, ge=100)

    @model_validator(mode="after")
    def _default_uri(self) -> MongoSettings:
        if not self.uri.get_secret_value():
            self.uri = SecretStr(f"mongodb://127.0.0.1:{self.port}/")
        return self


class IcebergSettings(PipelineSettings):
    """The Iceberg catalog every stage shares: a JDBC catalog on a SQLite file (embedded) or a REST
    catalog (the production topology, with an S3 warehouse). `tmdb_pipeline.stack.catalog` turns
    these into Spark's and pyiceberg's catalog configuration."""

    model_config = settings_config("ICEBERG_")

    catalog_type: Literal["jdbc", "rest"] = Field(
        "jdbc", description="jdbc: SQLite file + warehouse folder; rest: an Iceberg REST catalog"
    )
    catalog_name: str = Field("tmdb", pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")
    catalog_db: Path | None = Field(
        None, description="jdbc: SQLite file of the catalog; default .local/iceberg"
    )
    catalog_uri: str = Field(
        "", pattern=r"^(https?://\S+)?$", description="rest: catalog endpoint; default the local REST server"
    )
    catalog_token: SecretStr | None = Field(
        None, description="rest: bearer token, when the catalog needs one"
    )
    catalog_credential: SecretStr | None = Field(
        None,
        description="rest: OAuth2 client credential 'client_id:client_secret', when the catalog needs one",
    )
    warehouse: str | None = Field(
        None,
        pattern=r"^(file:|s3a?://)\S+$",
        description="warehouse URI: file:… or s3://bucket/prefix; default file:.local/iceberg/warehouse "
        "(jdbc) or s3://warehouse/ (rest)",
    )
    start_empty: bool = Field(
        False, description="rest: land into an empty catalog even though the local JDBC catalog holds tables"
    )
    rest_port: int = Field(8181, ge=1, le=65535, description="port of the local REST catalog server")
    rest_version: str = Field("1.11.0", description="Iceberg version of the local REST catalog server")

    def catalog_db_path(self, stack: StackSettings) -> Path:
        return (self.catalog_db or stack.home / "iceberg" / "catalog.db").expanduser().resolve()

    def warehouse_uri(self, stack: StackSettings) -> str:
        if self.warehouse:
            return self.warehouse
        if self.catalog_type == "rest":
            return "s3://warehouse/"
        return (stack.home / "iceberg" / "warehouse").resolve().as_uri()

    @property
    def on_object_storage(self) -> bool:
        return self.catalog_type == "rest" or (self.warehouse or "").startswith("s3")

    @property
    def uses_local_rest_server(self) -> bool:
        """REST without an address: the stack runs Iceberg's REST catalog server on 127.0.0.1."""
        return self.catalog_type == "rest" and not self.catalog_uri

    def rest_uri(self, stack: StackSettings) -> str:
        return self.catalog_uri or f"http://{stack.host}:{self.rest_port}"


class S3Settings(PipelineSettings):
    """The S3-compatible object store of an s3:// warehouse (SeaweedFS locally, any S3 in deploy/)."""

    model_config = settings_config("S3_")

    endpoint: str = Field("", pattern=r"^(https?://\S+)?$", description="default the local SeaweedFS")
    region: str = Field("us-east-1")
    access_key_id: SecretStr | None = Field(None, description="default: the local store's generated key")
    secret_access_key: SecretStr | None = Field(None, description="default: the local store's generated key")
    path_style_access: bool = Field(True, description="bucket in the path (SeaweedFS, MinIO), not the host")
    # the local SeaweedFS (`weed server`: master, volume and filer behind the S3 gateway)
    port: int = Field(8333, ge=1, le=55535, description="local S3 gateway port (gRPC on port + 10000)")
    master_port: int = Field(9333, ge=1, le=55535)
    volume_port: int = Field(9340, ge=1, le=55535)
    filer_port: int = Field(8888, ge=1, le=55535)

    @property
    def uses_local_server(self) -> bool:
        return not self.endpoint

    def endpoint_url(self, stack: StackSettings) -> str:
        return self.endpoint or f"http://{stack.host}:{self.port}"

    @model_validator(mode="after")
    def _keys_come_in_pairs(self) -> S3Settings:
        if (self.access_key_id is None) != (self.secret_access_key is None):
            raise ValueError("set both S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY, or neither")
        return self


class SparkSettings(PipelineSettings):
    """The local SparkSession and the jars it needs beyond pyspark."""

    model_config = settings_config("SPARK_")

    master: str = Field("local[2]")
    driver_memory: str = Field("2g", pattern=r"^\d+[kmgKMG]$")
    shuffle_partitions: int = Field(4, ge=1)
    ui_enabled: bool = Field(False, description="Spark UI on 127.0.0.1:4040")
    version: str = Field("4.1.1", description="must equal the installed pyspark's version")
    iceberg_version: str = Field("1.12.0")


class ExtractSettings(PipelineSettings):
    """The extract runner: which streams to sync, how much, and where the source's state lives."""

    model_config = settings_config("EXTRACT_")

    streams: Annotated[list[str], NoDecode] = Field(
        default_factory=list, description="streams to sync (JSON list or comma-separated); empty = all"
    )
    max_movies: int = Field(200, ge=1, description="distinct movies seeded per sync")
    max_pages: int = Field(15, ge=1, le=500, description="pages of 20 read from each seed list")
    seed_lists: Annotated[list[str], NoDecode] = Field(
        default_factory=lambda: ["popular", "top_rated", "now_playing", "upcoming"]
    )
    # Beyond 10,000 movies (TMDB's 500 pages of 20 per list): the discover seed, one release year at a time.
    discover_slice_by_year: bool = Field(False, description="read the discover seed one year at a time")
    discover_year_from: int | None = Field(None, ge=1800, le=2100, description="oldest year; default 1900")
    discover_year_to: int | None = Field(
        None, ge=1800, le=2100, description="newest year; default the current year + 2"
    )
    requests_per_second: int = Field(40, ge=1, description="request budget shared by every stream")
    state_file: Path | None = Field(None, description="saved source state; default .local/extract/state.json")
    connector_command: str = Field("source-tmdb", description="the connector's entrypoint on PATH or a path")
    delivery_timeout_s: float = Field(60.0, gt=0, description="max wait for Kafka to acknowledge a flush")
    protocol_tap: Path | None = Field(None, description="append the connector's raw protocol lines here")

    @field_validator("streams", "seed_lists", mode="before")
    @classmethod
    def _comma_separated(cls, value: object) -> object:
        if isinstance(value, str):
            if value.strip().startswith("["):
                return json.loads(value)
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    def state_path(self, stack: StackSettings) -> Path:
        return self.state_file or stack.home / "extract" / "state.json"


class LandingSettings(PipelineSettings):
    """The Bronze landing job: Kafka topics -> one Iceberg table per stream."""

    model_config = settings_config("LANDING_")

    topic_pattern: str = Field("tmdb_.*", description="Kafka topics to land (a Java regex)")
    namespace: str = Field("bronze", pattern=r"^[a-z_][a-z0-9_]*$")
    quarantine_table: str = Field("quarantine", pattern=r"^[a-z_][a-z0-9_]*$")
    checkpoint_dir: str | None = Field(
        None, description="default <warehouse>/_checkpoints/bronze_landing, or .local/checkpoints on S3"
    )
    trigger_interval_s: float = Field(10.0, gt=0, description="micro-batch interval of --continuous")
    max_offsets_per_trigger: int | None = Field(None, ge=1, description="cap on records per micro-batch")
    target_file_size_mb: int = Field(128, ge=1)
    starting_offsets: str = Field("earliest", pattern=r"^(earliest|latest)$")
    metrics_file: Path | None = Field(None, description="per-batch metrics; default .local/landing/")
    # Fault injection for the crash tests: SIGKILL the job right after its N-th table commit.
    fault_kill_after_commits: int | None = Field(None, ge=1)

    def metrics_path(self, stack: StackSettings) -> Path:
        return self.metrics_file or stack.home / "landing" / "metrics.jsonl"

    def checkpoint(self, iceberg: IcebergSettings, stack: StackSettings) -> str:
        """Beside the tables on a file warehouse. Spark checkpoints go through Hadoop file systems
        and rely on atomic renames, which S3 lacks (and S3A would add a 600 MB SDK bundle), so with
        an object-store warehouse they stay on the landing job's own disk."""
        if self.checkpoint_dir:
            return self.checkpoint_dir
        warehouse = iceberg.warehouse_uri(stack).rstrip("/")
        if warehouse.startswith("file:"):
            return f"{warehouse}/_checkpoints/bronze_landing"
        return (stack.home / "checkpoints" / "bronze_landing").as_uri()


class LiveSettings(PipelineSettings):
    """The speed layer: windowed aggregates from the Kafka topics straight into MongoDB `live_*`."""

    model_config = settings_config("LIVE_")

    reviews_topic: str = Field("reviews", description="stream name; the topic is KAFKA_TOPIC_PREFIX + it")
    details_topic: str = Field("movie_details", description="stream name of movie detail snapshots")
    window: str = Field("1 hour", description="aggregation bucket; the API sums buckets into 24 h / 7 d")
    reviews_watermark: str = Field(
        "7 days", description="how late (by created_at) a review may arrive and still be counted"
    )
    details_watermark: str = Field(
        "1 hour", description="how late (by extraction time) a movie snapshot may arrive"
    )
    trigger_interval_s: float = Field(2.0, gt=0, description="micro-batch interval of --continuous")
    starting_offsets: str = Field("earliest", pattern=r"^(earliest|latest)$")
    checkpoint_dir: str | None = Field(None, description="default .local/checkpoints/live")
    mongo_attempts: int = Field(3, ge=1, description="tries of a batch's MongoDB writes before stopping")
    # Fault injection for the crash test: SIGKILL the job right after its N-th collection write.
    fault_kill_after_writes: int | None = Field(None, ge=1)
    stack: bool = Field(False, description="`stack up` also runs the job (`live --continuous`) as a service")
    start_timeout_s: float = Field(
        240.0, gt=0, description="how long `stack up` waits for the job's first heartbeat (Spark starts)"
    )

    def checkpoint(self, stack: StackSettings) -> str:
        """On the job's own disk: Spark checkpoints need atomic renames (see LandingSettings)."""
        return self.checkpoint_dir or (stack.home / "checkpoints" / "live").as_uri()


class TmdbSettings(PipelineSettings):
    """Credentials and address of the TMDB API (the emulator when no key is set)."""

    model_config = settings_config("TMDB_")

    api_key: SecretStr | None = None
    read_access_token: SecretStr | None = None
    base_url: str = Field("https://api.themoviedb.org/3")

    @property
    def has_credentials(self) -> bool:
        return bool(self.api_key or self.read_access_token)


S = TypeVar("S", bound=BaseSettings)


def _describe(cls: type[BaseSettings], error: dict[str, Any]) -> str:
    prefix = str(cls.model_config.get("env_prefix", ""))
    field = ".".join(str(part) for part in error.get("loc", ()))
    variable = f"{prefix}{field}".upper()
    given = error.get("input")
    shown = (
        ""
        if isinstance(given, dict) or "secret" in field or "key" in field or "uri" in field
        else (f" (got {given!r})")
    )
    return f"{variable}{shown}: {error.get('msg')}"


@cache
def load(cls: type[S]) -> S:
    """Read one settings model; on bad values raise ConfigError naming each variable."""
    try:
        return cls()
    except SettingsError as exc:
        raise ConfigError(
            f"Invalid configuration: {exc}. Fix it in your environment or in {ENV_FILE}."
        ) from None
    except ValidationError as exc:
        problems = "\n  ".join(_describe(cls, err) for err in exc.errors())
        raise ConfigError(
            f"Invalid configuration:\n  {problems}\n"
            f"Fix the variable in your environment or in {ENV_FILE} (every variable and its default "
            "is listed in .env.example)."
        ) from None
