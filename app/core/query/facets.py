"""Datasette-style facets: counts of items by the values of one field, under the same filters.

Each collection declares its facets once (`FacetSet`); the same declarations answer filtered
requests live and fill `facet_count`, which the importer refreshes in the transaction that
changes the data, so an unfiltered request reads stored counts instead of grouping millions of
rows. A collection with no stored counts (a database loaded before they existed) is counted
live.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, Connection, and_, delete, func, insert, literal, select
from sqlalchemy.orm import Session

from app.core.db.dialect import month_of
from app.core.query.periods import month_label

TOTAL = "_total"


@dataclass(frozen=True)
class Facet:
    """One facet: the value counted, how it is labelled, the joins that reach them.

    Every bucket has a label: a name from the database (`label`, an SQL expression: an
    actor's or a place's name), else one from Python (`labeller`: a vocabulary's labels),
    else the value itself; the bucket of items without a value is `none_label`."""

    value: Any  # an SQL expression, or a function of the dialect giving one
    label: Any = None
    labeller: Callable[[Any], str | None] | None = None
    none_label: str = "Not stated"
    joins: Sequence[tuple[Any, Any, bool]] = ()
    distinct: Any = None  # count distinct items when a join multiplies rows
    order: str = "count"  # or "value": newest first, for months
    only: Any = None  # a condition the facet always applies (months: dated to the month)

    def value_for(self, dialect: str) -> Any:
        return self.value(dialect) if callable(self.value) else self.value

    def label_for(self, value: Any, label: Any) -> str:
        if value is None:
            return self.none_label
        if label is None and self.labeller is not None:
            label = self.labeller(value)
        return str(value) if label is None else str(label)


def vocabulary_facet(column: Any, labels: Callable[[Any], str | None]) -> Facet:
    """Counts by a vocabulary's values, labelled by `labels` (the vocabulary's labels)."""
    return Facet(column, labeller=labels)


def month_facet(date_column: Any, precision_column: Any) -> Facet:
    """Counts by month, newest first, of the items dated to the month or the day."""
    return Facet(
        lambda dialect: month_of(dialect, date_column),
        labeller=month_label,
        order="value",
        only=precision_column.in_(["day", "month"]),
    )


@dataclass(frozen=True)
class FacetSet:
    """A collection's facets: `collection` names its stored counts, `model` is its table and
    `store` the table of stored counts (columns collection, facet, position, value, label,
    count)."""

    collection: str
    model: Any
    store: Any
    facets: dict[str, Facet] = field(default_factory=dict)


def facet_counts(
    session: Session,
    facet: Facet,
    *,
    base: Any,
    where: ColumnElement[bool] | None,
    size: int | None,
) -> list[dict[str, Any]]:
    """The `size` most frequent values (or the newest, for months) with counts."""
    value = facet.value_for(session.get_bind().dialect.name)
    counted = func.count(facet.distinct.distinct()) if facet.distinct is not None else func.count()
    label_column = facet.label if facet.label is not None else literal(None)
    statement = select(value.label("value"), label_column.label("label"), counted.label("count"))
    statement = statement.select_from(base)
    for target, on, outer in facet.joins:
        statement = statement.join(target, on, isouter=outer)
    conditions = [c for c in (facet.only, where) if c is not None]
    if conditions:
        statement = statement.where(and_(*conditions))
    statement = statement.group_by(value, *([facet.label] if facet.label is not None else []))
    if facet.order == "value":
        statement = statement.order_by(value.desc())
    else:
        statement = statement.order_by(counted.desc(), value.is_(None), value)
    if size is not None:
        statement = statement.limit(size)
    rows = session.execute(statement).mappings()
    return [
        {
            "value": r["value"],
            "label": facet.label_for(r["value"], r["label"]),
            "count": int(r["count"]),
        }
        for r in rows
    ]


def count_in_scope(session: Session, model: Any, scope: ColumnElement[bool] | None) -> int:
    statement = select(func.count()).select_from(model)
    if scope is not None:
        statement = statement.where(scope)
    return int(session.execute(statement).scalar_one())


def facet_answer(
    session: Session, facet_set: FacetSet, scope: ColumnElement[bool] | None, *, size: int
) -> dict[str, Any]:
    """`{"total": n, "facets": {name: [{value, label, count}, …]}}` for the items in scope."""
    if scope is None:
        stored = _stored(session, facet_set, size=size)
        if stored is not None:
            return stored
    return {
        "total": count_in_scope(session, facet_set.model, scope),
        "facets": {
            name: facet_counts(session, facet, base=facet_set.model, where=scope, size=size)
            for name, facet in facet_set.facets.items()
        },
    }


def _stored(session: Session, facet_set: FacetSet, *, size: int) -> dict[str, Any] | None:
    store = facet_set.store
    rows = session.execute(
        select(store.facet, store.value, store.label, store.count)
        .where(store.collection == facet_set.collection, store.position < size)
        .order_by(store.facet, store.position)
    ).all()
    facets: dict[str, list[dict[str, Any]]] = {name: [] for name in facet_set.facets}
    total: int | None = None
    for facet, value, label, count in rows:
        if facet == TOTAL:
            total = count
        elif facet in facets:
            facets[facet].append({"value": value, "label": label, "count": count})
    if total is None:
        return None
    if total and not all(facets.values()):
        # A facet declared after the last import has no stored counts yet: count live.
        return None
    return {"total": total, "facets": facets}


def refresh_facet_counts(conn: Connection, facet_sets: Sequence[FacetSet]) -> None:
    """Recount every facet of the given collections into their store, in the caller's
    transaction (the importer's), so readers never see counts of other data."""
    with Session(bind=conn) as session:
        rows: dict[Any, list[dict[str, Any]]] = {}
        for facet_set in facet_sets:
            stored = rows.setdefault(facet_set.store, [])
            total = count_in_scope(session, facet_set.model, None)
            stored.append(_row(facet_set.collection, TOTAL, 0, None, None, total))
            for name, facet in facet_set.facets.items():
                counts = facet_counts(session, facet, base=facet_set.model, where=None, size=None)
                stored.extend(
                    _row(facet_set.collection, name, position, c["value"], c["label"], c["count"])
                    for position, c in enumerate(counts)
                )
        for store, new in rows.items():
            recounted = [s.collection for s in facet_sets if s.store is store]
            session.execute(delete(store).where(store.collection.in_(recounted)))
            for start in range(0, len(new), 5_000):
                session.execute(insert(store), new[start : start + 5_000])


def _row(
    collection: str, facet: str, position: int, value: Any, label: Any, count: int
) -> dict[str, Any]:
    return {
        "collection": collection,
        "facet": facet,
        "position": position,
        "value": value,
        "label": label,
        "count": count,
    }
