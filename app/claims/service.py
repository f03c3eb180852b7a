from collections.abc import Sequence
from functools import cache, partial
from typing import Any

import orjson
from sqlalchemy import ColumnElement, Select, literal_column, or_, select
from sqlalchemy.orm import Session, aliased

from app.core.db.deps import dialect_of
from app.core.db.dialect import json_objects, json_sorted_values
from app.core.http.errors import NotFound
from app.core.query.facets import Facet, FacetSet, facet_answer, month_facet, vocabulary_facet
from app.core.query.listing import Bindable, collection_page, envelope, facet_scope
from app.core.query.pagination import SortField
from app.core.query.params import parse_bbox
from app.core.query.periods import date_range, period_of
from app.core.query.sync import updated_at_column
from app.models import (
    Actor,
    Claim,
    ClaimActor,
    ClaimLink,
    ClaimLocation,
    EventClaim,
    FacetCount,
    Media,
)
from app.models.vocab import ClaimChannel, ClaimKind, ClaimLinkKind, ClaimStatus, label_of
from app.shared.actors import actor_ref, actors_with_roles_json
from app.shared.claims import claim_briefs
from app.shared.places import linked_in_bbox, located_in, places_facet, places_with_roles_json

# The collection's name and what one of its items is called (see `claims.collection`).
NAME = "claims"
ITEM_TYPE = "claim"

CLAIM_COLUMNS = (
    Claim.id,
    Claim.report_id,
    Claim.claimant_id,
    Claim.quote,
    Claim.span_start,
    Claim.span_end,
    Claim.statement,
    Claim.kind,
    Claim.status,
    Claim.channel,
    Claim.venue_id,
    Claim.stated_on,
    Claim.stated_on_precision,
    Claim.stated_on_text,
    updated_at_column(Claim),
)
SORT_FIELDS = {
    "id": SortField(Claim.id, "str"),
    "stated_on": SortField(Claim.stated_on, "date", nullable=True),
    "kind": SortField(Claim.kind, "str"),
    "status": SortField(Claim.status, "str"),
    "channel": SortField(Claim.channel, "str"),
    "claimant": SortField(Claim.claimant_id, "str", nullable=True),
    "report_id": SortField(Claim.report_id, "str"),
    "updated_at": SortField(Claim.updated_at, "datetime"),
}


def claim_filters(session: Session, params: Any) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = []
    if params.claimant_id:
        where.append(Claim.claimant_id.in_(params.claimant_id))
    if params.actor_id:
        where.append(
            Claim.id.in_(
                select(ClaimActor.claim_id).where(ClaimActor.actor_id.in_(params.actor_id))
            )
        )
    if params.location_id:
        where.append(
            Claim.id.in_(
                select(ClaimLocation.claim_id).where(
                    located_in(
                        session,
                        ClaimLocation.location_id,
                        params.location_id,
                        include_sublocations=params.include_sublocations,
                    )
                )
            )
        )
    if params.report_id:
        where.append(Claim.report_id.in_(params.report_id))
    if params.kind:
        where.append(Claim.kind.in_(params.kind))
    if params.status:
        where.append(Claim.status.in_(params.status))
    if params.channel:
        where.append(Claim.channel.in_(params.channel))
    where += date_range(
        Claim.stated_on,
        Claim.stated_until,
        Claim.stated_on_precision,
        date_from=params.stated_from,
        date_to=params.stated_to,
        mode=params.date_match,
        names=("stated_from", "stated_to"),
    )
    if params.bbox:
        box = parse_bbox(params.bbox)
        where.append(
            linked_in_bbox(Claim.id, ClaimLocation.claim_id, ClaimLocation.location_id, box)
        )
    # Flags the importer keeps (app.importer.derived): index ranges, not anti-joins.
    if params.contested is not None:
        where.append(Claim.contested == params.contested)
    if params.has_quantity is not None:
        where.append(Claim.has_quantity == params.has_quantity)
    return where


