from typing import Any

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.orm import Session, aliased

from app.core.http.errors import NotFound
from app.core.query.listing import envelope, search_and_paginate
from app.core.query.pagination import SortField
from app.core.query.sync import updated_at_column
from app.models import Actor, ActorRelation, Claim, ReportActor
from app.shared.claims import brief_of

# The collection's name and what one of its items is called (see `actors.collection`).
NAME = "actors"
ITEM_TYPE = "actor"

ACTOR_COLUMNS = (
    Actor.id,
    Actor.name,
    Actor.kind,
    Actor.aliases,
    Actor.description,
    Actor.affiliation,
    Actor.nationality,
)
SORT_FIELDS = {
    "id": SortField(Actor.id, "str"),
    "name": SortField(Actor.name, "str"),
    "kind": SortField(Actor.kind, "str"),
    "updated_at": SortField(Actor.updated_at, "datetime"),
}


def actor_item(row: Any) -> dict[str, Any]:
    """An actor from a row with ACTOR_COLUMNS and `updated_at`."""
    item = {column.key: row[column.key] for column in ACTOR_COLUMNS}
    item["updated_at"] = row["updated_at"]
    return item


def list_actors(session: Session, dialect: str, params: Any) -> dict[str, Any]:
    statement = select(*ACTOR_COLUMNS, updated_at_column(Actor))
    where: list[ColumnElement[bool]] = []
    if params.kind:
        where.append(Actor.kind.in_(params.kind))
    if params.report_id:
        where.append(
            Actor.id.in_(
                select(ReportActor.actor_id).where(ReportActor.report_id.in_(params.report_id))
            )
        )
    if params.related_to:
        where.append(
            or_(
                Actor.id.in_(
                    select(ActorRelation.object_id).where(
                        ActorRelation.subject_id.in_(params.related_to)
                    )
                ),
                Actor.id.in_(
                    select(ActorRelation.subject_id).where(
                        ActorRelation.object_id.in_(params.related_to)
                    )
                ),
            )
        )
    result = search_and_paginate(
        session,
        dialect,
        params,
        statement=statement,
        where=where,
        entity_type=ITEM_TYPE,
        id_column=Actor.id,
        sort_fields=SORT_FIELDS,
    )
    return envelope([actor_item(row) for row in result.rows], result)


def actor_detail(session: Session, *, actor_id: str) -> dict[str, Any]:
    row = (
        session.execute(
            select(*ACTOR_COLUMNS, updated_at_column(Actor)).where(Actor.id == actor_id)
        )
        .mappings()
        .first()
    )
    if row is None:
        raise NotFound(f"no actor with id '{actor_id}'")
    other = aliased(Actor)
    relations: list[dict[str, Any]] = []
    for direction, own, theirs in (
        ("outgoing", ActorRelation.subject_id, ActorRelation.object_id),
        ("incoming", ActorRelation.object_id, ActorRelation.subject_id),
    ):
        rows = session.execute(
            select(
                ActorRelation.id,
                ActorRelation.kind,
                ActorRelation.quote,
                ActorRelation.span_start,
                ActorRelation.span_end,
                ActorRelation.report_id,
                other.id.label("other_id"),
                other.name.label("other_name"),
                other.kind.label("other_kind"),
            )
            .join(other, other.id == theirs)
            .where(own == actor_id)
            .order_by(ActorRelation.kind, other.id)
        ).mappings()
        relations.extend(
            {
                "id": r["id"],
                "kind": r["kind"],
                "direction": direction,
                "other": {"id": r["other_id"], "name": r["other_name"], "kind": r["other_kind"]},
                "quote": r["quote"],
                "span": {"start": r["span_start"], "end": r["span_end"]},
                "report_id": r["report_id"],
            }
            for r in rows
        )
    claims = session.execute(
        select(
            Claim.id,
            Claim.statement,
            Claim.kind,
            Claim.status,
            Claim.stated_on,
            Claim.stated_on_precision,
        )
        .where(Claim.claimant_id == actor_id)
        .order_by(Claim.id)
    ).mappings()
    claimant = {"id": row["id"], "name": row["name"], "kind": row["kind"]}
    report_ids = session.scalars(
        select(ReportActor.report_id)
        .where(ReportActor.actor_id == actor_id)
        .order_by(ReportActor.report_id)
    ).all()
    return {
        **actor_item(row),
        "relations": relations,
        "claims": [brief_of(c, claimant) for c in claims],
        "report_ids": list(report_ids),
    }
