"""Reports in over HTTP: `POST /v1/reports`, `PUT` and `DELETE /v1/reports/{id}` write
through the same importer as `conflict-reports seed` (one transaction, under the import lock,
off the event loop, with an audit entry); `GET /v1/reports/{id}/bundle` gives a report back as
the bundle that writes it again.

A report's version (a hash of its bundle, app.importer.export) is its `ETag` for writes:
`PUT` and `DELETE` honour `If-Match` and `If-None-Match` against it, checked under the import
lock so two writers can never both pass."""

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import anyio
import yaml
from fastapi import APIRouter, Depends, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import Response
from sqlalchemy import Connection, Engine, select
from sqlalchemy.exc import DataError, DBAPIError, IntegrityError
from sqlalchemy.exc import TimeoutError as SQLAlchemyTimeout
from sqlalchemy.orm import Session

from app.core.db.deps import DatabaseDep
from app.core.db.replicas import reading_from_primary
from app.core.http.auth import Principal, Scope, access, read_access
from app.core.http.errors import (
    Conflict,
    ContentTooLarge,
    DatabaseUnreachable,
    Forbidden,
    NotAcceptable,
    NotFound,
    UnprocessableContent,
    UnsupportedMediaType,
)
from app.core.http.preconditions import Preconditions, version_etag
from app.core.http.responses import FastJSONResponse
from app.core.logs import REQUEST_ID
from app.core.schemas import problem_responses
from app.importer.audit import Author
from app.importer.export import export_bundle, version_tag
from app.importer.load import (
    ImportSummary,
    ReportExists,
    ReportNotFound,
    ReportReferenced,
    delete_report,
    every_problem,
    import_prepared,
)
from app.importer.lock import ImportLocked
from app.importer.validate import ImportFailed, ImportIssue, PreparedBundle, read_bundle_source
from app.ingest import idempotency
from app.models import Report

# The largest bundle a request may send (the seed, text included, is about 60 KB).
MAX_BUNDLE_BYTES = 20 * 1024 * 1024
# How long a write waits for another import to finish before it is answered 409.
LOCK_WAIT_S = 10.0
MEDIA_TYPES = ("application/yaml", "application/x-yaml", "text/yaml", "application/json")

router = APIRouter(prefix="/v1/reports", tags=["reports"])

ReportId = Annotated[
    str,
    PathParam(
        description="The report's id.",
        examples=["panjshir-last-bastion-2021-08-24"],
        max_length=120,
    ),
]
DryRunParam = Annotated[
    bool,
    Query(
        description="Check the bundle and count what the write would insert, update, leave "
        "unchanged and remove, per entity, then write nothing (200, `dry_run: true`).",
    ),
]
WRITE_RESPONSES: dict[int | str, dict[str, Any]] = {
    **problem_responses(400, 401, 422),
    403: {
        "description": "The key's scope is not `write` or `admin`, or it may write only "
        "the reports it created."
    },
    409: {
        "description": "Another import held the lock too long (retry), or, for `POST`, "
        "a report with this id exists."
    },
    413: {"description": f"The body is over {MAX_BUNDLE_BYTES:,} bytes."},
    415: {"description": "The body is neither YAML nor JSON."},
}
BUNDLE_BODY = {
    "requestBody": {
        "required": True,
        "description": "A bundle in the seed format (seed/schema.json), its text inline "
        "as `report.text`.",
        "content": {
            "application/yaml": {"schema": {"type": "string", "format": "binary"}},
            "application/json": {"schema": {"type": "object"}},
        },
    }
}


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


def _prepare(
    engine: Engine, source: str, json_text: bool, max_entities: int, path_id: str | None = None
) -> PreparedBundle:
    """The bundle read and checked, or ImportFailed with every problem it has (those the
    database reveals included)."""
    prepared, issues = read_bundle_source(
        source,
        name="the request body",
        path=Path("request"),
        text_folder=None,
        json_text=json_text,
        max_entities=max_entities,
    )
    if prepared is not None and path_id is not None and prepared.bundle.report.id != path_id:
        issues.append(
            ImportIssue(
                file="the request body",
                entity="report",
                field="id",
                pointer="/report/id",
                message=f"the bundle's report is '{prepared.bundle.report.id}', but the "
                f"address names '{path_id}': a PUT replaces the report it addresses",
            )
        )
    if issues:
        raise every_problem(engine, issues, [prepared] if prepared is not None else [])
    assert prepared is not None
    return prepared


