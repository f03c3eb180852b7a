"""The audit log read back: every write, newest first, filterable by report and key."""

from typing import Any

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from app.core.query.listing import envelope, paginate
from app.core.query.pagination import Sort, Term, bound_to
from app.core.query.sync import rfc3339
from app.models import AuditEntry

# Newest first: the entry's id grows with every write (one index range per filter).
ORDER = Sort(text="-id", terms=(Term(AuditEntry.id, "int", True),))
COLUMNS = (
    AuditEntry.id,
    AuditEntry.at,
    AuditEntry.action,
    AuditEntry.report_id,
    AuditEntry.key_id,
    AuditEntry.key_name,
    AuditEntry.request_id,
    AuditEntry.idempotency_key,
    AuditEntry.changes,
    AuditEntry.before_version,
    AuditEntry.after_version,
)


def list_entries(session: Session, params: Any) -> dict[str, Any]:
    where: list[ColumnElement[bool]] = []
    if params.report_id:
        where.append(AuditEntry.report_id.in_(params.report_id))
    if params.key_id:
        where.append(AuditEntry.key_id.in_(params.key_id))
    if params.action:
        where.append(AuditEntry.action.in_(params.action))
    result = paginate(
        session,
        select(*COLUMNS),
        where=where,
        sort=bound_to(ORDER, "audit", params),
        limit=params.limit,
        cursor=params.cursor,
        count=params.count,
    )
    items = [
        {
            "id": row["id"],
            "at": rfc3339(row["at"]),
            "action": row["action"],
            "report_id": row["report_id"],
            "key": {"id": row["key_id"], "name": row["key_name"]},
            "request_id": row["request_id"],
            "idempotency_key": row["idempotency_key"],
            "changes": row["changes"],
            "before_version": row["before_version"],
            "after_version": row["after_version"],
        }
        for row in result.rows
    ]
    return envelope(items, result)
