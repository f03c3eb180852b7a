"""Content negotiation: the representations a list may offer, and which one a request asks
for (`format=` wins over `Accept`, RFC 9110 q-values)."""

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from fastapi import Request

from app.core.http.errors import BadParameter, NotAcceptable


class Format(StrEnum):
    """A representation of a collection's page."""

    json = "json"
    csv = "csv"
    ndjson = "ndjson"
    geojson = "geojson"
    jsonld = "jsonld"


# What each collection offers, as the type of its `format` parameter: the document then
# says exactly which values a collection takes (each a named component), and a value it does
# not offer is refused by validation, a 400 naming `format`.
class PlainFormat(StrEnum):
    """A representation of a page of items without a place or a JSON-LD form."""

    json = "json"
    csv = "csv"
    ndjson = "ndjson"


class GeoFormat(StrEnum):
    """A representation of a page of items with a place."""

    json = "json"
    csv = "csv"
    ndjson = "ndjson"
    geojson = "geojson"


class LinkedFormat(StrEnum):
    """A representation of a page of items with a JSON-LD form and no place."""

    json = "json"
    csv = "csv"
    ndjson = "ndjson"
    jsonld = "jsonld"


MEDIA_TYPES: dict[Format, str] = {
    Format.json: "application/json",
    Format.csv: "text/csv",
    Format.ndjson: "application/x-ndjson",
    Format.geojson: "application/geo+json",
    Format.jsonld: "application/ld+json",
}
CONTENT_TYPES: dict[Format, str] = {
    **MEDIA_TYPES,
    Format.csv: "text/csv; charset=utf-8; header=present",
}
EXTENSIONS: dict[Format, str] = {
    Format.json: "json",
    Format.csv: "csv",
    Format.ndjson: "ndjson",
    Format.geojson: "geojson",
    Format.jsonld: "jsonld",
}


@dataclass(frozen=True, slots=True)
class MediaRange:
    type: str
    subtype: str
    q: float
    position: int

    def matches(self, media_type: str) -> int:
        """How specifically this range names `media_type`: 2 exactly, 1 `type/*`, 0 `*/*`,
        -1 not at all."""
        kind, _, sub = media_type.partition("/")
        if self.type == "*" and self.subtype == "*":
            return 0
        if self.type == kind and self.subtype == "*":
            return 1
        if self.type == kind and self.subtype == sub:
            return 2
        return -1


def parse_accept(header: str) -> list[MediaRange]:
    """The media ranges of an `Accept` header (RFC 9110 12.5.1); malformed ones are skipped."""
    ranges: list[MediaRange] = []
    for position, part in enumerate(header.split(",")):
        media, *parameters = (piece.strip() for piece in part.split(";"))
        kind, slash, sub = media.lower().partition("/")
        if not slash or not kind or not sub or (kind == "*" and sub != "*"):
            continue
        q = 1.0
        valid = True
        for parameter in parameters:
            name, _, value = parameter.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = float(value.strip())
                except ValueError:
                    valid = False
                if not 0 <= q <= 1:
                    valid = False
        if valid:
            ranges.append(MediaRange(kind, sub, q, position))
    return ranges


def accepted(header: str, offered: Sequence[Format]) -> Format | None:
    """The offered format the header prefers: the highest q (taken from the most specific
    range naming each), then the more specific range, then the client's order, then ours."""
    ranges = parse_accept(header)
    if not ranges:
        return Format.json  # nothing readable: as if no preference was stated
    best: tuple[float, int, int, int] | None = None
    chosen: Format | None = None
    for rank, candidate in enumerate(offered):
        specific = [(r.matches(MEDIA_TYPES[candidate]), r) for r in ranges]
        specific = [(s, r) for s, r in specific if s >= 0]
        if not specific:
            continue
        level = max(s for s, _ in specific)
        strongest = [r for s, r in specific if s == level]
        q = max(r.q for r in strongest)
        position = min(r.position for r in strongest if r.q == q)
        if q <= 0:
            continue
        key = (q, level, -position, -rank)
        if best is None or key > best:
            best, chosen = key, candidate
    return chosen


def negotiate(
    request: Request, given: StrEnum | None, offered: Sequence[Format], *, collection: str
) -> Format:
    """The format to answer in: `format=` if given, else the `Accept` header's choice."""
    names = ", ".join(f.value for f in offered)
    if given is not None:
        asked = Format(given.value)
        if asked not in offered:
            error = BadParameter(
                "format",
                f"{collection} are offered as {names}, not {asked.value}",
            )
            error.headers["Vary"] = "Accept"
            raise error
        return asked
    header = request.headers.get("accept", "").strip()
    if not header:
        return Format.json
    chosen = accepted(header, offered)
    if chosen is None:
        types_offered = ", ".join(MEDIA_TYPES[f] for f in offered)
        raise NotAcceptable(
            f"{collection} are offered as {types_offered} (Accept) or "
            f"format={names}; the Accept header names none of them",
            extra={"offered": [MEDIA_TYPES[f] for f in offered]},
            headers={"Vary": "Accept"},
        )
    return chosen
