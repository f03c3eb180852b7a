from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response

from app.core.db.deps import DatabaseDep
from app.core.http.responses import FastJSONResponse
from app.core.query.sync import LAST_MODIFIED, item_response, with_last_change
from app.core.render.export import add_export_route
from app.core.render.formats import list_answer, list_responses
from app.core.schemas import problem_responses
from app.locations import service
from app.locations.collection import LOCATIONS, LocationParams
from app.locations.schemas import LocationDetail, LocationPage

router = APIRouter(prefix=f"/v1/{LOCATIONS.name}", tags=[LOCATIONS.name])


LocationId = Annotated[str, Path(description="The location's id.", examples=["panjshir-valley"])]


@router.get(
    "",
    summary="List locations",
    response_model=LocationPage,
    responses={**problem_responses(400, 406), **list_responses(LOCATIONS)},
)
async def list_locations(
    params: Annotated[LocationParams, Query()], db: DatabaseDep, request: Request
) -> Response:
    """Places with WGS84 coordinates, filtered by kind, country, parent, bounding box or
    distance from a point. Places whose position is unknown carry null coordinates and never
    match a geometric filter."""
    return await list_answer(request, db, params, collection=LOCATIONS)


add_export_route(router, LOCATIONS)


@router.get(
    "/{location_id}",
    summary="One location, with its parent chain and children",
    response_model=LocationDetail,
    responses={**LAST_MODIFIED, **problem_responses(404)},
)
async def get_location(location_id: LocationId, db: DatabaseDep) -> FastJSONResponse:
    """A place with `ancestors` (parent first, up to the country) and its direct `children`."""
    return item_response(
        await db.lookup(
            with_last_change(service.location_detail, db.changes), location_id=location_id
        )
    )
