"""The one place that turns the Iceberg and S3 settings into catalogs: Spark's catalog configuration
and pyiceberg's catalog, for a JDBC catalog on SQLite (embedded) or a REST catalog on S3.

Every stage goes through here (landing, maintenance, dbt, the sync, lineage, the benches), so both
engines always open the same catalog under the same name. `check_lakehouse` proves the catalog and
the object store answer before a command writes anything, and names the setting to fix when not.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlparse

import httpx

from tmdb_pipeline.settings import IcebergSettings, S3Settings, StackSettings, load
from tmdb_pipeline.stack.process import StackError

if TYPE_CHECKING:
    from pyiceberg.catalog import Catalog

S3_FILE_IO = "org.apache.iceberg.aws.s3.S3FileIO"


class LakehouseError(StackError):
    """The catalog or the object store refused or could not be reached; the message names the fix."""


@dataclass(frozen=True)
class S3Keys:
    access_key_id: str
    secret_access_key: str

    def __repr__(self) -> str:  # never print the secret
        return f"S3Keys(access_key_id={self.access_key_id!r}, secret_access_key='**********')"


def local_s3_keys(stack: StackSettings) -> S3Keys:
    """The local SeaweedFS's keys: generated once, kept in `.local/s3/credentials.json` (mode 600),
    read by the server's identity config and by every client. Nothing is hard-coded or committed."""
    path = stack.home / "s3" / "credentials.json"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        keys = {
            "access_key_id": "tmdb" + secrets.token_hex(8),
            "secret_access_key": secrets.token_urlsafe(30),
        }
        partial = path.with_suffix(".partial")
        partial.write_text(json.dumps(keys))
        partial.chmod(0o600)
        partial.rename(path)
    data = json.loads(path.read_text())
    return S3Keys(data["access_key_id"], data["secret_access_key"])


def s3_keys(stack: StackSettings, s3: S3Settings) -> S3Keys:
    if s3.access_key_id is not None and s3.secret_access_key is not None:
        return S3Keys(s3.access_key_id.get_secret_value(), s3.secret_access_key.get_secret_value())
    if s3.uses_local_server:
        return local_s3_keys(stack)
    raise LakehouseError(
        f"S3_ENDPOINT={s3.endpoint} is set but S3_ACCESS_KEY_ID / S3_SECRET_ACCESS_KEY are not: set both "
        "(in the environment or .env) to the keys of that object store."
    )


def _s3_properties(stack: StackSettings, s3: S3Settings) -> dict[str, str]:
    """S3FileIO's properties; Java's and pyiceberg's keys agree for these."""
    keys = s3_keys(stack, s3)
    return {
        "s3.endpoint": s3.endpoint_url(stack),
        "s3.access-key-id": keys.access_key_id,
        "s3.secret-access-key": keys.secret_access_key,
        "s3.path-style-access": str(s3.path_style_access).lower(),
        "client.region": s3.region,
    }


def catalog_properties(
    stack: StackSettings, iceberg: IcebergSettings, s3: S3Settings, engine: str
) -> dict[str, str]:
    """The catalog's properties for `engine` ("spark" or "pyiceberg"), without a name prefix."""
    warehouse = iceberg.warehouse_uri(stack)
    if iceberg.catalog_type == "jdbc":
        catalog_db = iceberg.catalog_db_path(stack)
        catalog_db.parent.mkdir(parents=True, exist_ok=True)
        if engine == "spark":
            props = {
                "catalog-impl": "org.apache.iceberg.jdbc.JdbcCatalog",
                "uri": f"jdbc:sqlite:{catalog_db}",
            }
        else:
            props = {"type": "sql", "uri": f"sqlite:///{catalog_db}"}
        props["warehouse"] = warehouse
    else:
        props = {"type": "rest", "uri": iceberg.rest_uri(stack), "warehouse": warehouse}
        if iceberg.catalog_token is not None:
            props["token"] = iceberg.catalog_token.get_secret_value()
        if iceberg.catalog_credential is not None:
            props["credential"] = iceberg.catalog_credential.get_secret_value()
    if warehouse.startswith("s3"):
        if engine == "spark":
            props["io-impl"] = S3_FILE_IO
        props.update(_s3_properties(stack, s3))
        if engine == "pyiceberg":
            # pyarrow's S3 client: path style unless virtual addressing is asked for
            props["s3.region"] = s3.region
            props["s3.force-virtual-addressing"] = str(not s3.path_style_access).lower()
            del props["s3.path-style-access"]
    return props


