"""Dates with a precision: the period such a date stands for, written as the bundles write
it, and date ranges that such periods meet.

A claim "stated in August 2021" is stored as its first day (`2021-08-01`) with precision
`month`, which reads like 1 August; every response therefore also carries the period itself:
`2021-08-23` (day), `2021-08` (month), `2021` (year), `1980s` (decade). One helper, used by
every resource, so the form is the same everywhere.
"""

import calendar
import datetime as dt
from typing import Any

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
