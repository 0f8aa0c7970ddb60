"""HTTP around the routes: HEAD, request size limits, and caching by the synced snapshot.

- HEAD is answered wherever GET is: the request is routed as GET and the body is dropped, so the
  headers (Content-Length, ETag) are exactly GET's.
- A request target longer than `API_MAX_URL_LENGTH` gets 414 and headers larger than
  `API_MAX_HEADER_BYTES` get 431, in the JSON error shape (uvicorn's own limit, 16 KiB, answers
  in plain text, so ours sit below it).
- Data routes carry a weak ETag and Last-Modified from the Gold snapshot the sync served; a
  matching If-None-Match is a 304 answered before any query runs.
"""

from __future__ import annotations

import logging
from datetime import UTC
from email.utils import format_datetime
from typing import Any

from litestar import Litestar
from litestar.enums import ScopeType
from litestar.exceptions import ValidationException
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Message, Receive, Scope, Send
from pymongo.errors import PyMongoError

from serving_api.lib.guard import ROUTE_CLASS, send_error
from serving_api.lib.snapshot import Snapshot, SnapshotCache
from serving_api.settings import ApiSettings

logger = logging.getLogger("serving_api")


class ServingApp(Litestar):
    """Litestar with the checks that must run before routing (HEAD, size limits)."""

    def __init__(self, *args: Any, settings: ApiSettings, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.max_url_length = settings.max_url_length
        self.max_header_bytes = settings.max_header_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:  # type: ignore[override]
        if scope["type"] == "http":
            target = len(scope.get("raw_path") or b"") + len(scope.get("query_string") or b"")
            if target > self.max_url_length:
                await send_error(
                    send, 414, "URI Too Long", f"The request target exceeds {self.max_url_length} bytes", {}
                )
                return
            if sum(len(k) + len(v) + 4 for k, v in scope["headers"]) > self.max_header_bytes:
                await send_error(
                    send,
                    431,
                    "Request Header Fields Too Large",
                    f"The request headers exceed {self.max_header_bytes} bytes",
                    {},
                )
                return
            if scope["method"] == "HEAD":
                scope = {**scope, "method": "GET"}  # type: ignore[typeddict-item]
                send = _without_body(send)
        await super().__call__(scope, receive, send)


def _without_body(send: Send) -> Send:
    async def send_head(message: Message) -> None:
        if message["type"] == "http.response.body":
            message = {**message, "body": b""}  # type: ignore[typeddict-item]
        await send(message)

    return send_head


def etag(snapshot: Snapshot) -> str:
    return f'W/"{snapshot.tag}"'


def matches(if_none_match: str, tag: str) -> bool:
    candidates = [part.strip() for part in if_none_match.split(",")]
    return "*" in candidates or tag in candidates or tag.removeprefix("W/") in candidates


def valid_query(scope: Scope) -> bool:
    """Whether the request's parameters pass the published schema: an invalid request is a 400,
    never a 304, whatever its If-None-Match says (the route then says what is wrong)."""
    try:
        scope["app"].state.query_rules.check(
            scope.get("path_template", ""), scope.get("query_string", b""), scope.get("path_params", {})
        )
    except ValidationException:
        return False
    return True


NOT_SNAPSHOT_CACHED = "not_snapshot_cached"  # handler opt: answers change between Gold snapshots


class SnapshotCaching(ASGIMiddleware):
    """ETag, Last-Modified and Cache-Control on data routes; 304 when the client's copy is current."""

    scopes = (ScopeType.HTTP,)

    def __init__(self, snapshots: SnapshotCache, settings: ApiSettings) -> None:
        self.snapshots = snapshots
        visibility = "private" if settings.key_values() else "public"
        self.cache_control = f"{visibility}, max-age={settings.cache_max_age_s}"

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        handler = scope.get("route_handler")
        if handler is None or ROUTE_CLASS not in handler.opt or handler.opt.get(NOT_SNAPSHOT_CACHED):
            await next_app(scope, receive, send)
            return
        db = scope["app"].state.db
        given = dict(scope["headers"]).get(b"if-none-match")
        if given is not None and valid_query(scope):
            # a conditional request: the snapshot first, and no query at all when it still matches
            snapshot = await self.snapshots.current(db)  # errors: the usual 503/504
            if matches(given.decode("latin-1"), etag(snapshot)):
                await send({"type": "http.response.start", "status": 304, "headers": self.headers(snapshot)})
                await send({"type": "http.response.body", "body": b""})
                return

        async def send_with_headers(message: Message) -> None:
            # read after the route succeeded, so a bad parameter is a 400 without touching MongoDB
            if message["type"] == "http.response.start" and message["status"] == 200:
                try:
                    snapshot = await self.snapshots.current(db)
                except PyMongoError:
                    snapshot = None  # the answer stands; it just cannot be revalidated
                if snapshot is not None:
                    message = {**message, "headers": [*message.get("headers", []), *self.headers(snapshot)]}  # type: ignore[typeddict-item]
            await send(message)

        await next_app(scope, receive, send_with_headers)

    def headers(self, snapshot: Snapshot) -> list[tuple[bytes, bytes]]:
        headers = [(b"etag", etag(snapshot).encode()), (b"cache-control", self.cache_control.encode())]
        if snapshot.last_modified is not None:
            headers.append(
                (
                    b"last-modified",
                    format_datetime(snapshot.last_modified.astimezone(UTC), usegmt=True).encode(),
                )
            )
        return headers
