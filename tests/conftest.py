"""Test databases: SQLite always; PostgreSQL whenever TEST_DATABASE_URL is set (and in CI).

Each backend gets a fresh database built by `alembic upgrade head` and loaded with the seed,
shared by the read-only tests. Tests that write make their own with `make_database`.
"""

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, make_url, text

from app.core.config import get_settings
from app.core.db.engine import build_engine, get_engine
from app.core.query.sync import FIXED_TIME
from app.importer import import_paths
from app.main import create_app
from app.migrate import upgrade_to_head

# The suite sends thousands of requests from one address: rate limits are off for it (and for
# the servers it starts), except where a test sets its own (tests/test_rate_limits.py).
os.environ.setdefault("RATE_LIMIT_READS", "off")
os.environ.setdefault("RATE_LIMIT_WRITES", "off")

ROOT = Path(__file__).resolve().parent.parent
SEED_DIR = ROOT / "seed"
SEED_FILE = SEED_DIR / "000_panjshir-last-bastion.yaml"
REPORT_ID = "panjshir-last-bastion-2021-08-24"


def _backends() -> list[str]:
    if os.environ.get("TEST_DATABASE_URL"):
        return ["sqlite", "postgresql"]
    if os.environ.get("CI", "").lower() == "true":
        raise pytest.UsageError(
            "CI=true requires TEST_DATABASE_URL: the PostgreSQL run is mandatory"
        )
    return ["sqlite"]


class DatabaseFactory:
    """Creates throw-away databases for one backend and drops them afterwards."""

    def __init__(self, backend: str, tmp_dir: Path) -> None:
        self.backend = backend
        self.tmp_dir = tmp_dir
        self._created: list[tuple[str, Engine]] = []

    def create(self, *, migrate: bool = True, seed: bool = True) -> Engine:
        if self.backend == "sqlite":
            url = f"sqlite:///{self.tmp_dir / f'{uuid.uuid4().hex}.db'}"
        else:
            server = make_url(os.environ["TEST_DATABASE_URL"]).set(drivername="postgresql+psycopg")
            name = f"cr_test_{uuid.uuid4().hex[:12]}"
            admin = build_engine(server.render_as_string(hide_password=False))
            with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
            admin.dispose()
            url = server.set(database=name).render_as_string(hide_password=False)
        if migrate:
            upgrade_to_head(url)
        engine = build_engine(url)
        self._created.append((url, engine))
        if seed:
            # One fixed time: `updated_at` in answers is the same on every engine and run.
            import_paths(engine, [SEED_DIR], now=FIXED_TIME)
        return engine

    def url_of(self, engine: Engine) -> str:
        return engine.url.render_as_string(hide_password=False)

    def drop_all(self) -> None:
        for url, engine in self._created:
            engine.dispose()
            if self.backend == "postgresql":
                parsed = make_url(url)
                admin = build_engine(
                    parsed.set(database="postgres").render_as_string(hide_password=False)
                )
                with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                    conn.execute(text(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)'))
                admin.dispose()
        self._created.clear()


@pytest.fixture(scope="session", params=_backends())
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="session")
def databases(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[DatabaseFactory]:
    factory = DatabaseFactory(backend, tmp_path_factory.mktemp(backend))
    yield factory
    factory.drop_all()


@pytest.fixture(scope="session")
def engine(databases: DatabaseFactory) -> Engine:
    """The shared, seeded database. Tests must not change it."""
    return databases.create()


@pytest.fixture(scope="session")
def client(engine: Engine) -> Iterator[TestClient]:
    with TestClient(create_app(engine)) as test_client:
        yield test_client


@pytest.fixture
def make_database(databases: DatabaseFactory) -> Iterator[Callable[..., Engine]]:
    """A fresh database of the current backend, for tests that write. Its engine's
    connections are closed when the test ends (the database itself is dropped with the
    session's): a suite of hundreds of such tests never holds more connections than
    PostgreSQL allows (100 by default; past it, a write answers 503)."""
    made: list[Engine] = []

    def create(*, migrate: bool = True, seed: bool = True) -> Engine:
        engine = databases.create(migrate=migrate, seed=seed)
        made.append(engine)
        return engine

    yield create
    for engine in made:
        engine.dispose()


@pytest.fixture
def seed_copy(tmp_path: Path) -> Path:
    """A writable copy of the seed folder, for tests that edit or corrupt it."""
    target = tmp_path / "seed"
    (target / "texts").mkdir(parents=True)
    for source in SEED_DIR.rglob("*"):
        if source.is_file() and source.suffix in {".yaml", ".txt"}:
            destination = target / source.relative_to(SEED_DIR)
            destination.write_bytes(source.read_bytes())
    return target


@pytest.fixture
def cli_database(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The command line's database is the test's (`DATABASE_URL`), its caches cleared."""
    url = engine.url.render_as_string(hide_password=False)
    monkeypatch.setenv("DATABASE_URL", url)
    get_settings.cache_clear()
    get_engine.cache_clear()
    try:
        yield url
    finally:
        get_engine().dispose()
        get_engine.cache_clear()
        get_settings.cache_clear()
