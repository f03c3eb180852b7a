"""The claims collection, declared once: its parameters and what the kit needs to know of it."""

from pydantic import ConfigDict, Field

from app.claims import service
from app.claims.schemas import ClaimOut
from app.core.collection import Collection
from app.core.http.negotiation import Format
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
from app.linked_data import document as jsonld
from app.models import Claim, ClaimLocation
from app.models.vocab import ClaimChannel, ClaimKind, ClaimStatus, channel_description
from app.shared.places import coordinates_of


class ClaimFilters(BBoxMixin):
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
    stated_from: DateFrom | None = Field(
        default=None,
        description=from_description("Stated on or after this day."),
        examples=["2021-08-01", "2021-08"],
    )
    stated_to: DateTo | None = Field(
        default=None,
        description=to_description("Stated on or before this day."),
        examples=["2021-08-31", "2021"],
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


CLAIMS = Collection(
    name=service.NAME,
    item_type=service.ITEM_TYPE,
    noun="claim",
    model=Claim,
    item_schema=ClaimOut,
    title=Claim.statement,
    list_page=service.list_claims,
    list_params=ClaimParams,
    export_params=ClaimExportParams,
    sort_fields=service.SORT_FIELDS,
    facets=service.CLAIM_FACETS,
    geometry="locations",
    places=coordinates_of,
    jsonld=jsonld.claims_document,
    filter_params=ClaimFilters,
    filters=service.claim_filters,
    queryables={
        "claimant_id": Queryable("term", "claimant_id", "Who made the claim (an actor's id)."),
        "actor_id": Queryable("term", "actor_id", "An actor the claim is about, in any role."),
        "location_id": Queryable("term", "location_id", "A place the claim is about."),
        "report_id": Queryable("term", "report_id", "The report the claim comes from."),
        "kind": Queryable("term", "kind", "Kind of claim.", values=ClaimKind),
        "status": Queryable("term", "status", "Verification status.", values=ClaimStatus),
        "channel": Queryable("term", "channel", "How it was said.", values=ClaimChannel),
        "stated_on": Queryable(
            "period",
            "stated_from",
            "When it was stated (a date known to the month or year is its period).",
            upper="stated_to",
        ),
        "contested": Queryable("flag", "contested", "Whether a claim contradicts it."),
        "has_quantity": Queryable("flag", "has_quantity", "Whether it states a number."),
    },
    temporal="stated_on",
    place_link=(ClaimLocation.claim_id, ClaimLocation.location_id),
    dates=(Claim.stated_on, Claim.stated_until),
)
