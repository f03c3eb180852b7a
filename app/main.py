"""The application factory."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI
from fastapi.routing import APIRoute
from sqlalchemy import Engine
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp

from app.actors.router import router as actors_router
from app.audit.router import router as audit_router
from app.catalog import CHANGES
from app.claims.router import router as claims_router
from app.core import metrics
from app.core.config import Settings, get_settings
from app.core.db.engine import get_engine, open_database
from app.core.http.auth import read_access, reads_security
from app.core.http.caching import HttpCaching
from app.core.http.errors import install_error_handlers
from app.core.http.guard import guard_request
from app.core.http.head import HeadAsGet
from app.core.http.middleware import RequestContext
from app.core.http.openapi import openapi_with_problems
from app.core.http.ratelimit import RateLimiting, RateLimits
from app.core.http.security import SecurityHeaders
from app.drafting.router import page_router as drafts_page_router
from app.drafting.router import router as drafts_router
from app.events.router import router as events_router
from app.ingest.router import router as ingest_router
from app.keys.service import DatabaseKeyStore
from app.linked_data.router import router as jsonld_router
from app.locations.router import router as locations_router
from app.media.router import router as media_router
from app.ogc.router import TAG as OGC_TAG
from app.ogc.router import router as ogc_router
from app.operations.examples import stored_examples
from app.operations.router import NO_STORE_PATHS, add_operations
from app.reading.router import router as reading_router
from app.reports.router import router as reports_router
from app.search.router import router as search_router
from app.serving import speedups
from app.sync.router import router as sync_router

DESCRIPTION = """
Structured conflict reports: who took part (**actors**), where (**locations**), who said what
and when (**claims**, each with its verbatim quote and the exact characters it came from),
what was shown (**media**) and what happened (**events**).

- Lists answer `{"items": [...], "next_cursor": "…" | null, "total": n | null,
  "total_relation": …}`. Page with `limit` (1 to 500) and the opaque `cursor`; order with `sort`
  (`-field` for descending). `count=estimated` (default) counts exactly up to 10,000 and
  estimates beyond; `count=exact` always counts; `count=none` skips the count.
- Every request's queries run under a time budget: over it, or when too many requests wait,
  the answer is a 503 problem with `Retry-After`.
- A repeated filter means OR (`kind=photo&kind=video`); different filters combine with AND.
- An unknown parameter is an error, never silently ignored.
- Input is read strictly: dates are `YYYY-MM-DD` (a range's `…_from` and `…_to` also take
  a month, `2021-08`, or a year, `2021`: from its first day, to its last), integers plain
  digits within 32 bits, a parameter that takes one value is given once, a `…_from` is not
  after its `…_to`, a cursor is used with the path, filters and sort it came from; anything
  else is a 400 naming it.
- Every error is `application/problem+json` (RFC 9457).
- Lists come in several formats, chosen by `format=` or `Accept`: `json` (the envelope),
  `csv` (`text/csv`, UTF-8, a header row; objects flattened to `field_sub` columns, lists
  joined by `; `; a text cell starting with `=`, `+`, `-`, `@`, a tab, a carriage return or
  `'` gets one leading `'`), `ndjson` (`application/x-ndjson`, one item per line), `geojson`
  (`application/geo+json`, RFC 7946, `[lon, lat]`; locations, events, and claims and media
  as one feature per item and place) and `jsonld` (`application/ld+json`, schema.org; claims
  and reports). `format=` wins over `Accept`; an `Accept` naming nothing offered is a 406, a
  `format` not offered a 400. Without the envelope, the next page is the `Link` header
  (`rel="next"`) and the count `X-Total-Count`.
- Every `span` is `{start, end}` in Unicode code points into `/v1/reports/{id}/text`.
- To read a report with its claims, media captions and relations highlighted in its text,
  open the reading view at [`/`](/) (HTML for people, not part of this API).
