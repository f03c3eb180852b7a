"""Data derived from what the importer writes, refreshed in the same transaction so that
readers never see one without the other: the contradictions a restatement shares with the
claim it restates, the claim flags behind the `contested` and `has_quantity` filters, and the
stored facet counts."""

from collections.abc import Iterable

from sqlalchemy import ColumnElement, Connection, and_, delete, exists, insert, or_, select, update

from app.catalog import FACET_SETS
from app.core.query.facets import refresh_facet_counts
from app.models import Claim, ClaimLink, ClaimQuantity
from app.models.vocab import ClaimLinkKind

# The note of the contradiction links the importer derives (never written in a bundle).
DERIVED_NOTE = "derived: shared by a restatement and the claim it restates"

CONTRADICTS = ClaimLinkKind.contradicts.value


def contested_now() -> ColumnElement[bool]:
    contradicting = ClaimLink.kind == CONTRADICTS
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


def _restatement_groups(conn: Connection) -> dict[str, frozenset[str]]:
    """Each claim linked by `restates` (either way, transitively) and its whole group."""
    parent: dict[str, str] = {}

    def root(claim_id: str) -> str:
        while parent.setdefault(claim_id, claim_id) != claim_id:
            claim_id = parent[claim_id]
        return claim_id

    for source, target in conn.execute(
        select(ClaimLink.source_id, ClaimLink.target_id).where(
            ClaimLink.kind == ClaimLinkKind.restates.value
        )
    ):
        parent[root(source)] = root(target)
    members: dict[str, set[str]] = {}
    for claim_id in list(parent):
        members.setdefault(root(claim_id), set()).add(claim_id)
    return {claim_id: frozenset(group) for group in members.values() for claim_id in group}


def _contradictions_touching(
    conn: Connection, claim_ids: Iterable[str], *, derived: bool
) -> set[tuple[str, str]]:
    noted = ClaimLink.note == DERIVED_NOTE
    kind = and_(
        ClaimLink.kind == CONTRADICTS,
        noted if derived else or_(ClaimLink.note.is_(None), ~noted),
    )
    ordered = sorted(claim_ids)
    found: set[tuple[str, str]] = set()
    for start in range(0, len(ordered), 500):
        chunk = ordered[start : start + 500]
        found.update(
            (source, target)
            for source, target in conn.execute(
                select(ClaimLink.source_id, ClaimLink.target_id).where(
                    kind, or_(ClaimLink.source_id.in_(chunk), ClaimLink.target_id.in_(chunk))
                )
            )
        )
    return found


def refresh_restated_contradictions(conn: Connection) -> None:
    """A restatement and the claim it restates are contradicted by the same claims: every
    contradiction written for one member of a restatement group is derived for the others
    (as a link noted DERIVED_NOTE), so `contradicts` and `contested=true` treat the pair
    alike. Derived links that no longer follow from the bundles are removed."""
    groups = _restatement_groups(conn)

    def group_of(claim_id: str) -> frozenset[str]:
        return groups.get(claim_id, frozenset((claim_id,)))

    explicit = _contradictions_touching(conn, groups, derived=False)
    stated = {frozenset(pair) for pair in explicit}
    needed: set[tuple[str, str]] = set()
    for source, target in explicit:
        for one in group_of(source):
            for other in group_of(target):
                pair = frozenset((one, other))
                if one != other and pair not in stated:
                    needed.add((min(pair), max(pair)))
    existing = conn.execute(
        select(ClaimLink.source_id, ClaimLink.target_id).where(
            ClaimLink.kind == CONTRADICTS, ClaimLink.note == DERIVED_NOTE
        )
    ).all()
    current = {(source, target) for source, target in existing}
    for source, target in sorted(current - needed):
        conn.execute(
            delete(ClaimLink).where(
                ClaimLink.source_id == source,
                ClaimLink.target_id == target,
                ClaimLink.kind == CONTRADICTS,
            )
        )
    missing = sorted(needed - current)
    if missing:
        conn.execute(
            insert(ClaimLink),
            [
                {"source_id": s, "target_id": t, "kind": CONTRADICTS, "note": DERIVED_NOTE}
                for s, t in missing
            ],
        )


def refresh_derived(conn: Connection) -> None:
    refresh_restated_contradictions(conn)
    refresh_claim_flags(conn)
    refresh_facet_counts(conn, FACET_SETS)
