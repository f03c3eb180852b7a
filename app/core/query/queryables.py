"""Queryables: the properties a filter expression may name, each translated to the collection's
own allow-listed filter parameters, never to SQL of its own.

A collection declares its queryables beside its filters (`Collection.queryables`); a filter
language (CQL2, app.ogc) asks a queryable for the parameters one comparison stands for, and
the collection's own filter function turns those into conditions. What a queryable cannot
say is a `Refused`, which the caller reports as a 400 naming the filter.
"""

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Literal

from app.core.http.guard import INT_MAX, INT_MIN
from app.core.query.periods import period_bounds

# The comparisons a filter expression may make.
Operator = Literal["=", "<", "<=", ">", ">="]
Kind = Literal["term", "flag", "period", "at_least"]


class Refused(ValueError):
    """A comparison the queryable cannot express with its collection's filters."""


@dataclass(frozen=True)
class Queryable:
    """One property a filter may compare.

    - `term`: equal to one of several values (`param` is a repeatable filter);
    - `flag`: true or false (`param` is a boolean filter);
    - `period`: a date, compared with `=` `<` `<=` `>` `>=` (`param` and `upper` are the
      range's `…_from` and `…_to`; a value may be a day, a month or a year);
    - `at_least`: a number compared with `>=` or `>` (`param` is the minimum filter).
    """

    kind: Kind
    param: str
    description: str
    upper: str | None = None
    values: type[Enum] | None = None
    schema: Mapping[str, Any] = field(default_factory=dict)

    def json_schema(self) -> dict[str, Any]:
        """The queryable's JSON Schema (OGC API - Features Part 3)."""
        found: dict[str, Any] = {"description": self.description}
        if self.kind == "flag":
            found["type"] = "boolean"
        elif self.kind == "period":
            found.update(type="string", format="date")
        elif self.kind == "at_least":
            found["type"] = "integer"
        else:
            found["type"] = "string"
            if self.values is not None:
                found["enum"] = [member.value for member in self.values]
        return {**found, **self.schema}

    def operators(self) -> tuple[str, ...]:
        return {
            "term": ("=", "<>", "IN"),
            "flag": ("=", "<>"),
            "period": ("=", "<>", "<", "<=", ">", ">=", "BETWEEN"),
            "at_least": (">", ">="),
        }[self.kind]

    def parameters(self, operator: Operator, value: Any, name: str) -> dict[str, Any]:
        """The filter parameters `name operator value` stands for."""
        if isinstance(value, float) and value.is_integer():
            value = int(value)  # CQL2 numbers arrive as floats: 10 is 10.0
        if self.kind == "term":
            if operator != "=":
                raise Refused(f"{name} is compared with =, <> or IN, not {operator}")
            if isinstance(value, bool) or not isinstance(value, str | int | float):
                raise Refused(f"{name} is compared with a text ('…'), not {_shown(value)}")
            return {self.param: [str(value)]}
        if self.kind == "flag":
            if operator != "=" or not isinstance(value, bool):
                raise Refused(f"{name} is compared with = true or = false")
            return {self.param: value}
        if self.kind == "at_least":
            if isinstance(value, bool) or not isinstance(value, int) or operator not in (">=", ">"):
                raise Refused(f"{name} is compared with >= or > and a whole number")
            if not INT_MIN <= value < INT_MAX:
                raise Refused(f"{name}: {value} is outside {INT_MIN} to {INT_MAX - 1}")
            return {self.param: value + 1 if operator == ">" else value}
        assert self.upper is not None
        first, last = _period(value, name)
        if operator == "=":
            return {self.param: first, self.upper: last}
        if operator == ">=":
            return {self.param: first}
        if operator == ">":
            if last == dt.date.max:
                raise Refused(f"no date is after {last}")
            return {self.param: last + dt.timedelta(days=1)}
        if operator == "<=":
            return {self.upper: last}
        if first == dt.date.min:
            raise Refused(f"no date is before {first}")
        return {self.upper: first - dt.timedelta(days=1)}


def _shown(value: Any) -> str:
    return "a list" if isinstance(value, list | tuple) else type(value).__name__


def _period(value: Any, name: str) -> tuple[dt.date, dt.date]:
    """A date value: DATE('2021-08-24'), TIMESTAMP('…') (its day in UTC), or a text that is
    a day, a month or a year ('2021-08')."""
    if isinstance(value, dt.datetime):
        try:
            day = value.astimezone(dt.UTC).date() if value.tzinfo else value.date()
        except OverflowError:
            raise Refused(f"{name}: {value.isoformat()} is beyond the calendar in UTC") from None
        return day, day
    if isinstance(value, dt.date):
        return value, value
    if isinstance(value, str):
        try:
            return period_bounds(value)
        except ValueError:
            pass
    raise Refused(
        f"{name} is compared with a date: DATE('2021-08-24'), or a text '2021-08-24', "
        "'2021-08' or '2021'"
    )
