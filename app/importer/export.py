"""A report back as its bundle: what `GET /v1/reports/{id}/bundle` answers and what an import
of it writes again, row for row (a report written over HTTP is never stuck in the database).

The bundle carries the report's text inline, every actor and place the report mentions
(declared again with their values as they stand, which an import leaves unchanged), and each
quote as its exact characters with the `occurrence` that picks its span where the words recur.
Derived data (claim flags, contradictions shared by restatements) is left out: the import
derives it again.

A report's version tag (its `ETag` for `If-Match`, and the audit's before and after) is a hash
of this bundle's canonical JSON: it changes exactly when an import of the bundle would.
"""

import hashlib
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

import orjson
from sqlalchemy import Connection, or_, select

from app.core.spans import TextIndex
from app.importer.bundle import FORMAT_VERSION, INLINE
from app.importer.derived import DERIVED_NOTE
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

CHUNK = 500


def _date_text(start: Any, precision: str | None) -> str | None:
    """The bundle's notation of a date kept as its first day and precision."""
    if start is None or precision is None:
        return None
    if precision == "day":
        return str(start.isoformat())
    if precision == "month":
        return f"{start.year:04d}-{start.month:02d}"
    if precision == "year":
        return f"{start.year:04d}"
    return f"{start.year:04d}s"  # decade: its first year ends in 0


def _compact(mapping: dict[str, Any]) -> dict[str, Any]:
    """A bundle entity without its empty optional fields (as a person would write it)."""
    return {key: value for key, value in mapping.items() if value not in (None, [], {})}


def _chunks(ids: Iterable[str]) -> Iterable[list[str]]:
    ordered = sorted(ids)
    for start in range(0, len(ordered), CHUNK):
        yield ordered[start : start + CHUNK]


def _owned(conn: Connection, model: Any, owner: Any, ids: Iterable[str]) -> dict[str, list[Any]]:
    """The link rows of `model` per owner id, in their stored order."""
    found: dict[str, list[Any]] = defaultdict(list)
    for chunk in _chunks(ids):
        order = [model.position] if "position" in model.__table__.c else []
        statement = select(model.__table__).where(owner.in_(chunk)).order_by(owner, *order)
        if model is ClaimLink:
            statement = statement.where(
                or_(ClaimLink.note.is_(None), ClaimLink.note != DERIVED_NOTE)
            ).order_by(ClaimLink.kind, ClaimLink.target_id)
        for row in conn.execute(statement):
            found[getattr(row, owner.key)].append(row)
    return found


