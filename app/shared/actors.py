"""Actors as other items name them: a reference `{id, name, kind}`, with the role it plays
there (a claim's, a media item's or an event's actors): fetched for a page of items, or
shaped as JSON by the database inside the page query itself."""

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core.db.dialect import json_objects
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


def actors_with_roles_json(dialect: str, *, link: str, owner_column: str, owner: str) -> str:
    """The SQL of a page query's column holding, as JSON text, the actors linked to the row's
    item `owner` (its id, as SQL) through the table `link`, in order, with their role."""
    return json_objects(
        dialect,
        fields=[("id", "a.id"), ("name", "a.name"), ("kind", "a.kind"), ("role", "ca.role")],
        source=f"{link} AS ca JOIN actor AS a ON a.id = ca.actor_id",
        where=f"ca.{owner_column} = {owner}",
        order_by="ca.position",
    )
