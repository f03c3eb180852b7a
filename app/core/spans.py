"""Locating quotes in a report's raw text.

Seed files may write a quote with plain spaces and straight quotes where the article has
no-break spaces and curly quotes, and with single spaces where it has runs of white space.
The importer finds the quote in a folded copy of the text, then maps the match back to code
point offsets into the raw text, so `text[start:end]` is what gets stored; a draft
(app.drafting) says which occurrence it means the same way.
"""

from dataclasses import dataclass

_FOLD = str.maketrans(
    {
        "\u00a0": " ",
        "\u2009": " ",
        "\u202f": " ",
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u2032": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u00ab": '"',
        "\u00bb": '"',
    }
)


@dataclass(frozen=True, slots=True)
class Span:
    start: int
    end: int


class SpanError(ValueError):
    """A quote that is not in the text, or that is there more than once without a hint."""


def fold(text: str) -> str:
    """Fold typographic variants and collapse white-space runs to one space."""
    folded, _ = _fold_with_map(text)
    return folded


def _fold_with_map(text: str) -> tuple[str, list[int]]:
    """The folded text and, for each of its characters, the raw offset it came from."""
    translated = text.translate(_FOLD)
    out: list[str] = []
    origin: list[int] = []
    previous_space = False
    for index, char in enumerate(translated):
        if char.isspace():
            if previous_space:
                continue
            out.append(" ")
            previous_space = True
        else:
            out.append(char)
            previous_space = False
        origin.append(index)
    return "".join(out), origin


class TextIndex:
    """A report's text, folded once, for locating many quotes in it."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._folded, self._origin = _fold_with_map(text)
        # Each distinct quote is searched for once: a long report's claims often quote the
        # same words (a bullet and the body), and each search scans the whole text.
        self._found: dict[str, list[int]] = {}

    def locate(self, quote: str, *, occurrence: int | None = None) -> Span:
        """The span of `quote`; `occurrence` (1-based) picks one where the quote recurs."""
        needle = fold(quote).strip()
        if not needle:
            raise SpanError("the quote is empty")
        starts = self._starts(needle)
        if not starts:
            raise SpanError(f"quote not found in the report text: {_preview(quote)}")
        if occurrence is None:
            if len(starts) > 1:
                raise SpanError(
                    f"quote occurs {len(starts)} times in the report text; "
                    f"set `occurrence` (1 to {len(starts)}) to choose: {_preview(quote)}"
                )
            chosen = starts[0]
        else:
            if not 1 <= occurrence <= len(starts):
                raise SpanError(
                    f"occurrence {occurrence} asked for, but the quote occurs "
                    f"{len(starts)} time(s): {_preview(quote)}"
                )
            chosen = starts[occurrence - 1]
        last = chosen + len(needle) - 1
        return Span(start=self._origin[chosen], end=self._origin[last] + 1)

    def starts_of(self, quote: str) -> list[int]:
        """The raw offsets where `quote` begins, in order (as `locate` counts them)."""
        return [self._origin[found] for found in self._starts(fold(quote).strip())]

    def occurrence_at(self, quote: str, start: int) -> int | None:
        """Which occurrence of `quote` (1-based) begins at raw offset `start`: what
        `locate` needs to find that span again. None where the words occur once."""
        starts = [self._origin[found] for found in self._starts(fold(quote).strip())]
        if len(starts) <= 1 or start not in starts:
            return None
        return starts.index(start) + 1

    def _starts(self, needle: str) -> list[int]:
        """Where `needle` (folded) begins in the folded text, overlaps included."""
        starts = self._found.get(needle)
        if starts is None:
            starts = []
            position = self._folded.find(needle)
            while position != -1:
                starts.append(position)
                position = self._folded.find(needle, position + 1)
            self._found[needle] = starts
        return starts


def _preview(quote: str, width: int = 60) -> str:
    flat = " ".join(quote.split())
    return repr(flat if len(flat) <= width else flat[: width - 1] + "…")
