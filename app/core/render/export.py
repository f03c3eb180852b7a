"""Bulk export: a whole collection, streamed in the list's order, never held in memory.

One mechanism for every collection, used by `GET /v1/{collection}/export` and by the
`conflict-reports export` command alike:

- `item_chunks` walks the collection with its own keyset pagination: the list's service
  function, `EXPORT_CHUNK` items at a time with the previous chunk's `next_cursor` and
  `count=none`, each chunk fetched by `Database.run` (off the event loop, under the per-query
  time budget, holding a database slot only while that chunk is read, so other requests are
  served between chunks and no single query runs long);
- `encoded_chunks` turns the chunks into bytes with a `Renderer` (a header, then the rows of
  each chunk);
- `export_response` checks the parameters and fetches the first chunk before it answers, so a
  bad parameter is a 400 problem (a time budget or an unreachable database a 503) and never a
  200 with an error inside; once the 200 is sent, a failing chunk can only cut the stream
  short: the connection is closed without the chunked body's last chunk, which HTTP clients
  report as an incomplete body. Each chunk is written whole, so an NDJSON stream never ends
  in the middle of a line.
"""

import hashlib
import logging
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from typing import Annotated, Any

import anyio
import orjson
from fastapi import APIRouter, Query, Request
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, ConfigDict, Field

from app.core.collection import Collection
from app.core.db.deps import DatabaseDep
from app.core.db.engine import Database
from app.core.http.errors import AppError, NotAcceptable
from app.core.http.negotiation import CONTENT_TYPES, Format, accepted
from app.core.query.params import Q_DESCRIPTION, CountMode
from app.core.query.search_language import MAX_QUERY_LENGTH
from app.core.query.sync import UpdatedSinceMixin
from app.core.render.csv import csv_columns, csv_header, csv_rows
from app.core.render.ndjson import MEDIA_TYPE as NDJSON_MEDIA_TYPE
from app.core.render.ndjson import ndjson_rows
from app.core.schemas import problem_responses

logger = logging.getLogger(__name__)

# Items per chunk: one keyset page of the list, far inside the time budget on a large corpus.
EXPORT_CHUNK = 1_000


class ExportFormat(StrEnum):
    """What an export is written as."""

    ndjson = "ndjson"
    csv = "csv"


FORMAT_DESCRIPTION = (
    "`ndjson` (default): one item per line, exactly as the list's `items` "
    "(`application/x-ndjson`); `csv`: a header row, then one row per item (`text/csv`)."
)


class ExportParams(UpdatedSinceMixin):
    """What every export takes besides its collection's filters and sort (no `limit`,
    `cursor` or `count`: an export is every matching item)."""

    model_config = ConfigDict(extra="forbid")

    format: ExportFormat = Field(default=ExportFormat.ndjson, description=FORMAT_DESCRIPTION)
    q: str | None = Field(
        default=None, min_length=1, max_length=MAX_QUERY_LENGTH, description=Q_DESCRIPTION
    )


def same_field(model: type[BaseModel], name: str) -> Any:
    """A field of another parameter model, declared again as it is (the list's `sort`)."""
    return model.model_fields[name]


@dataclass(frozen=True)
class Renderer:
    """How an export is written: `header(item_schema)` once, then `rows(item_schema, items)`
    for each chunk. Each call returns whole records (an NDJSON line, a CSV row)."""

    media_type: str
    extension: str
    header: Callable[[type[BaseModel]], bytes]
    rows: Callable[[type[BaseModel], Sequence[dict[str, Any]]], bytes]


NDJSON = Renderer(
    media_type=NDJSON_MEDIA_TYPE,
    extension="ndjson",
    header=lambda _item: b"",
    rows=lambda _item, items: ndjson_rows(items),
)


# The lists' CSV (app.core.render.csv): the same columns, flattening and formula escaping.
CSV = Renderer(
    media_type=CONTENT_TYPES[Format.csv], extension="csv", header=csv_header, rows=csv_rows
)

RENDERERS: dict[ExportFormat, Renderer] = {ExportFormat.ndjson: NDJSON, ExportFormat.csv: CSV}


