"""Gold tables built from the TMDB emulator's catalogue in a test-only Iceberg namespace, synced by
the real sync into a test-only database of the session's FerretDB, and the API run for real.

Namespaces and databases carry a random suffix and are dropped afterwards, so these tests share
the session stack with other suites without touching their data.
"""

from __future__ import annotations

import contextlib
import shutil
import socket
import struct
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import httpx
import pyarrow as pa
import pytest
from pyiceberg.catalog import Catalog
from pymongo import MongoClient
from pymongo.database import Database
from pymongo.uri_parser import parse_uri

from serving_api.settings import SyncSettings
from serving_api.sync import SyncReport, run_sync
from tmdb_pipeline.settings import IcebergSettings, MongoSettings, StackSettings, load
from tmdb_pipeline.testing.api import RunningApi, running_api
from tmdb_pipeline.testing.sample_gold import SampleGold, write_gold

MOVIES = 300


@cache
def sample_tables(movies: int = MOVIES) -> dict[str, pa.Table]:
    """The emulator's first `movies` movies as Gold tables (computed once per session)."""
    return SampleGold(movies).tables()


@dataclass
class Gold:
    catalog: Catalog
    namespace: str
    tables: dict[str, pa.Table]

    def rows(self, table: str) -> list[dict[str, Any]]:
        return self.tables[table].to_pylist()

    def replace(self, table: str, data: pa.Table) -> int:
        """Overwrite one table (a new snapshot), as a dbt run would; returns the snapshot id."""
        self.tables[table] = data
        return write_gold(self.catalog, self.namespace, {table: data})[table]

    def drop(self) -> None:
        for identifier in self.catalog.list_tables(self.namespace):
            self.catalog.drop_table(identifier)
        self.catalog.drop_namespace(self.namespace)
        # dropping a table leaves its files: remove the namespace's folder of the warehouse
        stack, iceberg = load(StackSettings), load(IcebergSettings)
        warehouse = Path(urlparse(iceberg.warehouse_uri(stack)).path)
        shutil.rmtree(warehouse / self.namespace, ignore_errors=True)


@dataclass
class Target:
    """A Gold namespace and a MongoDB database that belong to one test (or one session)."""

    gold: Gold
    mongo: MongoSettings
    db: Database[dict[str, Any]]

    @property
    def sync_settings(self) -> SyncSettings:
        return SyncSettings(gold_namespace=self.gold.namespace)

    def sync(self, **kwargs: Any) -> SyncReport:
        return run_sync(catalog=self.gold.catalog, mongo=self.mongo, settings=self.sync_settings, **kwargs)


def new_target(tables: dict[str, pa.Table], label: str) -> Target:
    from tmdb_pipeline.stack.catalog import get_catalog

    suffix = uuid.uuid4().hex[:8]
    catalog = get_catalog()
    namespace = f"serving_{label}_{suffix}"
    write_gold(catalog, namespace, dict(tables))
    base = load(MongoSettings)
    mongo = base.model_copy(update={"database": f"{base.database}_serving_{label}_{suffix}"})
    client: MongoClient[dict[str, Any]] = MongoClient(mongo.uri.get_secret_value(), tz_aware=True)
    return Target(Gold(catalog, namespace, dict(tables)), mongo, client[mongo.database])


def drop_target(target: Target) -> None:
    target.db.client.drop_database(target.mongo.database)
    target.db.client.close()
    target.gold.drop()


@pytest.fixture
def scratch(local_stack: object) -> Iterator[Target]:
    """A fresh Gold namespace and database for one test that changes them."""
    target = new_target(sample_tables(), "scratch")
    yield target
    drop_target(target)


@pytest.fixture(scope="session")
def served(local_stack: object) -> Iterator[Target]:
    """Gold synced once for the read-only API tests."""
    target = new_target(sample_tables(), "api")
    target.sync()
    yield target
    drop_target(target)


@pytest.fixture(scope="session")
def api(served: Target) -> Iterator[RunningApi]:
    """`tmdb-pipeline api` (uvicorn) on a free port, serving the synced database."""
    with running_api({"MONGO_DATABASE": served.mongo.database}) as running:
        yield running


@pytest.fixture(scope="session")
def http(api: RunningApi) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=api.base_url, timeout=10.0) as client:
        yield client


class SlowMongoProxy:
    """A TCP proxy in front of MongoDB that holds back the replies to chosen commands.

    It reads the wire protocol's message frames (OP_MSG: the command is the first key of the
    body), counts every command it forwards, and delays the reply to `slow_commands`. The server
    itself stays fast and up, so the client sees exactly "selected a server, then no answer in
    time", and the count shows whether the client sent a command again.
    """

    def __init__(self, upstream: tuple[str, int], slow_commands: set[str], delay_s: float) -> None:
        self.upstream = upstream
        self.slow_commands = slow_commands
        self.delay_s = delay_s
        self.commands: list[str] = []
        self._lock = threading.Lock()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self._closed = False
        threading.Thread(target=self._accept, daemon=True).start()

    def count(self, command: str) -> int:
        with self._lock:
            return self.commands.count(command)

    def close(self) -> None:
        self._closed = True
        self._listener.close()

    def _accept(self) -> None:
        while not self._closed:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            server = socket.create_connection(self.upstream)
            slow = threading.Event()
            threading.Thread(target=self._requests, args=(client, server, slow), daemon=True).start()
            threading.Thread(target=self._replies, args=(server, client, slow), daemon=True).start()

    def _requests(self, source: socket.socket, target: socket.socket, slow: threading.Event) -> None:
        with contextlib.suppress(OSError):  # the other side closed: so does this pump
            for frame in _frames(source, target):
                name = _command_name(frame)
                with self._lock:
                    self.commands.append(name)
                if name in self.slow_commands:
                    slow.set()
                target.sendall(frame)

    def _replies(self, source: socket.socket, target: socket.socket, slow: threading.Event) -> None:
        with contextlib.suppress(OSError):  # e.g. the client gave up waiting and closed
            for frame in _frames(source, target):
                if slow.is_set():
                    slow.clear()
                    time.sleep(self.delay_s)
                target.sendall(frame)


def _frames(source: socket.socket, other: socket.socket) -> Iterator[bytes]:
    try:
        while header := _read(source, 4):
            yield header + _read(source, struct.unpack("<i", header)[0] - 4)
    except OSError:
        pass
    finally:
        for sock in (source, other):
            with contextlib.suppress(OSError):
                sock.close()


def _read(sock: socket.socket, size: int) -> bytes:
    data = b""
    while len(data) < size:
        chunk = sock.recv(size - len(data))
        if not chunk:
            return b""
        data += chunk
    return data


def _command_name(frame: bytes) -> str:
    # header (16 bytes, opCode at 12), OP_MSG flags (4), section kind 0 (1), BSON length (4), type (1)
    if len(frame) < 27 or struct.unpack("<i", frame[12:16])[0] != 2013 or frame[20] != 0:
        return "?"
    return frame[26 : frame.index(b"\x00", 26)].decode("latin-1")


@pytest.fixture
def slow_find(served: Target) -> Iterator[SlowMongoProxy]:
    """The served database behind a proxy that answers `find` commands 3 s late."""
    host, port = parse_uri(served.mongo.uri.get_secret_value())["nodelist"][0]
    proxy = SlowMongoProxy((host, port), {"find"}, delay_s=3.0)
    yield proxy
    proxy.close()
