"""The representations of a collection's page: JSON (the envelope), CSV, NDJSON, GeoJSON and,
for claims and reports, JSON-LD; one mechanism for every collection.

A list route registers what its collection offers (`register(Representation(...))`) and
answers through `list_answer`, which picks the format (`format=` wins over `Accept`, RFC 9110
q-values), runs the page's service off the event loop as before, and renders it. The same
filters, sort, limit and cursor apply in every format; the envelope's `next_cursor` and
`total` travel in the `Link` (rel="next") and `X-Total-Count` / `X-Total-Relation` headers.

The CSV columns are derived from the collection's Pydantic item schema, so a field added to
the schema is a column without any change here (see `csv_columns` for the flattening rules).
`csv_header`, `csv_rows` and `ndjson_rows` are pure functions over lists of item dicts, for
streaming whole collections page by page as well.
"""

import csv
import datetime as dt
import io
import types
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from enum import Enum, StrEnum
from functools import cache, partial
from typing import Any, Literal, Union, get_args, get_origin

import anyio
import orjson
from fastapi import Request
from fastapi.responses import Response
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core.db.engine import Database
from app.core.http.errors import BadParameter, NotAcceptable
from app.core.http.responses import FastJSONResponse
from app.models import Location


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


def format_field() -> Any:
    """The `format` query parameter of a list (its type says what the collection offers)."""
    return Field(default=None, description=FORMAT_DESCRIPTION, examples=["csv"])


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

FORMAT_DESCRIPTION = (
    "The representation of the page: `json` (default: the envelope), `csv` (RFC 4180, UTF-8, "
    "a header row, nested values flattened), `ndjson` (one JSON item per line), `geojson` "
    "(an RFC 7946 FeatureCollection; locations, events, claims and media) or `jsonld` "
    "(schema.org JSON-LD; claims and reports). Wins over the `Accept` header (`text/csv`, "
    "`application/x-ndjson`, `application/geo+json`, `application/ld+json`). A format the "
    "collection does not offer is a 400. Outside the JSON envelope the next page is the "
    '`Link: <…>; rel="next"` header and the count `X-Total-Count` / `X-Total-Relation`.'
)

Geometry = Literal["self", "location", "locations"]

# Cells a spreadsheet would read as a formula (OWASP's CSV injection list), and the quote
# that marks a cell as text: such a text cell gets one leading `'` more.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "'")
LIST_SEPARATOR = "; "


@dataclass(frozen=True)
class Representation:
    """What one collection's list offers, and how its items become rows and features.

    `geometry`: where an item's place is: `self` (the item is a place: `latitude`,
    `longitude`), `location` (one `location` object with coordinates), `locations` (refs to
    places: one feature per item and place, coordinates looked up for the page), or None (no
    GeoJSON). `jsonld`: the JSON-LD document of a page's items, or None."""

    collection: str
    item: type[BaseModel]
    geometry: Geometry | None = None
    jsonld: Callable[..., dict[str, Any]] | None = None
    formats: tuple[Format, ...] = field(init=False)

    def __post_init__(self) -> None:
        offered = [Format.json, Format.csv, Format.ndjson]
        if self.geometry is not None:
            offered.append(Format.geojson)
        if self.jsonld is not None:
            offered.append(Format.jsonld)
        object.__setattr__(self, "formats", tuple(offered))


REGISTRY: dict[str, Representation] = {}


def register(representation: Representation) -> Representation:
    REGISTRY[representation.collection] = representation
    return representation


def representation_of(collection: str | Representation) -> Representation:
    if isinstance(collection, Representation):
        return collection
    return REGISTRY[collection]


# --- Negotiation ---------------------------------------------------------------------------


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


def negotiate(request: Request, given: StrEnum | None, representation: Representation) -> Format:
    """The format to answer in: `format=` if given, else the `Accept` header's choice."""
    offered = representation.formats
    names = ", ".join(f.value for f in offered)
    if given is not None:
        asked = Format(given.value)
        if asked not in offered:
            error = BadParameter(
                "format",
                f"{representation.collection} are offered as {names}, not {asked.value}",
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
            f"{representation.collection} are offered as {types_offered} (Accept) or "
            f"format={names}; the Accept header names none of them",
            extra={"offered": [MEDIA_TYPES[f] for f in offered]},
            headers={"Vary": "Accept"},
        )
    return chosen


