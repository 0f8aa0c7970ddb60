"""Reading labelled files and the leakage-free splits."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tmdb_pipeline.sentiment.data import (
    DataFormatError,
    group_roots,
    phrase_groups,
    read_labelled,
    split_by_group,
    stratified_folds,
)


def test_given_tsv_with_header_and_quotes_when_read_then_texts_and_labels_kept(tmp_path: Path) -> None:
    path = tmp_path / "d.tsv"
    path.write_text('sentence\tlabel\nthe " best " film \t1\nawful\t0\n', encoding="utf-8")
    data = read_labelled(path)
    assert data.texts == ['the " best " film', "awful"]
    assert data.labels == [1, 0]


def test_given_jsonl_when_read_then_records_in_order(tmp_path: Path) -> None:
    path = tmp_path / "d.jsonl"
    rows = [{"text": "great", "label": 1, "id": "a"}, {"text": "bad", "label": 0}]
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n\n", encoding="utf-8")
    data = read_labelled(path)
    assert (data.texts, data.labels) == (["great", "bad"], [1, 0])


@pytest.mark.parametrize(
    ("name", "body", "message"),
    [
        ("no_header.tsv", "great\t1\n", "header"),
        ("bad_label.tsv", "sentence\tlabel\ngreat\t2\n", "not 0 or 1"),
        ("bad.jsonl", '{"text": "x"}\n', "expected"),
        ("data.csv", "x", "extension"),
    ],
)
def test_given_malformed_file_when_read_then_error_names_the_problem(
    tmp_path: Path, name: str, body: str, message: str
) -> None:
    path = tmp_path / name
    path.write_text(body, encoding="utf-8")
    with pytest.raises(DataFormatError, match=message):
        read_labelled(path)


def test_given_sub_phrases_when_grouped_then_they_share_their_sentence_group() -> None:
    texts = [
        "a gorgeous , witty film",
        "an utterly dull sequel",
        "witty film",
        "gorgeous",
        "dull sequel",
        "witty film",
        "something else entirely",
    ]
    groups = phrase_groups(texts)
    assert groups[0] == groups[2] == groups[3] == groups[5]
    assert groups[1] == groups[4]
    assert len({groups[0], groups[1], groups[6]}) == 3
    assert {texts[i] for i in group_roots(groups)} == {
        "a gorgeous , witty film",
        "an utterly dull sequel",
        "something else entirely",
    }


def test_given_partial_word_when_grouped_then_not_taken_for_a_sub_phrase() -> None:
    # "wit" is inside "witty" as characters but not as a word
    assert len(set(phrase_groups(["a witty film", "wit"]))) == 2


def test_given_groups_when_split_then_no_group_on_both_sides_and_fraction_respected() -> None:
    groups = [i // 3 for i in range(300)]
    train, held = split_by_group(groups, 0.2, seed=1)
    assert not {groups[i] for i in train} & {groups[i] for i in held}
    assert len(held) == 60
    assert sorted(train + held) == list(range(300))


def test_given_labels_when_folded_then_each_fold_balanced() -> None:
    labels = [1] * 50 + [0] * 50
    folds = stratified_folds(labels, 5, seed=3)
    for k in range(5):
        members = [y for y, f in zip(labels, folds, strict=True) if f == k]
        assert len(members) == 20
        assert sum(members) == 10
