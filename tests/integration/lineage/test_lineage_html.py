"""The lineage page in a real browser: headless Chromium runs its script and draws every node."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

from .conftest import StackLineage

pytestmark = pytest.mark.integration

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--virtual-time-budget=5000",
]


def chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if found := shutil.which(name):
            return found
    pytest.fail(
        "Chromium is needed to test the lineage page: install Debian's package with "
        "`apt-get install -y chromium` (scripts/setup.sh does this when run as root)."
    )


class DrawnNodes(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: list[str] = []
        self.rendered: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "g" and "node" in (values.get("class") or "").split():
            self.ids.append(values.get("id") or "")
        if tag == "body":
            self.rendered = values.get("data-rendered")


def run_chromium(page: Path, profile: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [chromium(), *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *extra, page.as_uri()],
        capture_output=True,
        text=True,
        timeout=90,
    )


def test_given_the_page_when_chromium_renders_it_then_every_node_is_drawn(
    stack_lineage: StackLineage, tmp_path
):
    page = stack_lineage.run.html
    assert page is not None
    static = page.read_text()
    assert 'class="node' not in static.split("<script")[0]  # nothing drawn until the script runs

    result = run_chromium(page, tmp_path / "profile", "--dump-dom")
    assert result.returncode == 0, result.stderr[-2000:]
    drawn = DrawnNodes()
    drawn.feed(result.stdout)

    expected = sorted(node.key for node in stack_lineage.run.graph.nodes.values())
    assert sorted(drawn.ids) == expected
    assert drawn.rendered == str(len(expected))
    for key in ("tmdb:v3.movies", "job:source-tmdb", f"mongodb:{stack_lineage.coords.mongo_database}.movies"):
        assert key in drawn.ids
    data = json.loads(
        re.search(r'id="lineage-data" type="application/json">(.*?)</script>', static, re.S).group(1)
    )
    assert len(data["edges"]) == result.stdout.count("data-from=")


def test_given_the_page_when_chromium_takes_a_screenshot_then_a_picture_is_written(stack_lineage, tmp_path):
    picture = stack_lineage.output / "lineage.png"
    result = run_chromium(
        stack_lineage.run.html, tmp_path / "profile", "--window-size=2400,1200", f"--screenshot={picture}"
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert picture.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert picture.stat().st_size > 20_000  # a blank page compresses to a few kB
