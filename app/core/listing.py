"""One `paginate()` for every collection: filters, keyset cursor, and a count that costs what
it is worth (exact, estimated, or none)."""

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import (
    ColumnElement,
    RowMapping,
    Select,
    and_,
    func,
    literal_column,
    select,
    text,
)
from sqlalchemy.orm import Session

from app.core.fulltext import matches
from app.core.pagination import Sort, SortField, decode_cursor, encode_cursor, parse_sort

# `count=estimated` counts exactly up to here (Elasticsearch's track_total_hits default).
EXACT_COUNT_THRESHOLD = 10_000

TotalRelation = Literal["eq", "gte", "estimate"]


@dataclass
class PageResult:
    rows: Sequence[RowMapping]
    next_cursor: str | None
    total: int | None
    total_relation: TotalRelation | None = None


def paginate(
    session: Session,
    statement: Select[*tuple[Any, ...]],
    *,
    where: Sequence[ColumnElement[bool]],
    sort: Sort,
    limit: int,
    cursor: str | None,
    count: str,
    columns_of: tuple[Select[*tuple[Any, ...]], Any] | None = None,
    counted: Select[*tuple[Any, ...]] | None = None,
) -> PageResult:
    """Run `statement` (its columns, joins) with the filters, one page in `sort` order.

    With `columns_of` (the collection's unfiltered statement and its id column), the page is
    found first as ids and sort keys alone, and only its rows get their columns: an engine
    that sorts many matches (SQLite, whenever no index gives the order) would otherwise build
    every match's columns, related rows as JSON included, before keeping a page of them."""
    filtered = statement.where(*where)
    after = None
    if cursor:
        row_values = session.get_bind().dialect.name == "postgresql"
        after = sort.after(decode_cursor(cursor, sort), row_values=row_values)
    if columns_of is None:
        page = filtered.add_columns(*sort.labelled())
        if after is not None:
            page = page.where(after)
        page = page.order_by(*sort.order_by()).limit(limit + 1)
    else:
        base, id_column = columns_of
        keys = filtered.with_only_columns(
            id_column.label("_id"), *sort.labelled(), maintain_column_froms=True
        )
        if after is not None:
            keys = keys.where(after)
        found = keys.order_by(*sort.order_by()).limit(limit + 1).subquery("page")
        labels = [found.c[f"_k{index}"] for index in range(len(sort.terms))]
        page = (
            base.add_columns(*labels)
            .join(found, found.c["_id"] == id_column)
            .order_by(
                *(
                    label.desc() if term.descending else label.asc()
                    for label, term in zip(labels, sort.terms, strict=True)
                )
            )
        )
    # Core execution on the session's connection: the rows are plain columns, so the ORM's
    # compile and loading steps would be pure overhead on the hottest path.
    rows = session.connection().execute(page).mappings().all()
    more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = encode_cursor(sort, sort.values_of(rows[-1])) if more and rows else None
    total: int | None = None
    relation: TotalRelation | None = None
    if count != "none":
        # Count the filtered rows without computing their columns (or their JSON).
        if counted is None:
            counted = filtered.with_only_columns(
                literal_column("1"), maintain_column_froms=True
            ).order_by(None)
        if count == "exact":
            total, relation = _count(session, counted), "eq"
        else:
            total, relation = _estimated_count(session, counted)
    return PageResult(rows=rows, next_cursor=next_cursor, total=total, total_relation=relation)


def _count(session: Session, counted: Select[*tuple[Any, ...]]) -> int:
    statement = select(func.count()).select_from(counted.subquery())
    return int(session.connection().execute(statement).scalar_one())


def _estimated_count(
    session: Session, counted: Select[*tuple[Any, ...]]
) -> tuple[int, TotalRelation]:
    """Exact up to the threshold; beyond it the planner's estimate on PostgreSQL, and on
    SQLite the threshold itself, flagged as a lower bound."""
    bounded = _count(session, counted.limit(EXACT_COUNT_THRESHOLD + 1))
    if bounded <= EXACT_COUNT_THRESHOLD:
        return bounded, "eq"
    bind = session.get_bind()
    if bind.dialect.name != "postgresql":
        return EXACT_COUNT_THRESHOLD, "gte"
    sql = counted.compile(dialect=bind.dialect, compile_kwargs={"literal_binds": True})
    plan = session.execute(text(f"EXPLAIN (FORMAT JSON) {sql}")).scalar_one()
    plan = json.loads(plan) if isinstance(plan, str) else plan
    estimate = int(plan[0]["Plan"]["Plan Rows"])
    # The planner may guess low; the bounded count proved more than the threshold.
    return max(estimate, EXACT_COUNT_THRESHOLD + 1), "estimate"


def envelope(items: list[dict[str, Any]], result: PageResult) -> dict[str, Any]:
    return {
        "items": items,
        "next_cursor": result.next_cursor,
        "total": result.total,
        "total_relation": result.total_relation,
    }


def grouped(rows: Sequence[RowMapping], key: str) -> dict[Any, list[RowMapping]]:
    """Rows bucketed by one column, order kept: for attaching related rows to a page."""
    buckets: dict[Any, list[RowMapping]] = {}
    for row in rows:
        buckets.setdefault(row[key], []).append(row)
    return buckets


def search_and_paginate(
    session: Session,
    dialect: str,
    params: Any,
    *,
    statement: Select[*tuple[Any, ...]],
    where: Sequence[ColumnElement[bool]],
    entity_type: str,
    id_column: Any,
    sort_fields: Mapping[str, SortField],
    default_sort: str = "id",
) -> PageResult:
    """A collection's page: its filters, `q` joined in (with `sort=relevance`), its sort."""
    relevance = None
    base = statement
    counted: Select[*tuple[Any, ...]] | None = None
    if params.q:
        found = matches(dialect, params.q, entity_type)
        statement = statement.join(found, found.c.entity_id == id_column)
        if not where:
            # Every search document of this type has its item: with no other filter, the
            # matches alone are the count (no join back to the collection's table).
            counted = select(literal_column("1")).select_from(found)
        relevance = SortField(found.c.rank, "float")
    sort = parse_sort(
        params.sort,
        fields=sort_fields,
        id_field=sort_fields["id"],
        default="relevance" if params.q else default_sort,
        relevance=relevance,
    )
    return paginate(
        session,
        statement,
        where=where,
        sort=sort,
        limit=params.limit,
        cursor=params.cursor,
        count=params.count,
        columns_of=(base, id_column),
        counted=counted,
    )


def facet_scope(
    dialect: str,
    q: str | None,
    where: list[ColumnElement[bool]],
    *,
    entity_type: str,
    id_column: Any,
) -> ColumnElement[bool] | None:
    """The filters of a facet request as one condition (None: everything)."""
    if q:
        found = matches(dialect, q, entity_type)
        where = [*where, id_column.in_(select(found.c.entity_id))]
    return and_(*where) if where else None
