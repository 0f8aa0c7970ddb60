"""Response structs built from stored documents by `msgspec.convert`, not field by field.

A response field takes the document field of the same name unless the struct's `renamed` says
otherwise (`{"id": "_id"}`). The conversion is strict: a field missing from the document, or of
another type, fails instead of being served as null; tests/unit/serving/test_contract.py converts
documents made from every Gold contract table, so a struct that disagrees with the contract fails
there first.
"""

from __future__ import annotations

import types
from collections.abc import Mapping
from datetime import date, datetime
from functools import cache
from typing import Any, ClassVar, Self, Union, get_args, get_origin

import msgspec


class FromDocument(msgspec.Struct):
    """Base of the responses read from one stored document."""

    # the collection whose documents it is read from (sync/documents.py's TARGETS name them)
    collection: ClassVar[str]
    # response field -> the document field it is read from, where the names differ
    renamed: ClassVar[Mapping[str, str]] = {}

    @classmethod
    def from_document(
        cls, doc: Mapping[str, Any], renamed: Mapping[str, str] | None = None, **values: Any
    ) -> Self:
        """The response of `doc`: `renamed` replaces the struct's own (for a document read two ways),
        `values` set fields the document does not hold (computed ones)."""
        sources = cls.renamed if renamed is None else renamed
        fields = {**doc, **{name: doc[source] for name, source in sources.items()}, **values}
        for name in _day_fields(cls):
            # BSON has no date type: the sync stores a day as midnight UTC (sync/documents.py)
            if isinstance(fields.get(name), datetime):
                fields[name] = fields[name].date()
        return msgspec.convert(fields, cls)


@cache
def _day_fields(struct: type[msgspec.Struct]) -> tuple[str, ...]:
    """The fields typed `date` (or `date | None`)."""
    return tuple(field.name for field in msgspec.structs.fields(struct) if date in _alternatives(field.type))


def _alternatives(annotation: Any) -> tuple[Any, ...]:
    if get_origin(annotation) in (Union, types.UnionType):
        return get_args(annotation)
    return (annotation,)
