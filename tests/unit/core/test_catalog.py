"""Settings -> Spark's catalog configuration and pyiceberg's properties, for every catalog type; the
checks that need no server (the ones that do are in tests/integration/stack/test_lakehouse_errors.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pydantic import SecretStr

from tmdb_pipeline.settings import (
    ConfigError,
    IcebergSettings,
    S3Settings,
    SparkSettings,
    StackSettings,
    load,
)
from tmdb_pipeline.stack.catalog import (
    LakehouseError,
    catalog_properties,
    check_lakehouse,
    pyiceberg_properties_by_reference,
    s3_keys,
    spark_catalog_conf,
)
from tmdb_pipeline.stack.spark import spark_conf

KEY, SECRET = "AKIAEXAMPLE", "very-secret-value"


@pytest.fixture
def stack(tmp_path: Path) -> StackSettings:
    return StackSettings(home=tmp_path / "home", downloads=tmp_path / "downloads")


def remote_s3(**overrides) -> S3Settings:
    values = {
        "endpoint": "http://minio:9000",
        "access_key_id": SecretStr(KEY),
        "secret_access_key": SecretStr(SECRET),
    }
    return S3Settings(**(values | overrides))


def test_given_jdbc_when_mapping_then_spark_and_pyiceberg_open_the_same_sqlite_file_and_warehouse(stack):
    iceberg = IcebergSettings(catalog_type="jdbc", catalog_name="lake")
    conf = spark_catalog_conf(stack, iceberg, S3Settings())
    db = stack.home / "iceberg" / "catalog.db"
    assert conf["spark.sql.catalog.lake"] == "org.apache.iceberg.spark.SparkCatalog"
    assert conf["spark.sql.catalog.lake.catalog-impl"] == "org.apache.iceberg.jdbc.JdbcCatalog"
    assert conf["spark.sql.catalog.lake.uri"] == f"jdbc:sqlite:{db}"
    assert conf["spark.sql.defaultCatalog"] == "lake"
    assert conf["spark.sql.catalog.lake.cache-enabled"] == "false"
    assert not any("s3." in key or "io-impl" in key for key in conf)
    props = catalog_properties(stack, iceberg, S3Settings(), "pyiceberg")
    assert props == {
        "type": "sql",
        "uri": f"sqlite:///{db}",
        "warehouse": conf["spark.sql.catalog.lake.warehouse"],
    }
    assert props["warehouse"] == (stack.home / "iceberg" / "warehouse").resolve().as_uri()


def test_given_jdbc_with_an_s3_warehouse_when_mapping_then_s3fileio_carries_the_store(stack):
    iceberg = IcebergSettings(catalog_type="jdbc", warehouse="s3://lake/wh")
    conf = spark_catalog_conf(stack, iceberg, remote_s3())
    assert conf["spark.sql.catalog.tmdb.io-impl"] == "org.apache.iceberg.aws.s3.S3FileIO"
    assert conf["spark.sql.catalog.tmdb.s3.endpoint"] == "http://minio:9000"
    assert conf["spark.sql.catalog.tmdb.warehouse"] == "s3://lake/wh"


def test_given_rest_when_mapping_then_both_engines_get_the_uri_warehouse_and_s3_store(stack):
    iceberg = IcebergSettings(
        catalog_type="rest", catalog_uri="http://iceberg-rest:8181", warehouse="s3://wh/"
    )
    s3 = remote_s3(region="eu-west-1")
    conf = spark_catalog_conf(stack, iceberg, s3)
    prefix = "spark.sql.catalog.tmdb"
    assert conf[f"{prefix}.type"] == "rest"
    assert "catalog-impl" not in str(conf)
    assert conf[f"{prefix}.uri"] == "http://iceberg-rest:8181"
    assert conf[f"{prefix}.warehouse"] == "s3://wh/"
    assert conf[f"{prefix}.io-impl"] == "org.apache.iceberg.aws.s3.S3FileIO"
    assert conf[f"{prefix}.s3.path-style-access"] == "true"
    assert conf[f"{prefix}.s3.access-key-id"] == KEY
    assert conf[f"{prefix}.s3.secret-access-key"] == SECRET
    assert conf[f"{prefix}.client.region"] == "eu-west-1"
    py = catalog_properties(stack, iceberg, s3, "pyiceberg")
    assert py["type"] == "rest" and py["uri"] == "http://iceberg-rest:8181" and py["warehouse"] == "s3://wh/"
    assert py["s3.endpoint"] == "http://minio:9000" and py["s3.region"] == "eu-west-1"
    assert py["s3.force-virtual-addressing"] == "false"
    assert "io-impl" not in py


def test_given_rest_without_an_address_then_the_local_server_and_the_default_bucket_are_used(stack):
    iceberg = IcebergSettings(catalog_type="rest", rest_port=28181)
    conf = spark_catalog_conf(stack, iceberg, S3Settings(port=28333))
    assert conf["spark.sql.catalog.tmdb.uri"] == "http://127.0.0.1:28181"
    assert conf["spark.sql.catalog.tmdb.warehouse"] == "s3://warehouse/"
    assert conf["spark.sql.catalog.tmdb.s3.endpoint"] == "http://127.0.0.1:28333"


def test_given_a_token_or_a_credential_when_mapping_rest_then_they_are_passed_and_only_referenced_in_files(
    stack,
):
    iceberg = IcebergSettings(
        catalog_type="rest",
        catalog_uri="https://catalog.example",
        catalog_token=SecretStr("tok-123"),
        catalog_credential=SecretStr("client:cred-456"),
    )
    props = catalog_properties(stack, iceberg, remote_s3(), "spark")
    assert props["token"] == "tok-123" and props["credential"] == "client:cred-456"
    referenced, env = pyiceberg_properties_by_reference(stack, iceberg, remote_s3())
    text = json.dumps(referenced)
    for secret in ("tok-123", "cred-456", SECRET, KEY):
        assert secret not in text
    assert referenced["s3.secret-access-key"] == "${S3_SECRET_ACCESS_KEY}"
    assert env == {
        "S3_ACCESS_KEY_ID": KEY,
        "S3_SECRET_ACCESS_KEY": SECRET,
        "ICEBERG_CATALOG_TOKEN": "tok-123",
        "ICEBERG_CATALOG_CREDENTIAL": "client:cred-456",
    }


def test_given_the_local_store_when_no_keys_are_set_then_keys_are_generated_once_and_kept_private(stack):
    first = s3_keys(stack, S3Settings())
    again = s3_keys(stack, S3Settings())
    assert first == again and len(first.secret_access_key) >= 32
    path = stack.home / "s3" / "credentials.json"
    assert path.stat().st_mode & 0o777 == 0o600
    assert first.secret_access_key not in repr(first)


def test_given_a_remote_store_without_keys_then_the_error_names_both_variables(stack):
    with pytest.raises(LakehouseError, match="S3_ACCESS_KEY_ID / S3_SECRET_ACCESS_KEY"):
        s3_keys(stack, S3Settings(endpoint="http://minio:9000"))


def test_given_one_key_of_the_pair_when_loading_then_the_error_asks_for_both(monkeypatch):
    monkeypatch.setenv("S3_ACCESS_KEY_ID", KEY)
    monkeypatch.delenv("S3_SECRET_ACCESS_KEY", raising=False)
    with pytest.raises(ConfigError, match="S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY"):
        load(S3Settings)


def test_given_an_unknown_catalog_type_when_loading_then_the_error_names_the_variable(monkeypatch):
    monkeypatch.setenv("ICEBERG_CATALOG_TYPE", "hive")
    with pytest.raises(ConfigError, match=r"ICEBERG_CATALOG_TYPE \(got 'hive'\).*'jdbc' or 'rest'"):
        load(IcebergSettings)


@pytest.mark.parametrize("warehouse", ["/data/warehouse", "hdfs://nn/wh", "gs://bucket"])
def test_given_a_warehouse_uri_of_another_scheme_when_loading_then_it_is_refused(warehouse):
    with pytest.raises(ValueError, match="warehouse"):
        IcebergSettings(warehouse=warehouse)


def test_given_rest_with_a_file_warehouse_when_checking_then_it_stops_before_any_server_is_asked(stack):
    iceberg = IcebergSettings(
        catalog_type="rest", warehouse="file:/tmp/wh", catalog_uri="http://unreachable:1"
    )
    with pytest.raises(LakehouseError, match="ICEBERG_WAREHOUSE=file:/tmp/wh cannot back a REST catalog"):
        check_lakehouse(stack, iceberg, S3Settings())


def test_given_a_local_master_then_the_session_binds_the_stack_host_and_loads_the_jars(stack, monkeypatch):
    monkeypatch.setattr("tmdb_pipeline.stack.spark.spark_jars", lambda *_: [Path("/jars/a.jar")])
    conf = spark_conf(stack, SparkSettings(master="local[2]"), IcebergSettings(), S3Settings())
    assert conf["spark.master"] == "local[2]"
    assert conf["spark.driver.host"] == conf["spark.driver.bindAddress"] == "127.0.0.1"
    assert conf["spark.jars"] == "/jars/a.jar"


def test_given_a_cluster_master_then_master_driver_address_and_classpath_come_from_spark_submit(stack):
    conf = spark_conf(
        stack, SparkSettings(master="k8s://https://kubernetes.default"), IcebergSettings(), S3Settings()
    )
    for key in (
        "spark.master",
        "spark.driver.host",
        "spark.driver.bindAddress",
        "spark.jars",
        "spark.driver.extraClassPath",
    ):
        assert key not in conf
    assert conf["spark.sql.defaultCatalog"] == "tmdb"


def test_given_empty_secret_variables_then_they_count_as_unset():
    iceberg = IcebergSettings(catalog_type="rest", catalog_token="", catalog_credential="")
    assert iceberg.catalog_token is None and iceberg.catalog_credential is None
    s3 = S3Settings(access_key_id="", secret_access_key="")
    assert s3.access_key_id is None and s3.secret_access_key is None
