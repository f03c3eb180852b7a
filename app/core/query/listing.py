"""One `paginate()` for every collection: filters, keyset cursor, and a count that costs what
it is worth (exact, estimated, or none)."""

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import (
    ColumnElement,
    Integer,
    RowMapping,
    Select,
    and_,
    bindparam,
    func,
    literal_column,
    select,
    text,
)
from sqlalchemy.orm import Session

from app.core.query.fulltext import (
    match_count_rows,
    matches,
    plan_for_the_words,
)
from app.core.query.pagination import (
    Sort,
    SortField,
    bound_to,
    decode_cursor,
    encode_cursor,
    parse_sort,
)
from app.core.query.sync import since_filter, updated_at_of

# `count=estimated` counts exactly up to here (Elasticsearch's track_total_hits default).
EXACT_COUNT_THRESHOLD = 10_000

TotalRelation = Literal["eq", "gte", "estimate"]


@dataclass
class PageResult:
    rows: Sequence[RowMapping]
    next_cursor: str | None
    total: int | None
    total_relation: TotalRelation | None = None


@dataclass(frozen=True)
class PageQuery:
    """The statements of one page: the page itself and, unless `count=none`, its count."""

    page: Select[*tuple[Any, ...]]
    count: Select[*tuple[Any, ...]] | None  # exact, or bounded at the threshold
    counted: Select[*tuple[Any, ...]] | None  # what is counted (for the planner's estimate)


def page_query(
    statement: Select[*tuple[Any, ...]],
    *,
    where: Sequence[ColumnElement[bool]],
    sort: Sort,
    limit: Any,
    after: ColumnElement[bool] | None,
    count: str,
    columns_of: tuple[Select[*tuple[Any, ...]], Any] | None = None,
    counted: Select[*tuple[Any, ...]] | None = None,
    key_column: Any = None,
) -> PageQuery:
    """Build the page's statements. `limit` is the number of rows to fetch (one more than
    the page) or a bound parameter standing for it.

    With `columns_of` (the collection's unfiltered statement and its id column), the page is
    found first as ids and sort keys alone, and only its rows get their columns: an engine
    that sorts many matches (SQLite, whenever no index gives the order) would otherwise build
    every match's columns, related rows as JSON included, before keeping a page of them.

    `key_column` is the item id as `statement` has it, when that is not the table's own
    column (a search's matches)."""
    filtered = statement.where(*where)
    if columns_of is None:
        page = filtered.add_columns(*sort.labelled())
        if after is not None:
            page = page.where(after)
        page = page.order_by(*sort.order_by()).limit(limit)
    else:
        base, id_column = columns_of
        keys = filtered.with_only_columns(
            (id_column if key_column is None else key_column).label("_id"),
            *sort.labelled(),
            maintain_column_froms=True,
        )
        if after is not None:
            keys = keys.where(after)
        found = keys.order_by(*sort.order_by()).limit(limit).subquery("page")
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
    if count == "none":
        return PageQuery(page=page, count=None, counted=None)
    # Count the filtered rows without computing their columns (or their JSON).
    if counted is None:
        counted = filtered.with_only_columns(
            literal_column("1"), maintain_column_froms=True
        ).order_by(None)
    bounded = counted if count == "exact" else counted.limit(EXACT_COUNT_THRESHOLD + 1)
    return PageQuery(
        page=page,
        count=select(func.count()).select_from(bounded.subquery()),
        counted=counted,
    )


def run_page(
    session: Session,
    query: PageQuery,
    *,
    sort: Sort,
    limit: int,
    count: str,
    binds: Mapping[str, Any] | None = None,
) -> PageResult:
    # Core execution on the session's connection: the rows are plain columns, so the ORM's
    # compile and loading steps would be pure overhead on the hottest path.
    connection = session.connection()
    binds = binds or {}
    rows = connection.execute(query.page, binds).mappings().all()
    more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = encode_cursor(sort, sort.values_of(rows[-1])) if more and rows else None
    total: int | None = None
    relation: TotalRelation | None = None
    if query.count is not None:
        counted_rows = int(connection.execute(query.count, binds).scalar_one())
        if count == "exact":
            total, relation = counted_rows, "eq"
        elif counted_rows <= EXACT_COUNT_THRESHOLD:
            total, relation = counted_rows, "eq"
        else:
            assert query.counted is not None
            total, relation = _beyond_threshold(session, query.counted, binds)
    return PageResult(rows=rows, next_cursor=next_cursor, total=total, total_relation=relation)


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
    key_column: Any = None,
) -> PageResult:
    """Run `statement` (its columns, joins) with the filters, one page in `sort` order."""
    after = None
    if cursor:
        row_values = session.get_bind().dialect.name == "postgresql"
        after = sort.after(decode_cursor(cursor, sort), row_values=row_values)
    query = page_query(
        statement,
        where=where,
        sort=sort,
        limit=limit + 1,
        after=after,
        count=count,
        columns_of=columns_of,
        counted=counted,
        key_column=key_column,
    )
    return run_page(session, query, sort=sort, limit=limit, count=count)


