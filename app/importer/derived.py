"""Data derived from what the importer writes, refreshed in the same transaction so that
readers never see one without the other: the claim flags behind the `contested` and
`has_quantity` filters, and the stored facet counts."""

from sqlalchemy import ColumnElement, Connection, exists, or_, select, update

from app.core.facets import refresh_facet_counts
from app.models import Claim, ClaimLink, ClaimQuantity


def contested_now() -> ColumnElement[bool]:
    contradicting = ClaimLink.kind == "contradicts"
    return or_(
        exists(select(1).where(contradicting, ClaimLink.source_id == Claim.id)),
        exists(select(1).where(contradicting, ClaimLink.target_id == Claim.id)),
    )


def refresh_claim_flags(conn: Connection) -> None:
    """Set `contested` and `has_quantity` from the links and quantities, touching only the
    claims whose flag changed."""
    contested = contested_now()
    quantified = exists(select(1).where(ClaimQuantity.claim_id == Claim.id))
    conn.execute(update(Claim).where(Claim.contested != contested).values(contested=contested))
    conn.execute(
        update(Claim).where(Claim.has_quantity != quantified).values(has_quantity=quantified)
    )


def refresh_derived(conn: Connection) -> None:
    refresh_claim_flags(conn)
    refresh_facet_counts(conn)