def page_params_for(
    collection: Collection, params: ExportParams, *, cursor: str | None, limit: int
) -> BaseModel:
    """The list's parameters for one chunk: the export's filters, sort and `q` as given, a
    chunk's `limit` (beyond the list's 500: these values were validated by the export's
    model, which declares the same filters), `count=none` and the cursor."""
    given = {name: getattr(params, name) for name in params.model_fields_set - {"format"}}
    paging: dict[str, Any] = {"limit": limit, "count": CountMode.none}
    if cursor is not None:
        paging["cursor"] = cursor
    return collection.list_params.model_construct(
        _fields_set=set(given) | set(paging), **given, **paging
    )


async def item_chunks(
    db: Database, collection: Collection, params: ExportParams, *, chunk_size: int | None = None
) -> AsyncIterator[list[dict[str, Any]]]:
    """Every matching item, in the list's order, `chunk_size` (default EXPORT_CHUNK) at a
    time, never an empty chunk. Each chunk is one `db.run`: off the event loop, under the
    time budget."""
    limit = chunk_size or EXPORT_CHUNK
    cursor: str | None = None
    while True:
        page_params = page_params_for(collection, params, cursor=cursor, limit=limit)
        page = await db.run(collection.list_page, db.dialect, page_params)
        if page["items"]:
            yield page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            return


async def encoded_chunks(
    collection: Collection,
    renderer: Renderer,
    chunks: AsyncIterator[list[dict[str, Any]]],
    *,
    first: list[dict[str, Any]] | None = None,
) -> AsyncIterator[bytes]:
    """The export's bytes: the header (with `first`, a chunk already fetched), then each
    chunk's rows. A failing chunk ends the stream with its exception, after whole records."""
    head = renderer.header(collection.item_schema)
    if first is not None:
        head += await _rendered(renderer, collection, first)
    if head:
        yield head
    written = len(first or ())
    try:
        async for chunk in chunks:
            yield await _rendered(renderer, collection, chunk)
            written += len(chunk)
    except AppError as exc:
        logger.warning(
            "export of %s cut short after %d items: %s", collection.name, written, exc.detail
        )
        raise


async def _rendered(
    renderer: Renderer, collection: Collection, chunk: list[dict[str, Any]]
) -> bytes:
    """A chunk's bytes, written off the event loop (a chunk of 1,000 claims as CSV takes
    about 28 ms of Python), which goes on serving meanwhile."""
    return await anyio.to_thread.run_sync(renderer.rows, collection.item_schema, chunk)


def content_disposition(collection: str, renderer: Renderer) -> str:
    return f'attachment; filename="{collection}.{renderer.extension}"'


def export_format(request: Request | None, params: ExportParams) -> ExportFormat:
    """`format=` when given, else what the `Accept` header prefers of NDJSON and CSV (as the
    lists choose: app.core.http.negotiation), NDJSON without a preference; an `Accept` naming
    neither is a 406 problem."""
    if request is None or "format" in params.model_fields_set:
        return params.format
    header = request.headers.get("accept", "").strip()
    if not header:
        return params.format
    chosen = accepted(header, [Format.ndjson, Format.csv])
    if chosen is None:
        offered = [RENDERERS[kind].media_type for kind in ExportFormat]
        raise NotAcceptable(
            "exports are offered as application/x-ndjson or text/csv (Accept) or "
            "format=ndjson, csv; the Accept header names neither",
            extra={"offered": offered},
            headers={"Vary": "Accept"},
        )
    return ExportFormat.csv if chosen is Format.csv else ExportFormat.ndjson


async def export_stream(
    db: Database,
    collection: Collection,
    params: ExportParams,
    *,
    output: ExportFormat | None = None,
) -> tuple[Renderer, AsyncIterator[bytes]]:
    """The export's renderer and bytes (in `output`, default `params.format`), its first
    chunk already read: a bad filter or sort raises here (a 400 problem; a time budget a
    503), before anything is written."""
    renderer = RENDERERS[output or params.format]
    chunks = item_chunks(db, collection, params)
    first = await anext(chunks, None)
    return renderer, encoded_chunks(collection, renderer, chunks, first=first)


