"""The REST path against a stand-in GMS on loopback: every proposal posted, with the token."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import pytest
from pydantic import SecretStr

from tmdb_pipeline.lineage.graph import build_graph
from tmdb_pipeline.lineage.mcps import build_mcps
from tmdb_pipeline.lineage.settings import LineageSettings
from tmdb_pipeline.lineage.sinks import LineageError, emit_rest
from tmdb_pipeline.lineage.topology import ENDPOINTS, serving_targets

TOKEN = "tok-never-printed"


class Gms(BaseHTTPRequestHandler):
    """Answers /config like DataHub 1.x and records every POSTed proposal; 401 without the token."""

    proposals: ClassVar[list[dict]] = []
    authorizations: ClassVar[list[str | None]] = []

    def log_message(self, *args: object) -> None:
        pass

    def _answer(self, status: int, document: dict) -> None:
        body = json.dumps(document).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        self.authorizations.append(self.headers.get("Authorization"))
        if self.headers.get("Authorization") != f"Bearer {TOKEN}":
            self._answer(401, {"message": "Unauthorized"})
        else:
            self._answer(200, {"versions": {"acryldata/datahub": {"version": "v1.3.0"}}, "noCode": "true"})

    def do_POST(self) -> None:
        document = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))))
        self.proposals.extend(document.get("proposals", []))
        self._answer(200, {})


@pytest.fixture
def gms() -> Iterator[str]:
    Gms.proposals, Gms.authorizations = [], []
    server = ThreadingHTTPServer(("127.0.0.1", 0), Gms)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


def test_given_a_server_when_emitting_then_every_proposal_is_posted_with_the_token(gms, coords, streams):
    mcps = build_mcps(build_graph(coords, streams, serving_targets(), ENDPOINTS), coords)
    sent = emit_rest(mcps, LineageSettings(gms_url=gms, gms_token=SecretStr(TOKEN)))
    assert sent == len(mcps) == len(Gms.proposals)
    assert {(p["entityUrn"], p["aspectName"]) for p in Gms.proposals} == {
        (m.entityUrn, m.aspectName) for m in mcps
    }
    assert set(Gms.authorizations) == {f"Bearer {TOKEN}"}


def test_given_a_wrong_token_when_emitting_then_the_error_names_the_setting_not_the_token(
    gms, coords, streams
):
    mcps = build_mcps(build_graph(coords, streams, serving_targets(), ENDPOINTS), coords)
    with pytest.raises(LineageError) as caught:
        emit_rest(mcps, LineageSettings(gms_url=gms, gms_token=SecretStr("wrong-" + TOKEN)))
    assert "DATAHUB_GMS_URL" in str(caught.value)
    assert TOKEN not in str(caught.value)
    assert Gms.proposals == []
