"""A MongoDB wire-protocol server for the local stack: FerretDB 1.x on its SQLite backend.

Built from the Go module proxy with a small launcher (`ferretdb/main.go`) that embeds FerretDB's
public package. deploy/ runs MongoDB itself; the README lists what FerretDB lacks.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from pymongo import MongoClient

from tmdb_pipeline.settings import MongoSettings, StackSettings
from tmdb_pipeline.stack.process import LocalService, StackError, port_is_open

LAUNCHER_DIR = Path(__file__).parent / "ferretdb"


class MongoService(LocalService):
    name = "mongodb"

    def __init__(self, stack: StackSettings, mongo: MongoSettings) -> None:
        super().__init__(stack)
        self.mongo = mongo
        self.data_dir = self.root / "data"

    @property
    def ports(self) -> list[int]:
        return [self.mongo.port]

    @property
    def address(self) -> str:
        return f"{self.stack.host}:{self.mongo.port}"

    @property
    def binary(self) -> Path:
        return self.stack.downloads / f"ferretdb-{self.mongo.ferretdb_version}" / "ferretdb-local"

    def install(self) -> None:
        if self.binary.exists():
            return
        go = shutil.which("go")
        if go is None:
            raise StackError("`go` is not on PATH; install Go to build FerretDB (the local MongoDB server)")
        pinned = (LAUNCHER_DIR / "go.mod").read_text()
        if f"FerretDB {self.mongo.ferretdb_version}" not in pinned:
            raise StackError(
                f"MONGO_FERRETDB_VERSION={self.mongo.ferretdb_version} differs from the version pinned in "
                f"{LAUNCHER_DIR / 'go.mod'}; change both together"
            )
        self.binary.parent.mkdir(parents=True, exist_ok=True)
        partial = self.binary.with_suffix(".partial")
        result = subprocess.run(
            [go, "build", "-trimpath", "-o", str(partial), "."],
            cwd=LAUNCHER_DIR,
            capture_output=True,
            text=True,
            env={**os.environ, "CGO_ENABLED": "0"},
        )
        if result.returncode != 0:
            raise StackError(f"Building FerretDB failed:\n{result.stderr[-3000:]}")
        partial.rename(self.binary)

    def prepare(self) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)

    def command(self) -> list[str]:
        return [
            str(self.binary),
            "-listen-addr",
            self.address,
            "-sqlite-url",
            self.data_dir.as_uri() + "/",
            "-log-level",
            "warn",
        ]

    def healthy(self) -> bool:
        if not port_is_open(self.stack.host, self.mongo.port):
            return False
        client: MongoClient = MongoClient(f"mongodb://{self.address}/", serverSelectionTimeoutMS=1500)
        try:
            return client.admin.command("ping").get("ok") == 1.0
        except Exception:
            return False
        finally:
            client.close()

    def version(self) -> str:
        return f"FerretDB {self.mongo.ferretdb_version} (SQLite backend, MongoDB wire protocol)"
