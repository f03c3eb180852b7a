"""The application factory."""

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any

from fastapi import Depends, FastAPI
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.openapi.utils import get_openapi
from fastapi.responses import HTMLResponse, Response
from fastapi.routing import APIRoute
from fastapi.staticfiles import StaticFiles
from sqlalchemy import Engine
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.actors.router import router as actors_router
from app.catalog import CHANGES
from app.claims.router import router as claims_router
from app.core import metrics
from app.core.config import Settings, get_settings
from app.core.db.deps import DatabaseDep
from app.core.db.engine import get_engine, open_database
from app.core.http.caching import NO_STORE_PATHS, HttpCaching
from app.core.http.errors import install_error_handlers
from app.core.http.guard import guard_request
from app.core.http.middleware import RequestContext
from app.core.http.openapi import attach_examples, declare_caching, plain_parameters
from app.core.schemas import Problem
from app.events.router import router as events_router
from app.linked_data.router import router as jsonld_router
from app.locations.router import router as locations_router
from app.media.router import router as media_router
from app.operations.examples import stored_examples
from app.operations.health import readiness
from app.operations.schemas import Health, Ready
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
- Input is read strictly: dates are `YYYY-MM-DD`, integers plain digits within 32 bits, a
  parameter that takes one value is given once, a `…_from` is not after its `…_to`, a cursor
  is used with the path, filters and sort it came from; anything else is a 400 naming it.
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
    {"name": "service", "description": "Liveness, readiness and metrics of the service."},
]

# Swagger UI and ReDoc assets ship inside an installed package: no CDN at run time.
DOCS_ASSETS = Path(str(files("fastapi_offline") / "static"))
# ReDoc's sidebar footer loads Redocly's logo from their CDN; ours is served instead.
REDOC_CDN_LOGO = b"https://cdn.redoc.ly/redoc/logo-mini.svg"


@cache
def _redoc_script() -> bytes:
    script = (DOCS_ASSETS / "redoc.standalone.js").read_bytes()
    return script.replace(REDOC_CDN_LOGO, b"/static/docs/favicon.png")


PROBLEM_EXAMPLES = {
    "500": {
        "type": "about:blank",
        "title": "Internal Server Error",
        "status": 500,
        "detail": "the server failed to answer this request; it has been logged",
    },
}


class _HeadAnswered(OSError):
    """Raised into a streamed answer's `send` once its HEAD is answered: the producer stops
    as it would for a client that went away."""


