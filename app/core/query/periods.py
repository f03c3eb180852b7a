"""The period a date with a precision stands for, written the way the seed bundles write it.

A claim "stated in August 2021" is stored as its first day (`2021-08-01`) with precision
`month`, which reads like 1 August; every response therefore also carries the period itself:
`2021-08-23` (day), `2021-08` (month), `2021` (year), `1980s` (decade). One helper, used by
every resource, so the form is the same everywhere.
"""

import datetime as dt


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
