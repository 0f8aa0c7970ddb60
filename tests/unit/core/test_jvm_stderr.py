"""The driver JVM's stderr reaches the terminal without the line it prints on every start."""

from __future__ import annotations

import io

import pytest

from tmdb_pipeline.stack.spark import _relay_stderr


def test_given_the_jvm_start_banner_and_an_error_when_relayed_then_only_the_error_reaches_stderr(
    capsys: pytest.CaptureFixture[str],
) -> None:
    jvm = io.StringIO(
        "WARNING: Using incubator modules: jdk.incubator.vector\n"
        "Error: Could not find or load main class org.apache.spark.deploy.SparkSubmit\n"
    )
    _relay_stderr(jvm)
    assert capsys.readouterr().err == (
        "Error: Could not find or load main class org.apache.spark.deploy.SparkSubmit\n"
    )
