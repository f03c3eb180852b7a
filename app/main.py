"""The application factory."""

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from importlib.resources import files
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.openapi.utils import get_openapi
from fastapi.responses import HTMLResponse
from fastapi.routing import APIRoute
from fastapi.staticfiles import StaticFiles
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from app.actors.router import router as actors_router
from app.claims.router import router as claims_router
from app.core import speedups
from app.core.config import Settings
from app.core.db import get_engine, open_database
from app.core.deps import DatabaseDep
from app.core.errors import install_error_handlers
from app.core.openapi import attach_examples, plain_parameters
from app.core.schemas import Health
from app.events.router import router as events_router
from app.locations.router import router as locations_router
from app.media.router import router as media_router
from app.reports.router import router as reports_router
from app.search.router import router as search_router

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
- Every error is `application/problem+json` (RFC 9457).
- Every `span` is `{start, end}` in Unicode code points into `/v1/reports/{id}/text`.
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
    {"name": "service", "description": "Health of the service."},
]

# Swagger UI and ReDoc assets ship inside an installed package: no CDN at run time.
DOCS_ASSETS = Path(str(files("fastapi_offline") / "static"))


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
        attach_examples(schema)
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
                        response["content"] = {
                            "application/problem+json": {
                                "schema": {"$ref": "#/components/schemas/Problem"}
                            }
                        }
        components = schema.get("components", {}).get("schemas", {})
        for unused in ("HTTPValidationError", "ValidationError"):
            components.pop(unused, None)
        app.openapi_schema = schema
        return schema

    return openapi


def _ping(session: Session) -> None:
    session.execute(text("SELECT 1"))


def create_app(engine: Engine | None = None, *, settings: Settings | None = None) -> FastAPI:
    speedups.install()
    database = open_database(engine or get_engine(), settings)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        await database.close()

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
    )
    app.openapi = _openapi_with_problems(app)  # type: ignore[method-assign]
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
    ):
        app.include_router(router)
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
            redoc_js_url="/static/docs/redoc.standalone.js",
            redoc_favicon_url="/static/docs/favicon.png",
            with_google_fonts=False,
        )

    @app.get("/healthz", tags=["service"], summary="Health check", response_model=Health)
    async def healthz(db: DatabaseDep) -> dict[str, str]:
        """`ok` when the service answers and its database does too."""
        await db.lookup(_ping)
        return {"status": "ok", "database": db.dialect}

    return app
