"""Direct speech found in every quotation style, with exact spans (app.drafting.quotes)."""

from pathlib import Path

import pytest

from app.drafting.quotes import find_quotations

SEED_TEXT = Path(__file__).resolve().parents[1] / "seed" / "texts" / "000_54838b346df77719.txt"


def quoted(text: str) -> list[str]:
    return [quotation.text(text) for quotation in find_quotations(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Double curly, the quotation ending the sentence.
        (
            "Massoud said: \u201cThe valley will not fall.\u201d Then he left.",
            ["The valley will not fall."],
        ),
        # Double straight, attribution after.
        ('"We are ready," he said.', ["We are ready,"]),
        # Single curly, where the closing mark is also the apostrophe and the possessive.
        (
            "\u2018Massoud\u2019s men are ready, and the fighters\u2019 morale is high,\u2019 "
            "the aide said.",
            ["Massoud\u2019s men are ready, and the fighters\u2019 morale is high,"],
        ),
        # Single straight, split by its attribution: two quotations.
        ("'Nobody will pass,' he said, 'not one.'", ["Nobody will pass,", "not one."]),
        # Double curly, split by its attribution.
        (
            "\u201cWe will fight,\u201d he said, \u201cto the end.\u201d",
            ["We will fight,", "to the end."],
        ),
        # A scare quote at the end of a paragraph, and one before a comma.
        ("He is known as \u2018the Lion\u2019", ["the Lion"]),
        (
            "his father, Ahmad Shah Massoud \u2018the Lion of the Panjshir\u2019, was murdered",
            ["the Lion of the Panjshir"],
        ),
        # Punctuation inside the marks (British style) and a contraction inside.
        ("known as the \u2018Afghan Napoleon.\u2019", ["Afghan Napoleon."]),
        ("\u2018They\u2019re closing in,\u2019 he said.", ["They\u2019re closing in,"]),
        # An inner quotation belongs to the outer one.
        (
            "\u201cHe told us \u2018never\u2019 to leave,\u201d she said.",
            ["He told us \u2018never\u2019 to leave,"],
        ),
        # After a dash or a bracket.
        ("They said \u2014\u201cnot yet\u201d\u2014 twice.", ["not yet"]),
        ("(\u2018soon\u2019)", ["soon"]),
    ],
    ids=[
        "double-curly",
        "double-straight",
        "single-curly-apostrophes",
        "single-straight-split",
        "double-curly-split",
        "scare-quote-end",
        "scare-quote-comma",
        "punctuation-inside",
        "contraction",
        "nested",
        "dash",
        "bracket",
    ],
)
def test_each_style_gives_its_exact_span(text: str, expected: list[str]) -> None:
    assert quoted(text) == expected


def test_a_quotation_over_two_paragraphs_is_one() -> None:
    text = (
        "\u201cWe have held this valley before.\n"
        "\n"
        "\u201cWe will hold it again,\u201d Massoud told Reuters.\n"
        "Another paragraph.\n"
    )
    [quotation] = find_quotations(text)
    assert quotation.paragraphs == 2
    assert quotation.text(text) == (
        "We have held this valley before.\n\n\u201cWe will hold it again,"
    )
    assert quotation.opened == 0
    assert text[quotation.closed] == "\u201d"
    assert "over 2 paragraphs" in quotation.rule


@pytest.mark.parametrize(
    "text",
    [
        "Massoud\u2019s men are in the valley.",  # apostrophes only
        "It was hard in the \u201980s and the \u201990s.",  # elisions
        "\u201cWe will fight on and on",  # never closes
        "the fighters\u2019 positions",  # a plural possessive, no quotation open
        "rock 'n' roll",  # not a quotation: no word after the opening mark's space
        "5' 10\" tall",  # feet and inches
    ],
)
def test_apostrophes_and_unclosed_marks_are_not_quotations(text: str) -> None:
    assert quoted(text) == []


def test_a_closing_mark_that_may_be_a_possessive_lowers_the_confidence() -> None:
    # A later closing mark wins over a plural possessive's ...
    text = "\u2018The fighters\u2019 morale is high\u2019 and rising."
    [quotation] = find_quotations(text)
    assert quotation.text(text) == "The fighters\u2019 morale is high"
    assert quotation.confidence > 0.9
    # ... and where there is none, the possessive's closes it, marked as unsure.
    text = "He praised \u2018the fighters\u2019 morale today."
    [quotation] = find_quotations(text)
    assert quotation.text(text) == "the fighters"
    assert quotation.confidence < 0.9
    assert "possessive" in quotation.rule


def test_the_seeds_quotations() -> None:
    text = SEED_TEXT.read_text(encoding="utf-8")
    found = quoted(text)
    assert "the Lion" in found
    assert "the Lion of the Panjshir" in found
    assert "Afghan Napoleon." in found
    # No apostrophe opened or closed one.
    assert not any(piece.startswith(("s ", "re ", "t ")) for piece in found)
    for quotation in find_quotations(text):
        assert text[quotation.opened] in "\u201c\u2018\"'"
        assert quotation.start == quotation.opened + 1
