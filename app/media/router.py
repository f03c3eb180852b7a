from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response

from app.core.db.deps import DatabaseDep
from app.core.http.responses import FastJSONResponse
from app.core.query.sync import LAST_MODIFIED, item_response, with_last_change
from app.core.render.export import add_export_route
from app.core.render.formats import list_answer, list_responses
from app.core.schemas import problem_responses
from app.media import service
from app.media.collection import MEDIA, MediaFacetParams, MediaParams
from app.media.schemas import MediaFacets, MediaOut, MediaPage

router = APIRouter(prefix=f"/v1/{MEDIA.name}", tags=[MEDIA.name])


MediaId = Annotated[
    str, Path(description="The media item's id.", examples=["video-humvees-rolling"])
]


@router.get(
    "",
    summary="List media",
    response_model=MediaPage,
    responses={**problem_responses(400, 406), **list_responses(MEDIA)},
)
async def list_media(
    params: Annotated[MediaParams, Query()], db: DatabaseDep, request: Request
) -> Response:
    """Photos, videos, maps and tweets the reports show, each with its caption exactly as
    printed and its span in the report text; `q` searches captions."""
    return await list_answer(request, db, params, collection=MEDIA)


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


add_export_route(router, MEDIA)


@router.get(
    "/{media_id}",
    summary="One media item",
    response_model=MediaOut,
    responses={**LAST_MODIFIED, **problem_responses(404)},
)
async def get_media(media_id: MediaId, db: DatabaseDep) -> FastJSONResponse:
    """A photo, video, map or tweet with who posted it, what it shows and the claim it carries."""
    return item_response(
        await db.lookup(with_last_change(service.media_detail, db.changes), media_id=media_id)
    )
