"""Labelled text files (TSV or JSONL) and the leakage-free splits the trainer validates on."""

from __future__ import annotations

import csv
import hashlib
import json
import random
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

# SST-2 phrases contain bare quotes, so the TSV must be read without quote handling.
csv.field_size_limit(1 << 30)


@dataclass(frozen=True)
class Labelled:
    """Texts with binary labels (1 = positive, 0 = negative)."""

    texts: list[str]
    labels: list[int]

    def __len__(self) -> int:
        return len(self.texts)

    def subset(self, indices: Sequence[int]) -> Labelled:
        return Labelled([self.texts[i] for i in indices], [self.labels[i] for i in indices])


class DataFormatError(ValueError):
    """A labelled file is not TSV `sentence<TAB>label` or JSONL `{"text", "label"}`."""


def _label(value: object, where: str) -> int:
    try:
        label = int(str(value).strip())
    except ValueError:
        raise DataFormatError(f"{where}: label {value!r} is not 0 or 1") from None
    if label not in (0, 1):
        raise DataFormatError(f"{where}: label {label} is not 0 or 1")
    return label


def _read_tsv(path: Path) -> Labelled:
    texts: list[str] = []
    labels: list[int] = []
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
        header = [name.strip().lower() for name in next(reader, [])]
        text_col = next((header.index(n) for n in ("sentence", "text") if n in header), None)
        if text_col is None or "label" not in header:
            raise DataFormatError(f"{path}: expected a header `sentence<TAB>label`, got {header}")
        label_col = header.index("label")
        for line_no, row in enumerate(reader, start=2):
            if not row:
                continue
            texts.append(row[text_col].strip())
            labels.append(_label(row[label_col], f"{path}:{line_no}"))
    return Labelled(texts, labels)


def _read_jsonl(path: Path) -> Labelled:
    texts: list[str] = []
    labels: list[int] = []
    with path.open(encoding="utf-8") as handle:
        for line_no, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
                text = record["text"]
                label = record["label"]
            except (json.JSONDecodeError, KeyError, TypeError) as exc:
                raise DataFormatError(f"{path}:{line_no}: expected {{'text', 'label'}} ({exc})") from None
            texts.append(str(text))
            labels.append(_label(label, f"{path}:{line_no}"))
    return Labelled(texts, labels)


def read_labelled(path: Path) -> Labelled:
    """Read `sentence<TAB>label` TSV (with header) or `{"text", "label"}` JSONL, by extension."""
    suffix = path.suffix.lower()
    if suffix in (".tsv", ".txt"):
        return _read_tsv(path)
    if suffix in (".jsonl", ".json", ".ndjson"):
        return _read_jsonl(path)
    raise DataFormatError(f"{path}: unknown extension {suffix!r}; use .tsv or .jsonl")


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def phrase_groups(texts: Sequence[str]) -> list[int]:
    """Group SST phrases by the longest phrase (a sentence, usually) that contains them.

    SST-2's training rows are nodes of parse trees: most are sub-phrases of a longer row. Holding out
    whole groups keeps a held-out sentence's own sub-phrases out of training. Texts are visited from
    the longest; one that is no substring of an earlier root starts a new group. Candidate roots are
    found through their rarest word, so this stays near-linear instead of comparing every pair.
    """
    normal = [" " + " ".join(t.lower().split()) + " " for t in texts]
    order = sorted(range(len(texts)), key=lambda i: -len(normal[i]))
    word_roots: dict[str, list[int]] = defaultdict(list)
    group = [-1] * len(texts)
    roots: list[int] = []
    for i in order:
        words = set(normal[i].split())
        if words:
            rarest = min(words, key=lambda w: len(word_roots.get(w, ())))
            for root in word_roots.get(rarest, ()):
                if normal[i] in normal[roots[root]]:
                    group[i] = root
                    break
        if group[i] == -1:
            group[i] = len(roots)
            roots.append(i)
            for word in words:
                word_roots[word].append(group[i])
    return group


def group_roots(groups: Sequence[int]) -> set[int]:
    """Index of each group's first (longest) member: the sentence the group was built from."""
    seen: dict[int, int] = {}
    for index, grp in enumerate(groups):
        seen.setdefault(grp, index)
    return set(seen.values())


def split_by_group(groups: Sequence[int], held_out: float, seed: int) -> tuple[list[int], list[int]]:
    """Row indices of (train, held-out), holding out a `held_out` fraction of the groups."""
    ids = sorted(set(groups))
    random.Random(seed).shuffle(ids)
    held = set(ids[: round(len(ids) * held_out)])
    train = [i for i, g in enumerate(groups) if g not in held]
    test = [i for i, g in enumerate(groups) if g in held]
    return train, test


def stratified_folds(labels: Sequence[int], k: int, seed: int) -> list[int]:
    """Fold number (0..k-1) of each row, labels balanced across folds."""
    fold = [0] * len(labels)
    rng = random.Random(seed)
    for value in sorted(set(labels)):
        rows = [i for i, y in enumerate(labels) if y == value]
        rng.shuffle(rows)
        for position, row in enumerate(rows):
            fold[row] = position % k
    return fold
