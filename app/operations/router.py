"""The service's own endpoints: liveness, readiness and metrics for the platform, and the API's
documentation pages (Swagger UI, ReDoc) served from assets in the package (no CDN)."""

from functools import cache
from importlib.resources import files
from pathlib import Path

from fastapi import APIRouter, FastAPI
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles

from app.core import metrics
from app.core.db.deps import DatabaseDep
from app.core.http.security import page_policy
from app.core.schemas import Problem
from app.operations.health import readiness
from app.operations.schemas import Health, Ready

# Paths whose answers describe the process at this instant: never stored, never validated.
NO_STORE_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})

# Swagger UI and ReDoc assets ship inside an installed package: no CDN at run time.
DOCS_ASSETS = Path(str(files("fastapi_offline") / "static"))
# ReDoc's sidebar footer loads Redocly's logo from their CDN; ours is served instead.
REDOC_CDN_LOGO = b"https://cdn.redoc.ly/redoc/logo-mini.svg"


@cache
def _redoc_script() -> bytes:
    script = (DOCS_ASSETS / "redoc.standalone.js").read_bytes()
    return script.replace(REDOC_CDN_LOGO, b"/static/docs/favicon.png")


router = APIRouter()


def _with_policy(page: HTMLResponse) -> HTMLResponse:
    """The page with a Content Security Policy naming its inline start-up script by hash."""
    page.headers["Content-Security-Policy"] = page_policy(bytes(page.body).decode("utf-8"))
    return page


@router.get("/docs", include_in_schema=False)
def swagger_ui() -> HTMLResponse:
    return _with_policy(
        get_swagger_ui_html(
            openapi_url="/openapi.json",
            title="conflict-reports: API",
            swagger_js_url="/static/docs/swagger-ui-bundle.js",
            swagger_css_url="/static/docs/swagger-ui.css",
            swagger_favicon_url="/static/docs/favicon.png",
        )
    )


@router.get("/redoc", include_in_schema=False)
def redoc() -> HTMLResponse:
    return _with_policy(
        get_redoc_html(
            openapi_url="/openapi.json",
            title="conflict-reports: API reference",
            redoc_js_url="/static/redoc.standalone.js",
            redoc_favicon_url="/static/docs/favicon.png",
            with_google_fonts=False,
        )
    )


@router.get("/static/redoc.standalone.js", include_in_schema=False)
def redoc_script() -> Response:
    return Response(
        _redoc_script(),
        media_type="text/javascript",
        headers={"Cache-Control": "public, max-age=3600"},
    )


@router.get("/healthz", tags=["service"], summary="Liveness", response_model=Health)
async def healthz(db: DatabaseDep) -> dict[str, str]:
    """`ok` while the process answers, whatever its database does (a liveness probe:
    restart the process when this fails). Whether it can serve is `/readyz`."""
    return {"status": "ok", "database": db.dialect}


@router.get(
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


@router.get(
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


def add_operations(app: FastAPI) -> None:
    """The documentation's assets, the documentation pages and the service endpoints."""
    app.mount("/static/docs", StaticFiles(directory=DOCS_ASSETS), name="docs-assets")
    app.include_router(router)
