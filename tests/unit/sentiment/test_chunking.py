"""Token windows and text clean-up."""

from __future__ import annotations

import itertools

import pytest

from tmdb_pipeline.sentiment.chunking import clean_text, token_windows


def test_given_short_text_when_windowed_then_one_chunk() -> None:
    assert token_windows(list(range(5)), window=10, overlap=2, max_chunks=8) == [list(range(5))]


@pytest.mark.parametrize(("length", "window", "overlap"), [(100, 30, 10), (31, 30, 5), (1000, 254, 64)])
def test_given_long_text_when_windowed_then_every_token_covered_with_overlap(
    length: int, window: int, overlap: int
) -> None:
    ids = list(range(length))
    chunks = token_windows(ids, window, overlap, max_chunks=1000)
    assert all(len(c) == window for c in chunks)
    assert chunks[0][0] == 0
    assert chunks[-1][-1] == length - 1
    assert set().union(*map(set, chunks)) == set(ids)
    for before, after in itertools.pairwise(chunks):
        assert len(set(before) & set(after)) >= overlap


def test_given_huge_text_when_windowed_then_chunks_capped_keeping_first_and_last() -> None:
    ids = list(range(100_000))
    chunks = token_windows(ids, 254, 64, max_chunks=16)
    assert len(chunks) == 16
    assert chunks[0][0] == 0
    assert chunks[-1][-1] == 99_999


def test_given_html_and_spaces_when_cleaned_then_plain_text() -> None:
    assert clean_text("  Great<br/>movie &amp; <i>cast</i>\n\n", 1000) == "Great movie & cast"


def test_given_text_over_limit_when_cleaned_then_head_and_tail_kept() -> None:
    text = "start " + "x" * 5000 + " end"
    cleaned = clean_text(text, 1000)
    assert len(cleaned) <= 1001
    assert cleaned.startswith("start")
    assert cleaned.endswith("end")