def _beyond_threshold(
    session: Session, counted: Select[*tuple[Any, ...]], binds: Mapping[str, Any]
) -> tuple[int, TotalRelation]:
    """More than the threshold matched: the planner's estimate on PostgreSQL, and on SQLite
    the threshold itself, flagged as a lower bound."""
    bind = session.get_bind()
    if bind.dialect.name != "postgresql":
        return EXACT_COUNT_THRESHOLD, "gte"
    if binds:
        counted = counted.params(**binds)
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
    """A collection's page: its filters and `updated_since`, `q` joined in (with
    `sort=relevance`), its sort."""
    where = [*where, *getattr(params, "_also", ()), *since_filter(params, id_column)]
    relevance = None
    base = statement
    counted: Select[*tuple[Any, ...]] | None = None
    key_column = None
    if params.q:
        plan_for_the_words(session)
        found = matches(dialect, params.q, entity_type)
        statement = statement.join(found, found.c.entity_id == id_column)
        relevance = SortField(found.c.rank, "int")
        if not where:
            # Every search document of this type has its item: with no other filter, the
            # matches alone are the count, counted without ranking them or joining back to
            # the collection's table ...
            counted = select(literal_column("1")).select_from(
                match_count_rows(dialect, params.q, entity_type)
            )
            if set(_sort_names(params.sort or "relevance")) <= {"relevance", "id"}:
                # ... and, ordered by relevance and id alone, the page: the item's table is
                # joined for the page's rows only, not for every match.
                statement = select(found.c.entity_id).select_from(found)
                key_column = found.c.entity_id
                sort_fields = {**sort_fields, "id": SortField(found.c.entity_id, "str")}
    sort = parse_sort(
        params.sort,
        fields=sort_fields,
        id_field=sort_fields["id"],
        default="relevance" if params.q else default_sort,
        relevance=relevance,
    )
    sort = bound_to(sort, entity_type, params)
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
        key_column=key_column,
    )


def _sort_names(raw: str) -> list[str]:
    return [part.strip().lstrip("-") for part in raw.split(",")]


@dataclass(frozen=True)
class Bindable:
    """A filter that is a column `IN` the values given (a repeatable parameter), `=` the
    value given or, with `at_least`, `>=` it: a bound parameter, so a request's statements
    depend only on which such filters it sets."""

    column: Any
    many: bool = True
    at_least: bool = False

    def condition(self, name: str) -> ColumnElement[bool]:
        if self.many:
            return self.column.in_(bindparam(name, expanding=True))  # type: ignore[no-any-return]
        if self.at_least:
            return self.column >= bindparam(name)  # type: ignore[no-any-return]
        return self.column == bindparam(name)  # type: ignore[no-any-return]


LIST_PARAMETERS = frozenset({"limit", "cursor", "count", "q", "sort", "format"})
# Statements per request shape, built and compiled once (SQLAlchemy caches the compiled form
# of each statement object and memoises its cache key): a request with a known shape pays
# neither statement construction nor cache-key generation, only its parameters.
_TEMPLATES: dict[tuple[Any, ...], PageQuery] = {}
MAX_TEMPLATES = 2048
# Off only in tests, which compare the template path with the statement-per-request path.
TEMPLATES_ENABLED = True


def collection_page(
    session: Session,
    dialect: str,
    params: Any,
    *,
    collection: str,
    statement: Callable[[], Select[*tuple[Any, ...]]],
    filters: Callable[[], Sequence[ColumnElement[bool]]],
    bindable: Mapping[str, Bindable],
    id_column: Any,
    sort_fields: Mapping[str, SortField],
    default_sort: str = "id",
) -> PageResult:
    """A collection's page. A request that sets only bindable filters (no `q`) runs statements
    cached for its shape; any other is built from `statement()` and `filters()`. Every
    collection's `updated_since` is one of the bindable filters."""
    bindable = {
        **bindable,
        "updated_since": Bindable(updated_at_of(id_column), many=False, at_least=True),
    }
    given = params.model_fields_set - LIST_PARAMETERS
    if not TEMPLATES_ENABLED or params.q or params._also or not given <= bindable.keys():
        return search_and_paginate(
            session,
            dialect,
            params,
            statement=statement(),
            where=filters(),
            entity_type=collection,
            id_column=id_column,
            sort_fields=sort_fields,
            default_sort=default_sort,
        )
    shape = tuple(sorted(name for name in given if getattr(params, name) is not None))
    sort = parse_sort(
        params.sort, fields=sort_fields, id_field=sort_fields["id"], default=default_sort
    )
    sort = bound_to(sort, collection, params)
    values = decode_cursor(params.cursor, sort) if params.cursor else None
    nulls = None if values is None else tuple(value is None for value in values)
    key = (dialect, collection, shape, sort.text, nulls, params.count)
    query = _TEMPLATES.get(key)
    if query is None:
        where = [bindable[name].condition(name) for name in shape]
        after = None
        if values is not None:
            placeholders = [
                None if value is None else bindparam(f"_c{index}", type_=term.expression.type)
                for index, (value, term) in enumerate(zip(values, sort.terms, strict=True))
            ]
            after = sort.after(placeholders, row_values=dialect == "postgresql")
        base = statement()
        query = page_query(
            base,
            where=where,
            sort=sort,
            limit=bindparam("_limit", type_=Integer),
            after=after,
            count=params.count,
            columns_of=(base, id_column),
        )
        if len(_TEMPLATES) >= MAX_TEMPLATES:
            _TEMPLATES.clear()
        _TEMPLATES[key] = query
    binds: dict[str, Any] = {name: getattr(params, name) for name in shape}
    if values is not None:
        binds.update({f"_c{i}": value for i, value in enumerate(values) if value is not None})
    binds["_limit"] = params.limit + 1
    return run_page(session, query, sort=sort, limit=params.limit, count=params.count, binds=binds)


def facet_scope(
    session: Session,
    dialect: str,
    params: Any,
    where: list[ColumnElement[bool]],
    *,
    entity_type: str,
    id_column: Any,
) -> ColumnElement[bool] | None:
    """The filters of a facet request (and its `updated_since`) as one condition (None:
    everything)."""
    where = [*where, *since_filter(params, id_column)]
    if params.q:
        plan_for_the_words(session)
        found = matches(dialect, params.q, entity_type)
        where = [*where, id_column.in_(select(found.c.entity_id))]
    return and_(*where) if where else None
