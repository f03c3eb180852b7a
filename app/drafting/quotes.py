"""Direct speech in a news text: every quotation, as the exact span of the words between its
marks, in any of the styles newsrooms use.

- Double quotes, curly (“…”) or straight ("…"); single quotes, curly (‘…’) or straight
  ('…'): British tabloids quote with single curly marks, where the closing mark is also the
  apostrophe (`Massoud’s`, `they’re`) and closes plural possessives (`fighters’ morale`).
- A quotation running over paragraphs: a paragraph that ends inside it, and the next
  beginning with an opening mark, continue it (wire style); its span runs from the first
  word to the last, the paragraph break and the re-opening mark included.
- A quotation split by its attribution (`“We will fight,” he said, “to the end.”`) is two
  quotations here; attribution joins them (app.drafting.speech).

Marks are told apart by what stands beside them: an opening mark follows a space, the start
of the paragraph or an opening bracket or dash, and precedes a word; a closing mark follows a
word or punctuation and precedes a space, punctuation or the end of the paragraph. A mark
between two letters is an apostrophe. Where a quotation could close at a plural possessive
(`fighters’ morale`) or later, the later mark after punctuation wins; a quotation that never
closes is not proposed at all (nothing is invented).
"""

import re
from bisect import bisect_left
from collections.abc import Iterator
from dataclasses import dataclass

# (opening, closing, name) of each style.
STYLES = (
    ("\u201c", "\u201d", "double curly"),
    ('"', '"', "double straight"),
    ("\u2018", "\u2019", "single curly"),
    ("'", "'", "single straight"),
)
_OPENS = {opening: (opening, closing, name) for opening, closing, name in STYLES}
# What may stand before an opening mark, besides a space or the paragraph's start.
_BEFORE_OPENING = set("([{\u2014\u2013-/\u201c\u2018\"'")
# What may stand after a closing mark, besides a space or the paragraph's end.
_AFTER_CLOSING = set(".,;:!?)]}\u2014\u2013-\u2026\u201d\u2019\"'")
# Punctuation a quotation ends with, inside its marks (British and American styles).
_ENDING = set(".,!?\u2026\u2014\u2013-")

_PARAGRAPH = re.compile(r"[^\n]+")


@dataclass(frozen=True, slots=True)
class Quotation:
    """A quotation: `start`..`end` (code points) are its words, without the marks;
    `opened` and `closed` are where its marks stand."""

    start: int
    end: int
    opened: int
    closed: int
    style: str
    paragraphs: int
    confidence: float
    rule: str

    def text(self, source: str) -> str:
        return source[self.start : self.end]

    def parts(self, source: str) -> list[tuple[int, int]]:
        """Its words paragraph by paragraph, (start, end) each, without the reopening marks
        and the spaces at the ends: a quotation over paragraphs is a claim per paragraph."""
        found: list[tuple[int, int]] = []
        at = self.start
        while at < self.end:
            stop = source.find("\n", at, self.end)
            stop = self.end if stop == -1 else stop
            start, end = at, stop
            while start < end and (source[start].isspace() or source[start] in _OPENS):
                start += 1
            while end > start and source[end - 1].isspace():
                end -= 1
            if end > start:
                found.append((start, end))
            at = stop + 1
        return found


def paragraphs(text: str) -> Iterator[tuple[int, int]]:
    """(start, end) of each paragraph: a run of characters between line breaks."""
    for found in _PARAGRAPH.finditer(text):
        if found.group().strip():
            yield found.start(), found.end()


def _is_space(char: str) -> bool:
    return char.isspace()


def _opens_at(text: str, at: int, start: int, end: int) -> bool:
    """An opening mark stands at `at` (within the paragraph start..end)."""
    before = text[at - 1] if at > start else " "
    after = text[at + 1] if at + 1 < end else " "
    if _is_space(after):
        return False
    return _is_space(before) or before in _BEFORE_OPENING


