"""Benchmark corpora: the schema (`conflict-reports migrate`), the synthetic corpus, and the
claim rows' load rate by the app's bulk path against the raw driver. Where corpora live is
bench.databases.

This is the one module of the harness that imports the app (its engine, synthesizer, bulk
path and table definitions).
"""

import datetime as dt
import os
import subprocess
import time
from typing import Any

from app.core.db.engine import build_engine
from app.importer.bulk import insert_rows
from app.models import Base
from app.synth import COLUMNS, Corpus, synthesize
from bench.processes import CLI


def migrate(url: str) -> None:
    """The newest schema, by `conflict-reports migrate`."""
    subprocess.run(
        [str(CLI), "migrate"],
        env={**os.environ, "DATABASE_URL": url},
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
