"""Where benchmark corpora live: a SQLite file, or a PostgreSQL database of their own on the
server of BENCH_DATABASE_URL (made and dropped here). Imports nothing of the app."""

import os
from pathlib import Path

from sqlalchemy import create_engine, make_url, text

DEFAULT_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


def postgres_server() -> str:
    """The PostgreSQL server the benchmarks use: BENCH_DATABASE_URL, else the local one."""
    return os.environ.get("BENCH_DATABASE_URL", DEFAULT_POSTGRES)


def postgres_url(server_url: str, database: str) -> str:
    """A database of its own on the server of `server_url` (psycopg, password kept)."""
    server = make_url(server_url).set(drivername="postgresql+psycopg", database=database)
    return server.render_as_string(hide_password=False)


def database_url(engine: str, size: int, *, work: Path, server_url: str) -> str:
    """Where the corpus of `size` claims lives: a file under `work`, or `cr_bench_<size>`."""
    if engine == "sqlite":
        return f"sqlite:///{work / f'claims-{size}.db'}"
    return postgres_url(server_url, f"cr_bench_{size}")


def sqlite_path(url: str) -> Path:
    return Path(url.split("///", 1)[1])


def _admin(url: str, *statements: str) -> None:
    target = make_url(url)
    admin = create_engine(target.set(database="postgres").render_as_string(hide_password=False))
    try:
        with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            for statement in statements:
                conn.execute(text(statement.format(name=target.database)))
    finally:
        admin.dispose()


def recreate_postgres(url: str) -> None:
    _admin(url, 'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', 'CREATE DATABASE "{name}"')


def drop_postgres(url: str) -> None:
    _admin(url, 'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def fresh_database(url: str) -> None:
    """An empty database at `url`: the SQLite file (and its WAL) removed, or the PostgreSQL
    database dropped and created."""
    if make_url(url).get_backend_name() == "sqlite":
        path = sqlite_path(url)
        for suffix in ("", "-wal", "-shm"):
            path.with_name(path.name + suffix).unlink(missing_ok=True)
    else:
        recreate_postgres(url)
