"""One import at a time. Every import (`seed`, `synth`) takes the import lock as the first
statement of its one transaction, so the lock goes with that transaction: released by the
commit, by the rollback, or by the database when the importing process dies (even by SIGKILL).

- PostgreSQL: a transaction-level advisory lock (`pg_advisory_xact_lock`); readers never wait
  for it, and a second import waits for the first under `lock_timeout`.
- SQLite: `BEGIN IMMEDIATE` takes the database's write lock at once (a deferred transaction
  would read first and could then fail to upgrade to a writer); WAL readers never wait for it,
  and a second import waits for the first under `busy_timeout`.

Either way the second import of the same bundle starts after the first has committed, so it
finds the rows already there and changes nothing: one copy. If it waits longer than its limit
it fails with `ImportLocked`, having written nothing.
"""

import sqlite3
from collections.abc import Callable

from sqlalchemy import Connection
from sqlalchemy.exc import OperationalError

from app.core.db.engine import SQLITE_BUSY_TIMEOUT_MS

# Any fixed signed 64-bit number names the lock; this one is "CR_IMPOR" in ASCII.
IMPORT_LOCK_KEY = 0x43525F494D504F52
# How long a second import waits for the first by default (seconds).
DEFAULT_LOCK_WAIT = 600.0
# PostgreSQL's SQLSTATE when lock_timeout expires.
LOCK_NOT_AVAILABLE = "55P03"


class ImportLocked(Exception):
    """Another import held the lock for longer than this one would wait; nothing was written."""

    def __init__(self, waited: float) -> None:
        self.waited = waited
        super().__init__(
            f"another import is still running after {waited:g} s of waiting; nothing was "
            "written: try again when it has finished (or wait longer with --lock-wait)"
        )


def take_import_lock(
    conn: Connection,
    *,
    wait: float = DEFAULT_LOCK_WAIT,
    on_wait: Callable[[], None] | None = None,
) -> None:
    """Take the import lock in `conn`'s transaction (which must not have run a statement
    yet). If another import holds it, call `on_wait` and wait up to `wait` seconds."""
    if conn.dialect.name == "sqlite":
        _begin_immediate(conn, wait=wait, on_wait=on_wait)
        return
    key = IMPORT_LOCK_KEY
    if conn.exec_driver_sql(f"SELECT pg_try_advisory_xact_lock({key})").scalar_one():
        return
    if on_wait is not None:
        on_wait()
    conn.exec_driver_sql(f"SET LOCAL lock_timeout = {max(1, round(wait * 1000))}")
    try:
        conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({key})")
    except OperationalError as exc:
        if getattr(exc.orig, "sqlstate", None) == LOCK_NOT_AVAILABLE:
            raise ImportLocked(wait) from None
        raise
    conn.exec_driver_sql("SET LOCAL lock_timeout = DEFAULT")


def _begin_immediate(conn: Connection, *, wait: float, on_wait: Callable[[], None] | None) -> None:
    # SQLAlchemy leaves BEGIN to the sqlite3 module, which would send a deferred one before
    # the first write: sent here first, it is the transaction SQLAlchemy commits.
    try:
        conn.exec_driver_sql("PRAGMA busy_timeout = 0")
        try:
            conn.exec_driver_sql("BEGIN IMMEDIATE")
            return
        except OperationalError as exc:
            if not _is_locked(exc):
                raise
        if on_wait is not None:
            on_wait()
        conn.exec_driver_sql(f"PRAGMA busy_timeout = {max(1, round(wait * 1000))}")
        try:
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        except OperationalError as exc:
            if _is_locked(exc):
                raise ImportLocked(wait) from None
            raise
    finally:
        conn.exec_driver_sql(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")


def _is_locked(exc: OperationalError) -> bool:
    return isinstance(exc.orig, sqlite3.OperationalError) and (
        "locked" in str(exc.orig) or "busy" in str(exc.orig)
    )