class HeadAsGet:
    """HEAD answered for every GET: the GET runs and its body is dropped (RFC 9110 9.3.2).

    Done here rather than by adding HEAD to each route, which would put a `head` operation
    beside every `get` in the OpenAPI document. A streamed answer (an export) is stopped at
    its first piece: its headers are known by then, and the rest would be read for nothing."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return
        answered = False

        async def without_body(message: Message) -> None:
            nonlocal answered
            if answered:
                raise _HeadAnswered("HEAD answered")
            if message["type"] == "http.response.body":
                streaming = message.get("more_body", False)
                await send({"type": "http.response.body", "body": b"", "more_body": False})
                answered = True
                if streaming:
                    raise _HeadAnswered("HEAD answered")
                return
            await send(message)

        try:
            await self.app({**scope, "method": "GET"}, receive, without_body)
        except Exception:
            if answered:
                return  # the producer's own stop after the answer is not an error
            raise


def _operation_id(route: APIRoute) -> str:
    return route.name


def _openapi_with_problems(app: FastAPI) -> Callable[[], dict[str, Any]]:
    """The generated schema, with errors declared as application/problem+json and without
    FastAPI's default 422 (bad parameters are answered 400 here)."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        schema = get_openapi(
            title=app.title,
            version=app.version,
            description=app.description,
            routes=app.routes,
            tags=app.openapi_tags,
            servers=app.servers,
            license_info=app.license_info,
        )
        # Every read is public: declared, so linters and clients need not guess.
        schema["security"] = []
        plain_parameters(schema)
        attach_examples(schema, stored_examples())
        declare_caching(schema, uncached_paths=NO_STORE_PATHS)
        for methods in schema.get("paths", {}).values():
            for operation in methods.values():
                responses = operation.get("responses", {})
                responses.pop("422", None)
                responses.setdefault(
                    "500",
                    {"description": "The server failed; nothing was changed."},
                )
                responses.setdefault(
                    "503",
                    {
                        "description": "Over the time budget (`limit: query_time_limit`: "
                        "narrow the request), too many requests waiting "
                        "(`limit: max_queued_requests`), the database out of reach "
                        "(`limit: database_unreachable`) or, on SQLite, a write holding the "
                        "database (`limit: database_busy`); `Retry-After` says when to try "
                        "again.",
                        "headers": {
                            "Retry-After": {
                                "description": "Seconds to wait before retrying.",
                                "schema": {"type": "integer"},
                            }
                        },
                    },
                )
                for status, response in responses.items():
                    if status.isdigit() and int(status) >= 400:
                        content: dict[str, Any] = {
                            "schema": {"$ref": "#/components/schemas/Problem"}
                        }
                        if status in PROBLEM_EXAMPLES:
                            # The Problem schema's own example is a 400.
                            content["example"] = PROBLEM_EXAMPLES[status]
                        response["content"] = {"application/problem+json": content}
        components = schema.get("components", {}).get("schemas", {})
        for unused in ("HTTPValidationError", "ValidationError"):
            components.pop(unused, None)
        app.openapi_schema = schema
        return schema

    return openapi


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
    app.openapi = _openapi_with_problems(app)  # type: ignore[method-assign]
    # Outside Starlette's error middleware, so 500s pass them too, from the outside in: the
    # request middleware (id, metrics, access log: 304s counted like any answer); HEAD as
    # GET; caching (ETag, 304, Cache-Control, gzip), which thus sees a HEAD as its GET and
    # gives it the same headers, and sees every error to mark it no-store.
    build_stack = app.build_middleware_stack
    cache_control = settings.cache_control
    app.build_middleware_stack = lambda: RequestContext(  # type: ignore[method-assign]
        HeadAsGet(HttpCaching(build_stack(), cache_control=cache_control))
    )
    app.state.database = database
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
    ):
        app.include_router(router)
    # The reading view for people (HTML at `/` and `/reports/{id}`): not part of the API.
    app.include_router(reading_router, include_in_schema=False)
    app.mount("/static/docs", StaticFiles(directory=DOCS_ASSETS), name="docs-assets")

    @app.get("/docs", include_in_schema=False)
    def swagger_ui() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url="/openapi.json",
            title="conflict-reports: API",
            swagger_js_url="/static/docs/swagger-ui-bundle.js",
            swagger_css_url="/static/docs/swagger-ui.css",
            swagger_favicon_url="/static/docs/favicon.png",
        )

    @app.get("/redoc", include_in_schema=False)
    def redoc() -> HTMLResponse:
        return get_redoc_html(
            openapi_url="/openapi.json",
            title="conflict-reports: API reference",
            redoc_js_url="/static/redoc.standalone.js",
            redoc_favicon_url="/static/docs/favicon.png",
            with_google_fonts=False,
        )

    @app.get("/static/redoc.standalone.js", include_in_schema=False)
    def redoc_script() -> Response:
        return Response(
            _redoc_script(),
            media_type="text/javascript",
            headers={"Cache-Control": "public, max-age=3600"},
        )

    @app.get("/healthz", tags=["service"], summary="Liveness", response_model=Health)
    async def healthz(db: DatabaseDep) -> dict[str, str]:
        """`ok` while the process answers, whatever its database does (a liveness probe:
        restart the process when this fails). Whether it can serve is `/readyz`."""
        return {"status": "ok", "database": db.dialect}

    @app.get(
        "/readyz",
        tags=["service"],
        summary="Readiness",
        response_model=Ready,
        responses={
            503: {
                "model": Problem,
                "description": "Not ready: `check` says why (`database` or `migrations`).",
                "headers": {
                    "Retry-After": {
                        "description": "Seconds to wait before asking again.",
                        "schema": {"type": "integer"},
                    }
                },
            }
        },
    )
    async def readyz(db: DatabaseDep) -> dict[str, str]:
        """`ready` when the database answers and its schema is at the newest migration (a
        readiness probe: send traffic only while this is 200); otherwise a 503 problem whose
        `check` is `database` or `migrations`."""
        revision = await readiness(db)
        return {"status": "ready", "database": db.dialect, "revision": revision}

    @app.get(
        "/metrics",
        tags=["service"],
        summary="Prometheus metrics",
        response_class=Response,
        responses={
            200: {
                "description": "The Prometheus text exposition format: requests by route "
                "template, method and status, their latency, the requests at and waiting for "
                "the database, and the queries stopped at the time budget; summed over every "
                "worker.",
                "content": {"text/plain": {"schema": {"type": "string"}}},
            }
        },
    )
    async def prometheus_metrics() -> Response:
        """Metrics for Prometheus to scrape."""
        body, content_type = metrics.render()
        return Response(body, media_type=content_type)

    return app