async def export_response(
    db: Database, collection: Collection, params: ExportParams, *, request: Request | None = None
) -> "ExportResponse":
    """The export as a streamed 200, once its parameters and first chunk are known good.

    Its strong ETag names the data version read BEFORE the first chunk, with the collection
    and the parameters: a tag can only be older than the bytes, never newer, so a client is
    never told "not modified" about data it has not seen. The same data gives the same tag on
    both engines (`DataChanges.version` is engine-independent); the caching middleware answers a
    matching `If-None-Match` with a 304 before the stream's body is sent."""
    output = export_format(request, params)
    version = await db.run(db.changes.version)
    renderer, stream = await export_stream(db, collection, params, output=output)
    return ExportResponse(
        stream,
        media_type=renderer.media_type,
        headers={
            "Content-Disposition": content_disposition(collection.name, renderer),
            "ETag": export_etag(version, collection, params, output),
            "Vary": "Accept",
        },
    )


@cache
def _shape_of(item_schema: type[BaseModel]) -> str:
    """What the export's bytes depend on besides the data: the item schema and the CSV
    columns (a release that adds a field writes the same data differently)."""
    schema = item_schema.model_json_schema()
    shape = orjson.dumps([schema, csv_columns(item_schema)], option=orjson.OPT_SORT_KEYS)
    return hashlib.blake2b(shape, digest_size=8).hexdigest()


def export_etag(
    version: str, collection: Collection, params: ExportParams, output: ExportFormat
) -> str:
    """A strong validator of one export: the data version, the collection and the shape of
    its items, the parameters and the format."""
    shape = _shape_of(collection.item_schema)
    key = f"{version}|{collection.name}|{shape}|{output}|{params.model_dump_json()}"
    return '"' + hashlib.blake2b(key.encode(), digest_size=16).hexdigest() + '"'


def add_export_route(router: APIRouter, collection: Collection) -> None:
    """Declare `GET {prefix}/export` for a collection on its router (before its `/{id}`
    route, so `export` is never read as an id): one declaration for every collection."""
    model: Any = collection.export_params
    noun = collection.noun

    async def export(
        params: Annotated[model, Query()],  # the model of `collection`, read by FastAPI
        db: DatabaseDep,
        request: Request,
    ) -> ExportResponse:
        return await export_response(db, collection, params, request=request)

    router.add_api_route(
        "/export",
        export,
        methods=["GET"],
        name=f"export_{collection.name}",
        summary=f"Export every matching {noun} (NDJSON or CSV, streamed)",
        description=(
            f"The whole collection, or every {noun} matching the list's filters, in the "
            "list's order: streamed as it is read, never a page at a time. For files and "
            f"pipelines; the same as `conflict-reports export {collection.name}`."
        ),
        response_class=ExportResponse,
        responses=export_responses(collection.item_schema.__name__),
    )


def export_responses(item_schema: str) -> dict[int | str, dict[str, Any]]:
    """The OpenAPI declaration of an export's answers."""
    return {
        200: {
            "description": (
                "Every matching item, in `sort` order, streamed (chunked transfer encoding) "
                "as it is read, a chunk of items at a time. `ndjson`: one `"
                + item_schema
                + "` per line, exactly as the list's `items`. `csv`: a header row, then one "
                "row per item (RFC 4180, UTF-8). Parameters are checked and the first chunk "
                "read before the answer starts, so errors are problems with their status; a "
                "failure after that (the time budget on a later chunk, the database lost) "
                "closes the connection without the chunked body's final empty chunk: clients "
                "report an incomplete body, never a complete-looking one. An NDJSON stream is "
                "always cut between lines."
            ),
            "headers": {
                "Content-Disposition": {
                    "description": 'The file name: `attachment; filename="COLLECTION.ndjson"` '
                    "(or `.csv`).",
                    "schema": {"type": "string"},
                }
            },
            "content": {
                NDJSON.media_type: {"schema": {"type": "string"}},
                "text/csv": {"schema": {"type": "string"}},
            },
        },
        **problem_responses(400, 406),
    }


class ExportResponse(StreamingResponse):
    """An export's answer (NDJSON unless said otherwise); as a route's response class, it
    keeps FastAPI from declaring a JSON body."""

    media_type = NDJSON.media_type
