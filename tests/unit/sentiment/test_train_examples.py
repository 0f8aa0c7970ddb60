"""The training set's sentence emphasis: whole sentences (group roots) repeated, phrases once."""

from __future__ import annotations

from tmdb_pipeline.sentiment.finetune import Example
from tmdb_pipeline.sentiment.train import with_sentence_repeats


def _examples(n: int) -> list[Example]:
    return [Example([101, i, 102], float(i % 2)) for i in range(n)]


def test_given_repeats_when_building_examples_then_only_roots_are_copied_that_many_more_times():
    examples = _examples(5)
    rows = [10, 11, 12, 13, 14]  # row indices into the SST-2 file
    roots = {11, 14, 99}  # 99: a root that is held out, not in this training set

    built = with_sentence_repeats(examples, rows, roots, repeats=2)

    assert built[:5] == examples
    assert built[5:] == [examples[1], examples[4], examples[1], examples[4]]


def test_given_no_repeats_when_building_examples_then_the_set_is_unchanged():
    examples = _examples(3)
    assert with_sentence_repeats(examples, [0, 1, 2], {0, 1, 2}, repeats=0) == examples
