"""The list collections, answered from memory: one copy per synced snapshot.

FerretDB (the local MongoDB-protocol server) pushes no sort down to its storage, and on SQLite no
filter but an `_id` lookup: any list query decodes every document of the collection (2.7 s for
10k movie cards on these 2 cores). The collections lists read (the cards, trending, genre stats)
are small and change only when the sync records a new snapshot, so the API reads each once per
snapshot (up to `API_RESIDENT_MAX_DOCUMENTS` documents) and answers list queries from that copy;
of the reviews it keeps what a movie's review list filters and sorts by, and reads the page's
reviews by `_id`. `find` below has MongoDB's semantics for the operators the API sends (tested
against the server on the same documents); a query using any other operator, or a bigger
collection, goes to the server.
"""

from __future__ import annotations

import asyncio
import bisect
import gc
import itertools
import re
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import msgspec
from pymongo.errors import ExecutionTimeout

from serving_api.lib.mongo import Db, max_time_ms

Doc = dict[str, Any]
Predicate = Callable[[Doc], bool]
# the collections kept, and what of each: the cards, trending, genre stats and the people pairs
# whole (small documents made for lists); of the reviews only what a movie's review list filters
# and sorts by, the page then read by `_id`. The pairs grow with the square of a cast (900k co-star
# rows at 10k movies): above API_RESIDENT_MAX_DOCUMENTS the server answers, from its indexes
RESIDENT: dict[str, dict[str, int] | None] = {
    "movie_cards": None,
    "person_cards": None,
    "reviews": {"movie_id": 1, "created_at": 1, "sentiment.label": 1},
    "trending": None,
    "genre_stats": None,
    "co_stars": None,
    "collaborations": None,
}
_MISSING = object()


class Unsupported(Exception):
    """The query uses something `find` does not implement; ask the server instead."""


# --- MongoDB's comparison order (BSON types, then values) --------------------------------------
def _type_rank(value: Any) -> int:
    if value is None or value is _MISSING:
        return 1
    if isinstance(value, bool):
        return 8
    if isinstance(value, int | float):
        return 2
    if isinstance(value, str):
        return 3
    if isinstance(value, dict):
        return 4
    if isinstance(value, datetime):
        return 9
    raise Unsupported(f"no ordering for {type(value).__name__}")


def _get(doc: Doc, path: str) -> Any:
    value: Any = doc
    for part in path.split("."):
        if not isinstance(value, dict):
            return _MISSING  # through an array or a scalar: not an operator this API sends
        value = value.get(part, _MISSING)
    return value


def _candidates(value: Any) -> list[Any]:
    """What a condition on a field tests: the value, and each element when it is an array."""
    return [value, *value] if isinstance(value, list) else [value]


def _comparison(op: str, operand: Any) -> Predicate:
    rank = _type_rank(operand)
    compare: dict[str, Callable[[Any], bool]] = {
        "$gt": lambda v: v > operand,
        "$gte": lambda v: v >= operand,
        "$lt": lambda v: v < operand,
        "$lte": lambda v: v <= operand,
    }
    test = compare[op]

    def check(value: Any) -> bool:
        # MongoDB compares within one type only: {$gte: 5} never matches null or "6"
        return any(
            c is not _MISSING and not isinstance(c, list) and _type_rank(c) == rank and test(c)
            for c in _candidates(value)
        )

    return check


def _equality(operand: Any) -> Callable[[Any], bool]:
    if isinstance(operand, dict | list):
        raise Unsupported("equality with a document or an array")
    if operand is None:
        return lambda value: value is _MISSING or any(c is None for c in _candidates(value))
    rank = _type_rank(operand)
    return lambda value: any(
        c is not _MISSING and not isinstance(c, list) and _type_rank(c) == rank and c == operand
        for c in _candidates(value)
    )


def _regex(pattern: str, options: str) -> Callable[[Any], bool]:
    if options:
        raise Unsupported("regex options")
    compiled = re.compile(pattern)  # the API sends anchored, re.escape'd words
    return lambda value: any(isinstance(c, str) and compiled.search(c) for c in _candidates(value))


def _field(path: str, condition: Any) -> Predicate:
    tests: list[Callable[[Any], bool]] = []
    if isinstance(condition, dict) and condition and all(k.startswith("$") for k in condition):
        for op, operand in condition.items():
            if op == "$eq":
                tests.append(_equality(operand))
            elif op == "$ne":
                equal = _equality(operand)
                tests.append(lambda value, equal=equal: not equal(value))
            elif op in ("$gt", "$gte", "$lt", "$lte"):
                tests.append(_comparison(op, operand))
            elif op == "$regex":
                tests.append(_regex(operand, condition.get("$options", "")))
            elif op != "$options":
                raise Unsupported(op)
    else:
        tests.append(_equality(condition))
    return lambda doc: all(test(_get(doc, path)) for test in tests)


def compile_query(query: Doc) -> Predicate:
    """A predicate with MongoDB's meaning of `query`, for the operators above."""
    parts: list[Predicate] = []
    for key, condition in query.items():
        if key == "$and":
            parts.extend(compile_query(sub) for sub in condition)
        elif key.startswith("$"):
            raise Unsupported(key)
        else:
            parts.append(_field(key, condition))
    return lambda doc: all(part(doc) for part in parts)


