"""Dates with a precision: the period such a date stands for, written as the bundles write
it, and date ranges that such periods meet.

A claim "stated in August 2021" is stored as its first day (`2021-08-01`) with precision
`month`, which reads like 1 August; every response therefore also carries the period itself:
`2021-08-23` (day), `2021-08` (month), `2021` (year), `1980s` (decade). One helper, used by
every resource, so the form is the same everywhere.
"""

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, WithJsonSchema
from sqlalchemy import ColumnElement, and_, or_

from app.core.http.errors import BadParameter


def period_of(start: dt.date | None, precision: str | None) -> str | None:
    """`2021-08-23`, `2021-08`, `2021` or `1980s` for the period starting on `start`."""
    if start is None or precision is None:
        return None
    if precision == "day":
        return start.isoformat()
    if precision == "month":
        return f"{start.year:04d}-{start.month:02d}"
    if precision == "year":
        return f"{start.year:04d}"
    if precision == "decade":
        return f"{start.year - start.year % 10:04d}s"
    raise ValueError(f"unknown date precision {precision!r}")


PERIOD_DESCRIPTION = (
    "The period the date stands for, at its precision: `2021-08-23` (day), `2021-08` (month), "
    "`2021` (year), `1980s` (decade). Read this rather than the first day of the period."
)


def month_label(value: str | None) -> str | None:
    """`2021-08` as `August 2021`."""
    if value is None:
        return None
    year, month = value.split("-")
    return f"{calendar.month_name[int(month)]} {year}"


# The longest period each precision stands for, in days.
PERIOD_DAYS = {"day": 0, "month": 30, "year": 365, "decade": 3652}


def date_range(
    start_column: Any,
    end_column: Any,
    precision_column: Any,
    *,
    date_from: Any,
    date_to: Any,
    mode: str,
    names: tuple[str, str],
) -> list[ColumnElement[bool]]:
    """Periods (start..end) that overlap the range, or lie within it with mode=within.

    A period overlapping [from, to] starts at most its own length before `from`; spelling
    that out per precision turns the overlap test into tight ranges on (precision, start),
    which an index serves, instead of a scan of everything before `to`."""
    if date_from is not None and date_to is not None and date_from > date_to:
        raise BadParameter(names[1], f"{names[1]} ({date_to}) is before {names[0]} ({date_from})")
    where: list[ColumnElement[bool]] = []
    if mode == "within":
        if date_from is not None:
            where.append(start_column >= date_from)
        if date_to is not None:
            where.append(start_column <= date_to)
            where.append(end_column <= date_to)
        return where
    if date_from is None:
        if date_to is not None:
            where.append(start_column <= date_to)
        return where
    branches = []
    for precision, days in PERIOD_DAYS.items():
        # Near the smallest date, the period's allowance reaches below it: no date is smaller.
        lower = max(date_from, dt.date.min + dt.timedelta(days=days)) - dt.timedelta(days=days)
        branch = [precision_column == precision, start_column >= lower, end_column >= date_from]
        if date_to is not None:
            branch.append(start_column <= date_to)
        branches.append(and_(*branch))
    where.append(or_(*branches))
    return where


# --- Periods as range bounds: `2021-08-24`, `2021-08` or `2021` in any `…_from` / `…_to` ---

_PERIOD = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?", re.ASCII)
PERIOD_FORMS = "YYYY-MM-DD, YYYY-MM or YYYY (2021-08-24, 2021-08, 2021)"


def period_bounds(text: str) -> tuple[dt.date, dt.date]:
    """The first and last day of the period `text` names: a day, a month or a year.
    ValueError for anything else."""
    found = _PERIOD.fullmatch(text)
    if found is None:
        raise ValueError(f"not {PERIOD_FORMS}")
    year, month, day = (int(part) if part else None for part in found.groups())
    assert year is not None
    if month is None:
        return dt.date(year, 1, 1), dt.date(year, 12, 31)
    if day is None:
        last = calendar.monthrange(year, month)[1] if 1 <= month <= 12 else 0
        return dt.date(year, month, 1), dt.date(year, month, last)
    try:
        day_itself = dt.date(year, month, day)
    except ValueError:
        raise ValueError("not a day of the calendar") from None
    return day_itself, day_itself


@dataclass(frozen=True, slots=True)
class PeriodBound:
    """Marks a date parameter that takes a period: `start` takes its first day (`…_from`),
    `end` its last (`…_to`). The input guard reads the mark (app.core.http.guard)."""

    side: Literal["start", "end"]

    def of(self, text: str) -> dt.date:
        start, end = period_bounds(text)
        return start if self.side == "start" else end


def _bound(side: Literal["start", "end"]) -> Any:
    mark = PeriodBound(side)

    def read(value: Any) -> Any:
        if isinstance(value, str):
            try:
                return mark.of(value)
            except ValueError:
                raise ValueError(f"{value!r} is not {PERIOD_FORMS}") from None
        return value

    return read


# What a range bound takes, as the document's pattern: a year (not 0000), a month, or a day
# that the month has (29 February is allowed in every year: a leap year is beyond a pattern;
# the input guard refuses 29 February of a common year as not a day of the calendar).
_YEAR = "([1-9][0-9]{3}|0[0-9]{2}[1-9]|0[0-9][1-9][0-9]|0[1-9][0-9]{2})"
_MONTH = "(0[1-9]|1[0-2])"
_MONTH_DAY = (
    "((0[13578]|1[02])-(0[1-9]|[12][0-9]|3[01])|(0[469]|11)-(0[1-9]|[12][0-9]|30)"
    "|02-(0[1-9]|1[0-9]|2[0-9]))"
)
PERIOD_PATTERN = f"^{_YEAR}(-{_MONTH}|-{_MONTH_DAY})?$"
PERIOD_SCHEMA = {"type": "string", "pattern": PERIOD_PATTERN}
PERIOD_BOUND_TEXT = (
    "A day (`2021-08-24`), a month (`2021-08`) or a year (`2021`); a month or a year {side}."
)

# `…_from`: a period's first day; `…_to`: its last.
DateFrom = Annotated[
    dt.date, PeriodBound("start"), BeforeValidator(_bound("start")), WithJsonSchema(PERIOD_SCHEMA)
]
DateTo = Annotated[
    dt.date, PeriodBound("end"), BeforeValidator(_bound("end")), WithJsonSchema(PERIOD_SCHEMA)
]


def from_description(text: str) -> str:
    """A `…_from` parameter's description: `text`, then how periods are read."""
    return f"{text} " + PERIOD_BOUND_TEXT.format(side="counts from its first day")


def to_description(text: str) -> str:
    """A `…_to` parameter's description: `text`, then how periods are read."""
    return f"{text} " + PERIOD_BOUND_TEXT.format(side="counts to its last day")
