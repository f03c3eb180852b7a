"""Rate limits (issue 17, part 6): per API key or, without one, per address; reads and writes
apart; a 429 problem with Retry-After and the IETF RateLimit headers on every answer; counted
in memory, or in Redis so that every worker shares one budget. CI runs Redis (`.ci/run`
starts it): there the Redis tests fail rather than skip when it is down."""

import os
import socket
import subprocess
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from app.core.config import Settings
from app.core.http.auth import Scope, new_key
from app.keys.service import create_key
from app.main import create_app
from tests.helpers import CLI, assert_problem, served

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
CLAIMS = "/v1/claims?limit=1"


def _redis_up() -> bool:
    host, port = REDIS_URL.removeprefix("redis://").split("/", 1)[0].split(":")
    try:
        with socket.create_connection((host, int(port)), timeout=1):
            return True
    except OSError:
        return False


needs_redis = pytest.mark.skipif(
    not _redis_up() and os.environ.get("CI") != "true",
    reason="no Redis at TEST_REDIS_URL (CI always has one)",
)


def _settings(**given: Any) -> Settings:
    # Counting tests wait for the store as long as it takes: a busy machine's first connection
    # to Redis can pass 250 ms, and a request let through uncounted would be a flake.
    return Settings(
        rate_limit_reads=given.pop("reads", "off"),
        rate_limit_writes=given.pop("writes", "off"),
        rate_limit_store_timeout_ms=given.pop("store_timeout_ms", 10_000),
        **given,
    )


def test_reads_over_the_limit_get_a_429_with_its_headers(engine: Engine) -> None:
    with TestClient(create_app(engine, settings=_settings(reads="3/hour"))) as client:
        answers = [client.get(CLAIMS) for _ in range(3)]
        assert [a.status_code for a in answers] == [200, 200, 200]
        assert {a.headers["ratelimit-policy"] for a in answers} == {'"reads";q=3;w=3600'}
        assert [a.headers["ratelimit"].split(";")[1] for a in answers] == ["r=2", "r=1", "r=0"]
        over = client.get(CLAIMS)
        problem = assert_problem(over, 429)
        assert problem["limit"] == "reads"
        assert "3 requests in 3600 s" in problem["detail"]
        assert 1 <= int(over.headers["retry-after"]) <= 3600
        assert over.headers["ratelimit"].startswith('"reads";r=0;t=')
        assert over.headers["cache-control"] == "no-store"
        # Probes are never limited, and carry no limit headers.
        health = client.get("/healthz")
        assert health.status_code == 200
        assert "ratelimit" not in health.headers


def test_a_client_over_the_limit_recovers_after_the_window(engine: Engine) -> None:
    with TestClient(create_app(engine, settings=_settings(reads="2/second"))) as client:
        codes = [client.get(CLAIMS).status_code for _ in range(6)]
        assert 429 in codes
        time.sleep(2.1)  # the window, and the one before it that a sliding window weighs
        assert client.get(CLAIMS).status_code == 200


def test_each_key_has_its_own_budget_and_writes_their_own_policy(
    make_database: Callable[..., Engine],
) -> None:
    engine = make_database()
    _, key = create_key(engine, name="limited", scope=Scope.write)
    auth = {"Authorization": f"Bearer {key}"}
    app = create_app(engine, settings=_settings(reads="2/minute", writes="1/minute"))
    with TestClient(app) as client:
        assert [client.get(CLAIMS).status_code for _ in range(3)] == [200, 200, 429]
        # The key's budget is its own, from the same address.
        assert [client.get(CLAIMS, headers=auth).status_code for _ in range(2)] == [200, 200]
        # A made-up key (well formed, checksum and all) buys no budget: its address's.
        forged = {"Authorization": f"Bearer {new_key()}"}
        assert assert_problem(client.get(CLAIMS, headers=forged), 429)["limit"] == "reads"
        first = client.delete("/v1/reports/no-such-report", headers=auth)
        assert first.status_code == 404
        assert first.headers["ratelimit-policy"] == '"writes";q=1;w=60'
        second = client.delete("/v1/reports/no-such-report", headers=auth)
        assert assert_problem(second, 429)["limit"] == "writes"
        assert 1 <= int(second.headers["retry-after"]) <= 60


def test_a_rate_is_checked_when_the_settings_are_read() -> None:
    with pytest.raises(ValueError, match="N/second"):
        Settings(rate_limit_reads="lots")
    assert Settings(rate_limit_reads=" OFF ").rate_limit_reads == "off"


@needs_redis
def test_two_apps_share_one_budget_through_redis(engine: Engine) -> None:
    settings = _settings(
        reads="4/minute", redis_url=REDIS_URL, rate_limit_namespace=f"test-{uuid.uuid4().hex}"
    )
    with (
        TestClient(create_app(engine, settings=settings)) as one,
        TestClient(create_app(engine, settings=settings)) as other,
    ):
        codes = [(one if n % 2 else other).get(CLAIMS).status_code for n in range(5)]
        assert codes == [200, 200, 200, 200, 429]
        assert other.get(CLAIMS).headers["ratelimit"].startswith('"reads";r=0;')


def test_a_store_that_does_not_answer_lets_requests_through(engine: Engine) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # closed once the block ends: nothing listens there
    settings = _settings(
        reads="1/minute", redis_url=f"redis://127.0.0.1:{port}/0", store_timeout_ms=250
    )
    with TestClient(create_app(engine, settings=settings)) as client:
        started = time.monotonic()
        answers = [client.get(CLAIMS) for _ in range(3)]
        assert [a.status_code for a in answers] == [200, 200, 200]
        assert all("ratelimit" not in a.headers for a in answers)
        assert time.monotonic() - started < 3
        metrics = client.get("/metrics").text
        assert 'conflict_reports_rate_limit_store_errors_total{store="redis"}' in metrics


@pytest.fixture
def two_workers(tmp_path: Path) -> Iterator[str]:
    """`serve --workers 2` on a seeded SQLite file, its limits counted in Redis."""
    database = f"sqlite:///{(tmp_path / 'api.db').as_posix()}"
    env = {**os.environ, "DATABASE_URL": database}
    subprocess.run([CLI, "migrate"], env=env, check=True, capture_output=True)
    subprocess.run([CLI, "seed"], env=env, check=True, capture_output=True)
    env |= {
        "REDIS_URL": REDIS_URL,
        "RATE_LIMIT_READS": "20/minute",
        "RATE_LIMIT_NAMESPACE": f"test-{uuid.uuid4().hex}",
        "RATE_LIMIT_STORE_TIMEOUT_MS": "10000",
    }
    arguments = ["--workers", "2", "--no-access-log"]
    with served(arguments, env, tmp_path / "serve.log", ready="/healthz") as (base, _):
        yield base


@needs_redis
def test_two_worker_processes_share_one_budget_through_redis(two_workers: str) -> None:
    # A new connection per request, so that both workers answer some (alone, each would
    # allow 20 from its own memory: 24 answers of 200).
    codes = []
    for _ in range(24):
        with httpx.Client(base_url=two_workers, timeout=10) as client:
            answer = client.get(CLAIMS, headers={"Connection": "close"})
            codes.append(answer.status_code)
    assert codes.count(200) == 20
    assert codes[20:] == [429] * 4
