"""One `paginate()` for every collection: filters, keyset cursor, optional exact count."""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, RowMapping, Select, func, literal_column, select
from sqlalchemy.orm import Session

from app.core.pagination import Sort, decode_cursor, encode_cursor


@dataclass
class PageResult:
    rows: Sequence[RowMapping]
    next_cursor: str | None
    total: int | None


def paginate(
    session: Session,
    statement: Select[*tuple[Any, ...]],
    *,
    where: Sequence[ColumnElement[bool]],
    sort: Sort,
    limit: int,
    cursor: str | None,
    count: str,
) -> PageResult:
    """Run `statement` (its columns, joins) with the filters, one page in `sort` order."""
    filtered = statement.where(*where)
    page = filtered.add_columns(*sort.labelled())
    if cursor:
        page = page.where(sort.after(decode_cursor(cursor, sort)))
    rows = session.execute(page.order_by(*sort.order_by()).limit(limit + 1)).mappings().all()
    more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = encode_cursor(sort, sort.values_of(rows[-1])) if more and rows else None
    total: int | None = None
    if count == "exact":
        # Count the filtered rows without computing their columns (or their JSON).
        counted = (
            filtered.with_only_columns(literal_column("1"), maintain_column_froms=True)
            .order_by(None)
            .subquery()
        )
        total = int(session.execute(select(func.count()).select_from(counted)).scalar_one())
    return PageResult(rows=rows, next_cursor=next_cursor, total=total)


def envelope(items: list[dict[str, Any]], result: PageResult) -> dict[str, Any]:
    return {"items": items, "next_cursor": result.next_cursor, "total": result.total}


def grouped(rows: Sequence[RowMapping], key: str) -> dict[Any, list[RowMapping]]:
    """Rows bucketed by one column, order kept: for attaching related rows to a page."""
    buckets: dict[Any, list[RowMapping]] = {}
    for row in rows:
        buckets.setdefault(row[key], []).append(row)
    return buckets