- `/v1/{collection}/export` streams every matching item (the list's filters and `sort`, no
  paging) as NDJSON (the list's items, one per line) or CSV (`format=` or `Accept`), a chunk
  at a time. Errors are answered before the stream starts; a failure mid-stream closes the
  connection without the final chunk, so clients see an incomplete body, never a
  complete-looking one.
- Every item carries `updated_at`; every collection takes `updated_since` (RFC 3339 with its
  zone) and `sort=updated_at`, and `/v1/deleted?since=` lists what imports removed: a copy is
  kept up to date without fetching it all again.
- Every successful GET has a strong `ETag` (the same from either database for the same data):
  send it back in `If-None-Match` for an empty `304` while nothing changed. Bodies over 1 KB
  are gzip-compressed when `Accept-Encoding` allows it.
"""

TAGS = [
    {
        "name": "claims",
        "description": "Attributed statements, with quotes, quantities and contradictions.",
    },
    {
        "name": "actors",
        "description": "People, groups, governments, states and outlets, and their relations.",
    },
    {"name": "locations", "description": "Places with WGS84 coordinates and a hierarchy."},
    {"name": "events", "description": "What happened, coded with ACLED's event types."},
    {"name": "media", "description": "Photos, videos, maps and tweets, with captions verbatim."},
    {"name": "reports", "description": "Source documents, their text kept verbatim."},
    {
        "name": "drafts",
        "description": "A draft bundle from a raw article, for a person to check and load.",
    },
    {"name": "search", "description": "Full-text search across every collection."},
    {
        "name": "linked data",
        "description": "The JSON-LD context of claims and reports as schema.org "
        "(`application/ld+json`).",
    },
    {
        "name": "sync",
        "description": "Incremental sync: what imports removed (with `updated_since` on every "
        "collection for what they changed).",
    },
    {
        "name": "audit",
        "description": "Who wrote what: every write of a report, for `admin` keys.",
    },
    {
        "name": OGC_TAG,
        "description": "OGC API - Features at `/ogc`: locations, events, claims and media as "
        "feature collections that QGIS, GDAL/OGR and OWSLib open directly (Part 1 Core, "
        "GeoJSON, HTML and OpenAPI 3.0; Part 3 queryables and CQL2 filters).",
    },
    {"name": "service", "description": "Liveness, readiness and metrics of the service."},
]


def _limited(app: ASGIApp, limits: RateLimits) -> ASGIApp:
    return RateLimiting(app, limits) if limits.enabled else app


# What a browser page of an allowed origin may send and read (CORS).
CORS_REQUEST_HEADERS = [
    "Authorization",
    "X-API-Key",
    "Content-Type",
    "If-Match",
    "If-None-Match",
    "Idempotency-Key",
]
CORS_EXPOSED_HEADERS = [
    "ETag",
    "Location",
    "Last-Modified",
    "Retry-After",
    "RateLimit",
    "RateLimit-Policy",
    "X-Request-ID",
    "Idempotency-Replayed",
]


def _with_cors(app: ASGIApp, origins: list[str]) -> ASGIApp:
    """Outermost but for the request middleware: a preflight is answered before any limit.
    No origin is allowed unless CORS_ALLOW_ORIGINS names it; `*` (alone or among others)
    allows any. Never with credentials (cookies): keys travel in headers, which a page of an
    allowed origin sends itself."""
    if not origins:
        return app
    return CORSMiddleware(
        app,
        allow_origins=["*"] if "*" in origins else origins,
        allow_methods=["GET", "HEAD", "POST", "PUT", "DELETE"],
        allow_headers=CORS_REQUEST_HEADERS,
        expose_headers=CORS_EXPOSED_HEADERS,
        allow_credentials=False,
        max_age=600,
    )


def _operation_id(route: APIRoute) -> str:
    return route.name


def create_app(engine: Engine | None = None, *, settings: Settings | None = None) -> FastAPI:
    speedups.install()
    settings = settings or get_settings()
    database = open_database(engine or get_engine(), settings, changes=CHANGES)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        # uvicorn has let the requests in flight finish (graceful shutdown) by now.
        await database.close()
        metrics.worker_exited()

    app = FastAPI(
        lifespan=lifespan,
        title="conflict-reports",
        version="0.1.0",
        description=DESCRIPTION,
        openapi_tags=TAGS,
        docs_url=None,
        redoc_url=None,
        generate_unique_id_function=_operation_id,
        # Relative: Swagger UI calls the server that served the document, and generated
        # clients take their base URL from their caller. Behind a proxy's path prefix,
        # FastAPI puts the ASGI root_path first.
        servers=[{"url": "/", "description": "The server that serves this document."}],
        license_info={"name": "MIT", "identifier": "MIT"},
        # Raw input checked once for every route: NUL bytes, invalid UTF-8, repeated
        # single-valued parameters, lax dates and integers, reversed ranges.
        dependencies=[Depends(guard_request)],
    )
    app.openapi = openapi_with_problems(  # type: ignore[method-assign]
        app,
        examples=stored_examples,
        uncached_paths=NO_STORE_PATHS,
        read_security=reads_security(reads_need_key=settings.reads_need_key),
    )
    # Outside Starlette's error middleware, so 500s pass them too, from the outside in: the
    # request middleware (id, metrics, access log: 304s counted like any answer); HEAD as
    # GET; caching (ETag, 304, Cache-Control, gzip), which thus sees a HEAD as its GET and
    # gives it the same headers, and sees every error to mark it no-store.
    build_stack = app.build_middleware_stack
    # Reads behind keys are for their key's holder only: no shared cache may keep them.
    cache_control = "private, no-cache" if settings.reads_need_key else settings.cache_control
    # Rate limits inside the request middleware (a 429 is logged and counted like any
    # answer) and before everything else: a client over its limit costs no more work.
    # Security headers inside caching (a 304 of a page keeps them: they are on its 200).
    limits = RateLimits(settings)
    app.build_middleware_stack = lambda: RequestContext(  # type: ignore[method-assign]
        _with_cors(
            _limited(
                HeadAsGet(
                    HttpCaching(
                        SecurityHeaders(build_stack()),
                        cache_control=cache_control,
                        no_store_paths=NO_STORE_PATHS,
                    )
                ),
                limits,
            ),
            settings.cors_origins(),
        )
    )
    app.state.database = database
    # API keys (app.core.http.auth): looked up in the database; reads public unless set.
    app.state.keys = DatabaseKeyStore(database)
    app.state.reads_need_key = settings.reads_need_key
    app.state.max_bundle_entities = settings.max_bundle_entities
    reads = [Depends(read_access)]
    install_error_handlers(app)
    for router in (
        claims_router,
        actors_router,
        locations_router,
        events_router,
        media_router,
        reports_router,
        search_router,
        jsonld_router,
        sync_router,
        ogc_router,
        drafts_router,
    ):
        app.include_router(router, dependencies=reads)
    # Writes: each operation states the key scope it needs.
    app.include_router(ingest_router)
    app.include_router(audit_router)
    # The reading view for people (HTML at `/` and `/reports/{id}`): not part of the API.
    app.include_router(reading_router, include_in_schema=False, dependencies=reads)
    app.include_router(drafts_page_router, include_in_schema=False, dependencies=reads)
    add_operations(app)

    return app
