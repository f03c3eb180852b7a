"""Imports are crash-safe and one at a time (issue 9, item 5).

`seed` and `synth` run as real processes. Killed with SIGKILL in the middle of a large import,
they leave every table exactly as it was (row count and checksum of every table, and the
schema's indexes, triggers and constraints, since `synth` drops them while it loads). Two
imports of the same bundle at once end with one copy: the second waits for the first, or
fails cleanly when told to wait less.
"""

import hashlib
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import Connection, Engine, inspect, text

from app.importer.lock import IMPORT_LOCK_KEY, take_import_lock
from tests.conftest import SEED_DIR

CLI = str(Path(sys.executable).with_name("conflict-reports"))
SYNTH_CLAIMS = 50_000
FTS5_STORAGE = {"search_fts_data", "search_fts_idx"}


def table_checksums(
    engine: Engine, *, without: frozenset[str] = frozenset()
) -> dict[str, tuple[int, str]]:
    """Every table's row count and a SHA-256 of its rows (sorted; the columns named in
    `without` left out), plus the schema's own objects (indexes, triggers, constraints) under
    the key `(schema)`."""
    sums: dict[str, tuple[int, str]] = {}
    with engine.connect() as conn:
        inspector = inspect(conn)
        for name in sorted(inspector.get_table_names()):
            columns = ", ".join(
                f'"{column["name"]}"'
                for column in inspector.get_columns(name)
                if column["name"] not in without
            )
            rows = sorted(
                repr(tuple(row)) for row in conn.execute(text(f'SELECT {columns} FROM "{name}"'))
            )
            digest = hashlib.sha256("\n".join(rows).encode()).hexdigest()
            sums[name] = (len(rows), digest)
        objects = sorted(repr(tuple(row)) for row in conn.execute(text(_schema_query(conn))))
        sums["(schema)"] = (len(objects), hashlib.sha256("\n".join(objects).encode()).hexdigest())
    return sums


def _schema_query(conn: Connection) -> str:
    if conn.dialect.name == "sqlite":
        return "SELECT type, name, tbl_name, sql FROM sqlite_master"
    return (
        "SELECT 'index', indexname, tablename, indexdef FROM pg_indexes"
        " WHERE schemaname = current_schema()"
        " UNION ALL SELECT 'constraint', conname, conrelid::regclass::text,"
        " pg_get_constraintdef(oid) FROM pg_constraint"
        " WHERE connamespace = current_schema()::regnamespace"
        " UNION ALL SELECT 'trigger', tgname, tgrelid::regclass::text, pg_get_triggerdef(oid)"
        " FROM pg_trigger WHERE NOT tgisinternal"
    )


def start(engine: Engine, *arguments: str, log: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "DATABASE_URL": engine.url.render_as_string(hide_password=False)}
    with log.open("wb") as output:
        return subprocess.Popen([CLI, *arguments], env=env, stdout=output, stderr=output)


def wait_for(condition: Callable[[], bool], *, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.005)


def import_writing(engine: Engine) -> bool:
    """Whether an import is inside its transaction: on SQLite, holding the write lock; on
    PostgreSQL, holding the import lock in a transaction that has begun writing."""
    if engine.dialect.name == "sqlite":
        database = engine.url.database
        assert database is not None
        probe = sqlite3.connect(database, timeout=0, isolation_level=None)
        try:
            probe.execute("BEGIN IMMEDIATE")
            probe.execute("ROLLBACK")
            return False
        except sqlite3.OperationalError:
            return True
        finally:
            probe.close()
    with engine.connect() as conn:
        # A transaction gets its id at its first write.
        return bool(
            conn.execute(
                text(
                    "SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a USING (pid)"
                    " WHERE l.locktype = 'advisory' AND l.granted"
                    " AND (l.classid::bigint << 32 | l.objid::bigint) = :key"
                    " AND a.backend_xid IS NOT NULL"
                ),
                {"key": IMPORT_LOCK_KEY},
            ).scalar_one()
        )


