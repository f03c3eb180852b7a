"""The bulk write path: COPY on PostgreSQL, one `executemany` per batch on SQLite.

Used by the seed importer for its inserts and by `conflict-reports synth` for millions of
rows. For big loads into a fresh corpus, `deferred_indexes()` drops secondary indexes, full-text
triggers and (on PostgreSQL) foreign keys first and rebuilds them once at the end, which is
several times faster than maintaining them row by row.
"""

import datetime as dt
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from functools import lru_cache
from typing import Any

from sqlalchemy import JSON, Connection, Date, Table

from app.models.base import UTCDateTime

Converter = Callable[[Any], Any]

# Below this many rows a plain INSERT is as quick as COPY and simpler to reason about.
COPY_THRESHOLD = 200


def _identity(value: Any) -> Any:
    return value


def _json_text(value: Any) -> Any:
    return None if value is None else json.dumps(value, ensure_ascii=False)


def _iso_date(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


def _sqlite_moment(value: Any) -> Any:
    """An aware datetime as UTCDateTime stores it on SQLite (fixed-width text, UTC)."""
    if isinstance(value, dt.datetime):
        return _moment_text(value)
    return value


@lru_cache(maxsize=256)
def _moment_text(value: dt.datetime) -> str:
    # An import stamps every row it writes with the same time: formatted once.
    return value.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def _converted(row: Sequence[Any], special: Sequence[tuple[int, Converter]]) -> list[Any]:
    values = list(row)
    for index, convert in special:
        values[index] = convert(values[index])
    return values


def _converters(dialect: str, table: Table, columns: Sequence[str]) -> list[Converter]:
    converters: list[Converter] = []
    for name in columns:
        column_type = table.c[name].type
        if isinstance(column_type, JSON):
            converters.append(_json_text)
        elif isinstance(column_type, UTCDateTime) and dialect == "sqlite":
            converters.append(_sqlite_moment)
        elif isinstance(column_type, Date) and dialect == "sqlite":
            converters.append(_iso_date)
        else:
            converters.append(_identity)
    return converters


def insert_rows(
    conn: Connection, table: Table, columns: Sequence[str], rows: Sequence[Sequence[Any]]
) -> int:
    """Insert tuples (in `columns` order) with the fastest path the engine has."""
    if not rows:
        return 0
    dialect = conn.dialect.name
    # Only the columns that need it are converted (most need nothing).
    special = [
        (index, convert)
        for index, convert in enumerate(_converters(dialect, table, columns))
        if convert is not _identity
    ]
    prepared: Iterable[Sequence[Any]] = (
        [_converted(row, special) for row in rows] if special else rows
    )
    raw = conn.connection.driver_connection
    column_list = ", ".join(f'"{name}"' for name in columns)
    if dialect == "postgresql" and len(rows) >= COPY_THRESHOLD:
        with raw.cursor() as cursor:  # type: ignore[union-attr]
            with cursor.copy(f'COPY "{table.name}" ({column_list}) FROM STDIN') as copy:
                for row in prepared:
                    copy.write_row(row)
        return len(rows)
    placeholders = ", ".join(["?" if dialect == "sqlite" else "%s"] * len(columns))
    statement = f'INSERT INTO "{table.name}" ({column_list}) VALUES ({placeholders})'
    cursor = raw.cursor()  # type: ignore[union-attr]
    try:
        cursor.executemany(statement, list(prepared))
    finally:
        cursor.close()
    return len(rows)


@contextmanager
def deferred_indexes(conn: Connection, tables: Sequence[str]) -> Iterator[None]:
    """Drop secondary indexes, full-text triggers and (PostgreSQL) foreign keys of `tables`;
    rebuild them when the block ends. Everything happens in the caller's transaction."""
    dialect = conn.dialect.name
    if dialect == "sqlite":
        saved = conn.exec_driver_sql(
            "SELECT type, name, sql FROM sqlite_master"
            " WHERE type IN ('index', 'trigger') AND sql IS NOT NULL AND tbl_name IN ("
            + ", ".join(f"'{t}'" for t in tables)
            + ")"
        ).all()
        for kind, name, _sql in saved:
            conn.exec_driver_sql(f'DROP {kind.upper()} "{name}"')
        yield
        for _kind, _name, sql in sorted(saved, key=lambda row: row[0] != "index"):
            conn.exec_driver_sql(sql)
        if "search_document" in tables:
            conn.exec_driver_sql("INSERT INTO search_fts(search_fts) VALUES ('rebuild')")
        conn.exec_driver_sql("ANALYZE")
        return

    names = ", ".join(f"'{t}'" for t in tables)
    foreign_keys = conn.exec_driver_sql(
        "SELECT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid)"
        " FROM pg_constraint c WHERE c.contype = 'f' AND c.conrelid::regclass::text IN ("
        + names
        + ")"
    ).all()
    indexes = conn.exec_driver_sql(
        "SELECT i.indexname, i.indexdef FROM pg_indexes i"
        " WHERE i.schemaname = current_schema() AND i.tablename IN ("
        + names
        + ") AND i.indexname NOT IN (SELECT conname FROM pg_constraint)"
    ).all()
    for table, name, _definition in foreign_keys:
        conn.exec_driver_sql(f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"')
    for name, _definition in indexes:
        conn.exec_driver_sql(f'DROP INDEX "{name}"')
    yield
    conn.exec_driver_sql("SET LOCAL maintenance_work_mem = '512MB'")
    for _name, definition in indexes:
        conn.exec_driver_sql(definition)
    for table, name, definition in foreign_keys:
        conn.exec_driver_sql(f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {definition}')
    conn.exec_driver_sql("ANALYZE")
