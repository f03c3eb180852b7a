from typing import Any

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from app.core.query.listing import envelope, paginate
from app.core.query.pagination import Sort, Term, bound_to
from app.core.query.sync import rfc3339
from app.models import Deletion

# Oldest first (the order a client applies them in), then by collection and id: stable on
# every engine, one index range with or without `since` (ix_deletion_deleted_at).
ORDER = Sort(
    text="deleted_at",
    terms=(
        Term(Deletion.deleted_at, "datetime", False),
        Term(Deletion.entity_type, "str", False),
        Term(Deletion.entity_id, "str", False),
    ),
)


def list_deleted(session: Session, params: Any) -> dict[str, Any]:
    where: list[ColumnElement[bool]] = []
    if params.since is not None:
        where.append(Deletion.deleted_at >= params.since)
    if params.entity_type:
        where.append(Deletion.entity_type.in_(params.entity_type))
    result = paginate(
        session,
        select(Deletion.entity_type, Deletion.entity_id, Deletion.deleted_at),
        where=where,
        sort=bound_to(ORDER, "deleted", params),
        limit=params.limit,
        cursor=params.cursor,
        count=params.count,
    )
    items = [
        {
            "entity_type": row["entity_type"],
            "id": row["entity_id"],
            "deleted_at": rfc3339(row["deleted_at"]),
        }
        for row in result.rows
    ]
    return envelope(items, result)