def _sort_value(doc: Doc, path: str) -> tuple[int, Any]:
    value = _get(doc, path)
    if isinstance(value, list):
        raise Unsupported("sorting by an array field")
    # null and missing sort together, before every other type
    return (1, 0) if value is None or value is _MISSING else (_type_rank(value), value)


def sort_documents(documents: list[Doc], spec: list[tuple[str, int]]) -> list[Doc]:
    """`documents` in MongoDB's order for `spec`: one stable sort per key, the last key first, so
    keys of opposite directions need no wrapper objects (all comparisons stay in C)."""
    ordered = list(documents)
    for path, direction in reversed(spec):
        ordered.sort(key=lambda doc, path=path: _sort_value(doc, path), reverse=direction == -1)
    return ordered


def project(doc: Doc, projection: dict[str, int]) -> Doc:
    if any("." in field for field in projection):
        raise Unsupported("projection of a nested field")
    included = {f for f, on in projection.items() if on}
    if included:  # an inclusion projection: _id comes along unless excluded
        keep = included if projection.get("_id", 1) == 0 else included | {"_id"}
        return {k: v for k, v in doc.items() if k in keep}
    excluded = {f for f, on in projection.items() if not on}
    return {k: v for k, v in doc.items() if k not in excluded}


# an escaped punctuation mark is literal; an escaped letter or digit is a class (\d) or anchor (\b)
_ANCHORED_LITERAL = re.compile(r"\^((?:\\[^A-Za-z0-9]|[^\\.^$*+?()\[\]{}|])*)")


def _literal_prefix(condition: Doc) -> str | None:
    """The literal text an anchored regex without metacharacters requires at the start (the API
    sends `^` + re.escape(word)); None for any other condition."""
    pattern = condition.get("$regex")
    if set(condition) != {"$regex"} or not isinstance(pattern, str):
        return None
    match = _ANCHORED_LITERAL.fullmatch(pattern)
    return None if match is None else re.sub(r"\\(.)", r"\1", match.group(1))


class ResidentCollection:
    """One collection's documents as of one snapshot, with what queries reuse: the sorted order per
    sort spec, an equality index per field, and the matches of recent queries (pages are slices)."""

    def __init__(self, documents: list[Doc], complete: bool = True, remembered: int = 256) -> None:
        self.documents = documents
        self.complete = complete  # False: the documents hold only the fields queries use
        self.remembered = remembered
        self._orders: dict[tuple[tuple[str, int], ...], list[Doc]] = {}
        self._indexes: dict[str, dict[tuple[int, Any], list[Doc]]] = {}
        self._word_lists: dict[str, list[tuple[str, int]]] = {}
        self._matches: OrderedDict[bytes, list[Doc]] = OrderedDict()

    def find(
        self, query: Doc, projection: dict[str, int], spec: list[tuple[str, int]], skip: int, limit: int
    ) -> tuple[list[Doc], int]:
        """(the page, how many documents match): `find(query).sort(spec).skip().limit()` + count."""
        key = msgspec.json.encode([query, spec], order="sorted")
        matches = self._matches.get(key)
        if matches is None:
            matches = self._match(query, spec)
            self._matches[key] = matches
            while len(self._matches) > self.remembered:
                self._matches.popitem(last=False)
        else:
            self._matches.move_to_end(key)
        return [project(doc, projection) for doc in matches[skip : skip + limit]], len(matches)

    def _match(self, query: Doc, spec: list[tuple[str, int]]) -> list[Doc]:
        predicate = compile_query(query)
        narrowed = self._narrowed(query)
        if narrowed is None:  # no equality to narrow by: walk the whole collection in order
            return [doc for doc in self._ordered(spec) if predicate(doc)]
        return sort_documents([doc for doc in narrowed if predicate(doc)], spec)

    def _narrowed(self, query: Doc) -> list[Doc] | None:
        """A superset of the matches (the predicate still decides), when the query allows one: the
        documents holding its first top-level scalar equality's value, or else a word starting
        with its first anchored literal prefix (`{_title_tokens: {$regex: "^amel"}}`)."""
        conditions = [*query.items(), *(item for sub in query.get("$and", []) for item in sub.items())]
        for path, condition in conditions:
            if not path.startswith("$") and not isinstance(condition, dict | list) and condition is not None:
                return self._index(path).get((_type_rank(condition), condition), [])
        for path, condition in conditions:
            prefix = (
                _literal_prefix(condition)
                if isinstance(condition, dict) and not path.startswith("$")
                else None
            )
            if prefix is not None:
                return self._prefixed(path, prefix)
        return None

    def _prefixed(self, path: str, prefix: str) -> list[Doc]:
        words = self._words(path)
        start = bisect.bisect_left(words, (prefix,))
        found: dict[int, Doc] = {}
        for word, position in itertools.islice(words, start, None):
            if not word.startswith(prefix):
                break
            found[position] = self.documents[position]
        return list(found.values())

    def _words(self, path: str) -> list[tuple[str, int]]:
        """(string value or array element, document position), sorted: prefix ranges by bisection."""
        if path not in self._word_lists:
            self._word_lists[path] = sorted(
                (value, position)
                for position, doc in enumerate(self.documents)
                for value in _candidates(_get(doc, path))
                if isinstance(value, str)
            )
        return self._word_lists[path]

    def prepare(
        self, orders: list[list[tuple[str, int]]], equalities: list[str], prefixes: list[str]
    ) -> None:
        """Build what these sorts, equality and prefix filters use now, not on a request."""
        for spec in orders:
            self._ordered(spec)
        for path in equalities:
            self._index(path)
        for path in prefixes:
            self._words(path)

    def _index(self, path: str) -> dict[tuple[int, Any], list[Doc]]:
        if path not in self._indexes:
            index: dict[tuple[int, Any], list[Doc]] = {}
            for doc in self.documents:
                seen = set()
                for value in _candidates(_get(doc, path)):
                    if value is _MISSING or isinstance(value, dict | list):
                        continue
                    entry = (_type_rank(value), value)
                    if entry not in seen:  # an array holding a value twice lists its document once
                        seen.add(entry)
                        index.setdefault(entry, []).append(doc)
            self._indexes[path] = index
        return self._indexes[path]

    def _ordered(self, spec: list[tuple[str, int]]) -> list[Doc]:
        frozen = tuple(spec)
        if frozen not in self._orders:
            self._orders[frozen] = sort_documents(self.documents, spec)
        return self._orders[frozen]


