"""Superset, as `tmdb-pipeline superset up` starts it, over the Spark SQL endpoint on the pipeline the
end-to-end pass built: the dashboard bundle imports, every chart's saved query returns Gold's rows,
and headless Chromium renders the dashboard (its screenshot is kept as an artifact)."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.integration.pipeline.browser import Browser
from tmdb_pipeline.settings import PROJECT_ROOT, SparkSettings, StackSettings, load
from tmdb_pipeline.sql_endpoint.client import query
from tmdb_pipeline.sql_endpoint.settings import SqlEndpointSettings
from tmdb_pipeline.stack.process import free_port
from tmdb_pipeline.stack.sql_endpoint import SqlEndpointService
from tmdb_pipeline.stack.superset import SupersetService
from tmdb_pipeline.superset import dashboard
from tmdb_pipeline.superset.settings import SupersetSettings

pytestmark = pytest.mark.integration
ARTIFACTS = PROJECT_ROOT / ".local" / "test-artifacts"
CLI = Path(sys.executable).parent / "tmdb-pipeline"


@pytest.fixture(scope="module")
def superset(sql_endpoint: SqlEndpointSettings) -> Iterator[SupersetService]:
    service = SupersetService(load(StackSettings), load(SupersetSettings), sql_endpoint)
    started = service.pid() is None
    service.start()
    yield service
    if started:
        service.stop()


@pytest.fixture(scope="module")
def api(superset: SupersetService) -> Iterator[httpx.Client]:
    """Superset's REST API as the admin (password from the settings, or the one generated once)."""
    login = httpx.post(
        f"{superset.settings.url}/api/v1/security/login",
        json={
            "username": superset.settings.admin_username,
            "password": superset.secrets()["admin_password"],
            "provider": "db",
        },
        timeout=60,
    )
    login.raise_for_status()
    headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
    with httpx.Client(base_url=superset.settings.url, headers=headers, timeout=300) as client:
        yield client


def browser_session(superset: SupersetService, password: str) -> httpx.Client:
    """Log in through Superset's own login form, as a person does; the client keeps the cookie."""
    client = httpx.Client(base_url=superset.settings.url, timeout=60)
    form = client.get("/login/").text
    token = re.search(r'id="csrf_token"\s+value="([^"]+)"', form)
    assert token, "Superset's login form has no CSRF token"
    client.post(
        "/login/",
        data={"csrf_token": token[1], "username": superset.settings.admin_username, "password": password},
    )
    return client


def dashboard_charts(api: httpx.Client) -> dict[str, dict]:
    answer = api.get(f"/api/v1/dashboard/{dashboard.DASHBOARD_SLUG}/charts")
    answer.raise_for_status()
    return {chart["slice_name"]: chart for chart in answer.json()["result"]}


def test_given_superset_up_when_listing_the_dashboard_then_the_bundle_imported_every_chart(api):
    charts = dashboard_charts(api)

    assert set(charts) == {chart.title for chart in dashboard.CHARTS}
    database = api.get("/api/v1/database/", params={"q": "(page_size:100)"}).json()["result"]
    assert [d["database_name"] for d in database] == [dashboard.DATABASE_NAME]  # one, not a copy per start


def test_given_the_dashboard_when_running_each_charts_saved_query_then_it_returns_golds_rows(
    api, sql_endpoint
):
    by_title = {chart.title: chart for chart in dashboard.CHARTS}
    for title, chart in dashboard_charts(api).items():
        spec = by_title[title]
        answer = api.get(f"/api/v1/chart/{chart['id']}/data/")
        assert answer.status_code == 200, f"{title}: {answer.text[:500]}"
        (result,) = answer.json()["result"]
        # the same question asked of the endpoint directly (PyHive): Superset adds no rows, loses none
        rows = query(sql_endpoint, spec.sql)
        assert rows, f"{title}: Gold has no rows for it"
        names = [column.name for column in spec.columns]
        if spec.viz == "table":
            key, ascending = spec.order_by[0]
            values = [row[names.index(key)] for row in rows]
            assert result["rowcount"] == min(len(rows), spec.row_limit), title
            assert result["data"][0][key] == pytest.approx(min(values) if ascending else max(values)), title
        else:  # one row per x value after Superset's pivot
            assert result["rowcount"] == len({row[names.index(spec.x)] for row in rows}), title


def test_given_the_dashboard_when_chromium_renders_it_then_every_chart_draws_without_error(superset, api):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    session = browser_session(superset, superset.secrets()["admin_password"])
    url = f"{superset.settings.url}/superset/dashboard/{dashboard.DASHBOARD_SLUG}/?standalone=1"
    expected_rows = 0
    tables = {chart.title for chart in dashboard.CHARTS if chart.viz == "table"}
    for title, chart in dashboard_charts(api).items():
        if title in tables:
            expected_rows += api.get(f"/api/v1/chart/{chart['id']}/data/").json()["result"][0]["rowcount"]
    drawn = "document.querySelectorAll('[data-test=\"chart-container\"] canvas').length"
    rows = "document.querySelectorAll('[data-test=\"chart-container\"] table tbody tr').length"

    with Browser() as browser:
        browser.set_cookie(superset.settings.url, "session", session.cookies["session"])
        browser.open(url)
        browser.wait_for(f"{drawn} >= 3 && {rows} >= {expected_rows}", timeout_s=240)
        charts = browser.evaluate("document.querySelectorAll('[data-test=\"chart-container\"]').length")
        errors = browser.evaluate(
            'Array.from(document.querySelectorAll(\'[data-test="chart-container"] [role=alert],'
            " .ant-alert-error')).map(e => e.innerText)"
        )
        counts = (browser.evaluate(drawn), browser.evaluate(rows))
        shot = browser.screenshot(ARTIFACTS / "superset-dashboard.png")

    assert charts == len(dashboard.CHARTS)
    assert errors == []
    lines = sum(1 for chart in dashboard.CHARTS if chart.viz != "table")
    assert counts == (lines, expected_rows)
    assert shot.stat().st_size > 50_000  # a drawn page, not a blank one


def test_given_the_endpoint_is_down_when_a_chart_runs_then_superset_names_the_command_that_starts_it(
    api, sql_endpoint
):
    endpoint = SqlEndpointService(load(StackSettings), sql_endpoint, load(SparkSettings))
    chart = dashboard_charts(api)[dashboard.CHARTS[0].title]
    endpoint.stop()
    try:
        answer = api.get(f"/api/v1/chart/{chart['id']}/data/", params={"force": "true"})
    finally:
        endpoint.start()  # the session's other tests keep their endpoint

    assert answer.status_code >= 400
    assert "tmdb-pipeline sql-server up" in answer.text
    assert f"'127.0.0.1', {sql_endpoint.port}" in answer.text  # which address it tried


def test_given_a_wrong_admin_password_when_logging_in_then_superset_refuses_it(superset):
    session = browser_session(superset, "not-the-password")

    assert "session" not in session.cookies or session.get("/api/v1/me/").status_code == 401


def test_given_supersets_port_is_taken_when_superset_up_then_it_names_the_port_and_starts_nothing(
    tmp_path,
):
    port = free_port()
    env = {**os.environ, "SUPERSET_PORT": str(port), "STACK_HOME": str(tmp_path)}
    with socket.create_server(("127.0.0.1", port)):
        done = subprocess.run(
            [str(CLI), "superset", "up"], env=env, capture_output=True, text=True, timeout=120
        )

    assert done.returncode != 0
    assert str(port) in done.stdout + done.stderr
    assert not (tmp_path / "superset" / "superset.db").exists()
