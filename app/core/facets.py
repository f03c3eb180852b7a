"""Datasette-style facets: counts of items by the values of one field, under the same filters."""

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, func, literal, select
from sqlalchemy.orm import Session


def month_of(dialect: str, column: Any) -> ColumnElement[str]:
    if dialect == "sqlite":
        return func.strftime("%Y-%m", column)
    return func.to_char(column, "YYYY-MM")


def facet_counts(
    session: Session,
    *,
    value: Any,
    base: Any,
    where: ColumnElement[bool] | None,
    size: int,
    label: Any = None,
    joins: Sequence[tuple[Any, Any, bool]] = (),
    distinct: Any = None,
    order: str = "count",
) -> list[dict[str, Any]]:
    """The `size` most frequent values (or the first by value, for months) with counts."""
    counted = func.count(distinct.distinct()) if distinct is not None else func.count()
    label_column = label if label is not None else literal(None)
    statement = select(value.label("value"), label_column.label("label"), counted.label("count"))
    statement = statement.select_from(base)
    for target, on, outer in joins:
        statement = statement.join(target, on, isouter=outer)
    if where is not None:
        statement = statement.where(where)
    statement = statement.group_by(value, *([label] if label is not None else []))
    if order == "value":
        statement = statement.order_by(value.desc())
    else:
        statement = statement.order_by(counted.desc(), value.is_(None), value)
    rows = session.execute(statement.limit(size)).mappings()
    return [{"value": r["value"], "label": r["label"], "count": int(r["count"])} for r in rows]
