import datetime as dt

from pydantic import BaseModel, ConfigDict, Field

from app.core.periods import PERIOD_DESCRIPTION
from app.core.schemas import ActorRole, ClaimBrief, Page


class EventLocation(BaseModel):
    id: str
    name: str
    kind: str
    latitude: float | None
    longitude: float | None
    precision: str


class Fatalities(BaseModel):
    low: int | None = Field(description="Lowest reported estimate.")
    best: int | None = Field(description="Best estimate (as UCDP publishes it).")
    high: int | None = Field(description="Highest reported estimate.")


class EventOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "fuj-ambush",
                    "report_id": "panjshir-last-bastion-2021-08-24",
                    "title": "Ambush of Taliban fighters in the Fuj area",
                    "description": "The Northern Alliance said it killed 50 Taliban fighters "
                    "in an ambush.",
                    "event_type": "Battles",
                    "sub_event_type": "Armed clash",
                    "date": "2021-08-24",
                    "date_precision": "day",
                    "date_period": "2021-08-24",
                    "date_text": "reported in a tweet today; the ambush itself is undated",
                    "location": {
                        "id": "fuj-area",
                        "name": "Fuj area",
                        "kind": "area",
                        "latitude": None,
                        "longitude": None,
                        "precision": "unknown",
                    },
                    "actors": [
                        {
                            "id": "northern-alliance",
                            "name": "Northern Alliance",
                            "kind": "armed_group",
                            "role": "attacker",
                        }
                    ],
                    "fatalities": {"low": None, "best": 50, "high": None},
                    "claim_ids": ["na-fuj-ambush-50-killed"],
                }
            ]
        }
    )

    id: str
    report_id: str
    title: str
    description: str | None
    event_type: str = Field(description="ACLED event type.")
    sub_event_type: str = Field(description="ACLED sub-event type.")
    date: dt.date = Field(description="First day of the period the event is dated to.")
    date_precision: str = Field(description="day, month, year or decade.")
    date_period: str = Field(description=PERIOD_DESCRIPTION, examples=["1980s"])
    date_text: str | None
    location: EventLocation | None
    actors: list[ActorRole]
    fatalities: Fatalities
    claim_ids: list[str] = Field(description="Claims that report the event.")


class EventDetail(EventOut):
    claims: list[ClaimBrief]


class EventPage(Page[EventOut]):
    pass
