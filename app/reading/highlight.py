"""Highlighting spans of a text that overlap and nest: pure functions, no database, no HTTP.

A text is cut at every span boundary into segments; each segment is covered by zero or more
highlights. Highlights are then written as properly nested elements: where two spans cross
(neither holds the other), the one that nests deeper is closed at the crossing and opened
again after it, so one highlight may be written as several fragments. The text between the
tags is the text itself, escaped and nothing else: strip the tags and the text comes back
verbatim.
"""

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Literal

from markupsafe import Markup, escape


@dataclass(frozen=True, slots=True)
class Highlight:
    """A span `[start, end)` of the text (in code points) and how to mark it.

    `rank` orders highlights with the same span: the lower one is written outside. `tag` and
    `attributes` make its element (every fragment gets them); `first_attributes` go on its
    first fragment only (an `id` to link to), and `tail` (already-safe markup) is written at
    the end of its last fragment (a link that must appear once)."""

    start: int
    end: int
    key: str
    rank: int = 0
    tag: str = "mark"
    attributes: Mapping[str, str] = field(default_factory=dict)
    first_attributes: Mapping[str, str] = field(default_factory=dict)
    tail: Markup = field(default_factory=Markup)

    def nesting_key(self) -> tuple[int, int, int, str]:
        """Outer before inner: earlier start, then longer, then lower rank, then key."""
        return (self.start, -self.end, self.rank, self.key)


@dataclass(frozen=True, slots=True)
class Segment:
    """Characters `[start, end)`, and the highlights covering all of them, outermost first."""

    start: int
    end: int
    covering: tuple[Highlight, ...]


def segments(length: int, highlights: Sequence[Highlight]) -> list[Segment]:
    """The text `[0, length)` cut at every highlight boundary (clipped to the text), each piece
    with the highlights that cover it, outermost first. Empty highlights cover nothing."""
    spans = [h for h in highlights if max(h.start, 0) < min(h.end, length)]
    cuts = {0, length}
    for h in spans:
        cuts.add(max(h.start, 0))
        cuts.add(min(h.end, length))
    ordered = sorted(spans, key=Highlight.nesting_key)
    bounds = sorted(cuts)
    return [
        Segment(a, b, tuple(h for h in ordered if h.start <= a and h.end >= b))
        for a, b in pairwise(bounds)
        if a < b
    ]


Token = (
    tuple[Literal["open"], Highlight, bool]
    | tuple[Literal["text"], str]
    | tuple[Literal["close"], Highlight, bool]
)


def tokens(text: str, highlights: Sequence[Highlight]) -> Iterator[Token]:
    """Open, text and close tokens that nest properly: `("open", h, first_fragment)`,
    `("text", characters)`, `("close", h, last_fragment)`."""
    opened: set[str] = set()
    stack: list[Highlight] = []
    for segment in segments(len(text), highlights):
        covering = segment.covering
        shared = 0
        while shared < len(stack) and shared < len(covering) and stack[shared] is covering[shared]:
            shared += 1
        while len(stack) > shared:
            closing = stack.pop()
            yield ("close", closing, closing.end <= segment.start)
        for highlight in covering[shared:]:
            yield ("open", highlight, highlight.key not in opened)
            opened.add(highlight.key)
            stack.append(highlight)
        yield ("text", text[segment.start : segment.end])
    while stack:
        closing = stack.pop()
        yield ("close", closing, True)


def _text(characters: str) -> str:
    # A browser reads a raw CR as a line break (CR LF as one); as a reference it stays a CR.
    return str(escape(characters)).replace("\r", "&#13;")


def _attributes(values: Mapping[str, str]) -> str:
    return "".join(f' {name}="{escape(value)}"' for name, value in values.items())


def render(text: str, highlights: Sequence[Highlight]) -> Markup:
    """The text as HTML, every highlight an element (split where spans cross)."""
    keys = [h.key for h in highlights]
    if len(set(keys)) != len(keys):
        raise ValueError("every highlight needs a key of its own")
    parts: list[str] = []
    for token in tokens(text, highlights):
        if token[0] == "text":
            parts.append(_text(token[1]))
        elif token[0] == "open":
            _, highlight, first = token
            attributes = dict(highlight.attributes)
            if first:
                attributes.update(highlight.first_attributes)
            parts.append(f"<{highlight.tag}{_attributes(attributes)}>")
        else:
            _, highlight, last = token
            if last:
                parts.append(highlight.tail)
            parts.append(f"</{highlight.tag}>")
    return Markup("".join(parts))
