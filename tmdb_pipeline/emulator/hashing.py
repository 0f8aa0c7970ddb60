"""Counter-based hashing: every random draw of the catalogue is a pure function of (seed, stream, key).

The same functions accept a Python int or a numpy uint64 array, so one record computed on demand and
a whole column computed for sorting agree bit for bit. Only operations that are exact in both worlds
are used (integer mixing, `+ - * /` and `sqrt` on float64, truncation), never `pow`/`log`/`exp`,
whose last bit may differ between libm and numpy's SIMD loops.
"""

from __future__ import annotations

import base64
import bisect
import random
from collections.abc import Sequence
from typing import TypeVar

import numpy as np

M64 = (1 << 64) - 1
_GOLDEN = 0x9E3779B97F4A7C15
_TWO_POW_53 = 1.0 / 9007199254740992.0

Key = TypeVar("Key", int, np.ndarray)


def _finalize(z: Key) -> Key:
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M64
    return z ^ (z >> 31)


def stream_key(seed: int, stream: str) -> int:
    """A 64-bit constant for one named stream of one seed (stable across runs, unlike hash())."""
    acc = (seed * _GOLDEN) & M64
    for char in stream.encode():
        acc = _finalize((acc ^ char) + _GOLDEN & M64)
    return acc


def mix(stream: int, key: Key) -> Key:
    """The 64-bit hash of `key` in `stream` (splitmix64's finalizer over a keyed counter)."""
    if isinstance(key, np.ndarray):
        z = key.astype(np.uint64) * np.uint64(_GOLDEN) + np.uint64(stream)
        return _finalize(z)
    return _finalize((key * _GOLDEN + stream) & M64)


def unit(h: Key) -> Key:
    """A float in [0, 1) from the top 53 bits of a hash."""
    return (h >> 11) * _TWO_POW_53


def cumulative(weights: Sequence[int]) -> list[int]:
    out, total = [], 0
    for weight in weights:
        total += weight
        out.append(total)
    return out


def weighted_index(h: Key, cum: Sequence[int]) -> Key:
    """Index drawn with integer weights given as a cumulative list (exact for ints and arrays)."""
    r = h % cum[-1]
    if isinstance(r, np.ndarray):
        return np.searchsorted(np.asarray(cum, dtype=np.uint64), r, side="right")
    return bisect.bisect_right(cum, r)


def rng(stream: int, key: int) -> random.Random:
    """A private Random for one record: rich fields (text, lists) are drawn from it in a fixed order."""
    return random.Random(mix(stream, key))


def hex_id(stream: int, key: int, length: int = 24) -> str:
    """TMDB-looking hex identifiers (credit ids, review ids) that never collide in practice."""
    h1 = mix(stream, key)
    h2 = mix(stream ^ 0x5BD1E995, key)
    return f"{h1:016x}{h2:016x}"[:length]


_B64_TO_B62 = bytes.maketrans(b"+/", b"Qx")


def image_path(stream: int, key: int, ext: str = ".jpg") -> str:
    """An image path shaped like TMDB's (`/` + 27 base-62 characters + extension)."""
    raw = b"".join(mix(stream ^ salt, key).to_bytes(8, "little") for salt in (0, 0x27D4EB2F, 0x165667B1))
    return "/" + base64.b64encode(raw)[:27].translate(_B64_TO_B62).decode() + ext
