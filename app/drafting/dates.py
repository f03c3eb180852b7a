"""When something was said, resolved against the publication date: the words a date came
from ("on Monday", "yesterday", "last October", "on 22 August"), the period they name and its
precision (a day, a month or a year), as a bundle writes it (`2021-08-23`, `2021-08`,
`2021`).

News conventions, each a rule of its own:
- A weekday is the latest one on or before the publication day ("on Monday" in Tuesday's
  paper is the day before; "on Tuesday" in Tuesday's paper is that day).
- "today", "yesterday", "this morning", "last night" are the publication day or the one
  before; "last week" (Monday to Sunday before the publication's week) and "this week" are
  the month that holds the whole week, else its year (a bundle has no week precision).
- "earlier this month" and "this month" are the publication's month; "last month" the one
  before; "last October" (or "in October") the latest October not after the publication's
  month.
- "on 22 August", "August 22", "22 August 2021" are that day, in the publication's year or,
  if that would be after it, the year before; "in 2015" is a year.

Only the words of a cue are read (app.drafting.speech finds where): a date inside a quotation
is what was spoken of, not when it was said, and the caller never passes those.
"""

import calendar
import datetime as dt
import re
from dataclasses import dataclass

WEEKDAYS = {name.lower(): index for index, name in enumerate(calendar.day_name)}
MONTHS = {name.lower(): index for index, name in enumerate(calendar.month_name) if name}
_WEEKDAY = "|".join(name.capitalize() for name in WEEKDAYS)
_MONTH = "|".join(name.capitalize() for name in MONTHS)

_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("day month year", re.compile(rf"\b(?:on\s+)?([0-9]{{1,2}})\s+({_MONTH})\s+([0-9]{{4}})\b")),
    ("month day year", re.compile(rf"\b(?:on\s+)?({_MONTH})\s+([0-9]{{1,2}}),?\s+([0-9]{{4}})\b")),
    ("day month", re.compile(rf"\b(?:on\s+)?([0-9]{{1,2}})\s+({_MONTH})\b")),
    ("month day", re.compile(rf"\b(?:on\s+)?({_MONTH})\s+([0-9]{{1,2}})\b(?!,?\s+[0-9]{{4}})")),
    (
        "weekday",
        re.compile(rf"\b(?:on\s+)?({_WEEKDAY})(?:\s+(?:morning|afternoon|evening|night))?\b"),
    ),
    ("today", re.compile(r"\b(today|this morning|this afternoon|this evening|tonight)\b", re.I)),
    ("yesterday", re.compile(r"\b(yesterday|last night)\b", re.I)),
    ("week", re.compile(r"\b((?:earlier\s+)?this week|last week)\b", re.I)),
    ("this month", re.compile(r"\b((?:earlier\s+|later\s+)?this month)\b", re.I)),
    ("last month", re.compile(r"\b(last month)\b", re.I)),
    ("named month", re.compile(rf"\b(?:last|in|earlier in)\s+({_MONTH})\b(?!\s+[0-9])")),
    ("year", re.compile(r"\bin\s+([0-9]{4})\b")),
]


@dataclass(frozen=True, slots=True)
class StatedDate:
    """A resolved date: `value` as a bundle writes it (None: found, but with no precision a
    bundle can write), the words it came from and where they stand in the cue."""

    value: str | None
    precision: str | None
    text: str
    start: int
    end: int
    rule: str
    confidence: float


def _week(published: dt.date, words: str) -> str:
    """The month a week falls in (`last week` is Monday to Sunday before the publication's
    week; `this week` its Monday to the publication day), or the year if it spans two
    months: the finest precision a bundle can write that holds the whole week."""
    monday = published - dt.timedelta(days=published.weekday())
    first, last = (
        (monday - dt.timedelta(days=7), monday - dt.timedelta(days=1))
        if words.lower().startswith("last")
        else (monday, published)
    )
    if (first.year, first.month) == (last.year, last.month):
        return f"{first.year:04d}-{first.month:02d}"
    return f"{last.year:04d}" if first.year == last.year else ""


def _weekday(published: dt.date, weekday: int) -> dt.date:
    return published - dt.timedelta(days=(published.weekday() - weekday) % 7)


def _month_before(published: dt.date, month: int) -> str:
    year = published.year if month <= published.month else published.year - 1
    return f"{year:04d}-{month:02d}"


def _day(published: dt.date, day: int, month: int, year: int | None) -> str | None:
    if year is None:
        year = published.year
        try:
            if dt.date(year, month, day) > published:
                year -= 1
        except ValueError:
            return None
    try:
        return dt.date(year, month, day).isoformat()
    except ValueError:
        return None


def resolve(words: str, published: dt.date) -> StatedDate | None:
    """The first date the words name, resolved against the publication day (None: none,
    or one the calendar cannot hold, as the day before 1 January of year 1)."""
    try:
        found = _resolve(words, published)
    except (OverflowError, ValueError):
        return None
    if found is not None and found.value is not None and found.value[:4] == "0000":
        return None
    return found


def _resolve(words: str, published: dt.date) -> StatedDate | None:
    best: tuple[int, str, re.Match[str]] | None = None
    for rule, pattern in _PATTERNS:
        found = pattern.search(words)
        if found is not None and (best is None or found.start() < best[0]):
            best = (found.start(), rule, found)
    if best is None:
        return None
    _, rule, found = best
    text = found.group(0)
    value: str | None
    precision: str | None = "day"
    confidence = 0.9
    groups = found.groups()
    if rule == "year" and int(groups[0]) < 1:
        return None
    if rule == "day month year":
        value = _day(published, int(groups[0]), MONTHS[groups[1].lower()], int(groups[2]))
    elif rule == "month day year":
        value = _day(published, int(groups[1]), MONTHS[groups[0].lower()], int(groups[2]))
    elif rule == "day month":
        value = _day(published, int(groups[0]), MONTHS[groups[1].lower()], None)
    elif rule == "month day":
        value = _day(published, int(groups[1]), MONTHS[groups[0].lower()], None)
    elif rule == "weekday":
        value = _weekday(published, WEEKDAYS[groups[0].lower()]).isoformat()
    elif rule == "today":
        value = published.isoformat()
    elif rule == "yesterday":
        value = (published - dt.timedelta(days=1)).isoformat()
    elif rule == "week":
        value, precision, confidence = _week(published, text), "month", 0.6
    elif rule == "this month":
        value, precision = f"{published.year:04d}-{published.month:02d}", "month"
    elif rule == "last month":
        first = published.replace(day=1) - dt.timedelta(days=1)
        value, precision = f"{first.year:04d}-{first.month:02d}", "month"
    elif rule == "named month":
        value, precision = _month_before(published, MONTHS[groups[0].lower()]), "month"
    else:  # year
        value, precision = groups[0], "year"
        if int(groups[0]) > published.year:
            return None  # a year after publication is no date of a statement
    if rule == "week" and value is not None and len(value) == 4:
        precision = "year"
    if rule == "week" and not value:
        value, precision, confidence = None, None, 0.3  # across a new year: for a person
    if value is None and precision is not None:
        return None  # a day that does not exist (31 April)
    return StatedDate(value, precision, text, found.start(), found.end(), rule, confidence)
