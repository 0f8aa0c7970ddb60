"""The packed id sets kept in state."""

from __future__ import annotations

import random

import pytest

from source_tmdb import idset


def test_given_ids_when_packed_and_unpacked_then_the_same_set_comes_back() -> None:
    ids = set(random.Random(3).sample(range(1, 5_000_000), 5000)) | {0, 1, 127, 128, 16384}

    assert idset.unpack(idset.pack(ids)) == ids


def test_given_5000_tmdb_ids_when_packed_then_it_is_far_smaller_than_json() -> None:
    ids = sorted(random.Random(5).sample(range(1, 1_200_000), 5000))

    assert len(idset.pack(ids)) < len(",".join(map(str, ids))) / 2


def test_given_nothing_when_unpacked_then_empty() -> None:
    assert idset.unpack(None) == set() == idset.unpack("") == idset.unpack(idset.pack([]))


def test_given_an_unknown_encoding_when_unpacked_then_it_refuses() -> None:
    with pytest.raises(ValueError):
        idset.unpack("v9:abc")
