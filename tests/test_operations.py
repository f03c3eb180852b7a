"""Operations: liveness and readiness, Prometheus metrics, JSON logs with request ids, and a
graceful shutdown of `conflict-reports serve`."""

import asyncio
import io
import json
import logging
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from alembic import command
from fastapi import FastAPI
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import Connection, Engine, text
from sqlalchemy.orm import Session

from app.core.config import Settings
from app.core.db.deps import DatabaseDep
from app.core.db.engine import build_engine
from app.core.logs import JSONFormatter
from app.main import create_app
from app.migrate import alembic_config
from app.operations.health import head_revision
from tests.conftest import REPORT_ID, ROOT
from tests.helpers import assert_problem

SLOW_SQL = {
    "sqlite": "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c"
    " WHERE x < 5000000000) SELECT count(*) FROM c",
    "postgresql": "SELECT pg_sleep(60)",
}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _unreachable_engine(backend: str, tmp_path: Path) -> Engine:
    """An engine whose database cannot be opened: a directory (SQLite), a closed port."""
    if backend == "sqlite":
        return build_engine(f"sqlite:///{tmp_path}")
    return build_engine(f"postgresql+psycopg://postgres@127.0.0.1:{_free_port()}/nowhere")


def samples(exposition: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    """Every sample of a Prometheus exposition, by name and labels."""
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(exposition)
        for sample in family.samples
    }


def sample(exposition: str, name: str, **labels: str) -> float:
    return samples(exposition).get((name, frozenset(labels.items())), 0.0)


# Liveness and readiness


def test_healthz_is_liveness_and_readyz_names_the_revision(
    client: TestClient, backend: str
) -> None:
    assert client.get("/healthz").json() == {"status": "ok", "database": backend}
    newest = sorted((ROOT / "migrations" / "versions").glob("*.py"))[-1].read_text()
    revision = re.search(r'^revision: str = "(\w+)"', newest, re.M)
    assert revision is not None
    assert head_revision() == revision.group(1)
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ready",
        "database": backend,
        "revision": revision.group(1),
    }


def test_without_its_database_the_service_is_alive_but_not_ready(
    backend: str, tmp_path: Path
) -> None:
    with TestClient(create_app(_unreachable_engine(backend, tmp_path))) as client:
        assert client.get("/healthz").json() == {"status": "ok", "database": backend}
        started = time.perf_counter()
        response = client.get("/readyz")
        assert time.perf_counter() - started < 2.5
        body = assert_problem(response, 503)
        assert body["check"] == "database"
        assert "reach" in body["detail"]  # not reachable, cannot be reached
        assert response.headers["retry-after"] == "5"


def test_a_schema_behind_the_code_is_not_ready(make_database: Any, databases: Any) -> None:
    engine = make_database(migrate=False, seed=False)
    url = databases.url_of(engine)
    with TestClient(create_app(engine)) as client:
        body = assert_problem(client.get("/readyz"), 503)
        assert body["check"] == "migrations"
        assert body["detail"].startswith("the database has no schema")
        command.upgrade(alembic_config(url), "0009")
        body = assert_problem(client.get("/readyz"), 503)
        assert body["check"] == "migrations"
        assert body["detail"].startswith(
            f"the database schema is at revision 0009, this code needs {head_revision()}"
        )
        command.upgrade(alembic_config(url), "head")
        assert client.get("/readyz").json()["status"] == "ready"
        assert client.get("/healthz").status_code == 200


# Request ids and JSON logs


def _logged_query(session: Session) -> int:
    logging.getLogger("app.test").info("inside the query", extra={"where": "database"})
    return int(session.execute(text("SELECT 1")).scalar_one())


def _slow_query(session: Session) -> Any:
    return session.execute(text(SLOW_SQL[session.get_bind().dialect.name])).scalar()


def _app_with_test_routes(engine: Engine, **settings: Any) -> FastAPI:
    app = create_app(engine, settings=Settings(**settings))

    async def logged(db: DatabaseDep) -> dict[str, int]:
        return {"result": await db.run(_logged_query)}

    async def slow(db: DatabaseDep) -> dict[str, Any]:
        return {"result": await db.run(_slow_query)}

    async def broken() -> None:
        raise RuntimeError("a bug")

    app.add_api_route("/logged", logged)
    app.add_api_route("/slow", slow)
    app.add_api_route("/broken", broken)
    return app


