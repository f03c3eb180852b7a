"""Actors as other items name them: a reference `{id, name, kind}`, with the role it plays
there (a media item's or an event's actors)."""

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Actor


def actor_ref(row: Any, role: str) -> dict[str, Any] | None:
    """`{id, name, kind}` of the row's `{role}_id`, `{role}_name`, `{role}_kind` (None where
    it names none): a claim's claimant or venue."""
    actor_id = row[f"{role}_id"]
    if actor_id is None:
        return None
    return {"id": actor_id, "name": row[f"{role}_name"], "kind": row[f"{role}_kind"]}


def actors_with_roles(
    session: Session, *, link: Any, owner_column: Any, owner_ids: list[str]
) -> dict[str, list[dict[str, Any]]]:
    """The actors linked to each owner (media item, event …) through `link`, in order, with role."""
    rows = session.execute(
        select(owner_column.label("owner"), Actor.id, Actor.name, Actor.kind, link.role)
        .join(Actor, Actor.id == link.actor_id)
        .where(owner_column.in_(owner_ids))
        .order_by(owner_column, link.position)
    ).mappings()
    linked: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        linked.setdefault(row["owner"], []).append(
            {"id": row["id"], "name": row["name"], "kind": row["kind"], "role": row["role"]}
        )
    return linked
