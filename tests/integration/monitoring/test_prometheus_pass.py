"""A real Prometheus, started by the stack code, sees a stalled landing job and the commands' counts.

Records extracted (`tmdb-pipeline extract`, its own process, pushing to the test Pushgateway) with no
landing job running must make the lag alert's expression hold: Prometheus marks it pending under the
shipped rules (their `for` of 15 minutes is checked by `promtool test rules` in tests/unit/monitoring),
and firing once the same rules are reloaded with that alert's hold cut to seconds. `land --once` then
drains it: PromQL returns the counts each command printed, and the lag exporter, scraped by
Prometheus, shows a lag of 0. (A whole pass's pushed figures, transform and sync included, are checked
by tests/integration/pipeline/test_object_storage_pass.py.)
"""

from __future__ import annotations

import contextlib
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import yaml

from tmdb_pipeline.settings import PROJECT_ROOT

pytestmark = [pytest.mark.integration, pytest.mark.slow]
CLI = str(Path(sys.executable).with_name("tmdb-pipeline"))


def pipeline(*args: str, pushgateway: str) -> str:
    env = {**os.environ, "METRICS_PUSHGATEWAY_URL": pushgateway, "COLUMNS": "250", "NO_COLOR": "1"}
    done = subprocess.run(
        [CLI, *args], env=env, capture_output=True, text=True, cwd=PROJECT_ROOT, timeout=1500
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return done.stdout


def number(pattern: str, text: str) -> int:
    found = re.search(pattern, text)
    assert found, f"{pattern!r} not in the output:\n{text}"
    return int(found.group(1).replace(",", ""))


@contextlib.contextmanager
def rules_with_hold(monitoring, alert: str, hold: str) -> Iterator[None]:
    """Prometheus reloaded with a copy of the shipped rules in which `alert` is held `hold`."""
    original = monitoring.config.read_text()
    config = yaml.safe_load(original)
    groups = []
    for path in config["rule_files"]:
        for group in yaml.safe_load(Path(path).read_text())["groups"]:
            for rule in group["rules"]:
                if rule.get("alert") == alert:
                    rule["for"] = hold
            groups.append(group)
    copy = monitoring.config.with_name("rules-short-hold.yml")
    copy.write_text(yaml.safe_dump({"groups": groups}, sort_keys=False))
    monitoring.config.write_text(yaml.safe_dump({**config, "rule_files": [str(copy)]}, sort_keys=False))
    httpx.post(f"{monitoring.prometheus}/-/reload", timeout=30).raise_for_status()
    try:
        yield
    finally:
        monitoring.config.write_text(original)
        httpx.post(f"{monitoring.prometheus}/-/reload", timeout=30).raise_for_status()


def test_given_no_landing_job_when_records_reach_kafka_then_the_lag_alert_holds_and_fires(monitoring):
    pushgateway = monitoring.pushgateway
    out = pipeline("extract", "--streams", "genres", "--full-refresh", "--json", pushgateway=pushgateway)
    produced = number(r'"records": (\d+)', out)
    assert produced > 0
    assert monitoring.value_of('sum(tmdb_extract_records_total{job="tmdb_extract"})', produced) == produced
    assert monitoring.value_of('max(tmdb_landing_lag_up{job="tmdb-lag-exporter"})', 1) == 1
    lag = 'sum(tmdb_landing_lag_records{job="tmdb-lag-exporter",topic=~".*genres"})'
    assert monitoring.value_of(lag, produced) == produced

    deadline = time.monotonic() + 60  # rules are evaluated every second
    while time.monotonic() < deadline:
        active = {
            (a["labels"]["alertname"], a["labels"].get("topic")): a["state"] for a in monitoring.alerts()
        }
        if active.get(("TmdbLandingStalled", "tmdb_genres")) == "pending":
            break
        time.sleep(1)
    assert active.get(("TmdbLandingStalled", "tmdb_genres")) == "pending", active

    # the shipped rules, this alert held 2 s instead of 15 min: the live Prometheus fires it
    with rules_with_hold(monitoring, "TmdbLandingStalled", "2s"):
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            firing = {
                a["labels"].get("topic")
                for a in monitoring.alerts()
                if a["labels"]["alertname"] == "TmdbLandingStalled" and a["state"] == "firing"
            }
            if "tmdb_genres" in firing:
                break
            time.sleep(1)
        assert "tmdb_genres" in firing, monitoring.alerts()

    # landing again drains the lag (the exporter's live lag and the lag land pushed are both 0),
    # and the alert goes away
    landed = pipeline("land", "--once", pushgateway=pushgateway)
    batches = number(r"(\d+) batches, \d+ records in", landed)
    rows = number(r"\d+ batches, (\d+) records in", landed)
    assert rows >= produced > 0 and batches > 0
    pushed = {
        'sum(tmdb_landing_batches_total{job="tmdb_land"})': batches,
        'sum(tmdb_landing_rows_total{job="tmdb_land"}) + sum(tmdb_landing_quarantined_rows_total{job="tmdb_land"})': rows,
        'sum(tmdb_landing_lag_records{job="tmdb_land"})': 0,
    }
    seen = {promql: monitoring.value_of(promql, expected) for promql, expected in pushed.items()}
    assert seen == {promql: float(expected) for promql, expected in pushed.items()}
    for stage in ("extract", "landing"):
        assert monitoring.value_of(f"min(tmdb_{stage}_last_run_success)", 1) == 1
    assert monitoring.value_of(lag, 0) == 0
    deadline = time.monotonic() + 30
    while any(a["labels"]["alertname"] == "TmdbLandingStalled" for a in monitoring.alerts()):
        assert time.monotonic() < deadline, monitoring.alerts()
        time.sleep(1)
