"""`tmdb-pipeline sentiment score | eval` through the real CLI app and the shipped model."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tmdb_pipeline.cli import app
from tmdb_pipeline.sentiment.scorer import SentimentScorer

LAST_LINE = re.compile(r"^accuracy=(\d\.\d{4}) n=(\d+) texts_per_s=(\d+(?:\.\d+)?)$")
TEXTS = [
    ("a warm , funny and beautifully acted film", 1),
    ("dull , lifeless and far too long", 0),
    ("one of the most enjoyable movies of the year", 1),
    ("an embarrassing , incoherent mess", 0),
    ("the performances are wonderful", 0),  # deliberately mislabelled: accuracy must notice
]


@pytest.fixture(scope="module")
def runner() -> CliRunner:
    return CliRunner()


def _expected_accuracy(scorer: SentimentScorer) -> float:
    results = scorer.score([t for t, _ in TEXTS])
    return sum((r.score > 0) == bool(y) for r, (_, y) in zip(results, TEXTS, strict=True)) / len(TEXTS)


def test_given_texts_when_score_then_one_row_each_with_label_score_confidence(runner: CliRunner) -> None:
    result = runner.invoke(app, ["sentiment", "score", "A superb film.", "An awful film."])
    assert result.exit_code == 0, result.output
    rows = [line for line in result.stdout.splitlines() if "score=" in line]
    assert len(rows) == 2
    assert rows[0].startswith("positive") and "confidence=" in rows[0]
    assert rows[1].startswith("negative")


def test_given_json_flag_when_score_then_json_lines(runner: CliRunner) -> None:
    result = runner.invoke(app, ["sentiment", "score", "--json", "A superb film.", ""])
    assert result.exit_code == 0, result.output
    first, second = (json.loads(line) for line in result.stdout.splitlines())
    assert first["sentiment"]["label"] == "positive"
    assert set(first["sentiment"]) == {"score", "label", "confidence"}
    assert second["sentiment"] is None


def test_given_tsv_when_eval_then_last_line_reports_accuracy(
    runner: CliRunner, tmp_path: Path, scorer: SentimentScorer
) -> None:
    path = tmp_path / "sample.tsv"
    path.write_text("sentence\tlabel\n" + "".join(f"{t}\t{y}\n" for t, y in TEXTS), encoding="utf-8")
    result = runner.invoke(app, ["sentiment", "eval", str(path)])
    assert result.exit_code == 0, result.output
    match = LAST_LINE.match(result.stdout.strip().splitlines()[-1])
    assert match, result.stdout
    assert float(match.group(1)) == pytest.approx(_expected_accuracy(scorer), abs=1e-4)
    assert float(match.group(1)) <= 0.8  # the mislabelled row cannot be right
    assert int(match.group(2)) == len(TEXTS)
    assert float(match.group(3)) > 0


def test_given_jsonl_when_eval_then_last_line_reports_accuracy(
    runner: CliRunner, tmp_path: Path, scorer: SentimentScorer
) -> None:
    path = tmp_path / "sample.jsonl"
    path.write_text("".join(json.dumps({"text": t, "label": y}) + "\n" for t, y in TEXTS), encoding="utf-8")
    result = runner.invoke(app, ["sentiment", "eval", str(path)])
    assert result.exit_code == 0, result.output
    match = LAST_LINE.match(result.stdout.strip().splitlines()[-1])
    assert match, result.stdout
    assert float(match.group(1)) == pytest.approx(_expected_accuracy(scorer), abs=1e-4)


def test_given_malformed_file_when_eval_then_clear_error_and_exit_2(
    runner: CliRunner, tmp_path: Path
) -> None:
    path = tmp_path / "bad.tsv"
    path.write_text("text only, no header\n", encoding="utf-8")
    result = runner.invoke(app, ["sentiment", "eval", str(path)])
    assert result.exit_code == 2
    assert "header" in result.output