@pytest.fixture
def json_log() -> Iterator[io.StringIO]:
    """What the `app` loggers write, as JSON lines."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JSONFormatter())
    logger = logging.getLogger("app")
    previous = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    yield stream
    logger.removeHandler(handler)
    logger.setLevel(previous)


def _lines(stream: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_request_ids_are_honoured_generated_and_in_every_log_line(
    engine: Engine, json_log: io.StringIO
) -> None:
    with TestClient(_app_with_test_routes(engine), raise_server_exceptions=False) as client:
        given = client.get("/logged", headers={"X-Request-ID": "trace-42.a:b"})
        assert given.json() == {"result": 1}
        assert given.headers["x-request-id"] == "trace-42.a:b"
        made = client.get("/v1/claims/taliban-panjshir-surrounded")
        assert made.json()["claimant"]["id"] == "taliban"
        assert re.fullmatch(r"[0-9a-f]{32}", made.headers["x-request-id"])
        # A hostile id (too long, or with characters logs and headers should not carry) is
        # replaced, not echoed.
        hostile = client.get("/healthz", headers={"X-Request-ID": "x" * 129})
        assert re.fullmatch(r"[0-9a-f]{32}", hostile.headers["x-request-id"])
        odd = client.get("/healthz", headers={"X-Request-ID": "a b\x01"})
        assert re.fullmatch(r"[0-9a-f]{32}", odd.headers["x-request-id"])
        failed = client.get("/broken", headers={"X-Request-ID": "the-bug"})
        assert_problem(failed, 500)
        assert failed.headers["x-request-id"] == "the-bug"
        # The connection is kept after a 500: the next request on it is answered.
        assert client.get("/healthz").status_code == 200

    lines = _lines(json_log)
    inside = [line for line in lines if line["message"] == "inside the query"]
    # Logged on a SQLite reader thread or in SQLAlchemy's greenlet: the request's id still.
    assert inside == [
        {
            "time": inside[0]["time"],
            "level": "info",
            "logger": "app.test",
            "message": "inside the query",
            "request_id": "trace-42.a:b",
            "where": "database",
        }
    ]
    access = {line["path"]: line for line in lines if line["logger"] == "app.access"}
    assert access["/logged"]["request_id"] == "trace-42.a:b"
    assert access["/logged"]["route"] == "/logged"
    assert access["/logged"]["status"] == 200
    claim = access["/v1/claims/taliban-panjshir-surrounded"]
    assert claim["request_id"] == made.headers["x-request-id"]
    assert claim["route"] == "/v1/claims/{claim_id}"
    assert claim["method"] == "GET"
    assert claim["duration_ms"] > 0
    errors = [line for line in lines if line["logger"] == "app.error"]
    assert len(errors) == 1
    assert errors[0]["request_id"] == "the-bug"
    assert "RuntimeError: a bug" in errors[0]["exception"]
    assert access["/broken"]["status"] == 500
    assert access["/broken"]["request_id"] == "the-bug"


# Metrics


def test_metrics_count_requests_by_route_template_and_latency(client: TestClient) -> None:
    before = client.get("/metrics").text
    for claim in ("taliban-panjshir-surrounded", "na-efforts-rebuffed", "no-such-claim"):
        client.get(f"/v1/claims/{claim}")
    client.get("/no/such/path")
    response = client.get("/metrics")
    assert response.headers["content-type"].startswith("text/plain; version=")
    after = response.text

    def delta(name: str, **labels: str) -> float:
        return sample(after, name, **labels) - sample(before, name, **labels)

    requests = "conflict_reports_http_requests_total"
    route = {"route": "/v1/claims/{claim_id}", "method": "GET"}
    assert delta(requests, **route, status="200") == 2
    assert delta(requests, **route, status="404") == 1
    assert delta(requests, route="unmatched", method="GET", status="404") == 1
    assert delta("conflict_reports_http_request_duration_seconds_count", **route) == 3
    assert delta("conflict_reports_http_request_duration_seconds_bucket", **route, le="+Inf") == 3
    assert delta("conflict_reports_http_request_duration_seconds_sum", **route) > 0
    assert sample(after, "conflict_reports_db_slots", lane="lookup") >= 2


def test_metrics_show_the_database_in_use_and_queries_stopped_by_the_budget(
    engine: Engine,
) -> None:
    app = _app_with_test_routes(engine, query_time_limit_ms=1500)
    running = "conflict_reports_db_requests_running"
    timeouts = "conflict_reports_db_query_timeouts_total"

    async def scenario() -> None:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            before = (await client.get("/metrics")).text
            slow = asyncio.create_task(client.get("/slow"))
            await asyncio.sleep(0.5)
            during = (await client.get("/metrics")).text
            assert sample(during, running, lane="query") == (
                sample(before, running, lane="query") + 1
            )
            response = await slow
            assert_problem(response, 503)
            assert response.json()["limit"] == "query_time_limit"
            after = (await client.get("/metrics")).text
            assert (
                sample(after, timeouts, lane="query") == sample(before, timeouts, lane="query") + 1
            )
            assert sample(after, running, lane="query") == sample(before, running, lane="query")
            labels = {"route": "/slow", "method": "GET", "status": "503"}
            requests = "conflict_reports_http_requests_total"
            assert sample(after, requests, **labels) == sample(before, requests, **labels) + 1

    asyncio.run(scenario())


# Graceful shutdown of `conflict-reports serve`


class _Held:
    """Holds the database so the API's next query waits: an exclusive lock on the SQLite
    file (taken before the server opens it), `LOCK TABLE claim` on PostgreSQL."""

    def __init__(self, backend: str, engine: Engine) -> None:
        self.backend = backend
        self.engine = engine
        self._sqlite: sqlite3.Connection | None = None
        self._postgres: Connection | None = None

    def take(self) -> None:
        if self.backend == "sqlite":
            self.engine.dispose()
            assert self.engine.url.database is not None
            self._sqlite = sqlite3.connect(
                self.engine.url.database, isolation_level=None, check_same_thread=False
            )
            self._sqlite.execute("PRAGMA locking_mode=EXCLUSIVE")
            self._sqlite.execute("BEGIN EXCLUSIVE")
        else:
            self._postgres = self.engine.connect()
            self._postgres.execute(text("LOCK TABLE claim IN ACCESS EXCLUSIVE MODE"))

    def release(self) -> None:
        if self._sqlite is not None:
            self._sqlite.execute("COMMIT")
            self._sqlite.close()
            self._sqlite = None
        if self._postgres is not None:
            self._postgres.rollback()
            self._postgres.close()
            self._postgres = None


def _wait_for(predicate: Any, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if predicate():
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def test_sigterm_lets_the_request_in_flight_finish(
    backend: str, make_database: Any, databases: Any, tmp_path: Path
) -> None:
    """One worker on SQLite (uvicorn's server itself), two on PostgreSQL (its supervisor
    passes SIGTERM on to the workers; the metrics come from both)."""
    workers = 1 if backend == "sqlite" else 2
    engine = make_database()
    held = _Held(backend, engine)
    if backend == "sqlite":
        held.take()  # before the server opens the file: its readers wait for it
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    environment = {
        key: value for key, value in os.environ.items() if key != "PROMETHEUS_MULTIPROC_DIR"
    }
    environment |= {
        "DATABASE_URL": databases.url_of(engine),
        "QUERY_TIME_LIMIT_MS": "20000",
        "SHUTDOWN_TIMEOUT_S": "30",
    }
    log = (tmp_path / "serve.log").open("w+")
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "conflict-reports"),
            "serve",
            "--port",
            str(port),
            "--workers",
            str(workers),
        ],
        cwd=tmp_path,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=log,
    )
    try:
        _wait_for(lambda: httpx.get(f"{base}/healthz").status_code == 200, 90, "the server")
        if backend == "postgresql":
            # Each request on a connection of its own, so the kernel spreads them over the
            # two workers: the scrape, whichever worker answers it, counts them all.
            requests = "conflict_reports_http_requests_total"
            labels = {"route": "/v1/reports", "method": "GET", "status": "200"}
            before = sample(httpx.get(f"{base}/metrics").text, requests, **labels)
            for _ in range(8):
                assert httpx.get(f"{base}/v1/reports").json()["items"][0]["id"] == REPORT_ID
            assert sample(httpx.get(f"{base}/metrics").text, requests, **labels) == before + 8
            held.take()
        answer: dict[str, httpx.Response] = {}

        def ask() -> None:
            answer["response"] = httpx.get(
                f"{base}/v1/claims",
                params={"claimant_id": "taliban", "count": "exact"},
                headers={"X-Request-ID": "in-flight-1"},
                timeout=30,
            )

        asker = threading.Thread(target=ask)
        asker.start()
        _wait_for(
            lambda: (
                sample(
                    httpx.get(f"{base}/metrics").text,
                    "conflict_reports_db_requests_running",
                    lane="query",
                )
                == 1
            ),
            10,
            "the request to wait at the database",
        )
        server.send_signal(signal.SIGTERM)
        time.sleep(1.0)
        assert server.poll() is None, "the server exited with a request in flight"
        assert asker.is_alive()
        held.release()
        asker.join(20)
        response = answer["response"]
        assert response.status_code == 200
        assert response.headers["x-request-id"] == "in-flight-1"
        body = response.json()
        assert "taliban-panjshir-surrounded" in [item["id"] for item in body["items"]]
        assert {item["claimant"]["id"] for item in body["items"]} == {"taliban"}
        assert body["total"] == len(body["items"])
        assert server.wait(20) == 0
    finally:
        held.release()
        if server.poll() is None:
            server.kill()
            server.wait()
    log.seek(0)
    lines = [json.loads(line) for line in log if line.startswith("{")]
    access = [line for line in lines if line.get("request_id") == "in-flight-1"]
    assert [(line["logger"], line["route"], line["status"]) for line in access] == [
        ("app.access", "/v1/claims", 200)
    ]
    assert any("Shutting down" in line["message"] for line in lines)
