from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from app.core.errors import NotFound
from app.core.fulltext import matches
from app.core.listing import envelope, paginate
from app.core.pagination import SortField, parse_sort
from app.models import Report

REPORT_COLUMNS = (
    Report.id,
    Report.title,
    Report.publisher,
    Report.author,
    Report.published_on,
    Report.language,
)
SORT_FIELDS = {
    "id": SortField(Report.id, "str"),
    "published_on": SortField(Report.published_on, "date"),
    "title": SortField(Report.title, "str"),
}


def list_reports(session: Session, dialect: str, params: Any) -> dict[str, Any]:
    statement = select(*REPORT_COLUMNS)
    where: list[ColumnElement[bool]] = []
    if params.language:
        where.append(Report.language.in_(params.language))
    if params.published_from:
        where.append(Report.published_on >= params.published_from)
    if params.published_to:
        where.append(Report.published_on <= params.published_to)
    relevance = None
    if params.q:
        found = matches(dialect, params.q, "report")
        statement = statement.join(found, found.c.entity_id == Report.id)
        relevance = SortField(found.c.rank, "float")
    sort = parse_sort(
        params.sort,
        fields=SORT_FIELDS,
        id_field=SORT_FIELDS["id"],
        default="relevance" if params.q else "-published_on",
        relevance=relevance,
    )
    result = paginate(
        session,
        statement,
        where=where,
        sort=sort,
        limit=params.limit,
        cursor=params.cursor,
        count=params.count,
    )
    items = [{c.key: row[c.key] for c in REPORT_COLUMNS} for row in result.rows]
    return envelope(items, result)


def report_detail(session: Session, *, report_id: str) -> dict[str, Any]:
    row = (
        session.execute(
            select(
                *REPORT_COLUMNS,
                Report.headline,
                Report.publisher_note,
                Report.published_on_note,
                Report.url,
                Report.summary,
                Report.body_sha256,
                func.length(Report.body).label("body_length"),
            ).where(Report.id == report_id)
        )
        .mappings()
        .first()
    )
    if row is None:
        raise NotFound(f"no report with id '{report_id}'")
    return {**dict(row), "text_url": f"/v1/reports/{report_id}/text"}


def report_text(session: Session, *, report_id: str) -> str:
    body = session.scalar(select(Report.body).where(Report.id == report_id))
    if body is None:
        raise NotFound(f"no report with id '{report_id}'")
    return body
