"""Limits and headers around writes (issue 17, part 8): caps on a bundle's entities, the CORS
allow-list (empty by default), security headers on the HTML pages, and neither keys nor
bundle bodies in the logs or the metrics."""

import logging
import sys
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from app.core.config import Settings
from app.core.http.auth import Scope
from app.ingest import router as ingest
from app.keys.service import create_key
from app.main import create_app
from tests.helpers import assert_problem
from tests.test_ingest import _rows
from tests.test_writes import JSON, SECOND_ID, SECOND_TEXT, _json, second_bundle

ORIGIN = "https://maps.example.org"


def test_a_bundle_over_the_entity_cap_is_refused_whole(
    make_database: Callable[..., Engine],
) -> None:
    engine = make_database()
    _, key = create_key(engine, name="writer", scope=Scope.write)
    before = _rows(engine)
    app = create_app(engine, settings=Settings(max_bundle_entities=2))
    with TestClient(app) as client:
        answer = client.post(
            "/v1/reports",
            content=_json(second_bundle()),
            headers={**JSON, "Authorization": f"Bearer {key}"},
        )
    problem = assert_problem(answer, 422)
    assert "declares 3 actors, locations" in problem["errors"][0]["detail"]
    assert "at most 2 (MAX_BUNDLE_ENTITIES)" in problem["errors"][0]["detail"]
    assert _rows(engine) == before


def test_no_origin_is_allowed_by_default(engine: Engine) -> None:
    with TestClient(create_app(engine, settings=Settings())) as client:
        answer = client.get("/v1/claims", headers={"Origin": ORIGIN})
        assert answer.status_code == 200
        assert "access-control-allow-origin" not in answer.headers
        preflight = client.options(
            "/v1/reports/x",
            headers={"Origin": ORIGIN, "Access-Control-Request-Method": "PUT"},
        )
        assert "access-control-allow-origin" not in preflight.headers


def test_an_allowed_origin_may_write_with_its_headers(engine: Engine) -> None:
    settings = Settings(cors_allow_origins=f"{ORIGIN}, https://other.example.org")
    with TestClient(create_app(engine, settings=settings)) as client:
        preflight = client.options(
            "/v1/reports/x",
            headers={
                "Origin": ORIGIN,
                "Access-Control-Request-Method": "PUT",
                "Access-Control-Request-Headers": "authorization, if-match, content-type",
            },
        )
        assert preflight.status_code == 200
        assert preflight.headers["access-control-allow-origin"] == ORIGIN
        assert "PUT" in preflight.headers["access-control-allow-methods"]
        allowed = preflight.headers["access-control-allow-headers"].lower()
        assert {"authorization", "if-match", "idempotency-key"} <= {
            h.strip() for h in allowed.split(",")
        }
        read = client.get("/v1/claims", headers={"Origin": ORIGIN})
        assert read.headers["access-control-allow-origin"] == ORIGIN
        assert "etag" in read.headers["access-control-expose-headers"].lower()
        stranger = client.get("/v1/claims", headers={"Origin": "https://evil.example.com"})
        assert "access-control-allow-origin" not in stranger.headers


def test_pages_get_security_headers(client: TestClient) -> None:
    page = client.get("/")
    assert page.headers["content-type"].startswith("text/html")
    policy = page.headers["content-security-policy"]
    assert "script-src 'self';" in policy
    assert "frame-ancestors 'none'" in policy
    assert page.headers["x-frame-options"] == "DENY"
    assert page.headers["x-content-type-options"] == "nosniff"
    assert page.headers["referrer-policy"] == "no-referrer"
    docs = client.get("/docs")
    assert "'sha256-" in docs.headers["content-security-policy"]
    assert "unsafe-eval" not in docs.headers["content-security-policy"]
    data = client.get("/v1/claims")
    assert data.headers["x-content-type-options"] == "nosniff"
    assert "content-security-policy" not in data.headers


def test_keys_and_bundles_stay_out_of_logs_and_metrics(
    make_database: Callable[..., Engine], caplog: pytest.LogCaptureFixture
) -> None:
    engine = make_database()
    _, key = create_key(engine, name="writer", scope=Scope.write)
    caplog.set_level(logging.DEBUG)
    with TestClient(create_app(engine, settings=Settings())) as client:
        created = client.post(
            "/v1/reports",
            content=_json(second_bundle()),
            headers={**JSON, "Authorization": f"Bearer {key}"},
        )
        assert created.status_code == 201
        bad = second_bundle()
        bad["claims"][0]["quote"] = "words the text does not have"
        client.put(
            f"/v1/reports/{SECOND_ID}",
            content=_json(bad),
            headers={**JSON, "X-API-Key": key},
        )
        metrics = client.get("/metrics").text
    assert caplog.text  # the access log did write
    for secret in (key, key[4:], SECOND_TEXT[:40], "supply roads"):
        assert secret not in caplog.text
        assert secret not in metrics


def test_any_origin_reads_without_credentials(engine: Engine) -> None:
    settings = Settings(cors_allow_origins=f"*, {ORIGIN}")
    with TestClient(create_app(engine, settings=settings)) as client:
        read = client.get("/v1/claims", headers={"Origin": "https://anywhere.example.net"})
        assert read.headers["access-control-allow-origin"] == "*"
        assert "access-control-allow-credentials" not in read.headers


def test_a_write_makes_the_interpreter_switch_threads_often_while_it_runs() -> None:
    """Reads beside a long write wait less for the GIL (bench.write_stall measures it)."""
    before = sys.getswitchinterval()
    with ingest._responsive():
        assert sys.getswitchinterval() == ingest.WRITE_SWITCH_S
        with ingest._responsive():  # two writes at once: the first to end keeps it short
            pass
        assert sys.getswitchinterval() == ingest.WRITE_SWITCH_S
    assert sys.getswitchinterval() == before
