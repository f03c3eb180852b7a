"""The representations of a collection's page: JSON (the envelope), CSV, NDJSON, GeoJSON and
JSON-LD; one mechanism for every collection.

A list route answers through `list_answer` with its `Collection`, which picks the format
(`format=` wins over `Accept`), runs the page's service off the event loop, and renders it.
The same filters, sort, limit and cursor apply in every format; the envelope's `next_cursor`
and `total` travel in the `Link` (rel="next") and `X-Total-Count` / `X-Total-Relation`
headers.
"""

from functools import partial
from typing import Any

import anyio
import orjson
from fastapi import Request
from fastapi.responses import Response
from pydantic import Field
from sqlalchemy.orm import Session

from app.core.collection import Collection
from app.core.db.engine import Database
from app.core.http.negotiation import CONTENT_TYPES, EXTENSIONS, Format, negotiate
from app.core.http.responses import FastJSONResponse
from app.core.render.csv import csv_column_descriptions, csv_header, csv_rows
from app.core.render.geojson import GEOMETRY_TEXT, Places, feature_collection, geojson_schema
from app.core.render.ndjson import ndjson_rows


def format_field() -> Any:
    """The `format` query parameter of a list (its type says what the collection offers)."""
    return Field(default=None, description=FORMAT_DESCRIPTION, examples=["csv"])


FORMAT_DESCRIPTION = (
    "The representation of the page: `json` (default: the envelope), `csv` (RFC 4180, UTF-8, "
    "a header row, nested values flattened), `ndjson` (one JSON item per line), `geojson` "
    "(an RFC 7946 FeatureCollection; locations, events, claims and media) or `jsonld` "
    "(schema.org JSON-LD; claims and reports). Wins over the `Accept` header (`text/csv`, "
    "`application/x-ndjson`, `application/geo+json`, `application/ld+json`). A format the "
    "collection does not offer is a 400. Outside the JSON envelope the next page is the "
    '`Link: <…>; rel="next"` header and the count `X-Total-Count` / `X-Total-Relation`.'
)


def _page_with_places(
    session: Session, collection: Collection, dialect: str, params: Any
) -> tuple[dict[str, Any], Places]:
    """The page and the coordinates of every place its items refer to, in one call."""
    assert collection.places is not None
    body = collection.list_page(session, dialect, params)
    ids = sorted({ref["id"] for item in body["items"] for ref in item.get("locations") or []})
    return body, collection.places(session, ids)


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
    collection: Collection,
    places: Places | None = None,
) -> Response:
    """A page (the envelope a service answers) in `fmt`."""
    headers = _page_headers(request, body)
    items: list[dict[str, Any]] = body["items"]
    if fmt is Format.json:
        return FastJSONResponse(body, headers=headers)
    if fmt in (Format.csv, Format.ndjson):
        name = f"{collection.name}.{EXTENSIONS[fmt]}"
        headers["Content-Disposition"] = f'attachment; filename="{name}"'
    if fmt is Format.csv:
        content = csv_header(collection.item_schema) + csv_rows(collection.item_schema, items)
    elif fmt is Format.ndjson:
        content = ndjson_rows(items)
    elif fmt is Format.geojson:
        assert collection.geometry is not None
        content = orjson.dumps(feature_collection(collection.geometry, items, places or {}))
    else:
        assert collection.jsonld is not None
        document = collection.jsonld(items, base_url=str(request.base_url))
        content = orjson.dumps(document)
    return Response(content, media_type=CONTENT_TYPES[fmt], headers=headers)


async def list_answer(
    request: Request, db: Database, params: Any, *, collection: Collection
) -> Response:
    """A collection's page in the format asked for: `collection.list_page` answers the JSON
    envelope; `params.format` is the list's `format` parameter (`format_field()`, typed with
    the enum of what the collection offers)."""
    fmt = negotiate(request, params.format, collection.formats, collection=collection.name)
    places = None
    if fmt is Format.geojson and collection.geometry == "locations":
        body, places = await db.run(_page_with_places, collection, db.dialect, params)
    else:
        body = await db.run(collection.list_page, db.dialect, params)
    if fmt is Format.json:
        return render(fmt, body, request, collection)
    # CSV, GeoJSON and JSON-LD are built in Python (about 14 ms for 500 claims as CSV): off
    # the event loop, which goes on serving meanwhile.
    return await anyio.to_thread.run_sync(partial(render, fmt, body, request, collection, places))


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


def list_responses(collection: Collection) -> dict[int | str, dict[str, Any]]:
    """The 200 answer's content types, described, for a list route's `responses`."""
    item = collection.item_schema
    columns = ", ".join(f"`{name}`" for name, _ in csv_column_descriptions(item))
    text = [
        "The page. JSON: the envelope. NDJSON: the items, one per line.",
        f"CSV columns: {columns}. Objects are flattened to a column per field (`claimant_id`, "
        "`claimant_name`); lists are joined by `; `, quantities as `value unit counted`, "
        "references as `id (role)`; a text cell starting with `=`, `+`, `-`, `@`, a tab, a "
        "carriage return or `'` gets one leading `'` more (formula-injection safe).",
    ]
    content: dict[str, Any] = {
        "text/csv": {"schema": {"type": "string"}, "example": csv_header(item).decode()},
        "application/x-ndjson": {"schema": {"type": "string"}},
    }
    if collection.geometry is not None:
        text.append(GEOMETRY_TEXT[collection.geometry])
        content["application/geo+json"] = {
            "schema": geojson_schema(item.__name__, collection.geometry)
        }
    if collection.jsonld is not None:
        text.append("JSON-LD: the items as schema.org, with a context shipped in the package.")
        content["application/ld+json"] = {"schema": {"type": "object"}}
    return {200: {"description": " ".join(text), "content": content, "headers": _HEADERS}}