def export_bundle(conn: Connection, report_id: str) -> dict[str, Any] | None:
    """The bundle of report `report_id` (None when there is no such report)."""
    report = conn.execute(select(Report.__table__).where(Report.id == report_id)).first()
    if report is None:
        return None
    text: str = report.body
    index = TextIndex(text)

    def located(quote: str, start: int) -> dict[str, Any]:
        return {"occurrence": index.occurrence_at(quote, start)}

    actor_ids = list(
        conn.execute(
            select(ReportActor.actor_id).where(ReportActor.report_id == report_id)
        ).scalars()
    )
    location_ids = list(
        conn.execute(
            select(ReportLocation.location_id).where(ReportLocation.report_id == report_id)
        ).scalars()
    )
    actors = [
        _compact(
            {
                "id": actor.id,
                "name": actor.name,
                "kind": actor.kind,
                "aliases": list(actor.aliases or []),
                "description": actor.description,
                "affiliation": actor.affiliation,
                "nationality": actor.nationality,
            }
        )
        for chunk in _chunks(actor_ids)
        for actor in conn.execute(select(Actor.__table__).where(Actor.id.in_(chunk)))
    ]
    locations = [
        _compact(
            {
                "id": loc.id,
                "name": loc.name,
                "kind": loc.kind,
                "latitude": loc.latitude,
                "longitude": loc.longitude,
                "precision": loc.precision,
                "parent": loc.parent_id,
                "country_code": loc.country_code,
                "aliases": list(loc.aliases or []),
                "description": loc.description,
            }
        )
        for chunk in _chunks(location_ids)
        for loc in conn.execute(select(Location.__table__).where(Location.id.in_(chunk)))
    ]
    actors.sort(key=lambda item: item["id"])
    locations.sort(key=lambda item: item["id"])

    relations = [
        _compact(
            {
                "id": row.id,
                "subject": row.subject_id,
                "kind": row.kind,
                "object": row.object_id,
                "quote": row.quote,
                **located(row.quote, row.span_start),
            }
        )
        for row in conn.execute(
            select(ActorRelation.__table__)
            .where(ActorRelation.report_id == report_id)
            .order_by(ActorRelation.span_start, ActorRelation.id)
        )
    ]

    claim_rows = list(
        conn.execute(
            select(Claim.__table__)
            .where(Claim.report_id == report_id)
            .order_by(Claim.span_start, Claim.id)
        )
    )
    claim_ids = [row.id for row in claim_rows]
    claim_actors = _owned(conn, ClaimActor, ClaimActor.claim_id, claim_ids)
    claim_places = _owned(conn, ClaimLocation, ClaimLocation.claim_id, claim_ids)
    quantities = _owned(conn, ClaimQuantity, ClaimQuantity.claim_id, claim_ids)
    links = _owned(conn, ClaimLink, ClaimLink.source_id, claim_ids)
    claims = []
    for row in claim_rows:
        linked: dict[str, list[str]] = {"contradicts": [], "supports": [], "restates": []}
        for link in links.get(row.id, []):
            linked[link.kind].append(link.target_id)
        claims.append(
            _compact(
                {
                    "id": row.id,
                    "claimant": row.claimant_id,
                    "quote": row.quote,
                    **located(row.quote, row.span_start),
                    "statement": row.statement,
                    "kind": row.kind,
                    "channel": row.channel,
                    "venue": row.venue_id,
                    "stated_on": _date_text(row.stated_on, row.stated_on_precision),
                    "stated_on_text": row.stated_on_text,
                    "status": row.status,
                    "actors": [
                        {"id": ref.actor_id, "role": ref.role}
                        for ref in claim_actors.get(row.id, [])
                    ],
                    "locations": [
                        {"id": ref.location_id, "role": ref.role}
                        for ref in claim_places.get(row.id, [])
                    ],
                    "quantities": [
                        _compact(
                            {
                                "value": q.value,
                                "unit": q.unit,
                                "counted": q.counted,
                                "qualifier": q.qualifier,
                                "text": q.text,
                            }
                        )
                        for q in quantities.get(row.id, [])
                    ],
                    **linked,
                }
            )
        )

    media_rows = list(
        conn.execute(
            select(Media.__table__)
            .where(Media.report_id == report_id)
            .order_by(Media.span_start, Media.id)
        )
    )
    media_ids = [row.id for row in media_rows]
    media_actors = _owned(conn, MediaActor, MediaActor.media_id, media_ids)
    media_places = _owned(conn, MediaLocation, MediaLocation.media_id, media_ids)
    media = [
        _compact(
            {
                "id": row.id,
                "kind": row.kind,
                "caption": row.caption,
                **located(row.caption, row.span_start),
                "posted_by": row.posted_by_id,
                "credit": row.credit,
                "platform": row.platform,
                "posted_on": _date_text(row.posted_on, row.posted_on_precision),
                "posted_on_text": row.posted_on_text,
                "actors": [
                    {"id": ref.actor_id, "role": ref.role} for ref in media_actors.get(row.id, [])
                ],
                "locations": [ref.location_id for ref in media_places.get(row.id, [])],
                "claim": row.claim_id,
            }
        )
        for row in media_rows
    ]

    event_rows = list(
        conn.execute(
            select(Event.__table__)
            .where(Event.report_id == report_id)
            .order_by(Event.date, Event.id)
        )
    )
    event_ids = [row.id for row in event_rows]
    event_actors = _owned(conn, EventActor, EventActor.event_id, event_ids)
    event_claims = _owned(conn, EventClaim, EventClaim.event_id, event_ids)
    events = [
        _compact(
            {
                "id": row.id,
                "title": row.title,
                "description": row.description,
                "event_type": row.event_type,
                "sub_event_type": row.sub_event_type,
                "date": _date_text(row.date, row.date_precision),
                "date_text": row.date_text,
                "location": row.location_id,
                "actors": [
                    {"id": ref.actor_id, "role": ref.role} for ref in event_actors.get(row.id, [])
                ],
                "fatalities": _compact(
                    {
                        "low": row.fatalities_low,
                        "best": row.fatalities_best,
                        "high": row.fatalities_high,
                    }
                ),
                "claims": [ref.claim_id for ref in event_claims.get(row.id, [])],
            }
        )
        for row in event_rows
    ]

    return {
        "format": FORMAT_VERSION,
        "report": _compact(
            {
                "id": report.id,
                "title": report.title,
                "headline": report.headline,
                "publisher": report.publisher,
                "outlet": report.publisher_id,
                "publisher_note": report.publisher_note,
                "author": report.author,
                "published_on": report.published_on.isoformat(),
                "published_on_note": report.published_on_note,
                "url": report.url,
                "language": report.language,
                "text_file": None if report.source_file == INLINE else report.source_file,
                "summary": list(report.summary or []),
                "text": text,
            }
        ),
        "actors": actors,
        "locations": locations,
        "relations": relations,
        "claims": claims,
        "media": media,
        "events": events,
    }


def version_tag(bundle: dict[str, Any] | None) -> str | None:
    """A report's version: a hash of its bundle's canonical JSON (None: no such report)."""
    if bundle is None:
        return None
    canonical = orjson.dumps(bundle, option=orjson.OPT_SORT_KEYS)
    return hashlib.sha256(canonical).hexdigest()[:32]


def report_version(conn: Connection, report_id: str) -> str | None:
    return version_tag(export_bundle(conn, report_id))
