from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response
from pydantic import ConfigDict, Field, field_validator

from app.core.db.deps import DatabaseDep
from app.core.http.responses import FastJSONResponse
from app.core.query.params import (
    BBoxMixin,
    ListParams,
    number_list_pattern,
    parse_near,
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
from app.locations import service
from app.locations.schemas import LocationDetail, LocationOut, LocationPage
from app.models.vocab import LocationKind

router = APIRouter(prefix="/v1/locations", tags=["locations"])
REPRESENTATION = register(Representation("locations", LocationOut, geometry="self"))


class LocationFilters(BBoxMixin):
    model_config = ConfigDict(extra="forbid")

    kind: list[LocationKind] | None = Field(
        default=None, description="Kind of place; repeat for any of several.", examples=[["valley"]]
    )
    country: list[str] | None = Field(
        default=None,
        description="ISO 3166-1 alpha-2 country code; repeat for any of several.",
        examples=[["AF"]],
    )
    parent_id: list[str] | None = Field(
        default=None,
        description="Direct children of this location.",
        examples=[["panjshir-province"]],
    )
    report_id: list[str] | None = Field(
        default=None,
        description="Places a report mentions.",
        examples=[["panjshir-last-bastion-2021-08-24"]],
    )
    near: str | None = Field(
        default=None,
        description="`lat,lon,km`: places within km kilometres of the point (great-circle). "
        "Adds `distance_km` to each item and sorts by distance unless `sort` says otherwise.",
        json_schema_extra=number_list_pattern(3),
        examples=["34.5553,69.2075,150"],
    )

    @field_validator("near")
    @classmethod
    def _valid_near(cls, value: str | None) -> str | None:
        if value is not None:
            parse_near(value)
        return value


class LocationParams(ListParams, LocationFilters):
    format: GeoFormat | None = format_field()
    sort: str | None = Field(
        default=None,
        description=sort_description([*service.SORT_FIELDS, "distance (with `near`)"]),
        json_schema_extra=sort_pattern([*service.SORT_FIELDS, "distance"]),
        examples=["name", "-latitude,name"],
    )


class LocationExportParams(ExportParams, LocationFilters):
    sort: str | None = same_field(LocationParams, "sort")


LOCATIONS_EXPORT = ExportSource(
    name="locations",
    list_page=service.list_locations,
    page_params=LocationParams,
    export_params=LocationExportParams,
    item_schema=LocationOut,
)


LocationId = Annotated[str, Path(description="The location's id.", examples=["panjshir-valley"])]


@router.get(
    "",
    summary="List locations",
    response_model=LocationPage,
    responses={**problem_responses(400, 406), **list_responses("locations")},
)
async def list_locations(
    params: Annotated[LocationParams, Query()], db: DatabaseDep, request: Request
) -> Response:
    """Places with WGS84 coordinates, filtered by kind, country, parent, bounding box or
    distance from a point. Places whose position is unknown carry null coordinates and never
    match a geometric filter."""
    return await list_answer(
        request, db, params, collection="locations", page=service.list_locations
    )


add_export_route(router, LOCATIONS_EXPORT, noun="location")


@router.get(
    "/{location_id}",
    summary="One location, with its parent chain and children",
    response_model=LocationDetail,
    responses={**LAST_MODIFIED, **problem_responses(404)},
)
async def get_location(location_id: LocationId, db: DatabaseDep) -> FastJSONResponse:
    """A place with `ancestors` (parent first, up to the country) and its direct `children`."""
    return item_response(
        await db.lookup(with_last_change(service.location_detail), location_id=location_id)
    )