@pytest.mark.parametrize(
    ("command", "then_wait"),
    [
        # The seed holds the write lock for about 0.1 s on a quiet machine (measured): kill it
        # 20 ms after it is seen writing (seen within 5 ms of taking the lock).
        (["seed", str(SEED_DIR)], 0.02),
        # Synth writes 50k claims for about 2.5 s (measured): kill it 1 s in.
        (["synth", "--claims", str(SYNTH_CLAIMS)], 1.0),
    ],
    ids=["seed", "synth"],
)
def test_an_import_killed_midway_leaves_the_database_as_it_was(
    make_database: Callable[..., Engine],
    tmp_path: Path,
    command: list[str],
    then_wait: float,
) -> None:
    # seed into an empty database; synth into a seeded one (and it drops indexes as it goes).
    engine = make_database(seed=command[0] == "synth")
    before = table_checksums(engine)
    # Nothing else keeps the database open: on SQLite, synth then loads through a rollback
    # journal instead of the WAL (see `app.synth`), and a kill must leave it hot, to be
    # rolled back at the next open.
    engine.dispose()
    log = tmp_path / "import.log"
    process = start(engine, *command, log=log)
    journal = Path(f"{engine.url.database}-journal") if engine.dialect.name == "sqlite" else None
    try:
        wait_for(lambda: import_writing(engine), timeout=60, what="the import to start writing")
        time.sleep(then_wait)
        assert process.poll() is None, f"the import ended before it was killed: {log.read_text()}"
        process.send_signal(signal.SIGKILL)
        assert process.wait(timeout=10) == -signal.SIGKILL
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    if journal is not None and command[0] == "synth":
        assert journal.exists(), "synth was killed while writing through a rollback journal"
    engine.dispose()
    after = table_checksums(engine)
    lines = [f"{engine.dialect.name} {command[0]} killed mid-way; per table (rows, sha256):"]
    for name, (rows, digest) in before.items():
        was, now = f"{rows} {digest[:12]}", f"{after[name][0]} {after[name][1][:12]}"
        lines.append(f"  {name}: {was} before, {now} after")
    # The figures the closing note quotes (shown with `pytest -s`).
    print("\n" + "\n".join(lines))  # noqa: T201
    assert after == before
    assert before["claim"][0] == (0 if command[0] == "seed" else 30)


def test_two_imports_at_once_end_with_one_copy(
    make_database: Callable[..., Engine], engine: Engine, tmp_path: Path
) -> None:
    target = make_database(seed=False)
    logs = [tmp_path / "first.log", tmp_path / "second.log"]
    # The test holds the import lock, so the two imports surely overlap: both must wait.
    with target.begin() as conn:
        take_import_lock(conn)
        imports = [start(target, "seed", str(SEED_DIR), log=log) for log in logs]
        for log in logs:
            wait_for(
                lambda log=log: "waiting for it to finish" in log.read_text(),  # type: ignore[misc]
                timeout=60,
                what=f"{log.name} to wait",
            )
        assert all(process.poll() is None for process in imports)
    codes = [process.wait(timeout=120) for process in imports]
    assert codes == [0, 0], [log.read_text() for log in logs]
    # One copy: exactly the rows a single import of the seed writes (the shared seeded
    # database), but for the time each import stamps (`seed` stamps the real time, the tests'
    # seed a fixed one). FTS5's segment storage depends on the write history, not the rows.
    stamped = frozenset({"updated_at"})
    ours, single = (
        table_checksums(target, without=stamped),
        table_checksums(engine, without=stamped),
    )
    # The audit log lists both runs (the second changed nothing); the data is one copy. (The
    # shared database's log counts whatever runs other tests made: it is not compared.)
    assert ours.pop("audit_entry")[0] == 2
    single.pop("audit_entry")
    assert _logical(ours) == _logical(single)
    with target.connect() as conn:
        runs = conn.execute(
            text("SELECT action, before_version, after_version FROM audit_entry ORDER BY id")
        ).all()
    assert [run[0] for run in runs] == ["create", "replace"]
    assert runs[1][1] == runs[1][2] == runs[0][2]


def _logical(sums: dict[str, tuple[int, str]]) -> dict[str, tuple[int, str]]:
    return {name: value for name, value in sums.items() if name not in FTS5_STORAGE}


@pytest.mark.parametrize(
    "command", [["seed", str(SEED_DIR)], ["synth", "--claims", "300"]], ids=["seed", "synth"]
)
def test_an_import_that_waits_too_long_fails_cleanly(
    make_database: Callable[..., Engine], tmp_path: Path, command: list[str]
) -> None:
    target = make_database(seed=False)
    before = table_checksums(target)
    log = tmp_path / "import.log"
    with target.begin() as conn:
        take_import_lock(conn)
        process = start(target, *command, "--lock-wait", "1", log=log)
        code = process.wait(timeout=60)
    output = log.read_text()
    assert code == 1, output
    assert "another import is still running after 1 s of waiting; nothing was written" in output
    assert "Traceback" not in output
    assert table_checksums(target) == before
