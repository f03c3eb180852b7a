"""Vocabularies: every value has a label; dates with a precision read as their period."""

import datetime as dt
import inspect
from enum import StrEnum

import pytest

from app.core.query.periods import month_label, period_of
from app.importer.bundle import parse_fuzzy_date
from app.models import vocab


def test_every_value_of_every_vocabulary_has_a_label() -> None:
    vocabularies = [
        member
        for _, member in inspect.getmembers(vocab, inspect.isclass)
        if issubclass(member, StrEnum) and member is not StrEnum
    ]
    assert vocab.ClaimChannel in vocabularies
    assert set(vocabularies) == set(vocab.LABELS)
    for vocabulary in vocabularies:
        labels = vocab.LABELS[vocabulary]
        assert set(labels) == {value.value for value in vocabulary}, vocabulary.__name__
        assert all(label.strip() for label in labels.values())
    assert set(vocab.CHANNELS) == set(vocab.ClaimChannel)
    assert vocab.label_of(vocab.ClaimKind, "no_comment") == "No comment"
    assert month_label("2021-08") == "August 2021"


@pytest.mark.parametrize("notation", ["2021-08-23", "2021-08", "2021", "1980s", "2000s"])
def test_the_period_is_the_bundles_notation(notation: str) -> None:
    parsed = parse_fuzzy_date(notation)
    assert period_of(parsed.start, parsed.precision.value) == notation


def test_a_period_needs_a_date_and_a_known_precision() -> None:
    assert period_of(None, None) is None
    assert period_of(dt.date(2021, 8, 1), None) is None
    with pytest.raises(ValueError, match="fortnight"):
        period_of(dt.date(2021, 8, 1), "fortnight")
