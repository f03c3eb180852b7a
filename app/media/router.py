import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from app.claims.router import DATE_MATCH_DESCRIPTION
from app.core.db.deps import DatabaseDep
from app.core.http.responses import FastJSONResponse
from app.core.query.params import DateMatch, FacetParams, ListParams, sort_description, sort_pattern
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
from app.media import service
from app.media.schemas import MediaFacets, MediaOut, MediaPage
from app.models.vocab import MediaKind

router = APIRouter(prefix="/v1/media", tags=["media"])
REPRESENTATION = register(Representation("media", MediaOut, geometry="locations"))


class MediaFilters(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: list[MediaKind] | None = Field(
        default=None,
        description="photo, video, map or tweet; repeat for any of several.",
        examples=[["video"]],
    )
    posted_by: list[str] | None = Field(
        default=None, description="Who posted it.", examples=[["northern-alliance"]]
    )
    actor_id: list[str] | None = Field(
        default=None,
        description="Items that show, mention or were posted by this actor.",
        examples=[["ahmad-massoud"]],
    )
    location_id: list[str] | None = Field(
        default=None, description="Items showing this place.", examples=[["panjshir-valley"]]
    )
    include_sublocations: bool = Field(
        default=False, description="With `location_id`, take in every place below it too."
    )
    report_id: list[str] | None = Field(
        default=None,
        description="Items from this report.",
        examples=[["panjshir-last-bastion-2021-08-24"]],
    )
    platform: list[str] | None = Field(
        default=None, description="Where it was posted.", examples=[["Twitter"]]
    )
    posted_from: dt.date | None = Field(
        default=None, description="Posted or taken on or after this day.", examples=["2021-08-22"]
    )
    posted_to: dt.date | None = Field(
        default=None, description="Posted or taken on or before this day.", examples=["2021-08-24"]
    )
    date_match: DateMatch = Field(default=DateMatch.overlap, description=DATE_MATCH_DESCRIPTION)


class MediaParams(ListParams, MediaFilters):
    format: GeoFormat | None = format_field()
    sort: str | None = Field(
        default=None,
        description=sort_description(list(service.SORT_FIELDS)),
        json_schema_extra=sort_pattern(list(service.SORT_FIELDS)),
        examples=["-posted_on"],
    )


class MediaFacetParams(FacetParams, MediaFilters):
    pass


class MediaExportParams(ExportParams, MediaFilters):
    sort: str | None = same_field(MediaParams, "sort")


MEDIA_EXPORT = ExportSource(
    name="media",
    list_page=service.list_media,
    page_params=MediaParams,
    export_params=MediaExportParams,
    item_schema=MediaOut,
)


MediaId = Annotated[
    str, Path(description="The media item's id.", examples=["video-humvees-rolling"])
]


@router.get(
    "",
    summary="List media",
    response_model=MediaPage,
    responses={**problem_responses(400, 406), **list_responses("media")},
)
async def list_media(
    params: Annotated[MediaParams, Query()], db: DatabaseDep, request: Request
) -> Response:
    """Photos, videos, maps and tweets the reports show, each with its caption exactly as
    printed and its span in the report text; `q` searches captions."""
    return await list_answer(request, db, params, collection="media", page=service.list_media)


@router.get(
    "/facets",
    summary="Media counts by kind, poster, platform, location and month",
    response_model=MediaFacets,
    responses=problem_responses(400),
)
async def media_facets(
    params: Annotated[MediaFacetParams, Query()], db: DatabaseDep
) -> FastJSONResponse:
    """Counts of the media items matching the filters (the same filters as the list), by value."""
    return FastJSONResponse(
        await db.run(service.media_facets, db.dialect, params, size=params.facet_size)
    )


add_export_route(router, MEDIA_EXPORT, noun="media item")


@router.get(
    "/{media_id}",
    summary="One media item",
    response_model=MediaOut,
    responses={**LAST_MODIFIED, **problem_responses(404)},
)
async def get_media(media_id: MediaId, db: DatabaseDep) -> FastJSONResponse:
    """A photo, video, map or tweet with who posted it, what it shows and the claim it carries."""
    return item_response(await db.lookup(with_last_change(service.media_detail), media_id=media_id))
