"""When it was said, resolved against the publication date (app.drafting.dates): the seed's
own conventions (published Tuesday 24 August 2021)."""

import datetime as dt

import pytest

from app.drafting.dates import resolve

TUESDAY = dt.date(2021, 8, 24)


@pytest.mark.parametrize(
    ("words", "value", "precision", "text"),
    [
        ("Massoud told Reuters on Sunday", "2021-08-22", "day", "on Sunday"),
        ("The Taliban on Monday claimed", "2021-08-23", "day", "on Monday"),
        ("said on Tuesday", "2021-08-24", "day", "on Tuesday"),  # the paper's own day
        ("said on Wednesday", "2021-08-18", "day", "on Wednesday"),  # the week before
        ("tweeted today", "2021-08-24", "day", "today"),
        ("said yesterday", "2021-08-23", "day", "yesterday"),
        ("said last night", "2021-08-23", "day", "last night"),
        ("said earlier this month", "2021-08", "month", "earlier this month"),
        ("said last month", "2021-07", "month", "last month"),
        ("after meeting with Massoud last October", "2020-10", "month", "last October"),
        ("said in August", "2021-08", "month", "in August"),
        ("said on 22 August", "2021-08-22", "day", "on 22 August"),
        ("said on August 22", "2021-08-22", "day", "on August 22"),
        ("said on 30 December", "2020-12-30", "day", "on 30 December"),  # not yet this year
        ("said on 9 September 2001", "2001-09-09", "day", "on 9 September 2001"),
        ("said on September 9, 2001", "2001-09-09", "day", "on September 9, 2001"),
        ("wrote in 2015", "2015", "year", "in 2015"),
    ],
)
def test_relative_and_absolute_dates_resolve(
    words: str, value: str, precision: str, text: str
) -> None:
    found = resolve(words, TUESDAY)
    assert found is not None
    assert (found.value, found.precision, found.text) == (value, precision, text)
    assert words[found.start : found.end] == text


@pytest.mark.parametrize(
    ("words", "published", "value", "precision"),
    [
        ("said last week", TUESDAY, "2021-08", "month"),  # 16 to 22 August
        ("said earlier this week", TUESDAY, "2021-08", "month"),  # 23 and 24 August
        ("said last week", dt.date(2021, 9, 7), "2021", "year"),  # 30 August to 5 September
        ("said last week", dt.date(2021, 1, 5), None, None),  # 28 December to 3 January
    ],
)
def test_a_week_is_the_month_or_year_that_holds_it(
    words: str, published: dt.date, value: str | None, precision: str | None
) -> None:
    found = resolve(words, published)
    assert found is not None
    assert (found.value, found.precision) == (value, precision)
    assert found.text in ("last week", "earlier this week")
    assert found.confidence < 0.7


@pytest.mark.parametrize("words", ["he said", "said on 31 April", "said in 2030", "the 1980s"])
def test_no_date_or_an_impossible_one_is_none(words: str) -> None:
    assert resolve(words, TUESDAY) is None


def test_the_first_date_in_the_words_wins() -> None:
    found = resolve("said on Sunday, a day after fighting began on Saturday", TUESDAY)
    assert found is not None
    assert found.value == "2021-08-22"
