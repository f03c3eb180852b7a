import datetime as dt

from pydantic import BaseModel, Field

from app.core.query.periods import PERIOD_DESCRIPTION
from app.core.schemas import FACETS_DESCRIPTION, FacetValue, Page, UpdatedAt
from app.models.vocab import CoordinatePrecision, DatePrecision, LocationKind
from app.shared.schemas import ClaimBrief, EventActorRef


class EventLocation(BaseModel):
    id: str
    name: str
    kind: LocationKind
    latitude: float | None
    longitude: float | None
    precision: CoordinatePrecision


class Fatalities(BaseModel):
    low: int | None = Field(description="Lowest reported estimate.")
    best: int | None = Field(description="Best estimate (as UCDP publishes it).")
    high: int | None = Field(description="Highest reported estimate.")


class EventOut(BaseModel):
    id: str
    report_id: str
    title: str
    description: str | None
    event_type: str = Field(description="ACLED event type.")
    sub_event_type: str = Field(description="ACLED sub-event type.")
    date: dt.date = Field(description="First day of the period the event is dated to.")
    date_precision: DatePrecision
    date_period: str = Field(description=PERIOD_DESCRIPTION, examples=["1980s"])
    date_text: str | None
    location: EventLocation | None
    actors: list[EventActorRef]
    fatalities: Fatalities
    claim_ids: list[str] = Field(description="Claims that report the event.")
    updated_at: UpdatedAt


class EventDetail(EventOut):
    claims: list[ClaimBrief]


class EventPage(Page[EventOut]):
    pass


class EventFacetCounts(BaseModel):
    event_type: list[FacetValue] = Field(description="By ACLED event type.")
    sub_event_type: list[FacetValue] = Field(description="By ACLED sub-event type.")
    actor: list[FacetValue] = Field(description="By actor taking part.")
    location: list[FacetValue]
    month: list[FacetValue] = Field(description="By month (`YYYY-MM`).")


class EventFacets(BaseModel):
    total: int = Field(description="Events matching the filters.")
    facets: EventFacetCounts = Field(description=FACETS_DESCRIPTION)
