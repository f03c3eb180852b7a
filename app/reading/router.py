"""The reading view: server-rendered HTML pages for people, outside the JSON API (`/v1`) and
its OpenAPI document. No JavaScript, nothing fetched from elsewhere."""

from functools import cache
from importlib.resources import files
from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse, Response

from app.core.db.deps import DatabaseDep
from app.core.http.errors import NotFound
from app.core.render.html import templates_of
from app.reading import service
from app.reading.page import index_page, report_page

router = APIRouter(include_in_schema=False)

CSS_PATH = "/static/reading/reading.css"

templates = templates_of("app.reading")


def html(template: str, context: dict[str, Any], *, status_code: int = 200) -> HTMLResponse:
    body = templates.get_template(template).render(**context)
    return HTMLResponse(body, status_code=status_code)


def wants_html(request: Request) -> bool:
    """A browser asks for HTML by name; API clients (`*/*`, JSON) get a problem document."""
    return "text/html" in request.headers.get("accept", "").lower()


@router.get("/", response_class=HTMLResponse)
async def reading_index(db: DatabaseDep) -> HTMLResponse:
    """Every report (the newest first), with its counts and links to its reading view."""
    return html("index.html", index_page(await db.run(service.report_index)))


@router.get("/reports/{report_id}", response_class=HTMLResponse)
async def reading_report(
    report_id: Annotated[str, Path()], request: Request, db: DatabaseDep
) -> HTMLResponse:
    """A report's text verbatim, with every claim quote, media caption and relation
    highlighted and linked to its JSON."""
    try:
        data = await db.run(service.report_reading, report_id=report_id)
    except NotFound as exc:
        if not wants_html(request):
            raise
        return html("not_found.html", {"detail": exc.detail}, status_code=404)
    return html("report.html", report_page(data))


@cache
def _stylesheet() -> bytes:
    return (files("app.reading") / "static" / "reading.css").read_bytes()


@router.get(CSS_PATH)
async def reading_stylesheet() -> Response:
    return Response(
        _stylesheet(),
        media_type="text/css; charset=utf-8",
        headers={"Cache-Control": "public, max-age=3600"},
    )
