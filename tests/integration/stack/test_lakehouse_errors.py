"""Bad lakehouse settings against the real S3 store and REST catalog: each stops the command at once
with one error naming the setting and the fix, and nothing is written."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import SecretStr

from tmdb_pipeline.settings import IcebergSettings, S3Settings, StackSettings, load
from tmdb_pipeline.stack.catalog import LakehouseError, check_lakehouse, get_catalog, s3_keys
from tmdb_pipeline.stack.process import free_port

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[3]
CLI = [sys.executable, "-m", "tmdb_pipeline.cli"]
WRONG_SECRET = "not-the-secret-0123456789"


def rest() -> IcebergSettings:
    return IcebergSettings(catalog_type="rest")


def local_store(**overrides) -> S3Settings:
    return S3Settings(**overrides)


def test_given_the_local_object_store_and_catalog_when_checking_then_they_pass(object_store_env):
    check_lakehouse(load(StackSettings), rest(), local_store())


def test_given_wrong_s3_keys_when_checking_then_the_error_names_the_keys_but_never_the_secret(
    object_store_env,
):
    s3 = local_store(access_key_id=SecretStr("tmdbwrongkey"), secret_access_key=SecretStr(WRONG_SECRET))
    with pytest.raises(LakehouseError) as caught:
        check_lakehouse(load(StackSettings), rest(), s3)
    message = str(caught.value)
    assert "S3_ACCESS_KEY_ID / S3_SECRET_ACCESS_KEY" in message and "tmdbwrongkey" in message
    assert WRONG_SECRET not in message


def test_given_a_missing_bucket_when_checking_then_the_error_names_the_warehouse(object_store_env):
    iceberg = IcebergSettings(catalog_type="rest", warehouse="s3://no-such-bucket/lake")
    with pytest.raises(
        LakehouseError, match=r"Bucket 'no-such-bucket' of ICEBERG_WAREHOUSE=s3://no-such-bucket/lake"
    ):
        check_lakehouse(load(StackSettings), iceberg, local_store())


def test_given_a_rest_catalog_that_is_down_when_checking_then_the_error_names_the_uri(object_store_env):
    uri = f"http://127.0.0.1:{free_port()}"
    iceberg = IcebergSettings(catalog_type="rest", catalog_uri=uri)
    with pytest.raises(LakehouseError, match=f"ICEBERG_CATALOG_URI={uri} is not reachable"):
        check_lakehouse(load(StackSettings), iceberg, local_store())


def test_given_an_object_store_that_is_down_when_checking_then_the_error_names_the_endpoint(object_store_env):
    stack = load(StackSettings)
    keys = s3_keys(stack, local_store())
    s3 = local_store(
        endpoint=f"http://127.0.0.1:{free_port()}",
        access_key_id=SecretStr(keys.access_key_id),
        secret_access_key=SecretStr(keys.secret_access_key),
    )
    with pytest.raises(LakehouseError, match=r"is not reachable.*fix S3_ENDPOINT"):
        check_lakehouse(stack, rest(), s3)


def test_given_wrong_keys_when_landing_then_the_command_stops_at_once_and_registers_nothing(object_store_env):
    namespace = "bronze_wrong_keys"
    env = {
        **os.environ,
        **object_store_env,
        "S3_ACCESS_KEY_ID": "tmdbwrongkey",
        "S3_SECRET_ACCESS_KEY": WRONG_SECRET,
        "LANDING_NAMESPACE": namespace,
    }
    result = subprocess.run(
        [*CLI, "land", "--once"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    output = " ".join((result.stdout + result.stderr).split())  # the terminal wraps long lines
    assert result.returncode != 0
    assert "refused the keys S3_ACCESS_KEY_ID / S3_SECRET_ACCESS_KEY" in output
    assert WRONG_SECRET not in output
    assert "Traceback" not in output
    assert (namespace,) not in get_catalog(iceberg=rest()).list_namespaces()
