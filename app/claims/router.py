from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response

from app.claims import service
from app.claims.collection import CLAIMS, ClaimFacetParams, ClaimParams
from app.claims.schemas import ClaimDetail, ClaimFacets, ClaimPage
from app.core.db.deps import DatabaseDep
from app.core.http.responses import FastJSONResponse
from app.core.query.sync import LAST_MODIFIED, item_response, with_last_change
from app.core.render.export import add_export_route
from app.core.render.formats import list_answer, list_responses
from app.core.schemas import problem_responses

router = APIRouter(prefix=f"/v1/{CLAIMS.name}", tags=[CLAIMS.name])


ClaimId = Annotated[
    str, Path(description="The claim's id.", examples=["taliban-panjshir-surrounded"])
]


@router.get(
    "",
    summary="List claims",
    response_model=ClaimPage,
    responses={**problem_responses(400, 406), **list_responses(CLAIMS)},
)
async def list_claims(
    params: Annotated[ClaimParams, Query()], db: DatabaseDep, request: Request
) -> Response:
    """Attributed statements: who claimed what, when, through which channel, in which exact
    words (`quote` at `span` in the report text), with the numbers stated and the claims
    that contradict them. Filters combine with AND; a repeated filter means OR."""
    return await list_answer(request, db, params, collection=CLAIMS)


@router.get(
    "/facets",
    summary="Claim counts by claimant, kind, status, channel, location and month",
    response_model=ClaimFacets,
    responses=problem_responses(400),
)
async def claim_facets(
    params: Annotated[ClaimFacetParams, Query()], db: DatabaseDep
) -> FastJSONResponse:
    """Counts of the claims matching the filters (the same filters as the list), by value."""
    return FastJSONResponse(
        await db.run(service.claim_facets, db.dialect, params, size=params.facet_size)
    )


add_export_route(router, CLAIMS)


@router.get(
    "/{claim_id}",
    summary="One claim, with everything it relates to",
    response_model=ClaimDetail,
    responses={**LAST_MODIFIED, **problem_responses(404)},
)
async def get_claim(claim_id: ClaimId, db: DatabaseDep) -> FastJSONResponse:
    """A claim with its claimant, actors, places and quantities, the claims that contradict
    it (themselves, not only their ids), the claims it supports or is supported by, the media
    that carry it and the events it reports."""
    return item_response(
        await db.lookup(with_last_change(service.claim_detail, db.changes), claim_id=claim_id)
    )
