"""The events collection, declared once: its parameters and what the kit needs to know of it."""

from pydantic import ConfigDict, Field

from app.core.collection import Collection
from app.core.http.negotiation import GeoFormat
from app.core.query.params import (
    DATE_MATCH_DESCRIPTION,
    BBoxMixin,
    DateMatch,
    FacetParams,
    ListParams,
    sort_description,
    sort_pattern,
)
from app.core.query.periods import DateFrom, DateTo, from_description, to_description
from app.core.query.queryables import Queryable
from app.core.render.export import ExportParams, same_field
from app.core.render.formats import format_field
from app.events import service
from app.events.schemas import EventOut
from app.models import Event


class EventFilters(BBoxMixin):
    model_config = ConfigDict(extra="forbid")

    event_type: list[str] | None = Field(
        default=None,
        description="ACLED event type; repeat for any of several.",
        examples=[["Battles"]],
    )
    sub_event_type: list[str] | None = Field(
        default=None, description="ACLED sub-event type.", examples=[["Armed clash"]]
    )
    actor_id: list[str] | None = Field(
        default=None, description="Events this actor took part in.", examples=[["taliban"]]
    )
    location_id: list[str] | None = Field(
        default=None, description="Events at this place.", examples=[["panjshir-valley"]]
    )
    include_sublocations: bool = Field(
        default=False, description="With `location_id`, take in every place below it too."
    )
    report_id: list[str] | None = Field(
        default=None,
        description="Events from this report.",
        examples=[["panjshir-last-bastion-2021-08-24"]],
    )
    date_from: DateFrom | None = Field(
        default=None,
        description=from_description("On or after this day."),
        examples=["2021-08-01", "2021-08"],
    )
    date_to: DateTo | None = Field(
        default=None,
        description=to_description("On or before this day."),
        examples=["2021-08-31", "2021"],
    )
    date_match: DateMatch = Field(default=DateMatch.overlap, description=DATE_MATCH_DESCRIPTION)
    min_fatalities: int | None = Field(
        default=None, ge=0, description="Best fatality estimate at least this.", examples=[10]
    )


class EventParams(ListParams, EventFilters):
    format: GeoFormat | None = format_field()
    sort: str | None = Field(
        default=None,
        description=sort_description(list(service.SORT_FIELDS)),
        json_schema_extra=sort_pattern(list(service.SORT_FIELDS)),
        examples=["-date"],
    )


class EventFacetParams(FacetParams, EventFilters):
    pass


class EventExportParams(ExportParams, EventFilters):
    sort: str | None = same_field(EventParams, "sort")


EVENTS = Collection(
    name=service.NAME,
    item_type=service.ITEM_TYPE,
    noun="event",
    model=Event,
    item_schema=EventOut,
    title=Event.title,
    list_page=service.list_events,
    list_params=EventParams,
    export_params=EventExportParams,
    sort_fields=service.SORT_FIELDS,
    facets=service.EVENT_FACETS,
    geometry="location",
    filter_params=EventFilters,
    filters=service.event_filters,
    queryables={
        "event_type": Queryable("term", "event_type", "ACLED event type."),
        "sub_event_type": Queryable("term", "sub_event_type", "ACLED sub-event type."),
        "actor_id": Queryable("term", "actor_id", "An actor that took part."),
        "location_id": Queryable("term", "location_id", "The place it happened."),
        "report_id": Queryable("term", "report_id", "The report it comes from."),
        "date": Queryable(
            "period",
            "date_from",
            "When it happened (a date known to the month or year is its period).",
            upper="date_to",
        ),
        "fatalities": Queryable(
            "at_least", "min_fatalities", "The best estimate of fatalities (>= or >)."
        ),
    },
    temporal="date",
    dates=(Event.date, Event.date_until),
    place_link=(Event.id, Event.location_id),
)
