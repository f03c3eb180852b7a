"""Claims in brief (`ClaimBrief`): what an actor's, an event's or another claim's answer shows
of the claims it names."""

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core.query.periods import period_of
from app.models import Actor, Claim
from app.shared.actors import actor_ref


def claim_briefs(session: Session, claim_ids: Sequence[str]) -> list[dict[str, Any]]:
    if not claim_ids:
        return []
    rows = session.execute(
        select(
            Claim.id,
            Claim.statement,
            Claim.kind,
            Claim.status,
            Claim.stated_on,
            Claim.stated_on_precision,
            Claim.claimant_id,
            Actor.name.label("claimant_name"),
            Actor.kind.label("claimant_kind"),
        )
        .outerjoin(Actor, Actor.id == Claim.claimant_id)
        .where(Claim.id.in_(claim_ids))
        .order_by(Claim.id)
    ).mappings()
    return [brief_of(r, actor_ref(r, "claimant")) for r in rows]


def brief_of(row: Any, claimant: dict[str, Any] | None) -> dict[str, Any]:
    """A claim in brief (ClaimBrief) from a row with its columns."""
    return {
        "id": row["id"],
        "claimant": claimant,
        "statement": row["statement"],
        "kind": row["kind"],
        "status": row["status"],
        "stated_on": row["stated_on"],
        "stated_on_precision": row["stated_on_precision"],
        "stated_period": period_of(row["stated_on"], row["stated_on_precision"]),
    }