def _author(principal: Principal | None, *, idempotency_key: str | None = None) -> Author:
    assert principal is not None  # a write always has a key (access(Scope.write))
    return Author(
        key_id=principal.key_id,
        key_name=principal.name,
        request_id=REQUEST_ID.get(),
        idempotency_key=idempotency_key,
        own_reports_only=principal.own_only,
    )


def _guard(
    report_id: str, preconditions: Preconditions, author: Author
) -> Callable[[Connection, dict[str, str | None]], None]:
    """What a write checks once it holds the import lock: the preconditions against the
    report's version, and a key limited to its own reports against the report's creator."""

    def guard(conn: Connection, before: dict[str, str | None]) -> None:
        current = before.get(report_id)
        preconditions.check(current, f"report '{report_id}'")
        if author.own_reports_only and current is not None:
            creator = conn.execute(
                select(Report.created_by_key_id).where(Report.id == report_id)
            ).scalar_one_or_none()
            if creator != author.key_id:
                raise Forbidden(
                    f"the key '{author.key_name}' may change only the reports it created, and "
                    f"it did not create '{report_id}'; nothing was written",
                    extra={"error": "insufficient_scope"},
                )

    return guard


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


# While a write runs, the interpreter hands the GIL between threads every WRITE_SWITCH_S
# instead of every 5 ms: the write's thread (parsing, checking, building statements: Python)
# would otherwise hold it for 5 ms at a time, and every read waits for it several times.
WRITE_SWITCH_S = 0.0005
# Writes running in this process, and the interval to restore when none is.
_switching = {"writes": 0, "interval": sys.getswitchinterval()}


@contextmanager
def _responsive() -> Iterator[None]:
    """The short switch interval for as long as a write runs (on the event loop's thread
    only: no lock needed)."""
    if _switching["writes"] == 0:
        _switching["interval"] = sys.getswitchinterval()
        sys.setswitchinterval(WRITE_SWITCH_S)
    _switching["writes"] += 1
    try:
        yield
    finally:
        _switching["writes"] -= 1
        if _switching["writes"] == 0:
            sys.setswitchinterval(_switching["interval"])


