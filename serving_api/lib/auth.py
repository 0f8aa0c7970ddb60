"""Optional API keys: when `API_API_KEYS` is set, every route except /health (and the docs) needs
one in the `X-API-Key` header. Keys are compared in constant time and never logged or echoed."""

from __future__ import annotations

import hmac
from typing import Any

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException
from litestar.handlers.base import BaseRouteHandler

API_KEY_HEADER = "X-API-Key"
PUBLIC = "public"  # handler opt key: reachable without a key


class ApiKeyGuard:
    def __init__(self, keys: list[str], docs_path: str) -> None:
        self._keys = [key.encode() for key in keys]
        self._docs_path = docs_path.rstrip("/")

    def __call__(self, connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler) -> None:
        if handler.opt.get(PUBLIC) or self._is_docs(connection.scope["path"]):
            return
        given = connection.headers.get(API_KEY_HEADER, "").encode()
        # compare against every key, so the time taken does not reveal which one nearly matched
        matched = False
        for key in self._keys:
            matched |= hmac.compare_digest(given, key)
        if not given or not matched:
            raise NotAuthorizedException(
                detail=f"A valid {API_KEY_HEADER} header is required",
                headers={"WWW-Authenticate": f'ApiKey header="{API_KEY_HEADER}"'},
            )

    def _is_docs(self, path: str) -> bool:
        return path == self._docs_path or path.startswith(self._docs_path + "/")