# --- CSV -----------------------------------------------------------------------------------

CellKind = Literal["text", "number", "other"]


@dataclass(frozen=True)
class Column:
    name: str
    render: Callable[[dict[str, Any]], str]
    description: str


def _unwrap(annotation: Any) -> tuple[Any, bool]:
    """(the annotation without `| None`, whether it is a list) ."""
    origin = get_origin(annotation)
    if origin in (Union, types.UnionType):
        args = [arg for arg in get_args(annotation) if arg is not type(None)]
        annotation = args[0] if len(args) == 1 else Any
        origin = get_origin(annotation)
    if origin in (list, tuple, set, frozenset):
        items = get_args(annotation)
        return (items[0] if items else Any), True
    return annotation, False


def _is_model(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


def _kind_of(annotation: Any) -> CellKind:
    if isinstance(annotation, type) and issubclass(annotation, bool):
        return "other"
    if annotation in (int, float):
        return "number"
    if annotation in (dt.date, dt.datetime):
        return "other"
    return "text"


def _scalar(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        text = repr(value)
        return text[:-2] if text.endswith(".0") else text
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, Enum):
        return str(value.value)
    return str(value)


def escape_cell(text: str) -> str:
    """A text cell safe to open in a spreadsheet: one leading `'` more when it starts with
    `=`, `+`, `-`, `@`, a tab, a carriage return or `'` itself."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def unescape_cell(text: str) -> str:
    """The text a cell stands for (`escape_cell` undone)."""
    return text[1:] if text.startswith("'") else text


def _cell(kind: CellKind, text: str) -> str:
    return escape_cell(text) if kind == "text" else text


def _path_get(item: dict[str, Any], path: Sequence[str]) -> Any:
    value: Any = item
    for key in path:
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value


def _scalar_column(name: str, path: Sequence[str], kind: CellKind, what: str) -> Column:
    keys = tuple(path)
    return Column(name, lambda item: _cell(kind, _scalar(_path_get(item, keys))), what)


def _list_column(
    name: str, path: Sequence[str], render: Callable[[Any], str], kind: CellKind, what: str
) -> Column:
    keys = tuple(path)

    def joined(item: dict[str, Any]) -> str:
        values = _path_get(item, keys) or []
        return _cell(kind, LIST_SEPARATOR.join(render(value) for value in values))

    return Column(name, joined, what)


def _field_of_each(key: str) -> Callable[[Any], str]:
    def render(value: dict[str, Any]) -> str:
        return _scalar(value.get(key))

    return render


def _quantity(value: dict[str, Any]) -> str:
    return " ".join(_scalar(value.get(part)) for part in ("value", "unit", "counted"))


def _reference(value: dict[str, Any]) -> str:
    role = value.get("role")
    return _scalar(value.get("id")) + (f" ({_scalar(role)})" if role is not None else "")


QUANTITY_FIELDS = ("value", "unit", "counted")
# A reference's id (and the role it plays here) make its column; its other fields (name,
# kind) follow as columns of their own, in the same order, so a row carries the whole item.
REFERENCE_FIELDS = ("id", "role")


def _columns(model: type[BaseModel], prefix: str, path: tuple[str, ...]) -> list[Column]:
    columns: list[Column] = []
    for name, info in model.model_fields.items():
        inner, many = _unwrap(info.annotation)
        column = prefix + name
        here = (*path, name)
        if _is_model(inner) and not many:
            columns.extend(_columns(inner, column + "_", here))
        elif not many:
            columns.append(_scalar_column(column, here, _kind_of(inner), "the field"))
        elif not _is_model(inner):
            columns.append(_list_column(column, here, _scalar, "text", "the values joined by `; `"))
        else:
            fields = inner.model_fields
            if set(QUANTITY_FIELDS) <= fields.keys():
                covered: tuple[str, ...] = QUANTITY_FIELDS
                columns.append(
                    _list_column(
                        column, here, _quantity, "text", "each as `value unit counted`, by `; `"
                    )
                )
            elif "id" in fields:
                covered = REFERENCE_FIELDS
                role = " (role)" if "role" in fields else ""
                columns.append(
                    _list_column(
                        column, here, _reference, "text", f"each as `id{role}`, joined by `; `"
                    )
                )
            else:
                covered = ()
            for sub, sub_info in fields.items():
                sub_inner, sub_many = _unwrap(sub_info.annotation)
                if sub in covered or sub_many or _is_model(sub_inner):
                    continue
                columns.append(
                    _list_column(
                        f"{column}_{sub}",
                        here,
                        _field_of_each(sub),
                        "text",
                        f"each one's `{sub}`, in the same order, joined by `; `",
                    )
                )
    return columns


@cache
def _columns_of(model: type[BaseModel]) -> tuple[Column, ...]:
    return tuple(_columns(model, "", ()))


def csv_columns(collection: str | Representation) -> list[str]:
    """The CSV columns of a collection, derived from its item schema:

    - a scalar field is a column of its name (null: an empty cell; booleans `true`/`false`;
      numbers without a trailing `.0`; dates ISO 8601);
    - a nested object is a column per field, prefixed (`claimant` -> `claimant_id`,
      `claimant_name`, `claimant_kind`; `span` -> `span_start`, `span_end`);
    - a list of values is one column, the values joined by `; `;
    - a list of quantities is one column, each `value unit counted`, joined by `; `, and
      one column per other field (`quantities_qualifier`, `quantities_text`) in the same
      order;
    - a list of references (actors, locations) is one column, each its id, with its role in
      parentheses where it has one (`taliban (subject)`), joined by `; `.
    """
    return [column.name for column in _columns_of(representation_of(collection).item)]


def csv_column_descriptions(collection: str | Representation) -> list[tuple[str, str]]:
    return [
        (column.name, column.description)
        for column in _columns_of(representation_of(collection).item)
    ]


def _csv_text(rows: Iterable[Sequence[str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def csv_header(collection: str | Representation) -> bytes:
    """The header row (CRLF-terminated, UTF-8)."""
    return _csv_text([csv_columns(collection)])


def csv_rows(collection: str | Representation, items: Iterable[dict[str, Any]]) -> bytes:
    """One CSV row per item (API JSON items), no header (CRLF-terminated, UTF-8)."""
    columns = _columns_of(representation_of(collection).item)
    return _csv_text([column.render(item) for column in columns] for item in items)


# --- NDJSON and GeoJSON --------------------------------------------------------------------


def ndjson_rows(items: Iterable[dict[str, Any]]) -> bytes:
    """One JSON item per line, each line ending with `\\n`."""
    return b"".join(orjson.dumps(item, option=orjson.OPT_NON_STR_KEYS) + b"\n" for item in items)


def _point(latitude: Any, longitude: Any) -> dict[str, Any] | None:
    if latitude is None or longitude is None:
        return None
    return {"type": "Point", "coordinates": [longitude, latitude]}


Places = dict[str, tuple[float | None, float | None]]


def features(
    representation: Representation, items: Sequence[dict[str, Any]], places: Places
) -> list[dict[str, Any]]:
    """GeoJSON features of a page's items (see `Representation.geometry`)."""
    found: list[dict[str, Any]] = []
    for item in items:
        if representation.geometry == "self":
            geometry = _point(item.get("latitude"), item.get("longitude"))
            found.append(_feature(item["id"], geometry, item))
        elif representation.geometry == "location":
            location = item.get("location") or {}
            geometry = _point(location.get("latitude"), location.get("longitude"))
            found.append(_feature(item["id"], geometry, item))
        else:
            for ref in item.get("locations") or []:
                latitude, longitude = places.get(ref["id"], (None, None))
                found.append(
                    _feature(
                        f"{item['id']}/{ref['id']}",
                        _point(latitude, longitude),
                        {**item, "location_id": ref["id"]},
                    )
                )
    return found


def _feature(
    feature_id: str, geometry: dict[str, Any] | None, properties: dict[str, Any]
) -> dict[str, Any]:
    return {"type": "Feature", "id": feature_id, "geometry": geometry, "properties": properties}


def feature_collection(
    representation: Representation, items: Sequence[dict[str, Any]], places: Places
) -> dict[str, Any]:
    return {"type": "FeatureCollection", "features": features(representation, items, places)}


def _page_with_places(
    session: Session, page: Callable[..., dict[str, Any]], dialect: str, params: Any
) -> tuple[dict[str, Any], Places]:
    """The page and the coordinates of every place its items refer to, in one call."""
    body = page(session, dialect, params)
    ids = sorted({ref["id"] for item in body["items"] for ref in item.get("locations") or []})
    places: Places = {}
    if ids:
        rows = session.execute(
            select(Location.id, Location.latitude, Location.longitude).where(Location.id.in_(ids))
        )
        places = {row.id: (row.latitude, row.longitude) for row in rows}
    return body, places


# --- The answer ----------------------------------------------------------------------------


def _page_headers(request: Request, body: dict[str, Any]) -> dict[str, str]:
    headers = {"Vary": "Accept"}
    if body.get("next_cursor"):
        url = request.url.include_query_params(cursor=body["next_cursor"])
        headers["Link"] = f'<{url.path}?{url.query}>; rel="next"'
    if body.get("total") is not None:
        headers["X-Total-Count"] = str(body["total"])
        headers["X-Total-Relation"] = str(body["total_relation"])
    return headers


def render(
    fmt: Format,
    body: dict[str, Any],
    request: Request,
    representation: Representation,
    places: Places | None = None,
) -> Response:
    """A page (the envelope a service answers) in `fmt`."""
    headers = _page_headers(request, body)
    items: list[dict[str, Any]] = body["items"]
    if fmt is Format.json:
        return FastJSONResponse(body, headers=headers)
    if fmt in (Format.csv, Format.ndjson):
        name = f"{representation.collection}.{EXTENSIONS[fmt]}"
        headers["Content-Disposition"] = f'attachment; filename="{name}"'
    if fmt is Format.csv:
        content = csv_header(representation) + csv_rows(representation, items)
    elif fmt is Format.ndjson:
        content = ndjson_rows(items)
    elif fmt is Format.geojson:
        content = orjson.dumps(feature_collection(representation, items, places or {}))
    else:
        assert representation.jsonld is not None
        document = representation.jsonld(items, base_url=str(request.base_url))
        content = orjson.dumps(document)
    return Response(content, media_type=CONTENT_TYPES[fmt], headers=headers)


async def list_answer(
    request: Request,
    db: Database,
    params: Any,
    *,
    collection: str,
    page: Callable[..., dict[str, Any]],
) -> Response:
    """A collection's page in the format asked for: `page(session, dialect, params)` is the
    service answering the JSON envelope; `params.format` is the list's `format` parameter
    (`format_field()`, typed with the enum of what the collection offers)."""
    representation = REGISTRY[collection]
    fmt = negotiate(request, params.format, representation)
    places = None
    if fmt is Format.geojson and representation.geometry == "locations":
        body, places = await db.run(_page_with_places, page, db.dialect, params)
    else:
        body = await db.run(page, db.dialect, params)
    if fmt is Format.json:
        return render(fmt, body, request, representation)
    # CSV, GeoJSON and JSON-LD are built in Python (about 14 ms for 500 claims as CSV): off
    # the event loop, which goes on serving meanwhile.
    return await anyio.to_thread.run_sync(
        partial(render, fmt, body, request, representation, places)
    )


# --- OpenAPI -------------------------------------------------------------------------------

_HEADERS = {
    "Link": {
        "description": 'The next page, `<…>; rel="next"` (the same request with its cursor); '
        "absent on the last page.",
        "schema": {"type": "string"},
    },
    "X-Total-Count": {
        "description": "`total` of the envelope: matching items in all pages (absent with "
        "`count=none`).",
        "schema": {"type": "integer"},
    },
    "X-Total-Relation": {
        "description": "`total_relation` of the envelope: `eq`, `gte` or `estimate`.",
        "schema": {"type": "string"},
    },
    "Vary": {"description": "`Accept`: the format may follow it.", "schema": {"type": "string"}},
    "Content-Disposition": {
        "description": "CSV and NDJSON: `attachment` with a file name (`claims.csv`).",
        "schema": {"type": "string"},
    },
}


def _geojson_schema(representation: Representation) -> dict[str, Any]:
    item_ref: dict[str, Any] = {"$ref": f"#/components/schemas/{representation.item.__name__}"}
    properties = item_ref
    if representation.geometry == "locations":
        properties = {
            "allOf": [
                item_ref,
                {
                    "type": "object",
                    "properties": {
                        "location_id": {
                            "type": "string",
                            "description": "The place of this feature.",
                        }
                    },
                    "required": ["location_id"],
                },
            ]
        }
    point = {
        "type": "object",
        "properties": {
            "type": {"type": "string", "const": "Point"},
            "coordinates": {
                "type": "array",
                "items": {"type": "number"},
                "minItems": 2,
                "maxItems": 2,
                "description": "[longitude, latitude], WGS84 degrees.",
            },
        },
        "required": ["type", "coordinates"],
    }
    return {
        "type": "object",
        "properties": {
            "type": {"type": "string", "const": "FeatureCollection"},
            "features": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "type": {"type": "string", "const": "Feature"},
                        "id": {"type": "string"},
                        "geometry": {"oneOf": [point, {"type": "null"}]},
                        "properties": properties,
                    },
                    "required": ["type", "id", "geometry", "properties"],
                },
            },
        },
        "required": ["type", "features"],
    }


