import datetime as dt

from pydantic import BaseModel, Field

from app.core.query.periods import PERIOD_DESCRIPTION
from app.core.schemas import FACETS_DESCRIPTION, FacetValue, Page, Span, UpdatedAt
from app.models.vocab import DatePrecision, MediaKind
from app.shared.schemas import ActorRef, LocationRef, MediaActorRef


class MediaOut(BaseModel):
    id: str
    report_id: str
    kind: MediaKind
    caption: str = Field(description="The caption (or tweet text) exactly as in the report.")
    span: Span
    posted_on: dt.date | None = Field(description="When posted or taken (first day of the period).")
    posted_on_precision: DatePrecision | None
    posted_period: str | None = Field(description=PERIOD_DESCRIPTION, examples=["2001-04"])
    posted_on_text: str | None
    posted_by: ActorRef | None
    platform: str | None
    credit: str | None
    claim_id: str | None = Field(description="The claim the item carries, if any.")
    actors: list[MediaActorRef] = Field(description="Actors shown or mentioned.")
    locations: list[LocationRef]
    updated_at: UpdatedAt


class MediaPage(Page[MediaOut]):
    pass


class MediaFacetCounts(BaseModel):
    kind: list[FacetValue]
    posted_by: list[FacetValue] = Field(description="By who posted it.")
    platform: list[FacetValue]
    location: list[FacetValue] = Field(description="By place shown.")
    month: list[FacetValue] = Field(description="By month posted (`YYYY-MM`).")


class MediaFacets(BaseModel):
    total: int = Field(description="Media items matching the filters.")
    facets: MediaFacetCounts = Field(description=FACETS_DESCRIPTION)