async def _write(work: Callable[[], ImportSummary]) -> ImportSummary:
    """Run an import or deletion off the event loop, its failures as problems."""
    try:
        with _responsive():
            return await anyio.to_thread.run_sync(work)
    except ImportFailed as failure:
        errors = [
            {
                key: value
                for key, value in (
                    ("pointer", issue.pointer),
                    ("line", issue.line),
                    ("column", issue.column),
                    ("entity", issue.entity),
                    ("field", issue.field),
                    ("detail", issue.message),
                    ("suggestions", list(issue.suggestions) or None),
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
            f"a report with the id '{exists.report_ids[0]}' exists already; nothing was "
            "written (PUT /v1/reports/{id} replaces a report)"
        ) from None
    except ReportReferenced as referenced:
        links = [
            {"claim": source, "report": report, "kind": kind, "target": target}
            for source, report, kind, target in referenced.links
        ]
        reports = sorted({link["report"] for link in links})
        raise Conflict(
            f"{len(links)} claim link{'s' if len(links) != 1 else ''} from other reports "
            f"({', '.join(reports)}) point at this report's claims; nothing was deleted: "
            "remove those links first (each is listed in `links`)",
            extra={"links": links},
        ) from None
    except (IntegrityError, DataError) as exc:
        # A value the schema let through but the database refuses (a text longer than its
        # column, a NUL character on PostgreSQL): the transaction is rolled back.
        reason = " ".join(str(exc.orig).split())[:300]
        raise UnprocessableContent(
            f"the database refused a value of the bundle: {reason}; nothing was written",
            extra={"errors": [{"detail": reason}]},
        ) from None
    except (DBAPIError, SQLAlchemyTimeout):
        # The database went away, restarted or had no connection free: nothing was written,
        # and the same request may pass in a moment.
        raise DatabaseUnreachable() from None
    except ImportLocked:
        raise Conflict(
            "another import is running; nothing was written: try again shortly",
            headers={"Retry-After": "5"},
        ) from None


def _location(request: Request, report_id: str) -> str:
    return f"{request.scope.get('root_path', '')}/v1/reports/{report_id}"


def _written(
    request: Request, summary: ImportSummary, report_id: str, *, created: bool
) -> Response:
    if summary.dry_run:
        return FastJSONResponse({"id": report_id, "dry_run": True, **_answer(summary)})
    headers = {"Location": _location(request, report_id)}
    version = summary.after.get(report_id)
    if version is not None:
        headers["ETag"] = version_etag(version)
    return FastJSONResponse(
        {"id": report_id, "dry_run": False, **_answer(summary)},
        status_code=201 if created else 200,
        headers=headers,
    )


@router.post(
    "",
    summary="Load a new report bundle",
    status_code=201,
    responses=WRITE_RESPONSES,
    openapi_extra=BUNDLE_BODY,
)
async def post_report(
    request: Request,
    principal: Annotated[Principal | None, Depends(access(Scope.write))],
    dry_run: DryRunParam = False,
) -> Response:
    """Load a new report: a bundle in the seed format, as YAML or JSON, with its text inline
    as `report.text`. It is checked as `conflict-reports seed` checks it and written in one
    transaction, or not at all: 201 with `Location`, `ETag` (the report's version) and, per
    entity, what was inserted; 422 with every problem found; 409 when a report with its id
    exists.

    Send an `Idempotency-Key` (a UUID, say) to retry safely: a retry with the same key and
    body gets the first answer again (`Idempotency-Replayed: true`) and writes nothing; the
    same key with another body is a 422; a retry while the first still runs is a 409.
    Answers are kept for 24 hours."""
    source = await _bundle_text(request)
    json_text = _media_type(request) == "application/json"
    engine: Engine = request.app.state.database.engine
    key = idempotency.idempotency_key(request)
    author = _author(principal, idempotency_key=key)
    max_entities: int = request.app.state.max_bundle_entities
    assert author.key_id is not None
    ticket = await idempotency.begin(request, engine, author.key_id, source)
    if isinstance(ticket, Response):
        return ticket  # a retry: the first answer again
    answered: list[Response] = []

    def keep(conn: Connection, summary: ImportSummary) -> None:
        # The answer, kept in the write's own transaction: a retry finds it exactly when
        # the report was written.
        answered.append(_written(request, summary, summary.reports[0], created=True))
        if ticket is not None:
            ticket.record_in(conn, answered[0])

    def work() -> ImportSummary:
        prepared = _prepare(engine, source, json_text, max_entities)
        return import_prepared(
            engine,
            [prepared],
            lock_wait=LOCK_WAIT_S,
            new_reports_only=True,
            author=author,
            dry_run=dry_run,
            on_commit=keep,
        )

    try:
        summary = await _write(work)
    except BaseException as error:
        if ticket is not None:
            await ticket.failed_quietly(error)
        raise
    if answered:
        return answered[0]
    response = _written(request, summary, summary.reports[0], created=not summary.dry_run)
    return response if ticket is None else await ticket.finish(response)


@router.put(
    "/{report_id}",
    summary="Create or replace a report bundle",
    responses={
        **WRITE_RESPONSES,
        200: {"description": "The report was replaced (or, with `dry_run`, checked)."},
        201: {"description": "The report was created."},
        412: {
            "description": "`If-Match` or `If-None-Match` failed: the report changed "
            "(or exists, for `If-None-Match: *`)."
        },
    },
    openapi_extra=BUNDLE_BODY,
)
async def put_report(
    request: Request,
    report_id: ReportId,
    principal: Annotated[Principal | None, Depends(access(Scope.write))],
    dry_run: DryRunParam = False,
) -> Response:
    """Create (201) or replace (200) a whole report: the bundle's report id is the one in
    the address. What the new bundle no longer declares is removed (and listed in
    `/v1/deleted`). Send `If-Match` with the report's `ETag` (from this answer, a `POST`, or
    `GET /v1/reports/{id}/bundle`) so that a change made meanwhile is not overwritten (412),
    or `If-None-Match: *` to create only."""
    preconditions = Preconditions.of(request.headers)
    source = await _bundle_text(request)
    json_text = _media_type(request) == "application/json"
    engine: Engine = request.app.state.database.engine
    author = _author(principal)
    guard = _guard(report_id, preconditions, author)
    max_entities: int = request.app.state.max_bundle_entities

    def work() -> ImportSummary:
        prepared = _prepare(engine, source, json_text, max_entities, path_id=report_id)
        return import_prepared(
            engine,
            [prepared],
            lock_wait=LOCK_WAIT_S,
            author=author,
            guard=guard,
            dry_run=dry_run,
        )

    summary = await _write(work)
    return _written(request, summary, report_id, created=summary.before[report_id] is None)


@router.delete(
    "/{report_id}",
    summary="Delete a report",
    responses={
        **problem_responses(400, 401, 404),
        403: WRITE_RESPONSES[403],
        409: {
            "description": "Other reports' claims link to this report's claims (listed), "
            "or another import held the lock too long."
        },
        412: {"description": "`If-Match` failed: the report changed since that version."},
    },
)
async def delete_report_route(
    request: Request,
    report_id: ReportId,
    principal: Annotated[Principal | None, Depends(access(Scope.write))],
    dry_run: DryRunParam = False,
) -> Response:
    """Delete a report: its claims, media, events and relations, and the actors and places
    no other report mentions (those others use stay). Every removed item is listed in
    `/v1/deleted`. If other reports' claims link to its claims, 409 lists the links and
    nothing is deleted. Honours `If-Match` (412 when the report changed)."""
    preconditions = Preconditions.of(request.headers)
    engine: Engine = request.app.state.database.engine
    author = _author(principal)
    guard = _guard(report_id, preconditions, author)

    def work() -> ImportSummary:
        return delete_report(
            engine, report_id, lock_wait=LOCK_WAIT_S, author=author, guard=guard, dry_run=dry_run
        )

    try:
        summary = await _write(work)
    except ReportNotFound:
        raise NotFound(f"no report has the id '{report_id}'") from None
    return FastJSONResponse({"id": report_id, "dry_run": summary.dry_run, **_answer(summary)})


class BundleFormat(StrEnum):
    """The forms of a bundle."""

    json = "json"
    yaml = "yaml"


BUNDLE_TYPES = {"json": "application/json", "yaml": "application/yaml"}


def _bundle_format(request: Request, given: BundleFormat | None) -> str:
    if given is not None:
        return given.value
    accept = request.headers.get("accept", "")
    offered = [part.split(";", 1)[0].strip().lower() for part in accept.split(",")]
    for media_type in offered:
        if media_type in ("application/yaml", "application/x-yaml", "text/yaml"):
            return "yaml"
        if media_type in ("application/json", "application/*", "*/*", ""):
            return "json"
    raise NotAcceptable(
        "a bundle is offered as application/json and application/yaml (or ask with "
        "format=json or format=yaml)",
        extra={"available": list(BUNDLE_TYPES.values())},
    )


class _LiteralDumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):  # type: ignore[misc]
    """Multi-line text (the report's) as a literal block, which reads as the article does."""


def _represent_text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_LiteralDumper.add_representer(str, _represent_text)


def bundle_yaml(bundle: dict[str, Any]) -> str:
    return yaml.dump(bundle, Dumper=_LiteralDumper, sort_keys=False, allow_unicode=True, width=100)


def _export(
    session: Session, *, report_id: str, form: str
) -> tuple[bytes | dict[str, Any], str] | None:
    """The report's bundle in `form` (YAML text, or the mapping JSON renders) and its
    version: all of it off the event loop (a long report's YAML takes a while)."""
    bundle = export_bundle(session.connection(), report_id)
    if bundle is None:
        return None
    version = version_tag(bundle)
    assert version is not None
    if form == "yaml":
        return bundle_yaml(bundle).encode("utf-8"), version
    return bundle, version


@router.get(
    "/{report_id}/bundle",
    summary="A report as its bundle",
    responses={
        200: {
            "description": "The bundle, which `PUT /v1/reports/{id}` takes back unchanged.",
            "content": {"application/json": {}, "application/yaml": {}},
        },
        **problem_responses(400, 404, 406),
    },
    dependencies=[Depends(read_access)],
)
async def get_bundle(
    request: Request,
    report_id: ReportId,
    db: DatabaseDep,
    format: Annotated[
        BundleFormat | None,
        Query(description="json or yaml; without it, by `Accept` (JSON by default)."),
    ] = None,
) -> Response:
    """The report as a bundle in the seed format, its text inline: loading it again (with
    `PUT`, or `conflict-reports seed`) writes exactly the same rows. Its `ETag` is the
    report's version, which `PUT` and `DELETE` take in `If-Match`."""
    chosen = _bundle_format(request, format)
    # From the primary: the version a writer will send back in If-Match must be current.
    with reading_from_primary():
        found = await db.run(_export, report_id=report_id, form=chosen)
    if found is None:
        raise NotFound(f"no report has the id '{report_id}'")
    content, version = found
    if isinstance(content, bytes):
        return Response(
            content,
            media_type="application/yaml",
            headers={"ETag": version_etag(version, "-yaml"), "Vary": "Accept"},
        )
    return FastJSONResponse(content, headers={"ETag": version_etag(version), "Vary": "Accept"})
