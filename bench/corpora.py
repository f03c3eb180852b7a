"""Benchmark corpora: where they live (a SQLite file, or a PostgreSQL database of their own),
making and dropping those, the schema, the synthetic corpus, and the claim rows' load rate by
the app's bulk path against the raw driver.

This is the one module of the harness that imports the app (its engine, synthesizer, bulk
path and table definitions); the schema comes from `conflict-reports migrate`.
"""

import datetime as dt
import os
import subprocess
import time
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, make_url, text

from app.core.db import build_engine
from app.importer.bulk import insert_rows
from app.models import Base
from app.synth import COLUMNS, Corpus, synthesize
from bench.processes import CLI

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


def migrate(url: str, *, command: list[str] | None = None, cwd: Path | None = None) -> None:
    """The newest schema, by `conflict-reports migrate` (or `command` given for it)."""
    subprocess.run(
        [*(command or [str(CLI)]), "migrate"],
        env={**os.environ, "DATABASE_URL": url},
        cwd=cwd,
        check=True,
        capture_output=True,
    )


def synthesize_corpus(url: str, claims: int, *, seed: int = 7) -> tuple[int, float]:
    """The synthetic corpus (`conflict-reports synth`), in this process: rows written, seconds."""
    engine = build_engine(url)
    try:
        started = time.perf_counter()
        summary = synthesize(engine, claims=claims, seed=seed)
        elapsed = time.perf_counter() - started
    finally:
        engine.dispose()
    return sum(summary.rows.values()), elapsed


def claim_load_rates(engine_name: str, url: str, size: int) -> dict[str, Any]:
    """The claim rows alone, into an empty copy of the table: the bulk path vs the raw driver
    (a rate, so 200k rows are enough to measure it)."""
    corpus = Corpus(min(size, 200_000), seed=11)
    corpus.static_rows()
    # As synth writes them: with the run's time as `updated_at`.
    stamp = dt.datetime.now(dt.UTC)
    rows = [(*row, stamp) for chunk in corpus.chunks() for row in chunk["claim"]]
    table = Base.metadata.tables["claim"]
    columns = (*COLUMNS["claim"], "updated_at")
    rates: dict[str, Any] = {}
    engine = build_engine(url)
    try:
        for attempt in ("api", "raw"):
            with engine.begin() as conn:
                conn.exec_driver_sql("DROP TABLE IF EXISTS claim_load_probe")
                if engine_name == "sqlite":
                    conn.exec_driver_sql(
                        "CREATE TABLE claim_load_probe AS SELECT * FROM claim WHERE 0"
                    )
                else:
                    conn.exec_driver_sql(
                        "CREATE TABLE claim_load_probe (LIKE claim INCLUDING DEFAULTS)"
                    )
            with engine.begin() as conn:
                started = time.perf_counter()
                if attempt == "api":
                    probe = table.to_metadata(Base.metadata.__class__(), name="claim_load_probe")
                    insert_rows(conn, probe, columns, rows)
                else:
                    raw: Any = conn.connection.driver_connection
                    names = ", ".join(columns)
                    if engine_name == "sqlite":
                        iso = [
                            tuple(v.isoformat() if isinstance(v, dt.date) else v for v in row)
                            for row in rows
                        ]
                        marks = ", ".join("?" * len(columns))
                        raw.executemany(
                            f"INSERT INTO claim_load_probe ({names}) VALUES ({marks})", iso
                        )
                    else:
                        with raw.cursor() as cursor:
                            with cursor.copy(f"COPY claim_load_probe ({names}) FROM STDIN") as copy:
                                for row in rows:
                                    copy.write_row(row)
                rates[f"{attempt}_claim_rows_per_s"] = round(
                    len(rows) / (time.perf_counter() - started)
                )
            with engine.begin() as conn:
                conn.exec_driver_sql("DROP TABLE claim_load_probe")
    finally:
        engine.dispose()
    rates["claim_rows_ratio"] = round(
        rates["api_claim_rows_per_s"] / rates["raw_claim_rows_per_s"], 2
    )
    return rates
