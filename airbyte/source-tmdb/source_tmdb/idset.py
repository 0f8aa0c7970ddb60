"""A compact, JSON-safe encoding of a set of TMDB ids, for stream state.

State carries the ids a stream has already emitted (so the next incremental sync fetches only new
and changed ones). Sorted ids are delta-encoded as LEB128 varints, zlib-compressed and base64'd: a
few thousand ids take a few kilobytes instead of tens.
"""

from __future__ import annotations

import base64
import zlib
from collections.abc import Iterable
from functools import lru_cache
from itertools import accumulate

_PREFIX = "v1:"


def pack(ids: Iterable[int]) -> str:
    out = bytearray()
    previous = 0
    for current in sorted(set(ids)):
        if current < 0:
            raise ValueError(f"ids must be non-negative, got {current}")
        delta = current - previous
        previous = current
        while True:
            byte = delta & 0x7F
            delta >>= 7
            if delta:
                out.append(byte | 0x80)
            else:
                out.append(byte)
                break
    return _PREFIX + base64.b64encode(zlib.compress(bytes(out), 9)).decode("ascii")


def unpack(packed: str | None) -> set[int]:
    if not packed:
        return set()
    return set(_unpack(packed))


@lru_cache(maxsize=16)
def _unpack(packed: str) -> frozenset[int]:
    # Cached: a sync reads the same input state in more than one place.
    if not packed.startswith(_PREFIX):
        raise ValueError("unknown id-set encoding")
    data = zlib.decompress(base64.b64decode(packed[len(_PREFIX) :]))
    if not data or max(data) < 0x80:
        return frozenset(accumulate(data))  # every delta fits one byte: decode at C speed
    deltas: list[int] = []
    shift = value = 0
    for byte in data:
        value |= (byte & 0x7F) << shift
        if byte & 0x80:
            shift += 7
            continue
        deltas.append(value)
        value = shift = 0
    return frozenset(accumulate(deltas))
