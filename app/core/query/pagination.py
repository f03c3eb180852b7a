"""Sorting and keyset pagination, shared by every collection.

A sort is a list of terms (an SQL expression and a direction); the id is always the last term,
so every row has a unique position and cursors stay stable. A nullable field sorts as two
terms, `field IS NULL` (ascending) then `field`, so items without a value come last in
either direction, on every engine.

The cursor is opaque to clients: base64url of the sort it belongs to, a digest of the
collection and filters it was issued for (`bound_to`) and the last row's values for each term.
A cursor given with another sort, collection or filters is a 400, as is one whose values are
not what its terms hold (a tampered cursor never reaches the database).
No OFFSET anywhere: page 1,000 costs what page 1 does.
"""

import base64
import binascii
import datetime as dt
import hashlib
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, Literal

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Integer,
    Table,
    and_,
    case,
    false,
    literal,
    or_,
    tuple_,
)
from sqlalchemy.sql.elements import BindParameter, UnaryExpression

from app.core.http.errors import BadParameter

ValueKind = Literal["str", "int", "float", "date", "datetime", "bool"]


@dataclass(frozen=True, slots=True)
class SortField:
    """A field users may sort by: its SQL expression, value type and nullability."""

    expression: Any  # a column or SQL expression
    kind: ValueKind
    nullable: bool = False


@dataclass(frozen=True, slots=True)
class Term:
    expression: Any  # a column or SQL expression
    kind: ValueKind
    descending: bool


@dataclass(frozen=True, slots=True)
class Sort:
    """A parsed `sort` parameter: its canonical text and its ordering terms."""

    text: str
    terms: tuple[Term, ...]
    # A digest of the collection and filters the cursor is issued for (see `bound_to`).
    scope: str = ""

    def order_by(self) -> list[UnaryExpression[Any]]:
        return [t.expression.desc() if t.descending else t.expression.asc() for t in self.terms]

    def labelled(self) -> list[ColumnElement[Any]]:
        return [t.expression.label(f"_k{index}") for index, t in enumerate(self.terms)]

    def values_of(self, row: Any) -> list[Any]:
        return [row[f"_k{index}"] for index in range(len(self.terms))]

    def after(self, values: Sequence[Any], *, row_values: bool = False) -> ColumnElement[bool]:
        """Rows strictly after the row whose term values are `values`.

        With `row_values` (PostgreSQL), a sort whose terms all go one way and a cursor with
        no NULL becomes one row comparison, `(a, b, id) > (:a, :b, :id)`, which the planner
        serves as a single index range; otherwise the equivalent OR of prefixes."""
        directions = {term.descending for term in self.terms}
        if row_values and len(directions) == 1 and all(v is not None for v in values):
            left = tuple_(*(term.expression for term in self.terms))
            right = tuple_(*(v if isinstance(v, BindParameter) else literal(v) for v in values))
            return left < right if directions == {True} else left > right
        disjuncts: list[ColumnElement[bool]] = []
        for index, term in enumerate(self.terms):
            value = values[index]
            if value is None:
                # NULLs are equal and sort last: nothing is "after" a NULL on this term.
                continue
            equal_before = [
                (prior.expression.is_(None) if values[i] is None else prior.expression == values[i])
                for i, prior in enumerate(self.terms[:index])
            ]
            beyond = term.expression < value if term.descending else term.expression > value
            disjuncts.append(and_(*equal_before, beyond))
        return or_(*disjuncts) if disjuncts else false()


def parse_sort(
    raw: str | None,
    *,
    fields: Mapping[str, SortField],
    id_field: SortField,
    default: str = "id",
    relevance: SortField | None = None,
) -> Sort:
    """Parse `sort=field,-other` against the collection's allowed fields."""
    # Exactly the OpenAPI pattern of `sort` (`sort_pattern`): no blanks around the names.
    text = raw or default
    names = text.split(",")
    allowed = dict(fields)
    if relevance is not None:
        allowed["relevance"] = relevance
    terms: list[Term] = []
    seen: set[str] = set()
    for part in names:
        descending = part.startswith("-")
        name = part[1:] if descending else part
        if name == "relevance" and relevance is None:
            raise BadParameter("sort", "sort=relevance needs a search: give `q` as well")
        if name not in allowed:
            choices = ", ".join(sorted([*fields, *(["relevance"] if relevance else [])]))
            raise BadParameter("sort", f"unknown sort field '{name}'; sortable: {choices}")
        if name in seen:
            raise BadParameter("sort", f"sort field '{name}' is given twice")
        seen.add(name)
        field = allowed[name]
        if field.nullable:
            is_null = case((field.expression.is_(None), 1), else_=0)
            # Items without a value come last in both directions.
            terms.append(Term(is_null, "int", False))
        terms.append(Term(field.expression, field.kind, descending))
    if "id" not in seen:
        terms.append(Term(id_field.expression, id_field.kind, False))
    canonical = ",".join(names)
    return Sort(text=canonical, terms=tuple(terms))


