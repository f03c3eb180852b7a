import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from app.core.periods import PERIOD_DESCRIPTION
from app.core.schemas import ActorRef, ActorRole, ClaimBrief, LocationRole, Page, Span
from app.models.vocab import ClaimChannel, channel_description


class QuantityOut(BaseModel):
    value: float = Field(examples=[50])
    unit: str = Field(examples=["people"])
    counted: str = Field(examples=["Taliban fighters killed"])
    qualifier: str = Field(
        description="exact, approximately, more_than, at_least or at_most.", examples=["exact"]
    )
    text: str | None = Field(description="The words the number was read from.")


CLAIM_EXAMPLE: dict[str, Any] = {
    "id": "taliban-panjshir-surrounded",
    "report_id": "panjshir-last-bastion-2021-08-24",
    "claimant": {"id": "taliban", "name": "Taliban", "kind": "armed_group"},
    "venue": None,
    "quote": "and said they had surrounded the Panjshir",
    "span": {"start": 3326, "end": 3367},
    "statement": "The Taliban have surrounded the Panjshir.",
    "kind": "territorial_control",
    "status": "disputed",
    "channel": "statement",
    "stated_on": "2021-08-23",
    "stated_on_precision": "day",
    "stated_period": "2021-08-23",
    "stated_on_text": "on Monday",
    "quantities": [],
    "contradicts": ["massoud-no-fighter-has-dared", "na-efforts-rebuffed"],
    "actors": [
        {"id": "taliban", "name": "Taliban", "kind": "armed_group", "role": "subject"},
        {
            "id": "northern-alliance",
            "name": "Northern Alliance",
            "kind": "armed_group",
            "role": "target",
        },
    ],
    "locations": [
        {"id": "panjshir-valley", "name": "Panjshir Valley", "kind": "valley", "role": "subject"}
    ],
}


class ClaimOut(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [CLAIM_EXAMPLE]})

    id: str
    report_id: str
    claimant: ActorRef = Field(
        description="Who makes the claim; the report's outlet where the report itself "
        "asserts it (channel `reporting`)."
    )
    quote: str = Field(description="The claim's words, exactly as in the report text.")
    span: Span
    statement: str = Field(description="The claim in one normalised line.")
    kind: str
    status: str = Field(description="unverified, disputed, corroborated or denied.")
    channel: ClaimChannel = Field(description="How it was said: " + channel_description())
    venue: ActorRef | None = Field(
        description="The outlet it was said to or published in (Reuters for an interview "
        "with Reuters); null where the report names none."
    )
    stated_on: dt.date | None = Field(description="First day of the period it was stated in.")
    stated_on_precision: str | None = Field(description="day, month, year or decade.")
    stated_period: str | None = Field(description=PERIOD_DESCRIPTION, examples=["2021-08"])
    stated_on_text: str | None = Field(description="The words the date was resolved from.")
    quantities: list[QuantityOut]
    contradicts: list[str] = Field(
        description="Ids of claims this one contradicts or is contradicted by; a restatement "
        "shares the contradictions of the claim it restates."
    )
    actors: list[ActorRole] = Field(description="Actors the claim is about, with their role.")
    locations: list[LocationRole] = Field(description="Places the claim is about.")


class MediaBrief(BaseModel):
    id: str
    kind: str
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


class FacetValue(BaseModel):
    value: str | None = Field(description="The value to filter by; null for 'none'.")
    label: str = Field(
        description="A readable name: an actor's or a place's name, a vocabulary value's "
        "label, a month spelt out ('August 2021')."
    )
    count: int


class Facets(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "total": 30,
                    "facets": {
                        "claimant": [
                            {"value": "northern-alliance", "label": "Northern Alliance", "count": 7}
                        ],
                        "kind": [
                            {"value": "support_received", "label": "Support received", "count": 6}
                        ],
                    },
                }
            ]
        }
    )

    total: int = Field(description="Items matching the filters.")
    facets: dict[str, list[FacetValue]] = Field(
        description="For each facet, the values with their counts, most frequent first. "
        "`month` counts only items dated to the month or the day."
    )
