"""The local Iceberg REST catalog: Apache Iceberg's own REST catalog server (the code behind the
apache/iceberg-rest-fixture image) on a persistent JDBC store (a SQLite file under `.local/`),
writing table metadata to the S3 warehouse with S3FileIO.

Its jars come from Maven Central (`maven/iceberg-rest.pom.xml`); a 40-line launcher compiled once
with javac binds it to the stack's host and keeps the S3 keys out of its log. Keys and settings reach
it as CATALOG_* environment variables, never as arguments (which `ps` would show).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import httpx

from tmdb_pipeline.settings import IcebergSettings, S3Settings, StackSettings
from tmdb_pipeline.stack.artifacts import maven_jars
from tmdb_pipeline.stack.catalog import s3_keys
from tmdb_pipeline.stack.process import LocalService, StackError

LAUNCHER = Path(__file__).parent / "RestCatalogServer.java"
MAIN_CLASS = "tmdb.stack.RestCatalogServer"


class IcebergRestService(LocalService):
    name = "iceberg-rest"

    def __init__(self, stack: StackSettings, iceberg: IcebergSettings, s3: S3Settings) -> None:
        super().__init__(stack)
        self.iceberg = iceberg
        self.s3 = s3
        self.store = self.root / "catalog.db"

    @property
    def ports(self) -> list[int]:
        return [self.iceberg.rest_port]

    @property
    def address(self) -> str:
        return f"http://{self.stack.host}:{self.iceberg.rest_port}"

    @property
    def libs(self) -> Path:
        return self.stack.downloads / f"iceberg-rest-{self.iceberg.rest_version}"

    @property
    def classes(self) -> Path:
        return self.libs / "launcher"

    def install(self) -> None:
        maven_jars("iceberg-rest.pom.xml", self.libs, {"iceberg.rest.version": self.iceberg.rest_version})
        compiled = self.classes / "tmdb" / "stack" / "RestCatalogServer.class"
        if compiled.exists() and compiled.stat().st_mtime >= LAUNCHER.stat().st_mtime:
            return
        javac = shutil.which("javac")
        if javac is None:
            raise StackError("`javac` is not on PATH; install a JDK 17 (Debian: openjdk-17-jdk-headless)")
        partial = self.classes.with_name("launcher.partial")
        shutil.rmtree(partial, ignore_errors=True)
        result = subprocess.run(
            [javac, "-d", str(partial), "-cp", f"{self.libs}/*", str(LAUNCHER)],
            capture_output=True,
            text=True,
        )
        if result.returncode != 0:
            raise StackError(f"Compiling the REST catalog launcher failed:\n{result.stderr[-2000:]}")
        shutil.rmtree(self.classes, ignore_errors=True)
        partial.rename(self.classes)

    def environment(self) -> dict[str, str]:
        keys = s3_keys(self.stack, self.s3)
        env = {
            **os.environ,
            "REST_HOST": self.stack.host,
            "REST_PORT": str(self.iceberg.rest_port),
            "CATALOG_CATALOG_NAME": self.iceberg.catalog_name,
            "CATALOG_URI": f"jdbc:sqlite:{self.store}",
            "CATALOG_WAREHOUSE": self.iceberg.warehouse_uri(self.stack),
            "CATALOG_IO__IMPL": "org.apache.iceberg.aws.s3.S3FileIO",
            "CATALOG_S3_ENDPOINT": self.s3.endpoint_url(self.stack),
            "CATALOG_S3_PATH__STYLE__ACCESS": str(self.s3.path_style_access).lower(),
            "CATALOG_S3_ACCESS__KEY__ID": keys.access_key_id,
            "CATALOG_S3_SECRET__ACCESS__KEY": keys.secret_access_key,
            "CATALOG_CLIENT_REGION": self.s3.region,
            "AWS_REGION": self.s3.region,
        }
        return env

    def command(self) -> list[str]:
        return [
            "java",
            "-Xmx384m",
            "-XX:+UseSerialGC",  # a small metadata server: no need for G1's threads on 2 cores
            "-Djava.awt.headless=true",
            "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
            "-cp",
            os.pathsep.join([str(self.classes), f"{self.libs}/*"]),
            MAIN_CLASS,
        ]

    def version(self) -> str:
        return f"Iceberg REST catalog {self.iceberg.rest_version}, warehouse {self.iceberg.warehouse_uri(self.stack)}"

    def healthy(self) -> bool:
        try:
            return httpx.get(f"{self.address}/v1/config", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False
