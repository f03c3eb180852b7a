import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response
from pydantic import ConfigDict, Field

from app.claims.router import DATE_MATCH_DESCRIPTION
from app.core.db.deps import DatabaseDep
from app.core.http.responses import FastJSONResponse
from app.core.query.params import (
    BBoxMixin,
    DateMatch,
    FacetParams,
    ListParams,
    sort_description,
    sort_pattern,
)
from app.core.query.sync import LAST_MODIFIED, item_response, with_last_change
from app.core.render.export import (
    ExportParams,
    ExportSource,
    add_export_route,
    same_field,
)
from app.core.render.formats import (
    GeoFormat,
    Representation,
    format_field,
    list_answer,
    list_responses,
    register,
)
from app.core.schemas import problem_responses
from app.events import service
from app.events.schemas import EventDetail, EventFacets, EventOut, EventPage

router = APIRouter(prefix="/v1/events", tags=["events"])
REPRESENTATION = register(Representation("events", EventOut, geometry="location"))


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
    date_from: dt.date | None = Field(
        default=None, description="On or after this day (ISO date).", examples=["2021-08-01"]
    )
    date_to: dt.date | None = Field(
        default=None, description="On or before this day (ISO date).", examples=["2021-08-31"]
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


EVENTS_EXPORT = ExportSource(
    name="events",
    list_page=service.list_events,
    page_params=EventParams,
    export_params=EventExportParams,
    item_schema=EventOut,
)


EventId = Annotated[str, Path(description="The event's id.", examples=["fuj-ambush"])]


@router.get(
    "",
    summary="List events",
    response_model=EventPage,
    responses={**problem_responses(400, 406), **list_responses("events")},
)
async def list_events(
    params: Annotated[EventParams, Query()], db: DatabaseDep, request: Request
) -> Response:
    """What happened, coded with ACLED's event types, dated with a precision, placed, with the
    actors and their roles, fatalities as low / best / high and the claims that report it."""
    return await list_answer(request, db, params, collection="events", page=service.list_events)


@router.get(
    "/facets",
    summary="Event counts by type, sub-type, actor, location and month",
    response_model=EventFacets,
    responses=problem_responses(400),
)
async def event_facets(
    params: Annotated[EventFacetParams, Query()], db: DatabaseDep
) -> FastJSONResponse:
    """Counts of the events matching the filters (the same filters as the list), by value."""
    return FastJSONResponse(
        await db.run(service.event_facets, db.dialect, params, size=params.facet_size)
    )


add_export_route(router, EVENTS_EXPORT, noun="event")


@router.get(
    "/{event_id}",
    summary="One event, with the claims that report it",
    response_model=EventDetail,
    responses={**LAST_MODIFIED, **problem_responses(404)},
)
async def get_event(event_id: EventId, db: DatabaseDep) -> FastJSONResponse:
    """An event with its actors, location and the claims (with their claimants) that report it."""
    return item_response(await db.lookup(with_last_change(service.event_detail), event_id=event_id))