# Parameters that may change between pages of one listing (a page's format among them: a
# cursor from a JSON page serves a CSV one).
PAGING_PARAMETERS = frozenset({"limit", "cursor", "count", "sort", "format"})


def bound_to(sort: Sort, collection: str, params: Any) -> Sort:
    """`sort`, its cursors bound to `collection` and the filters in `params` (a model)."""
    filters = {
        name: getattr(params, name)
        for name in sorted(params.model_fields_set - PAGING_PARAMETERS)
        if getattr(params, name) is not None
    }
    bound: list[Any] = [collection, filters]
    also = getattr(params, "_also_key", "")
    if also:
        bound.append(also)  # conditions added above the filters (see ListParams.narrowed)
    text = json.dumps(bound, default=str, sort_keys=True, ensure_ascii=False)
    digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).digest()[:9]
    return replace(sort, scope=base64.urlsafe_b64encode(digest).decode("ascii"))


def encode_cursor(sort: Sort, values: Sequence[Any]) -> str:
    payload = {
        "s": sort.text,
        "k": sort.scope,
        "v": [_cursor_value(value) for value in values],
    }
    raw = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def _cursor_value(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        # One text for one moment, whichever engine read it (both give aware UTC times).
        return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


# A cursor holds a sort, a digest and one value per term: a few hundred bytes, a few KB with
# long text values (a title). Longer is not ours; nested JSON in one is caught as it recurses.
MAX_CURSOR_LENGTH = 16_384


def decode_cursor(cursor: str, sort: Sort) -> list[Any]:
    """The term values a cursor carries; a 400 naming `cursor` if it is not one of ours."""
    try:
        if len(cursor) > MAX_CURSOR_LENGTH:
            raise ValueError("longer than any cursor of ours")
        padded = cursor + "=" * (-len(cursor) % 4)
        payload = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
        stored_sort = payload["s"]
        stored_scope = payload.get("k", "")
        raw_values = payload["v"]
    except (ValueError, KeyError, TypeError, binascii.Error, UnicodeError, RecursionError):
        raise BadParameter(
            "cursor", "not a cursor this API issued; use next_cursor as given"
        ) from None
    if stored_sort != sort.text:
        raise BadParameter(
            "cursor",
            f"this cursor belongs to sort={stored_sort!r}, not sort={sort.text!r}: "
            "keep the sort while paging",
        )
    if stored_scope != sort.scope:
        raise BadParameter(
            "cursor",
            "this cursor belongs to another collection or other filters: keep the path and "
            "every filter while paging (only limit and count may change)",
        )
    if not isinstance(raw_values, list) or len(raw_values) != len(sort.terms):
        raise BadParameter("cursor", "not a cursor this API issued; use next_cursor as given")
    try:
        return [_restore(value, term) for value, term in zip(raw_values, sort.terms, strict=True)]
    except (TypeError, ValueError, OverflowError, AttributeError):
        raise BadParameter(
            "cursor", "not a cursor this API issued; use next_cursor as given"
        ) from None


def _restore(value: Any, term: Term) -> Any:
    """A cursor value as its term holds it; ValueError or TypeError for anything else."""
    if value is None:
        return None
    kind = term.kind
    if kind == "datetime":
        if not isinstance(value, str) or not value.endswith("Z"):
            raise TypeError("expected an RFC 3339 time in UTC")
        return dt.datetime.fromisoformat(value[:-1]).replace(tzinfo=dt.UTC)
    if kind == "date":
        if not isinstance(value, str) or len(value) != 10:
            raise TypeError("expected an ISO date")
        return dt.date.fromisoformat(value)
    if kind == "int":
        if not isinstance(value, int) or isinstance(value, bool):
            raise TypeError("expected an integer")
        # A table's `Integer` column holds 32 bits on PostgreSQL; computed values (a search
        # rank) and BigInteger columns 64.
        column_type = getattr(term.expression, "type", None)
        in_table = isinstance(getattr(term.expression, "table", None), Table)
        narrow = in_table and isinstance(column_type, Integer)
        bits = 32 if narrow and not isinstance(column_type, BigInteger) else 64
        if not -(2 ** (bits - 1)) <= value < 2 ** (bits - 1):
            raise ValueError("integer out of range")
        return value
    if kind == "float":
        if not isinstance(value, int | float) or isinstance(value, bool):
            raise TypeError("expected a number")
        real = float(value)
        if not math.isfinite(real):
            raise ValueError("not a finite number")
        return real
    if kind == "bool":
        if not isinstance(value, bool):
            raise TypeError("expected true or false")
        return value
    if not isinstance(value, str):
        raise TypeError("expected text")
    # Lone surrogates cannot be encoded for the database; NUL is refused by PostgreSQL.
    value.encode("utf-8")
    if "\x00" in value:
        raise ValueError("NUL in text")
    return value