# Properties that carry a secret, and the variable a rendered file (a DataHub recipe) names instead.
SECRET_PROPERTIES = {
    "s3.access-key-id": "S3_ACCESS_KEY_ID",
    "s3.secret-access-key": "S3_SECRET_ACCESS_KEY",
    "token": "ICEBERG_CATALOG_TOKEN",
    "credential": "ICEBERG_CATALOG_CREDENTIAL",
}


def pyiceberg_properties_by_reference(
    stack: StackSettings, iceberg: IcebergSettings, s3: S3Settings
) -> tuple[dict[str, str], dict[str, str]]:
    """pyiceberg's properties with each secret replaced by `${VARIABLE}`, and those variables' values:
    for files that are written to disk and resolved from the environment at run time."""
    properties, secret_env = {}, {}
    for key, value in catalog_properties(stack, iceberg, s3, "pyiceberg").items():
        if key in SECRET_PROPERTIES:
            properties[key] = "${" + SECRET_PROPERTIES[key] + "}"
            secret_env[SECRET_PROPERTIES[key]] = value
        else:
            properties[key] = value
    return properties, secret_env


def spark_catalog_conf(
    stack: StackSettings | None = None, iceberg: IcebergSettings | None = None, s3: S3Settings | None = None
) -> dict[str, str]:
    """Spark settings that make the Iceberg catalog Spark's default catalog (dbt-spark needs that)."""
    stack, iceberg, s3 = (
        stack or load(StackSettings),
        iceberg or load(IcebergSettings),
        s3 or load(S3Settings),
    )
    prefix = f"spark.sql.catalog.{iceberg.catalog_name}"
    conf = {prefix: "org.apache.iceberg.spark.SparkCatalog"}
    conf |= {
        f"{prefix}.{key}": value for key, value in catalog_properties(stack, iceberg, s3, "spark").items()
    }
    # streaming batches commit through a cloned session with its own catalog instance; a cached
    # table here would hide their snapshots from the next query (dbt right after landing)
    conf[f"{prefix}.cache-enabled"] = "false"
    conf["spark.sql.defaultCatalog"] = iceberg.catalog_name
    return conf


def get_catalog(
    stack: StackSettings | None = None, iceberg: IcebergSettings | None = None, s3: S3Settings | None = None
) -> Catalog:
    """pyiceberg's view of the catalog Spark uses (same tables, same name)."""
    from pyiceberg.catalog import load_catalog

    stack, iceberg, s3 = (
        stack or load(StackSettings),
        iceberg or load(IcebergSettings),
        s3 or load(S3Settings),
    )
    return load_catalog(iceberg.catalog_name, **catalog_properties(stack, iceberg, s3, "pyiceberg"))


# --- preflight -------------------------------------------------------------------------------------


def warehouse_bucket(warehouse: str) -> str:
    return urlparse(warehouse).netloc


def object_store(stack: StackSettings, s3: S3Settings, **options: object):
    """pyarrow's S3 file system on the configured store, with its keys (`options` add timeouts etc.)."""
    from pyarrow import fs

    keys = s3_keys(stack, s3)
    endpoint = urlparse(s3.endpoint_url(stack))
    return fs.S3FileSystem(
        access_key=keys.access_key_id,
        secret_key=keys.secret_access_key,
        endpoint_override=endpoint.netloc,
        scheme=endpoint.scheme,
        region=s3.region,
        force_virtual_addressing=not s3.path_style_access,
        **options,
    )