# A claim's related rows, shaped as JSON by the database in the page query itself: one
# statement for the page instead of one per kind of related row. The engines write JSON
# differently (spacing, `6000` or `6000.0`), so it is parsed and written again by the
# response, with quantities as floats: the same bytes from both (`quantities_of`).
def related_json(dialect: str) -> dict[str, str]:
    """The SQL of each related-rows column of the page query, by column name."""
    contradicting = (
        "SELECT cl1.target_id AS other FROM claim_link AS cl1"
        " WHERE cl1.kind = 'contradicts' AND cl1.source_id = claim.id"
        " UNION SELECT cl2.source_id FROM claim_link AS cl2"
        " WHERE cl2.kind = 'contradicts' AND cl2.target_id = claim.id"
    )
    return {
        "actors_json": actors_with_roles_json(
            dialect, link="claim_actor", owner_column="claim_id", owner="claim.id"
        ),
        "locations_json": places_with_roles_json(
            dialect, link="claim_location", owner_column="claim_id", owner="claim.id"
        ),
        "quantities_json": json_objects(
            dialect,
            fields=[
                ("value", "q.value"),
                ("unit", "q.unit"),
                ("counted", "q.counted"),
                ("qualifier", "q.qualifier"),
                ("text", "q.text"),
            ],
            source="claim_quantity AS q",
            where="q.claim_id = claim.id",
            order_by="q.position",
        ),
        "contradicts_json": json_sorted_values(dialect, values=contradicting, column="other"),
    }


Venue = aliased(Actor, name="venue")


@cache
def _related_json(dialect: str) -> dict[str, str]:
    return related_json(dialect)


def _base_statement(dialect: str) -> Select[*tuple[Any, ...]]:
    related = _related_json(dialect)
    return (
        select(
            *CLAIM_COLUMNS,
            Actor.name.label("claimant_name"),
            Actor.kind.label("claimant_kind"),
            Venue.name.label("venue_name"),
            Venue.kind.label("venue_kind"),
            *(literal_column(sql).label(name) for name, sql in related.items()),
        )
        .outerjoin(Actor, Actor.id == Claim.claimant_id)
        .outerjoin(Venue, Venue.id == Claim.venue_id)
    )


# The filters that bind as parameters (see collection_page): the commonest requests.
BINDABLE = {
    "claimant_id": Bindable(Claim.claimant_id),
    "report_id": Bindable(Claim.report_id),
    "kind": Bindable(Claim.kind),
    "status": Bindable(Claim.status),
    "channel": Bindable(Claim.channel),
    "contested": Bindable(Claim.contested, many=False),
    "has_quantity": Bindable(Claim.has_quantity, many=False),
}


def list_claims(session: Session, dialect: str, params: Any) -> dict[str, Any]:
    result = collection_page(
        session,
        dialect,
        params,
        collection=ITEM_TYPE,
        statement=lambda: _base_statement(dialect),
        filters=lambda: claim_filters(session, params),
        bindable=BINDABLE,
        id_column=Claim.id,
        sort_fields=SORT_FIELDS,
    )
    return envelope(claim_items(result.rows), result)


def claim_items(rows: Sequence[Any]) -> list[dict[str, Any]]:
    """Claims shaped for the API from page rows (related rows arrive as JSON text)."""
    items = []
    for row in rows:
        items.append(
            {
                "id": row["id"],
                "report_id": row["report_id"],
                "claimant": actor_ref(row, "claimant"),
                "quote": row["quote"],
                "span": {"start": row["span_start"], "end": row["span_end"]},
                "statement": row["statement"],
                "kind": row["kind"],
                "status": row["status"],
                "channel": row["channel"],
                "venue": actor_ref(row, "venue"),
                "stated_on": row["stated_on"],
                "stated_on_precision": row["stated_on_precision"],
                "stated_period": period_of(row["stated_on"], row["stated_on_precision"]),
                "stated_on_text": row["stated_on_text"],
                "quantities": quantities_of(row["quantities_json"]),
                "contradicts": orjson.loads(row["contradicts_json"]),
                "actors": orjson.loads(row["actors_json"]),
                "locations": orjson.loads(row["locations_json"]),
                "updated_at": row["updated_at"],
            }
        )
    return items


