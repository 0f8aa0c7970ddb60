"""A MongoDB wire-protocol server for the local stack: FerretDB 1.x on its SQLite backend.

Built from the Go module proxy with a small launcher (`ferretdb/main.go`) that embeds FerretDB's
public package. deploy/ runs MongoDB itself; the README lists what FerretDB lacks.

One line of FerretDB is patched at build time (in a vendored copy): its SQLite backend looks `_id`
up as `json->'$._id'` while the unique `_id` index it creates is on `json->"_id"`. SQLite matches
index expressions by their text, so every `_id` lookup, update and delete scanned the whole table
(1.7 s for one movie of 10k). With the lookup written as the index is, they are index searches.
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
FERRETDB_MODULE = "github.com/FerretDB/FerretDB"
# (file in FerretDB's module, text there, text in its place): the `_id` index patch above
ID_INDEX_PATCH = (
    "internal/backends/sqlite/metadata/metadata.go",
    "IDColumn = DefaultColumn + \"->'$._id'\"",
    "IDColumn = DefaultColumn + \"->'_id'\"",
)


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
        # the name says the build carries the `_id` index patch, so an unpatched build is replaced
        return self.stack.downloads / f"ferretdb-{self.mongo.ferretdb_version}" / "ferretdb-local-id-index"

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
        build = self.binary.parent / "build"
        shutil.rmtree(build, ignore_errors=True)
        build.mkdir(parents=True)
        for name in ("main.go", "go.mod", "go.sum"):
            shutil.copy2(LAUNCHER_DIR / name, build / name)
        env = {**os.environ, "CGO_ENABLED": "0"}
        # Go builds no patched file from its module cache, so the patch goes into a vendored copy
        self._go(go, ["mod", "vendor"], build, env, "Downloading FerretDB's module")
        relative, before, after = ID_INDEX_PATCH
        patched = build / "vendor" / FERRETDB_MODULE / relative
        text = patched.read_text()
        if text.count(before) != 1:
            raise StackError(
                f"FerretDB {self.mongo.ferretdb_version}'s {relative} no longer reads `{before}`: "
                "review the `_id` index patch in tmdb_pipeline/stack/mongo.py for this version"
            )
        patched.write_text(text.replace(before, after))
        partial = self.binary.with_suffix(".partial")
        self._go(
            go,
            ["build", "-mod=vendor", "-trimpath", "-o", str(partial), "."],
            build,
            env,
            "Building FerretDB",
        )
        partial.rename(self.binary)
        shutil.rmtree(build)

    @staticmethod
    def _go(go: str, args: list[str], cwd: Path, env: dict[str, str], doing: str) -> None:
        result = subprocess.run([go, *args], cwd=cwd, capture_output=True, text=True, env=env)
        if result.returncode != 0:
            raise StackError(f"{doing} failed:\n{result.stderr[-3000:]}")

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
