"""The ASGI layer in front of the Litestar app: counters, rate limit, auth and injected faults.

It sees every request, including those to unknown paths (which never reach a Litestar handler), and
answers refusals itself with TMDB's bodies, so the routes only deal with content. Admin paths
(`/__admin/...`) skip all of it.
"""

from __future__ import annotations

import asyncio
import math
from typing import Any
from urllib.parse import parse_qsl

from litestar.types import ASGIApp, Message, Receive, Scope, Send

from tmdb_pipeline.emulator.errors import INVALID_API_KEY, RATE_LIMITED, error_body, rate_limit_message
from tmdb_pipeline.emulator.service import Emulator

API_PREFIX = "/3/"
JSON = (b"content-type", b"application/json;charset=utf-8")


async def send_json(
    send: Send, status: int, body: bytes, extra: list[tuple[bytes, bytes]] | None = None
) -> None:
    headers = [JSON, (b"content-length", str(len(body)).encode()), *(extra or [])]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body, "more_body": False})


class Gate:
    def __init__(self, app: ASGIApp, emulator: Emulator) -> None:
        self.app = app
        self.emulator = emulator

    def _authorized(self, scope: Scope) -> bool:
        settings = self.emulator.settings
        query = scope.get("query_string", b"")
        if b"api_key=" in query:
            # an api_key given must be right, whatever else is sent
            supplied = dict(parse_qsl(query.decode("latin-1"))).get("api_key")
            return supplied == settings.api_key
        for name, value in scope["headers"]:
            if name == b"authorization":
                scheme, _, token = value.decode("latin-1").partition(" ")
                return scheme.lower() == "bearer" and token.strip() == settings.read_access_token
        return False

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(API_PREFIX):
            await self.app(scope, receive, send)
            return
        emulator, stats = self.emulator, self.emulator.stats
        stats.requests += 1
        stats.count_path(scope["path"])
        emulator.tick()

        wait = emulator.faults.retry_after()
        if wait:
            stats.rate_limited += 1
            stats.by_status[429] += 1
            limit = emulator.faults.config.rate_limit or 0
            body = error_body(RATE_LIMITED, rate_limit_message(limit))
            retry = str(max(1, math.ceil(wait))).encode()
            await send_json(send, 429, body, [(b"retry-after", retry)])
            return
        if not self._authorized(scope):
            stats.unauthorized += 1
            stats.by_status[401] += 1
            await send_json(send, 401, error_body(INVALID_API_KEY))
            return

        decision = emulator.faults.decide()
        if decision.server_error:
            status, code = decision.server_error
            stats.faults["5xx"] += 1
            stats.by_status[status] += 1
            await send_json(send, status, error_body(code))
            return
        if decision.slow:
            stats.faults["slow"] += 1
            await asyncio.sleep(emulator.faults.config.slow_delay_s)
        if decision.malformed:
            stats.faults["malformed"] += 1
            send = _truncating(send)
        await self.app(scope, receive, _counting(send, stats.by_status))


def _counting(send: Send, by_status: Any) -> Send:
    async def wrapped(message: Message) -> None:
        if message["type"] == "http.response.start":
            by_status[message["status"]] += 1
        await send(message)

    return wrapped


def _truncating(send: Send) -> Send:
    """Cut the body in half (invalid JSON) and fix Content-Length to match, as a broken proxy would."""
    start: dict[str, Any] = {}
    chunks: list[bytes] = []

    async def wrapped(message: Message) -> None:
        if message["type"] == "http.response.start":
            start.update(message)
            return
        if message["type"] != "http.response.body":
            await send(message)
            return
        chunks.append(message.get("body", b""))
        if message.get("more_body"):
            return
        body = b"".join(chunks)
        body = body[: max(1, len(body) // 2)] if len(body) > 1 else b"{"
        headers = [(k, v) for k, v in start.get("headers", []) if k.lower() != b"content-length"]
        headers.append((b"content-length", str(len(body)).encode()))
        await send({**start, "headers": headers})
        await send({"type": "http.response.body", "body": body, "more_body": False})

    return wrapped
