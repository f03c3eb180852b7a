"""Behind PgBouncer in transaction pooling (`DATABASE_TRANSACTION_POOLER=true`), every answer is
the one a direct connection gives, and each request still runs under its time budget.

Without the setting, PgBouncer refuses the connection's `statement_timeout` startup parameter
and every request is a 503; with it, the budget is set in each request's own transaction and
no prepared statement outlives it. The test starts a PgBouncer of its own, on a free port, in
front of the test server (Debian's `pgbouncer`, which `.ci/run` installs)."""

import asyncio
import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from app.catalog import CHANGES
from app.core.config import Settings
from app.core.db.engine import build_engine, open_database
from app.main import create_app
from tests.conftest import DatabaseFactory

PATHS = (
    "/v1/claims?limit=5",
    "/v1/claims?claimant_id=taliban",
    "/v1/claims?q=taliban%20valley",
    "/v1/claims/facets",
    "/v1/actors",
    "/v1/locations?bbox=69,35,70.5,36",
    "/v1/search?q=helicopter",
    "/v1/reports",
)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def bouncer(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    """A PgBouncer in transaction mode in front of the test server: its port."""
    if backend != "postgresql":
        pytest.skip("PgBouncer pools PostgreSQL connections")
    binary = shutil.which("pgbouncer") or "/usr/sbin/pgbouncer"
    if not Path(binary).exists():
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("CI must have Debian's pgbouncer installed (.ci/run installs it)")
        pytest.skip("pgbouncer is not installed (apt-get install pgbouncer)")
    target = make_url(os.environ["TEST_DATABASE_URL"])
    folder = tmp_path_factory.mktemp("pgbouncer")
    port = _free_port()
    (folder / "users.txt").write_text(f'"{target.username}" ""\n')
    (folder / "pgbouncer.ini").write_text(
        "[databases]\n"
        f"* = host={target.host or '127.0.0.1'} port={target.port or 5432}\n"
        "[pgbouncer]\n"
        f"listen_addr = 127.0.0.1\nlisten_port = {port}\nunix_socket_dir =\n"
        f"auth_type = trust\nauth_file = {folder / 'users.txt'}\n"
        "pool_mode = transaction\ndefault_pool_size = 4\n"
        "ignore_startup_parameters = extra_float_digits\n"
    )
    os.chmod(folder, 0o755)
    for file in folder.iterdir():
        os.chmod(file, 0o644)
    # PgBouncer will not run as root: as the PostgreSQL account, when there is one.
    user = ["-u", "postgres"] if os.geteuid() == 0 else []
    process = subprocess.Popen(
        [binary, *user, str(folder / "pgbouncer.ini")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    said = process.stderr.read().decode() if process.stderr else ""
                    raise AssertionError(f"pgbouncer did not start: {said}") from None
                time.sleep(0.05)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture(scope="module")
def seeded(databases: DatabaseFactory, bouncer: int) -> Engine:
    return databases.create()


def _through(engine: Engine, port: int) -> str:
    return engine.url.set(port=port).render_as_string(hide_password=False)


def test_every_answer_through_pgbouncer_is_the_direct_answer(seeded: Engine, bouncer: int) -> None:
    pooled = build_engine(_through(seeded, bouncer))
    settings = Settings(database_transaction_pooler=True)
    try:
        with (
            TestClient(create_app(seeded)) as direct,
            TestClient(create_app(pooled, settings=settings)) as client,
        ):
            for path in PATHS:
                expected = direct.get(path)
                assert expected.status_code == 200, path
                # More runs than asyncpg's and SQLAlchemy's prepare thresholds, over
                # connections the pooler hands out in turn.
                for _ in range(12):
                    answer = client.get(path)
                    assert answer.status_code == 200, (path, answer.text)
                    assert answer.content == expected.content, path
    finally:
        pooled.dispose()


def test_without_the_setting_pgbouncer_refuses_the_budget(seeded: Engine, bouncer: int) -> None:
    """Why the setting exists: PgBouncer refuses `statement_timeout` at connection time."""
    pooled = build_engine(_through(seeded, bouncer))
    try:
        with TestClient(create_app(pooled, settings=Settings())) as client:
            answer = client.get("/v1/claims?limit=1")
        assert answer.status_code == 503
    finally:
        pooled.dispose()


def test_each_pooled_request_runs_under_its_budget(seeded: Engine, bouncer: int) -> None:
    pooled = build_engine(_through(seeded, bouncer))
    settings = Settings(database_transaction_pooler=True, query_time_limit_ms=1500)
    database = open_database(pooled, settings, changes=CHANGES)

    def budget(session: Session) -> str:
        return str(session.execute(text("SHOW statement_timeout")).scalar_one())

    async def twice() -> list[str]:
        try:
            return [await database.run(budget), await database.run(budget)]
        finally:
            await database.close()

    try:
        assert asyncio.run(twice()) == ["1500ms", "1500ms"]
    finally:
        pooled.dispose()
