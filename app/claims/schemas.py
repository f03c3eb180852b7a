import datetime as dt

from pydantic import BaseModel, Field

from app.core.query.periods import PERIOD_DESCRIPTION
from app.core.schemas import FACETS_DESCRIPTION, FacetValue, Page, Span, UpdatedAt
from app.models.vocab import (
    ClaimChannel,
    ClaimKind,
    ClaimStatus,
    DatePrecision,
    MediaKind,
    QuantityQualifier,
    channel_description,
)
from app.shared.schemas import ActorRef, ClaimActorRef, ClaimBrief, ClaimLocationRef


class QuantityOut(BaseModel):
    value: float = Field(examples=[50])
    unit: str = Field(examples=["people"])
    counted: str = Field(examples=["Taliban fighters killed"])
    qualifier: QuantityQualifier
    text: str | None = Field(description="The words the number was read from.")


class ClaimOut(BaseModel):
    id: str
    report_id: str
    claimant: ActorRef = Field(
        description="Who makes the claim; the report's outlet where the report itself "
        "asserts it (channel `reporting`)."
    )
    quote: str = Field(description="The claim's words, exactly as in the report text.")
    span: Span
    statement: str = Field(description="The claim in one normalised line.")
    kind: ClaimKind
    status: ClaimStatus
    channel: ClaimChannel = Field(description="How it was said: " + channel_description())
    venue: ActorRef | None = Field(
        description="The outlet it was said to or published in (Reuters for an interview "
        "with Reuters); null where the report names none."
    )
    stated_on: dt.date | None = Field(description="First day of the period it was stated in.")
    stated_on_precision: DatePrecision | None
    stated_period: str | None = Field(description=PERIOD_DESCRIPTION, examples=["2021-08"])
    stated_on_text: str | None = Field(description="The words the date was resolved from.")
    quantities: list[QuantityOut]
    contradicts: list[str] = Field(
        description="Ids of claims this one contradicts or is contradicted by; a restatement "
        "shares the contradictions of the claim it restates."
    )
    actors: list[ClaimActorRef] = Field(description="Actors the claim is about, with their role.")
    locations: list[ClaimLocationRef] = Field(description="Places the claim is about.")
    updated_at: UpdatedAt


class MediaBrief(BaseModel):
    id: str
    kind: MediaKind
    caption: str


class ClaimDetail(ClaimOut):
    contradicting_claims: list[ClaimBrief] = Field(
        description="The contradicting claims themselves, with their claimants."
    )
    supports: list[str] = Field(description="Claims this one supports.")
    supported_by: list[str] = Field(description="Claims that support this one.")
    restates: list[str] = Field(
        description="Claims this one says again (a summary bullet repeating the body); the "
        "pair has the same status and the same contradictions."
    )
    restated_by: list[str] = Field(description="Claims that say this one again.")
    media: list[MediaBrief] = Field(description="Photos, videos and tweets that carry the claim.")
    event_ids: list[str] = Field(description="Events the claim reports.")


class ClaimPage(Page[ClaimOut]):
    pass


class ClaimFacetCounts(BaseModel):
    claimant: list[FacetValue] = Field(description="By who made the claim.")
    kind: list[FacetValue]
    status: list[FacetValue]
    channel: list[FacetValue]
    location: list[FacetValue] = Field(description="By place the claim is about.")
    month: list[FacetValue] = Field(description="By month stated (`YYYY-MM`).")


class ClaimFacets(BaseModel):
    total: int = Field(description="Claims matching the filters.")
    facets: ClaimFacetCounts = Field(description=FACETS_DESCRIPTION)
