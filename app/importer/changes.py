"""What an import did, per entity: inserted, updated, unchanged, removed.

The entities in the run's reach (those the bundles declare, and those their reports held
before) are read before the load and again after it, in the same transaction, each with the
link rows it owns (a claim's actors, places, quantities and links …). Derived data (claim
flags, contradictions shared by restatements, search documents, facet counts) is left out:
an entity counts as updated when what a bundle says about it changed.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, or_, select

from app.importer.derived import DERIVED_NOTE
from app.importer.validate import PreparedBundle
from app.models import (
    Actor,
    ActorRelation,
    Claim,
    ClaimActor,
    ClaimLink,
    ClaimLocation,
    ClaimQuantity,
    Event,
    EventActor,
    EventClaim,
    Location,
    Media,
    MediaActor,
    MediaLocation,
    Report,
    ReportActor,
    ReportLocation,
)

DERIVED_COLUMNS = frozenset({"contested", "has_quantity"})
# Not what a bundle says: derived data, the time the importer stamps changes with, the key
# that created a report and the report that declares an actor or place.
UNTRACKED_COLUMNS = DERIVED_COLUMNS | {"updated_at", "created_by_key_id", "declared_by"}


@dataclass(frozen=True)
class Tracked:
    model: Any
    # (link model, its column naming the owner)
    owned: tuple[tuple[Any, Any], ...] = ()


TRACKED: dict[str, Tracked] = {
    "reports": Tracked(Report),
    "actors": Tracked(Actor),
    "locations": Tracked(Location),
    "relations": Tracked(ActorRelation),
    "claims": Tracked(
        Claim,
        (
            (ClaimActor, ClaimActor.claim_id),
            (ClaimLocation, ClaimLocation.claim_id),
            (ClaimQuantity, ClaimQuantity.claim_id),
            (ClaimLink, ClaimLink.source_id),
        ),
    ),
    "media": Tracked(
        Media, ((MediaActor, MediaActor.media_id), (MediaLocation, MediaLocation.media_id))
    ),
    "events": Tracked(
        Event, ((EventActor, EventActor.event_id), (EventClaim, EventClaim.event_id))
    ),
}


@dataclass
class EntityChanges:
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0


Snapshot = dict[str, dict[str, tuple[Any, ...]]]


def reach(
    conn: Connection, prepared: Sequence[PreparedBundle], deleted: Sequence[str] = ()
) -> dict[str, set[str]]:
    """The ids an import of `prepared` (or the deletion of the reports `deleted`) may insert,
    update or remove, per entity."""
    report_ids = sorted({*(item.bundle.report.id for item in prepared), *deleted})
    ids: dict[str, set[str]] = {name: set() for name in TRACKED}
    ids["reports"].update(report_ids)
    for item in prepared:
        bundle = item.bundle
        ids["actors"].update(actor.id for actor in bundle.actors)
        ids["locations"].update(location.id for location in bundle.locations)
        ids["relations"].update(relation.key for relation in bundle.relations)
        for name in ("claims", "media", "events"):
            ids[name].update(entity.id for entity in getattr(bundle, name))
    for start in range(0, len(report_ids), 500):
        chunk = report_ids[start : start + 500]
        for name in ("relations", "claims", "media", "events"):
            model = TRACKED[name].model
            ids[name].update(
                conn.execute(select(model.id).where(model.report_id.in_(chunk))).scalars()
            )
        ids["actors"].update(
            conn.execute(
                select(ReportActor.actor_id).where(ReportActor.report_id.in_(chunk))
            ).scalars()
        )
        ids["locations"].update(
            conn.execute(
                select(ReportLocation.location_id).where(ReportLocation.report_id.in_(chunk))
            ).scalars()
        )
    return ids


def tracked_columns(model: Any) -> list[Any]:
    """The columns a snapshot holds of `model`'s rows, in this order."""
    return [c for c in model.__table__.columns if c.name not in UNTRACKED_COLUMNS]


def snapshot(conn: Connection, ids: dict[str, set[str]]) -> Snapshot:
    """Each entity in `ids` as it is now: its columns and the link rows it owns."""
    state: Snapshot = {}
    for name, tracked in TRACKED.items():
        model = tracked.model
        columns = tracked_columns(model)
        ordered = sorted(ids[name])
        found: dict[str, tuple[Any, ...]] = {}
        owned: dict[str, list[tuple[Any, ...]]] = {}
        for start in range(0, len(ordered), 500):
            chunk = ordered[start : start + 500]
            for row in conn.execute(select(*columns).where(model.id.in_(chunk))):
                found[row[0]] = tuple(row)
            for link, owner in tracked.owned:
                statement = select(*link.__table__.columns).where(owner.in_(chunk))
                if link is ClaimLink:
                    statement = statement.where(
                        or_(ClaimLink.note.is_(None), ClaimLink.note != DERIVED_NOTE)
                    )
                for link_row in conn.execute(statement).mappings():
                    owned.setdefault(link_row[owner.key], []).append(
                        (link.__tablename__, *sorted((str(k), v) for k, v in link_row.items()))
                    )
        state[name] = {
            entity_id: (*row, *sorted(owned.get(entity_id, []), key=repr))
            for entity_id, row in found.items()
        }
    return state


def compare(before: Snapshot, after: Snapshot) -> dict[str, EntityChanges]:
    changes: dict[str, EntityChanges] = {}
    for name in TRACKED:
        old, new = before.get(name, {}), after.get(name, {})
        counted = EntityChanges()
        for entity_id in old.keys() | new.keys():
            if entity_id not in new:
                counted.removed += 1
            elif entity_id not in old:
                counted.inserted += 1
            elif old[entity_id] != new[entity_id]:
                counted.updated += 1
            else:
                counted.unchanged += 1
        changes[name] = counted
    return changes