def check_object_store(stack: StackSettings, iceberg: IcebergSettings, s3: S3Settings) -> None:
    """The warehouse's bucket exists and the keys may list it."""
    from pyarrow import fs

    warehouse = iceberg.warehouse_uri(stack)
    bucket = warehouse_bucket(warehouse)
    keys = s3_keys(stack, s3)
    store = object_store(
        stack,
        s3,
        connect_timeout=3,
        request_timeout=10,
        retry_strategy=fs.AwsStandardS3RetryStrategy(max_attempts=1),
    )
    where = f"S3_ENDPOINT={s3.endpoint_url(stack)}"
    try:
        info = store.get_file_info(bucket)
    except OSError as exc:
        text = str(exc)
        if any(
            code in text for code in ("InvalidAccessKeyId", "SignatureDoesNotMatch", "ACCESS_DENIED", "403")
        ):
            raise LakehouseError(
                f"The object store at {where} refused the keys S3_ACCESS_KEY_ID / S3_SECRET_ACCESS_KEY "
                f"(access key {keys.access_key_id!r}): set the keys of a user allowed to read and write "
                f"bucket {bucket!r}."
            ) from None
        if any(code in text for code in ("onnect", "NETWORK_CONNECTION", "Couldn't", "resolve host")):
            raise LakehouseError(
                f"The object store at {where} is not reachable ({text.splitlines()[0]}). Start the local "
                "one with `tmdb-pipeline stack up`, or fix S3_ENDPOINT."
            ) from None
        raise LakehouseError(f"The object store at {where} failed: {text.splitlines()[0]}") from None
    if info.type == fs.FileType.NotFound:
        raise LakehouseError(
            f"Bucket {bucket!r} of ICEBERG_WAREHOUSE={warehouse} does not exist at {where}: create it, "
            "or point ICEBERG_WAREHOUSE at an existing bucket."
        )


def check_rest_catalog(stack: StackSettings, iceberg: IcebergSettings) -> None:
    """The REST catalog answers `GET /v1/config` and accepts the warehouse."""
    uri = iceberg.rest_uri(stack).rstrip("/")
    warehouse = iceberg.warehouse_uri(stack)
    headers = {}
    if iceberg.catalog_token is not None:
        headers["Authorization"] = f"Bearer {iceberg.catalog_token.get_secret_value()}"
    try:
        response = httpx.get(f"{uri}/v1/config", params={"warehouse": warehouse}, headers=headers, timeout=5)
    except httpx.HTTPError as exc:
        local = (
            " Start the local one with `tmdb-pipeline stack up`, or" if iceberg.uses_local_rest_server else ""
        )
        raise LakehouseError(
            f"The Iceberg REST catalog at ICEBERG_CATALOG_URI={uri} is not reachable ({type(exc).__name__})."
            f"{local} Fix ICEBERG_CATALOG_URI to the address of a running REST catalog."
        ) from None
    if response.status_code in (401, 403) and iceberg.catalog_credential is None:
        raise LakehouseError(
            f"The Iceberg REST catalog at {uri} asks for credentials ({response.status_code}): set "
            "ICEBERG_CATALOG_TOKEN or ICEBERG_CATALOG_CREDENTIAL."
        )
    if response.status_code >= 400 and response.status_code not in (401, 403):
        raise LakehouseError(
            f"The Iceberg REST catalog at {uri} refused warehouse ICEBERG_WAREHOUSE={warehouse} "
            f"({response.status_code}: {response.text[:200]}). Fix ICEBERG_WAREHOUSE or ICEBERG_CATALOG_URI."
        )


def check_lakehouse(
    stack: StackSettings | None = None, iceberg: IcebergSettings | None = None, s3: S3Settings | None = None
) -> None:
    """Fail fast, before any write, when the catalog or the warehouse cannot be used as configured."""
    stack, iceberg, s3 = (
        stack or load(StackSettings),
        iceberg or load(IcebergSettings),
        s3 or load(S3Settings),
    )
    warehouse = iceberg.warehouse_uri(stack)
    if iceberg.catalog_type == "rest" and not warehouse.startswith("s3"):
        raise LakehouseError(
            f"ICEBERG_WAREHOUSE={warehouse} cannot back a REST catalog: its server and every client must "
            "reach the same files. Use an s3://bucket/prefix warehouse (or ICEBERG_CATALOG_TYPE=jdbc)."
        )
    if warehouse.startswith("s3"):
        check_object_store(stack, iceberg, s3)
    if iceberg.catalog_type == "rest":
        check_rest_catalog(stack, iceberg)