def _closing_strength(text: str, at: int, start: int, end: int, mark: str) -> int:
    """0: no closing mark at `at`; 1: one that may be a possessive's (`fighters’ morale`);
    2: a closing mark."""
    if at == start:
        return 0
    before = text[at - 1]
    after = text[at + 1] if at + 1 < end else " "
    if _is_space(before):
        return 0
    if not (_is_space(after) or after in _AFTER_CLOSING):
        return 0  # between letters: an apostrophe (`Massoud’s`, `they’re`)
    single = mark in ("\u2019", "'")
    if single and before in "sSzZ" and _is_space(after):
        following = text[at + 2] if at + 2 < end else ""
        if following.islower():
            return 1  # `the fighters’ morale`: a plural possessive, or the quote's end
    return 2


# A quotation closes within this many characters of a paragraph, and runs over at most this
# many paragraphs: the search for its end never rescans a whole text (or a long paragraph)
# for every opening mark.
MAX_QUOTATION = 3000
MAX_PARAGRAPHS = 6


class _Closings:
    """Every closing mark of a paragraph, by mark and strength, found in one pass: where a
    quotation opened at any point closes is then a binary search, not a rescan."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.found: dict[tuple[int, str], tuple[list[int], list[int]]] = {}

    def of(self, start: int, end: int, mark: str) -> tuple[list[int], list[int]]:
        key = (start, mark)
        cached = self.found.get(key)
        if cached is None:
            strong: list[int] = []
            weak: list[int] = []
            at = self.text.find(mark, start, end)
            while at != -1:
                strength = _closing_strength(self.text, at, start, end, mark)
                if strength == 2:
                    strong.append(at)
                elif strength == 1:
                    weak.append(at)
                at = self.text.find(mark, at + 1, end)
            cached = self.found[key] = (strong, weak)
        return cached

    def after(self, begin: int, start: int, end: int, mark: str) -> tuple[int, int] | None:
        """Where a quotation opened before `begin` closes in its paragraph, and how surely:
        the first closing mark, or else the first that may be a possessive's."""
        strong, weak = self.of(start, end, mark)
        limit = min(end, begin + MAX_QUOTATION)
        for positions, strength in ((strong, 2), (weak, 1)):
            index = bisect_left(positions, begin)
            if index < len(positions) and positions[index] < limit:
                return positions[index], strength
        return None


def _worded(words: str) -> bool:
    """At least two letters or digits: what a quotation holds (not `'n'`)."""
    return sum(char.isalnum() for char in words) >= 2


def find_quotations(text: str) -> list[Quotation]:
    """Every quotation in `text`, in order (see the module's docstring)."""
    found: list[Quotation] = []
    spans = list(paragraphs(text))
    closings = _Closings(text)
    index = 0
    while index < len(spans):
        start, end = spans[index]
        at = start
        while at < end:
            char = text[at]
            style = _OPENS.get(char)
            if style is None or not _opens_at(text, at, start, end):
                at += 1
                continue
            opening, closing, name = style
            first = at + 1
            closed = closings.after(first, start, end, closing)
            paragraph_count = 1
            last_start, last_end = start, end
            following = index
            while closed is None:
                # Wire style: the paragraph ends inside the quotation, the next reopens it.
                if following + 1 >= len(spans) or paragraph_count >= MAX_PARAGRAPHS:
                    break
                next_start, next_end = spans[following + 1]
                if text[next_start] != opening or not _opens_at(
                    text, next_start, next_start, next_end
                ):
                    break
                following += 1
                paragraph_count += 1
                last_start, last_end = next_start, next_end
                closed = closings.after(next_start + 1, next_start, next_end, closing)
            if closed is None:
                at = first  # never closes: not a quotation of ours
                continue
            close_at, strength = closed
            if not _worded(text[first:close_at]):
                at = first  # `rock 'n' roll`, `5' 10"`: marks around no words
                continue
            confidence = 0.95 if strength == 2 else 0.6
            rule = f"{name} quotation marks"
            if paragraph_count > 1:
                rule += f", over {paragraph_count} paragraphs"
            if strength == 1:
                rule += " (closing mark may be a plural possessive's)"
            found.append(
                Quotation(first, close_at, at, close_at, name, paragraph_count, confidence, rule)
            )
            if following != index:
                index = following
                start, end = last_start, last_end
            at = close_at + 1
        index += 1
    return found
