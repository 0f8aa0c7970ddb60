"""Query strings held to the published OpenAPI, before Litestar's lenient conversion sees them.

- A parameter the operation does not declare is a 400 that lists the known ones (`?pagesize=1`
  would otherwise be ignored silently).
- Integers are decimal digits only and numbers decimals (with an exponent, not nan or inf):
  msgspec's lax conversion would read `1e2` as the integer 100 and `null` as "no value".
- Optional parameters are published as optional, never as nullable: absent means "no filter",
  and there is no literal that means absent (`openapi_without_nulls` removes the `null` branch
  Litestar derives from `T | None`).
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qsl

from litestar import Request
from litestar.exceptions import ValidationException
from litestar.openapi.spec import OpenAPI, Parameter, Schema
from litestar.openapi.spec.enums import OpenAPIType

INTEGER = re.compile(r"-?[0-9]+")
NUMBER = re.compile(r"-?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?")
_SCALARS = {OpenAPIType.INTEGER: INTEGER, OpenAPIType.NUMBER: NUMBER}


def openapi_without_nulls(openapi: OpenAPI) -> None:
    """Publish `T | None` parameters as plain optional `T`, integer bounds as integers (in place)."""
    for item in (openapi.paths or {}).values():
        for operation in (item.get, item.head):
            for parameter in (operation.parameters or []) if operation else []:
                if isinstance(parameter, Parameter) and isinstance(parameter.schema, Schema):
                    _drop_null(parameter.schema)


def _drop_null(schema: Schema) -> None:
    _integral_bounds(schema)
    if isinstance(schema.type, list):  # Literal[...] | None: type [null, string], None among the enum
        types = [t for t in schema.type if t != OpenAPIType.NULL]
        schema.type = types[0] if len(types) == 1 else types
        if schema.enum is not None:
            schema.enum = [value for value in schema.enum if value is not None]
        return
    branches = [s for s in schema.one_of or [] if not (isinstance(s, Schema) and s.type == OpenAPIType.NULL)]
    if schema.one_of is None or len(branches) != 1 or not isinstance(branches[0], Schema):
        return
    for name, value in vars(branches[0]).items():
        if value is not None and getattr(schema, name, None) is None:
            setattr(schema, name, value)
    schema.one_of = None
    _integral_bounds(schema)


def _integral_bounds(schema: Schema) -> None:
    """Litestar writes some integer bounds as floats (`maximum: 100.0`): a client generating
    values from them would send `99.0`, which an integer parameter refuses."""
    if schema.type != OpenAPIType.INTEGER:
        return
    for name in ("minimum", "maximum", "exclusive_minimum", "exclusive_maximum"):
        value = getattr(schema, name, None)
        if isinstance(value, float) and value.is_integer():
            setattr(schema, name, int(value))


def _scalar_ok(schema: Schema, value: str) -> bool:
    pattern = _SCALARS.get(schema.type) if isinstance(schema.type, OpenAPIType) else None
    return pattern is None or pattern.fullmatch(value) is not None


class QueryRules:
    """The query parameters of every operation, read from the app's own OpenAPI."""

    def __init__(self, openapi: OpenAPI) -> None:
        self.operations: dict[str, dict[str, Schema]] = {}
        self.path_types: dict[str, dict[str, Schema]] = {}
        for path, item in (openapi.paths or {}).items():
            if item.get is None:
                continue
            for where, table in (("query", self.operations), ("path", self.path_types)):
                table[path] = {
                    p.name: p.schema
                    for p in item.get.parameters or []
                    if isinstance(p, Parameter) and p.param_in == where and isinstance(p.schema, Schema)
                }

    def check(self, template: str, query_string: bytes, path_params: dict[str, Any]) -> None:
        known = self.operations.get(template)
        if known is None:
            return
        problems = []
        for name, schema in self.path_types.get(template, {}).items():
            if schema.type == OpenAPIType.INTEGER and not INTEGER.fullmatch(str(path_params.get(name, ""))):
                problems.append({"key": name, "source": "path", "message": "must be an integer"})
        for name, value in parse_qsl(query_string.decode("latin-1"), keep_blank_values=True):
            schema = known.get(name)
            if schema is None:
                listed = ", ".join(sorted(known)) or "none"
                problems.append({"key": name, "source": "query", "message": f"unknown; known: {listed}"})
            elif schema.type == OpenAPIType.BOOLEAN and value not in ("true", "false"):
                problems.append({"key": name, "source": "query", "message": "must be true or false"})
            elif schema.enum is not None and value not in schema.enum:
                choices = ", ".join(str(choice) for choice in schema.enum)
                problems.append({"key": name, "source": "query", "message": f"must be one of {choices}"})
            elif not _scalar_ok(schema, value):
                kind = "an integer" if schema.type == OpenAPIType.INTEGER else "a decimal number"
                problems.append({"key": name, "source": "query", "message": f"must be {kind}"})
        if problems:
            raise ValidationException(detail="invalid query", extra=problems)


async def check_query(request: Request[Any, Any, Any]) -> None:
    """before_request hook: reject what the published schema does not allow."""
    rules: QueryRules = request.app.state.query_rules
    scope = request.scope
    rules.check(scope.get("path_template", ""), scope.get("query_string", b""), scope.get("path_params", {}))
