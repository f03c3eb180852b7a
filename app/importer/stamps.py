"""`updated_at` and the deletion log, kept from what an import changed (app.importer.changes).

In the import's transaction, with the import's one time `now`:
- an item inserted, or whose snapshot changed (its columns or the rows it owns), gets
  `updated_at = now`; so do the actors at both ends of a relation that changed, and the
  claims at both ends of a claim link that appeared or went (derived links included: a
  claim's `contradicts` lists both directions); an unchanged item keeps its time;
- an item removed (one its bundle no longer declares, an actor or place no report mentions
  any longer) gets a deletion record (`entity_type` its collection, `deleted_at = now`);
- an item created again removes its old deletion record: the log lists only ids that are
  gone, and a client never has to order a deletion against a later re-creation.
"""

import datetime as dt
from collections.abc import Iterable

from sqlalchemy import Connection, delete, insert, or_, select, update

from app.catalog import COLLECTIONS
from app.importer.changes import Snapshot, tracked_columns
from app.models import ActorRelation, ClaimLink, Deletion

CHUNK = 500

LinkSet = set[tuple[str, str, str]]


def _chunks(ids: Iterable[str]) -> Iterable[list[str]]:
    ordered = sorted(ids)
    for start in range(0, len(ordered), CHUNK):
        yield ordered[start : start + CHUNK]


def links_touching(conn: Connection, claim_ids: set[str]) -> LinkSet:
    """Every claim link (source, target, kind) from or to one of `claim_ids`."""
    found: LinkSet = set()
    for chunk in _chunks(claim_ids):
        rows = conn.execute(
            select(ClaimLink.source_id, ClaimLink.target_id, ClaimLink.kind).where(
                or_(ClaimLink.source_id.in_(chunk), ClaimLink.target_id.in_(chunk))
            )
        )
        found.update((source, target, kind) for source, target, kind in rows)
    return found


def record_changes(
    conn: Connection,
    *,
    before: Snapshot,
    after: Snapshot,
    links_before: LinkSet,
    links_after: LinkSet,
    collected: dict[str, set[str]],
    now: dt.datetime,
) -> None:
    """Stamp what changed and log what went (see the module's docstring). `collected`: the
    ids, per collection, removed outside the snapshots' reach (orphaned actors and places)."""
    changed: dict[str, set[str]] = {}
    removed: dict[str, set[str]] = {}
    inserted: dict[str, set[str]] = {}
    for name in before.keys() | after.keys():
        old, new = before.get(name, {}), after.get(name, {})
        changed[name] = {key for key, state in new.items() if old.get(key) != state}
        removed[name] = old.keys() - new.keys()
        inserted[name] = new.keys() - old.keys()

    names = [column.name for column in tracked_columns(ActorRelation)]
    ends = (names.index("subject_id"), names.index("object_id"))
    actors = changed.setdefault("actors", set())
    for relation_id in changed.get("relations", set()) | removed.get("relations", set()):
        for state in (before["relations"].get(relation_id), after["relations"].get(relation_id)):
            if state is not None:
                actors.update(state[index] for index in ends)

    claims = changed.setdefault("claims", set())
    for source, target, _kind in links_before ^ links_after:
        claims.update((source, target))

    for collection in COLLECTIONS:
        name, model = collection.name, collection.model
        for chunk in _chunks(changed.get(name, set())):
            conn.execute(update(model).where(model.id.in_(chunk)).values(updated_at=now))
        gone = removed.get(name, set()) | collected.get(name, set())
        # Back again, or (never expected) logged already: the old record goes.
        for chunk in _chunks(gone | inserted.get(name, set())):
            conn.execute(
                delete(Deletion).where(Deletion.entity_type == name, Deletion.entity_id.in_(chunk))
            )
        for chunk in _chunks(gone):
            conn.execute(
                insert(Deletion),
                [{"entity_type": name, "entity_id": key, "deleted_at": now} for key in chunk],
            )