def quantities_of(json_text: str) -> list[dict[str, Any]]:
    """A claim's quantities from the database's JSON, each value a float on every engine."""
    quantities: list[dict[str, Any]] = orjson.loads(json_text)
    for quantity in quantities:
        quantity["value"] = float(quantity["value"])
    return quantities


def claim_detail(session: Session, *, claim_id: str) -> dict[str, Any]:
    row = (
        session.execute(_base_statement(dialect_of(session)).where(Claim.id == claim_id))
        .mappings()
        .first()
    )
    if row is None:
        raise NotFound(f"no claim with id '{claim_id}'")
    (item,) = claim_items([row])
    contradicts: list[str] = item["contradicts"]
    links = session.execute(
        select(ClaimLink.kind, ClaimLink.source_id, ClaimLink.target_id).where(
            ClaimLink.kind.in_([ClaimLinkKind.supports.value, ClaimLinkKind.restates.value]),
            or_(ClaimLink.source_id == claim_id, ClaimLink.target_id == claim_id),
        )
    ).all()

    def linked(kind: ClaimLinkKind, *, outgoing: bool) -> list[str]:
        return sorted(
            target if outgoing else source
            for link_kind, source, target in links
            if link_kind == kind.value and (source if outgoing else target) == claim_id
        )

    media = session.execute(
        select(Media.id, Media.kind, Media.caption)
        .where(Media.claim_id == claim_id)
        .order_by(Media.id)
    ).mappings()
    events = session.scalars(
        select(EventClaim.event_id)
        .where(EventClaim.claim_id == claim_id)
        .order_by(EventClaim.event_id)
    )
    return {
        **item,
        "contradicting_claims": claim_briefs(session, contradicts),
        "supports": linked(ClaimLinkKind.supports, outgoing=True),
        "supported_by": linked(ClaimLinkKind.supports, outgoing=False),
        "restates": linked(ClaimLinkKind.restates, outgoing=True),
        "restated_by": linked(ClaimLinkKind.restates, outgoing=False),
        "media": [dict(m) for m in media],
        "event_ids": list(events),
    }


CLAIM_FACETS = FacetSet(
    NAME,
    Claim,
    FacetCount,
    {
        "claimant": Facet(
            Claim.claimant_id,
            label=Actor.name,
            joins=[(Actor, Actor.id == Claim.claimant_id, True)],
        ),
        "kind": vocabulary_facet(Claim.kind, partial(label_of, ClaimKind)),
        "status": vocabulary_facet(Claim.status, partial(label_of, ClaimStatus)),
        "channel": vocabulary_facet(Claim.channel, partial(label_of, ClaimChannel)),
        "location": places_facet(ClaimLocation, ClaimLocation.claim_id, Claim.id),
        "month": month_facet(Claim.stated_on, Claim.stated_on_precision),
    },
)


def claim_facets(session: Session, dialect: str, params: Any, *, size: int) -> dict[str, Any]:
    scope = facet_scope(
        session,
        dialect,
        params,
        claim_filters(session, params),
        entity_type=ITEM_TYPE,
        id_column=Claim.id,
    )
    return facet_answer(session, CLAIM_FACETS, scope, size=size)


def claims_of_report(session: Session, *, report_id: str) -> list[dict[str, Any]]:
    """Every claim of a report as the API shapes it, in the order of the text (the reading
    view's highlights)."""
    rows = (
        session.execute(
            _base_statement(dialect_of(session))
            .where(Claim.report_id == report_id)
            .order_by(Claim.span_start, Claim.span_end.desc(), Claim.id)
        )
        .mappings()
        .all()
    )
    return claim_items(rows)
