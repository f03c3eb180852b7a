import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from app.claims import service
from app.claims.schemas import ClaimDetail, ClaimFacets, ClaimOut, ClaimPage
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
    Format,
    Representation,
    format_field,
    list_answer,
    list_responses,
    register,
)
from app.core.schemas import problem_responses
from app.linked_data import document as jsonld
from app.models.vocab import ClaimChannel, ClaimKind, ClaimStatus, channel_description

router = APIRouter(prefix="/v1/claims", tags=["claims"])
REPRESENTATION = register(
    Representation("claims", ClaimOut, geometry="locations", jsonld=jsonld.claims_document)
)

DATE_MATCH_DESCRIPTION = (
    "How a date known only to the month, year or decade meets the range: `overlap` (default) "
    "matches when its period overlaps the range; `within` only when the whole period lies "
    "inside it."
)


class ClaimFilters(BaseModel):
    model_config = ConfigDict(extra="forbid")

    claimant_id: list[str] | None = Field(
        default=None,
        description="Who made the claim; repeat for any of several.",
        examples=[["taliban"]],
    )
    actor_id: list[str] | None = Field(
        default=None,
        description="Claims about this actor (any role: subject, target, addressee …).",
        examples=[["northern-alliance"]],
    )
    location_id: list[str] | None = Field(
        default=None, description="Claims about this place.", examples=[["panjshir-valley"]]
    )
    include_sublocations: bool = Field(
        default=False,
        description="With `location_id`, take in every place below it too (a province's "
        "districts and valleys).",
    )
    report_id: list[str] | None = Field(
        default=None,
        description="Claims from this report.",
        examples=[["panjshir-last-bastion-2021-08-24"]],
    )
    kind: list[ClaimKind] | None = Field(
        default=None,
        description="Kind of claim; repeat for any of several.",
        examples=[["territorial_control"]],
    )
    status: list[ClaimStatus] | None = Field(
        default=None, description="Verification status.", examples=[["disputed"]]
    )
    channel: list[ClaimChannel] | None = Field(
        default=None,
        description="How it was said; repeat for any of several. " + channel_description(),
        examples=[["interview"]],
    )
    stated_from: dt.date | None = Field(
        default=None, description="Stated on or after this day (ISO date).", examples=["2021-08-01"]
    )
    stated_to: dt.date | None = Field(
        default=None,
        description="Stated on or before this day (ISO date).",
        examples=["2021-08-31"],
    )
    date_match: DateMatch = Field(default=DateMatch.overlap, description=DATE_MATCH_DESCRIPTION)
    contested: bool | None = Field(
        default=None,
        description="true: claims with a contradicting claim (either way); false: without.",
    )
    has_quantity: bool | None = Field(
        default=None, description="true: claims that state a number; false: without."
    )


class ClaimParams(ListParams, ClaimFilters):
    format: Format | None = format_field()
    sort: str | None = Field(
        default=None,
        description=sort_description(list(service.SORT_FIELDS)),
        json_schema_extra=sort_pattern(list(service.SORT_FIELDS)),
        examples=["-stated_on"],
    )


class ClaimFacetParams(FacetParams, ClaimFilters):
    pass


class ClaimExportParams(ExportParams, ClaimFilters):
    sort: str | None = same_field(ClaimParams, "sort")


CLAIMS_EXPORT = ExportSource(
    name="claims",
    list_page=service.list_claims,
    page_params=ClaimParams,
    export_params=ClaimExportParams,
    item_schema=ClaimOut,
)


ClaimId = Annotated[
    str, Path(description="The claim's id.", examples=["taliban-panjshir-surrounded"])
]


@router.get(
    "",
    summary="List claims",
    response_model=ClaimPage,
    responses={**problem_responses(400, 406), **list_responses("claims")},
)
async def list_claims(
    params: Annotated[ClaimParams, Query()], db: DatabaseDep, request: Request
) -> Response:
    """Attributed statements: who claimed what, when, through which channel, in which exact
    words (`quote` at `span` in the report text), with the numbers stated and the claims
    that contradict them. Filters combine with AND; a repeated filter means OR."""
    return await list_answer(request, db, params, collection="claims", page=service.list_claims)


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


add_export_route(router, CLAIMS_EXPORT, noun="claim")


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
    return item_response(await db.lookup(with_last_change(service.claim_detail), claim_id=claim_id))