GEOMETRY_TEXT = {
    "self": "GeoJSON: one feature per place, id the place's id, its point `[lon, lat]` "
    "(null geometry where it is not located), properties the item.",
    "location": "GeoJSON: one feature per item, id the item's id, at its `location` (null "
    "geometry where it has none or the place is not located), properties the item.",
    "locations": "GeoJSON: one feature per item and place it names (`{item id}/{location "
    "id}`; an item naming no place has no feature), at that place (null geometry where it is "
    "not located), properties the item plus `location_id`.",
}


def list_responses(collection: str) -> dict[int | str, dict[str, Any]]:
    """The 200 answer's content types, described, for a list route's `responses`."""
    representation = REGISTRY[collection]
    columns = ", ".join(f"`{name}`" for name, _ in csv_column_descriptions(representation))
    text = [
        "The page. JSON: the envelope. NDJSON: the items, one per line.",
        f"CSV columns: {columns}. Objects are flattened to a column per field (`claimant_id`, "
        "`claimant_name`); lists are joined by `; `, quantities as `value unit counted`, "
        "references as `id (role)`; a text cell starting with `=`, `+`, `-`, `@`, a tab, a "
        "carriage return or `'` gets one leading `'` more (formula-injection safe).",
    ]
    content: dict[str, Any] = {
        "text/csv": {"schema": {"type": "string"}, "example": csv_header(representation).decode()},
        "application/x-ndjson": {"schema": {"type": "string"}},
    }
    if representation.geometry is not None:
        text.append(GEOMETRY_TEXT[representation.geometry])
        content["application/geo+json"] = {"schema": _geojson_schema(representation)}
    if representation.jsonld is not None:
        text.append("JSON-LD: the items as schema.org, with a context shipped in the package.")
        content["application/ld+json"] = {"schema": {"type": "object"}}
    return {200: {"description": " ".join(text), "content": content, "headers": _HEADERS}}


__all__ = [
    "FORMAT_DESCRIPTION",
    "Format",
    "GeoFormat",
    "LinkedFormat",
    "PlainFormat",
    "Representation",
    "csv_columns",
    "csv_header",
    "csv_rows",
    "escape_cell",
    "format_field",
    "list_answer",
    "ndjson_rows",
    "register",
    "unescape_cell",
]
