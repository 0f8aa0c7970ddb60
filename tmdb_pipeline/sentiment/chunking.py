"""Text clean-up and token windows: how a review of any length becomes model-sized chunks."""

from __future__ import annotations

import html
import re

_TAG = re.compile(r"<[^>]{0,200}>")
_SPACE = re.compile(r"\s+")


def clean_text(text: str, max_chars: int) -> str:
    """Drop HTML tags and entities (TMDB reviews carry some), collapse whitespace, bound the length.

    A text over `max_chars` keeps its head and tail: reviews tend to conclude at the end.
    """
    if len(text) > max_chars:
        half = max_chars // 2
        text = text[:half] + " " + text[-half:]
    text = html.unescape(_TAG.sub(" ", text)) if "<" in text or "&" in text else text
    return _SPACE.sub(" ", text).strip()


def token_windows(ids: list[int], window: int, overlap: int, max_chunks: int) -> list[list[int]]:
    """Split token ids into windows of `window` sharing `overlap` tokens; the last one ends the text.

    When there would be more than `max_chunks`, evenly spaced windows are kept (first and last
    always), so a huge text costs a bounded amount of work.
    """
    if len(ids) <= window:
        return [ids]
    stride = window - overlap
    starts = [*range(0, len(ids) - window, stride), len(ids) - window]
    if len(starts) > max_chunks:
        if max_chunks == 1:
            starts = [starts[-1]]
        else:
            step = (len(starts) - 1) / (max_chunks - 1)
            starts = [starts[round(i * step)] for i in range(max_chunks)]
    return [ids[start : start + window] for start in starts]
