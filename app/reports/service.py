from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from app.core.http.errors import NotFound
from app.core.query.listing import envelope, search_and_paginate
from app.core.query.pagination import SortField
from app.core.query.sync import updated_at_column
from app.models import Actor, Report

# The collection's name and what one of its items is called (see `reports.collection`).
NAME = "reports"
ITEM_TYPE = "report"

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
    "updated_at": SortField(Report.updated_at, "datetime"),
}


def list_reports(session: Session, dialect: str, params: Any) -> dict[str, Any]:
    statement = select(*REPORT_COLUMNS, updated_at_column(Report))
    where: list[ColumnElement[bool]] = []
    if params.language:
        where.append(Report.language.in_(params.language))
    if params.published_from:
        where.append(Report.published_on >= params.published_from)
    if params.published_to:
        where.append(Report.published_on <= params.published_to)
    result = search_and_paginate(
        session,
        dialect,
        params,
        statement=statement,
        where=where,
        entity_type=ITEM_TYPE,
        id_column=Report.id,
        sort_fields=SORT_FIELDS,
        default_sort="-published_on",
    )
    items = [
        {**{c.key: row[c.key] for c in REPORT_COLUMNS}, "updated_at": row["updated_at"]}
        for row in result.rows
    ]
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
                Report.publisher_id,
                Actor.name.label("outlet_name"),
                Actor.kind.label("outlet_kind"),
                updated_at_column(Report),
            )
            .outerjoin(Actor, Actor.id == Report.publisher_id)
            .where(Report.id == report_id)
        )
        .mappings()
        .first()
    )
    if row is None:
        raise NotFound(f"no report with id '{report_id}'")
    detail = dict(row)
    outlet_id, outlet_name, outlet_kind = (
        detail.pop("publisher_id"),
        detail.pop("outlet_name"),
        detail.pop("outlet_kind"),
    )
    outlet = (
        None if outlet_id is None else {"id": outlet_id, "name": outlet_name, "kind": outlet_kind}
    )
    updated_at = detail.pop("updated_at")
    return {
        **detail,
        "outlet": outlet,
        "text_url": f"/v1/reports/{report_id}/text",
        "updated_at": updated_at,
    }


def report_text(session: Session, *, report_id: str) -> str:
    body = session.scalar(select(Report.body).where(Report.id == report_id))
    if body is None:
        raise NotFound(f"no report with id '{report_id}'")
    return body
