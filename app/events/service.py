from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, Select, select
from sqlalchemy.orm import Session

from app.core.http.errors import NotFound
from app.core.query.facets import Facet, FacetSet, facet_answer, month_facet
from app.core.query.listing import Bindable, collection_page, envelope, facet_scope, grouped
from app.core.query.pagination import SortField
from app.core.query.params import parse_bbox
from app.core.query.periods import date_range, period_of
from app.core.query.sync import updated_at_column
from app.models import Actor, Event, EventActor, EventClaim, FacetCount, Location
from app.shared.actors import actors_with_roles
from app.shared.claims import claim_briefs
from app.shared.places import located_in, places_in_bbox

# The collection's name and what one of its items is called (see `events.collection`).
NAME = "events"
ITEM_TYPE = "event"

EVENT_COLUMNS = (
    Event.id,
    Event.report_id,
    Event.title,
    Event.description,
    Event.event_type,
    Event.sub_event_type,
    Event.date,
    Event.date_precision,
    Event.date_text,
    Event.location_id,
    Event.fatalities_low,
    Event.fatalities_best,
    Event.fatalities_high,
    updated_at_column(Event),
)
SORT_FIELDS = {
    "id": SortField(Event.id, "str"),
    "date": SortField(Event.date, "date"),
    "event_type": SortField(Event.event_type, "str"),
    "fatalities": SortField(Event.fatalities_best, "int", nullable=True),
    "report_id": SortField(Event.report_id, "str"),
    "updated_at": SortField(Event.updated_at, "datetime"),
}


def event_filters(session: Session, params: Any) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = []
    if params.event_type:
        where.append(Event.event_type.in_(params.event_type))
    if params.sub_event_type:
        where.append(Event.sub_event_type.in_(params.sub_event_type))
    if params.actor_id:
        where.append(
            Event.id.in_(
                select(EventActor.event_id).where(EventActor.actor_id.in_(params.actor_id))
            )
        )
    if params.location_id:
        where.append(
            located_in(
                session,
                Event.location_id,
                params.location_id,
                include_sublocations=params.include_sublocations,
            )
        )
    if params.report_id:
        where.append(Event.report_id.in_(params.report_id))
    where += date_range(
        Event.date,
        Event.date_until,
        Event.date_precision,
        date_from=params.date_from,
        date_to=params.date_to,
        mode=params.date_match,
        names=("date_from", "date_to"),
    )
    if params.bbox:
        box = parse_bbox(params.bbox)
        where.append(Event.location_id.in_(places_in_bbox(box)))
    if params.min_fatalities is not None:
        where.append(Event.fatalities_best >= params.min_fatalities)
    return where


def _base_statement() -> Select[*tuple[Any, ...]]:
    return select(
        *EVENT_COLUMNS,
        Location.name.label("location_name"),
        Location.kind.label("location_kind"),
        Location.latitude.label("location_latitude"),
        Location.longitude.label("location_longitude"),
        Location.precision.label("location_precision"),
    ).outerjoin(Location, Location.id == Event.location_id)


# The filters that bind as parameters (see collection_page).
BINDABLE = {
    "event_type": Bindable(Event.event_type),
    "sub_event_type": Bindable(Event.sub_event_type),
    "report_id": Bindable(Event.report_id),
}


def list_events(session: Session, dialect: str, params: Any) -> dict[str, Any]:
    result = collection_page(
        session,
        dialect,
        params,
        collection=ITEM_TYPE,
        statement=_base_statement,
        filters=lambda: event_filters(session, params),
        bindable=BINDABLE,
        id_column=Event.id,
        sort_fields=SORT_FIELDS,
    )
    return envelope(event_items(session, result.rows), result)


def event_items(session: Session, rows: Sequence[Any]) -> list[dict[str, Any]]:
    ids = [row["id"] for row in rows]
    if not ids:
        return []
    actors = actors_with_roles(
        session, link=EventActor, owner_column=EventActor.event_id, owner_ids=ids
    )
    claims = grouped(
        session.execute(
            select(EventClaim.event_id, EventClaim.claim_id)
            .where(EventClaim.event_id.in_(ids))
            .order_by(EventClaim.event_id, EventClaim.position)
        )
        .mappings()
        .all(),
        "event_id",
    )
    items = []
    for row in rows:
        location = None
        if row["location_id"] is not None:
            location = {
                "id": row["location_id"],
                "name": row["location_name"],
                "kind": row["location_kind"],
                "latitude": row["location_latitude"],
                "longitude": row["location_longitude"],
                "precision": row["location_precision"],
            }
        items.append(
            {
                "id": row["id"],
                "report_id": row["report_id"],
                "title": row["title"],
                "description": row["description"],
                "event_type": row["event_type"],
                "sub_event_type": row["sub_event_type"],
                "date": row["date"],
                "date_precision": row["date_precision"],
                "date_period": period_of(row["date"], row["date_precision"]),
                "date_text": row["date_text"],
                "location": location,
                "actors": actors.get(row["id"], []),
                "fatalities": {
                    "low": row["fatalities_low"],
                    "best": row["fatalities_best"],
                    "high": row["fatalities_high"],
                },
                "claim_ids": [c["claim_id"] for c in claims.get(row["id"], [])],
                "updated_at": row["updated_at"],
            }
        )
    return items


def event_detail(session: Session, *, event_id: str) -> dict[str, Any]:
    row = session.execute(_base_statement().where(Event.id == event_id)).mappings().first()
    if row is None:
        raise NotFound(f"no event with id '{event_id}'")
    (item,) = event_items(session, [row])
    return {**item, "claims": claim_briefs(session, item["claim_ids"])}


EVENT_FACETS = FacetSet(
    NAME,
    Event,
    FacetCount,
    {
        "event_type": Facet(Event.event_type),
        "sub_event_type": Facet(Event.sub_event_type),
        "actor": Facet(
            EventActor.actor_id,
            label=Actor.name,
            joins=[
                (EventActor, EventActor.event_id == Event.id, False),
                (Actor, Actor.id == EventActor.actor_id, False),
            ],
            distinct=Event.id,
        ),
        "location": Facet(
            Event.location_id,
            label=Location.name,
            joins=[(Location, Location.id == Event.location_id, True)],
            none_label="Location not named",
        ),
        "month": month_facet(Event.date, Event.date_precision),
    },
)


def event_facets(session: Session, dialect: str, params: Any, *, size: int) -> dict[str, Any]:
    scope = facet_scope(
        session,
        dialect,
        params,
        event_filters(session, params),
        entity_type=ITEM_TYPE,
        id_column=Event.id,
    )
    return facet_answer(session, EVENT_FACETS, scope, size=size)
