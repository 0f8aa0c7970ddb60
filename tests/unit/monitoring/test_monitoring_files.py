"""Prometheus config, alert rules and Grafana dashboards are checked by promtool and against the code.

promtool (Debian's `prometheus` package, installed by scripts/setup.sh) parses every rule and every
dashboard query; the metric names they use must be ones the code's registries export.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess

import pytest
import yaml

from serving_api.lib.metrics import Metrics
from tmdb_pipeline.metrics import dashboards
from tmdb_pipeline.metrics.prometheus_config import local_config
from tmdb_pipeline.metrics.settings import MetricsSettings
from tmdb_pipeline.metrics.stages import exported_names
from tmdb_pipeline.settings import PROJECT_ROOT, StackSettings

MONITORING = PROJECT_ROOT / "monitoring"
RULES = sorted((MONITORING / "rules").glob("*.yml"))
PROMTOOL = shutil.which("promtool")
# names PromQL may use that no registry of ours defines: Prometheus's own series
BUILT_IN = {"ALERTS", "ALERTS_FOR_STATE", "up"}
KEYWORDS = {
    "by",
    "without",
    "on",
    "ignoring",
    "group_left",
    "group_right",
    "and",
    "or",
    "unless",
    "bool",
    "offset",
}

pytestmark = pytest.mark.skipif(PROMTOOL is None, reason="promtool missing: run scripts/setup.sh")


def promtool(*args: str) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [str(PROMTOOL), *args], capture_output=True, text=True, cwd=PROJECT_ROOT, timeout=120
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done


def metric_names(expr: str) -> set[str]:
    """Metric names in a PromQL expression: identifiers outside strings, label matchers and groupings
    that are not functions (followed by "(") or keywords."""
    text = re.sub(r'"(?:[^"\\]|\\.)*"', '""', expr)
    text = re.sub(r"\{[^}]*\}", "{}", text)
    text = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", " ", text)
    text = re.sub(r"\[[^\]]*\]", "[]", text)
    names = set()
    for match in re.finditer(r"(?<![\w.])([A-Za-z_:][\w:]*)(\s*\()?", text):
        name, call = match.group(1), match.group(2)
        if call or name in KEYWORDS or re.fullmatch(r"\d.*|[eE]", name) or name in ("Inf", "NaN"):
            continue
        names.add(name)
    return names


def rule_exprs() -> list[str]:
    return [
        rule["expr"]
        for path in RULES
        for group in yaml.safe_load(path.read_text())["groups"]
        for rule in group["rules"]
    ]


def dashboard_exprs() -> list[tuple[str, str]]:
    found = []
    for path in sorted((MONITORING / "grafana" / "dashboards").glob("*.json")):
        for panel in json.loads(path.read_text())["panels"]:
            found += [(f"{path.name}: {panel['title']}", t["expr"]) for t in panel["targets"]]
    return found


def test_given_the_static_and_the_generated_config_when_checked_then_promtool_accepts_both(tmp_path):
    promtool("check", "config", str(MONITORING / "prometheus.yml"))
    generated = tmp_path / "prometheus.yml"
    generated.write_text(yaml.safe_dump(local_config(StackSettings(), MetricsSettings(), 8000)))
    promtool("check", "config", str(generated))


def test_given_the_alert_rules_when_checked_and_unit_tested_then_promtool_passes():
    promtool("check", "rules", *map(str, RULES))
    promtool("test", "rules", *map(str, sorted((MONITORING / "rules" / "tests").glob("*.yml"))))


def test_given_every_rule_and_panel_then_it_names_only_metrics_the_code_exports():
    exported = exported_names(Metrics().registry) | BUILT_IN
    used = {
        where: metric_names(expr)
        for where, expr in [(f"rule {i}", e) for i, e in enumerate(rule_exprs())] + dashboard_exprs()
    }
    unknown = {where: sorted(names - exported) for where, names in used.items() if names - exported}
    assert unknown == {}
    assert all(used.values()), "a query without a metric name: the name parser missed it"


def test_given_every_dashboard_query_when_parsed_by_promtool_then_it_is_valid_promql(tmp_path):
    rules = {
        "groups": [
            {
                "name": "dashboards",
                "rules": [
                    {"record": f"panel:{i}", "expr": expr} for i, (_, expr) in enumerate(dashboard_exprs())
                ],
            }
        ]
    }
    path = tmp_path / "panels.yml"
    path.write_text(yaml.safe_dump(rules))
    promtool("check", "rules", str(path))  # parses each expression as PromQL


def test_given_the_dashboard_module_then_the_committed_json_is_what_it_builds():
    committed = {p.name: p.read_text() for p in (MONITORING / "grafana" / "dashboards").glob("*.json")}
    assert committed == dashboards.render(), (
        "regenerate: .venv/bin/python -m tmdb_pipeline.metrics.dashboards"
    )
    assert {
        "tmdb-overview.json",
        "tmdb-extract.json",
        "tmdb-land.json",
        "tmdb-transform.json",
        "tmdb-sync.json",
    } <= set(committed)


def test_given_a_query_then_the_name_parser_finds_its_metrics_only():
    expr = 'histogram_quantile(0.99, sum by (le, route) (rate(tmdb_api_request_duration_seconds_bucket{status=~"5.."}[5m]))) > 1e3'
    assert metric_names(expr) == {"tmdb_api_request_duration_seconds_bucket"}
    assert metric_names("time() - max without (job) (a_b) and c") == {"a_b", "c"}
