"""`stack up` runs Prometheus, the Pushgateway and the lag exporter only when METRICS_STACK is set."""

from __future__ import annotations

import yaml


def test_given_metrics_stack_off_then_no_monitoring_service(stack_service_names):
    assert not {"prometheus", "pushgateway", "lag-exporter"} & set(stack_service_names(METRICS_STACK="false"))


def test_given_metrics_stack_on_then_the_three_start_last_with_prometheus_after_its_targets(
    stack_service_names,
):
    assert stack_service_names(METRICS_STACK="true")[-3:] == ["pushgateway", "lag-exporter", "prometheus"]


def test_given_the_local_config_then_it_scrapes_every_port_from_the_settings_and_loads_the_rules(
    monkeypatch, tmp_path
):
    from tmdb_pipeline.metrics.prometheus_config import write_local_config
    from tmdb_pipeline.metrics.settings import MetricsSettings
    from tmdb_pipeline.settings import StackSettings

    metrics = MetricsSettings(pushgateway_port=1111, landing_port=2222, pipeline_port=0, exporter_port=3333)
    path = write_local_config(tmp_path / "prometheus.yml", StackSettings(), metrics, api_port=4444)
    config = yaml.safe_load(path.read_text())
    targets = {job["job_name"]: job["static_configs"][0]["targets"][0] for job in config["scrape_configs"]}
    assert targets["pushgateway"].endswith(":1111") and targets["tmdb-landing"].endswith(":2222")
    assert targets["tmdb-lag-exporter"].endswith(":3333") and targets["tmdb-api"].endswith(":4444")
    assert "tmdb-pipeline" not in targets  # port 0: not served, not scraped
    assert any(rule.endswith("tmdb-pipeline.rules.yml") for rule in config["rule_files"])
