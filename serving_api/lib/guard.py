"""How much MongoDB work the API lets in at once, and for how long.

Routes belong to a class (handler opt `route_class`): `list` routes (lists, search, stats) can cost
a scan on FerretDB, `lookup` routes read one document by id. Each class has its own slots, so a
burst of lists cannot starve the lookups. A request waits for a slot while fewer than
`API_QUEUE_LIMIT` others of its class wait; past that it gets 429 with Retry-After at once.
Inside its slot, all of a request's queries share one budget (`API_QUERY_TIMEOUT_MS`, sent as
maxTimeMS, so the server stops too); past it the request answers 504.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

import msgspec
from litestar.enums import ScopeType
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Receive, Scope, Send

from serving_api.lib.errors import ErrorBody
from serving_api.lib.mongo import query_budget
from serving_api.settings import ApiSettings

ROUTE_CLASS = "route_class"  # handler opt key
LIST, LOOKUP = "list", "lookup"
RETRY_AFTER_BUSY_S = 1


@dataclass
class Slots:
    limit: int
    queue_limit: int
    semaphore: asyncio.Semaphore = field(init=False)
    waiting: int = 0

    def __post_init__(self) -> None:
        self.semaphore = asyncio.Semaphore(self.limit)

    def full(self) -> bool:
        return self.semaphore.locked() and self.waiting >= self.queue_limit


async def send_error(send: Send, status: int, title: str, detail: str, headers: dict[str, str]) -> None:
    """An error in the API's JSON shape, sent as raw ASGI (usable outside Litestar's handlers)."""
    body = msgspec.json.encode(ErrorBody(status=status, title=title, detail=detail))
    raw = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    raw += [(k.lower().encode(), v.encode()) for k, v in headers.items()]
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": body})


class ConcurrencyGuard(ASGIMiddleware):
    scopes = (ScopeType.HTTP,)

    def __init__(self, settings: ApiSettings) -> None:
        self.budget_s = settings.query_timeout_ms / 1000
        self.slots = {
            LIST: Slots(settings.list_concurrency, settings.queue_limit),
            LOOKUP: Slots(settings.lookup_concurrency, settings.queue_limit),
        }

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        handler = scope.get("route_handler")
        slots = self.slots.get(handler.opt.get(ROUTE_CLASS, "")) if handler is not None else None
        if slots is None:
            await next_app(scope, receive, send)
            return
        if slots.full():
            await send_error(
                send,
                429,
                "Too Many Requests",
                "Too many requests of this kind are in progress; retry shortly",
                {"Retry-After": str(RETRY_AFTER_BUSY_S)},
            )
            return
        slots.waiting += 1
        try:
            await slots.semaphore.acquire()
        finally:
            slots.waiting -= 1
        try:
            with query_budget(self.budget_s):
                await next_app(scope, receive, send)
        finally:
            slots.semaphore.release()