@dataclass(frozen=True)
class Preparation:
    """What a collection's queries will use: sort specs, equality-filtered and prefix-searched
    fields."""

    orders: list[list[tuple[str, int]]] = field(default_factory=list)
    equalities: list[str] = field(default_factory=list)
    prefixes: list[str] = field(default_factory=list)


class ResidentCollections:
    """The resident copies of the current snapshot, each read from MongoDB once."""

    def __init__(self, max_documents: int, prepared: dict[str, Preparation] | None = None) -> None:
        self.max_documents = max_documents
        self.prepared = prepared or {}  # per collection: what to build as soon as it is loaded
        self._tag = ""
        self._loads: dict[str, asyncio.Task[ResidentCollection]] = {}

    async def get(self, db: Db, tag: str, name: str, documents: int | None) -> ResidentCollection | None:
        """`name`'s copy for snapshot `tag`, or None when the server should answer. A request
        waits for a copy being loaded at most what is left of its query budget (then a 504)."""
        task = self._task(db, tag, name, documents)
        if task is None:
            return None
        budget = max_time_ms()
        try:
            # shielded: a request that gives up leaves the load running for the next one
            return await asyncio.wait_for(asyncio.shield(task), None if budget is None else budget / 1000)
        except TimeoutError:
            raise ExecutionTimeout(f"{name} is still being read for the new snapshot", 50) from None

    def warm(self, db: Db, tag: str, documents: dict[str, int]) -> None:
        """Start loading snapshot `tag`'s copies now (when the snapshot is first seen)."""
        for name in RESIDENT:
            self._task(db, tag, name, documents.get(name))

    def _task(
        self, db: Db, tag: str, name: str, documents: int | None
    ) -> asyncio.Task[ResidentCollection] | None:
        if name not in RESIDENT or documents is None or documents > self.max_documents:
            return None
        if tag != self._tag:  # a new snapshot: the old copies go
            self._tag, self._loads = tag, {}
        task = self._loads.get(name)
        if task is None:
            preparation = self.prepared.get(name, Preparation())
            task = asyncio.get_running_loop().create_task(self._load(db, name, RESIDENT[name], preparation))
            task.add_done_callback(lambda done: self._forget_failed(name, done))
            self._loads[name] = task
        return task

    def _forget_failed(self, name: str, task: asyncio.Task[ResidentCollection]) -> None:
        if not task.cancelled() and task.exception() is not None and self._loads.get(name) is task:
            del self._loads[name]  # the next request reads again (e.g. after an outage) and sees the error

    @staticmethod
    async def _load(
        db: Db, name: str, fields: dict[str, int] | None, preparation: Preparation
    ) -> ResidentCollection:
        # no maxTimeMS: one read per snapshot, shared by every request waiting for it
        documents = await db[name].find({}, fields or {"_hash": 0}).to_list()

        def build() -> ResidentCollection:
            copy = ResidentCollection(documents, complete=fields is None)
            copy.prepare(preparation.orders, preparation.equalities, preparation.prefixes)
            return copy

        # sorting and indexing take a few hundred ms at 10k movies: in a thread, the event loop
        # keeps answering between the interpreter's switch intervals
        copy = await asyncio.to_thread(build)
        # Out of the cycle collector's reach: these long-lived dicts hold no cycles (refcounting
        # frees them with their snapshot), and traversing ~10^5 of them in each full collection
        # stalled every request of the worker (lookups' p99 110 ms at 8 connections)
        gc.freeze()
        return copy
