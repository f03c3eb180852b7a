"""Engine and session set-up. The driver choice lives here and nowhere else."""

import math
import sqlite3
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from app.core.config import get_settings, normalise_database_url

MATH_FUNCTIONS: dict[str, Any] = {
    "radians": math.radians,
    "sin": math.sin,
    "cos": math.cos,
    "asin": math.asin,
    "sqrt": math.sqrt,
}


def _prepare_sqlite_connection(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    try:
        cursor.execute("SELECT radians(1), sin(1), cos(1), asin(1), sqrt(1)")
    except sqlite3.OperationalError:
        # SQLite built without its math functions: distance queries need these five.
        for name, function in MATH_FUNCTIONS.items():
            dbapi_connection.create_function(name, 1, _null_safe(function), deterministic=True)
    cursor.close()


def _null_safe(function: Any) -> Any:
    def call(value: float | None) -> float | None:
        return None if value is None else float(function(value))

    return call


def build_engine(url: str, *, echo: bool = False) -> Engine:
    """An engine for `url`, with SQLite made to enforce foreign keys like PostgreSQL does."""
    url = normalise_database_url(url)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, echo=echo, connect_args={"check_same_thread": False})
        event.listen(engine, "connect", _prepare_sqlite_connection)
        return engine
    # FastAPI runs sync endpoints on up to 40 threads: size the pool so they never starve.
    return create_engine(url, echo=echo, pool_size=20, max_overflow=30, pool_pre_ping=True)


@lru_cache
def get_engine() -> Engine:
    settings = get_settings()
    return build_engine(settings.database_url, echo=settings.sql_echo)


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False, autoflush=False)


def iter_session(engine: Engine) -> Iterator[Session]:
    with session_factory(engine)() as session:
        yield session
