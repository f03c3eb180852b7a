from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response

from app.core.db.deps import DatabaseDep
from app.core.http.responses import FastJSONResponse
from app.core.query.sync import LAST_MODIFIED, item_response, with_last_change
from app.core.render.export import add_export_route
from app.core.render.formats import list_answer, list_responses
from app.core.schemas import problem_responses
from app.events import service
from app.events.collection import EVENTS, EventFacetParams, EventParams
from app.events.schemas import EventDetail, EventFacets, EventPage

router = APIRouter(prefix=f"/v1/{EVENTS.name}", tags=[EVENTS.name])


EventId = Annotated[str, Path(description="The event's id.", examples=["fuj-ambush"])]


@router.get(
    "",
    summary="List events",
    response_model=EventPage,
    responses={**problem_responses(400, 406), **list_responses(EVENTS)},
)
async def list_events(
    params: Annotated[EventParams, Query()], db: DatabaseDep, request: Request
) -> Response:
    """What happened, coded with ACLED's event types, dated with a precision, placed, with the
    actors and their roles, fatalities as low / best / high and the claims that report it."""
    return await list_answer(request, db, params, collection=EVENTS)


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


add_export_route(router, EVENTS)


@router.get(
    "/{event_id}",
    summary="One event, with the claims that report it",
    response_model=EventDetail,
    responses={**LAST_MODIFIED, **problem_responses(404)},
)
async def get_event(event_id: EventId, db: DatabaseDep) -> FastJSONResponse:
    """An event with its actors, location and the claims (with their claimants) that report it."""
    return item_response(
        await db.lookup(with_last_change(service.event_detail, db.changes), event_id=event_id)
    )
