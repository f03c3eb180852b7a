"""Locating quotes: typography folded, offsets in code points into the raw text."""

import pytest

from app.core.spans import SpanError, TextIndex
from app.importer.bundle import parse_fuzzy_date

TEXT = (
    "He said: \u2018We will\u00a0fight.\u2019 Then:  \u2018We will fight.\u2019"
    " \U0001f600 end \u201cok\u201d"
)


def test_straight_quotes_and_plain_spaces_find_the_typographic_original() -> None:
    index = TextIndex(TEXT)
    span = index.locate("'We will fight.'", occurrence=1)
    assert TEXT[span.start : span.end] == "\u2018We will\u00a0fight.\u2019"
    second = index.locate("'We will fight.'", occurrence=2)
    assert TEXT[second.start : second.end] == "\u2018We will fight.\u2019"
    assert second.start > span.end


def test_offsets_are_code_points_after_astral_characters() -> None:
    span = TextIndex(TEXT).locate('end "ok"')
    assert TEXT[span.start : span.end] == "end \u201cok\u201d"
    assert span.end == len(TEXT)


def test_whitespace_runs_fold_to_one_space() -> None:
    span = TextIndex(TEXT).locate("Then: 'We")
    assert TEXT[span.start : span.end] == "Then:  \u2018We"


def test_ambiguous_quote_without_a_hint_is_an_error() -> None:
    with pytest.raises(SpanError, match=r"occurs 2 times .* set `occurrence` \(1 to 2\)"):
        TextIndex(TEXT).locate("'We will fight.'")


def test_missing_quote_and_bad_occurrence_are_errors() -> None:
    index = TextIndex(TEXT)
    with pytest.raises(SpanError, match="quote not found"):
        index.locate("We will surrender")
    with pytest.raises(SpanError, match="occurrence 3 asked for"):
        index.locate("We will", occurrence=3)


@pytest.mark.parametrize(
    ("text", "start", "end", "precision"),
    [
        ("2021-08-23", "2021-08-23", "2021-08-23", "day"),
        ("2020-02", "2020-02-01", "2020-02-29", "month"),
        ("2001", "2001-01-01", "2001-12-31", "year"),
        ("1980s", "1980-01-01", "1989-12-31", "decade"),
    ],
)
def test_fuzzy_dates_cover_their_period(text: str, start: str, end: str, precision: str) -> None:
    parsed = parse_fuzzy_date(text)
    assert (parsed.start.isoformat(), parsed.end.isoformat(), parsed.precision) == (
        start,
        end,
        precision,
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [("2021-02-29", "day 29 does not exist"), ("2021-13", "month 13 does not exist")],
)
def test_impossible_dates_are_refused(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_fuzzy_date(text)
