"""Reports in over HTTP: `POST /v1/reports` loads a new bundle through the same importer as
`conflict-reports seed` (one transaction, under the import lock, off the event loop)."""

from pathlib import Path
from typing import Annotated, Any

import anyio
from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError

from app.core.http.auth import Principal, Scope, access
from app.core.http.errors import (
    Conflict,
    ContentTooLarge,
    UnprocessableContent,
    UnsupportedMediaType,
)
from app.core.http.responses import FastJSONResponse
from app.core.schemas import problem_responses
from app.importer.load import ImportSummary, ReportExists, import_prepared
from app.importer.lock import ImportLocked
from app.importer.validate import ImportFailed, read_bundle_source

# The largest bundle a request may send (the seed, text included, is about 60 KB).
MAX_BUNDLE_BYTES = 20 * 1024 * 1024
# How long a write waits for another import to finish before it is answered 409.
LOCK_WAIT_S = 10.0
MEDIA_TYPES = ("application/yaml", "application/x-yaml", "text/yaml", "application/json")

router = APIRouter(prefix="/v1/reports", tags=["reports"])


def _media_type(request: Request) -> str:
    return request.headers.get("content-type", "").split(";", 1)[0].strip().lower()


async def _bundle_text(request: Request) -> str:
    media_type = _media_type(request)
    if media_type not in MEDIA_TYPES:
        raise UnsupportedMediaType(
            f"a bundle is sent as YAML (application/yaml) or JSON (application/json), not "
            f"{media_type or 'without a Content-Type'}",
            extra={"accepted": list(MEDIA_TYPES)},
        )
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > MAX_BUNDLE_BYTES:
        raise ContentTooLarge(f"a bundle is at most {MAX_BUNDLE_BYTES:,} bytes; this is {declared}")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BUNDLE_BYTES:
            raise ContentTooLarge(f"a bundle is at most {MAX_BUNDLE_BYTES:,} bytes")
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UnprocessableContent(
            f"the body is not UTF-8: byte {exc.start} cannot be read",
            extra={"errors": [{"detail": "not UTF-8", "byte": exc.start}]},
        ) from None


def _load(engine: Engine, source: str, json_text: bool) -> ImportSummary:
    prepared, issues = read_bundle_source(
        source,
        name="the request body",
        path=Path("request"),
        text_folder=None,
        json_text=json_text,
    )
    if prepared is None:
        raise ImportFailed(issues)
    return import_prepared(engine, [prepared], lock_wait=LOCK_WAIT_S, new_reports_only=True)


def _answer(summary: ImportSummary) -> dict[str, Any]:
    return {
        "changes": {
            name: {
                "inserted": changes.inserted,
                "updated": changes.updated,
                "unchanged": changes.unchanged,
                "removed": changes.removed,
            }
            for name, changes in summary.changes.items()
        },
        "totals": summary.totals,
    }


@router.post(
    "",
    summary="Load a new report bundle",
    status_code=201,
    responses={
        **problem_responses(400, 401, 422),
        403: {"description": "The API key's scope is not `write` or `admin`."},
        409: {"description": "A report with this id exists, or another import ran too long."},
        413: {"description": f"The body is over {MAX_BUNDLE_BYTES:,} bytes."},
        415: {"description": "The body is neither YAML nor JSON."},
    },
    openapi_extra={
        "requestBody": {
            "required": True,
            "description": "A bundle in the seed format (seed/schema.json), its text inline "
            "as `report.text`.",
            "content": {
                "application/yaml": {"schema": {"type": "string", "format": "binary"}},
                "application/json": {"schema": {"type": "object"}},
            },
        }
    },
)
async def post_report(
    request: Request,
    principal: Annotated[Principal | None, Depends(access(Scope.write))],
) -> Response:
    """Load a new report: a bundle in the seed format, as YAML or JSON, with its text inline
    as `report.text`. It is checked as `conflict-reports seed` checks it and written in one
    transaction, or not at all: 201 with `Location` and, per entity, what was inserted; 422
    with the problems found; 409 when a report with its id exists."""
    source = await _bundle_text(request)
    engine = request.app.state.database.engine
    try:
        json_text = _media_type(request) == "application/json"
        summary = await anyio.to_thread.run_sync(_load, engine, source, json_text)
    except ImportFailed as failure:
        errors = [
            {
                key: value
                for key, value in (
                    ("line", issue.line),
                    ("entity", issue.entity),
                    ("field", issue.field),
                    ("detail", issue.message),
                )
                if value is not None
            }
            for issue in failure.issues
        ]
        count = len(errors)
        raise UnprocessableContent(
            f"the bundle has {count} problem{'s' if count != 1 else ''}; nothing was written",
            extra={"errors": errors},
        ) from None
    except ReportExists as exists:
        raise Conflict(
            f"a report with the id '{exists.report_ids[0]}' exists already; nothing was written"
        ) from None
    except DBAPIError as exc:
        # A value the schema let through but the database refuses (a text longer than its
        # column, a NUL character on PostgreSQL): the transaction is rolled back.
        reason = " ".join(str(exc.orig).split())[:300]
        raise UnprocessableContent(
            f"the database refused a value of the bundle: {reason}; nothing was written",
            extra={"errors": [{"detail": reason}]},
        ) from None
    except ImportLocked:
        raise Conflict(
            "another import is running; nothing was written: try again shortly",
            headers={"Retry-After": "5"},
        ) from None
    report_id = summary.reports[0]
    return FastJSONResponse(
        {"id": report_id, **_answer(summary)},
        status_code=201,
        headers={"Location": f"{request.scope.get('root_path', '')}/v1/reports/{report_id}"},
    )
