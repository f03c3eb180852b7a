"""The engines' SQL differences that services and the kit's queries share, one function per
concept: a service asks for "the JSON array of these rows" or "the month of this date" and
never holds a per-engine string, so SQLite and PostgreSQL cannot drift apart. (Full text and
the planner's estimates differ too, inside the kit modules they belong to.)

Both engines answer the same bytes for the same data: JSON is written by each engine in its
own way (spacing, `6000` or `6000.0`) and is parsed and written again by the response; text
sorts bytewise on both (SQLite's BINARY, PostgreSQL's `COLLATE "C"`)."""

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, String, func
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement


def _engine(dialect: str) -> str:
    return "sqlite" if dialect == "sqlite" else "postgresql"


def json_objects(
    dialect: str,
    *,
    fields: Sequence[tuple[str, str]],
    source: str,
    where: str,
    order_by: str,
) -> str:
    """A correlated subquery (SQL text) answering, as JSON text, the array of one object per
    row of `source` matching `where`, in `order_by` order: `[]` where none. `fields` are the
    objects' keys and the (engine-neutral) SQL of each value."""
    pairs = ", ".join(f"'{key}', {sql}" for key, sql in fields)
    if _engine(dialect) == "sqlite":
        return (
            f"(SELECT json_group_array(json(j)) FROM (SELECT json_object({pairs}) AS j"
            f" FROM {source} WHERE {where} ORDER BY {order_by}))"
        )
    return (
        f"(SELECT coalesce(json_agg(json_build_object({pairs}) ORDER BY {order_by}),"
        f" '[]'::json) FROM {source} WHERE {where})::text"
    )


def json_sorted_values(dialect: str, *, values: str, column: str) -> str:
    """A correlated subquery (SQL text) answering, as JSON text, the array of the values of
    `column` of the (engine-neutral) statement `values`, sorted bytewise: `[]` where none."""
    if _engine(dialect) == "sqlite":
        return f"(SELECT json_group_array({column}) FROM ({values} ORDER BY 1))"
    return (
        f'(SELECT coalesce(json_agg({column} ORDER BY {column} COLLATE "C"),'
        f" '[]'::json) FROM ({values}) AS others)::text"
    )


def month_of(dialect: str, column: Any) -> ColumnElement[str]:
    """`YYYY-MM` of a date column."""
    if _engine(dialect) == "sqlite":
        return func.strftime("%Y-%m", column)
    return func.to_char(column, "YYYY-MM")


class rfc3339_text(FunctionElement[str]):
    """A UTC moment as the API writes it (`2021-09-01T00:00:00.000000Z`), written by the
    database itself: items are read by the page, and parsing a datetime per row only to print
    it again costs more than the row's other columns together. SQLite keeps the moment as
    SQLAlchemy's fixed-width text (`YYYY-MM-DD HH:MM:SS.ffffff`, UTC); PostgreSQL as
    `timestamptz`."""

    type = String()
    name = "rfc3339_text"
    inherit_cache = True


@compiles(rfc3339_text, "sqlite")
def _rfc3339_sqlite(element: rfc3339_text, compiler: SQLCompiler, **kw: Any) -> str:
    stored = compiler.process(element.clauses, **kw)
    return f"(substr({stored}, 1, 10) || 'T' || substr({stored}, 12) || 'Z')"


@compiles(rfc3339_text, "postgresql")
def _rfc3339_postgresql(element: rfc3339_text, compiler: SQLCompiler, **kw: Any) -> str:
    stored = compiler.process(element.clauses, **kw)
    return f"""to_char({stored} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')"""
