import datetime as dt

from pydantic import BaseModel, ConfigDict, Field

from app.core.periods import PERIOD_DESCRIPTION
from app.core.schemas import ActorRef, ActorRole, LocationRef, Page, Span


class MediaOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "video-humvees-rolling",
                    "report_id": "panjshir-last-bastion-2021-08-24",
                    "kind": "video",
                    "caption": "Footage posted by the Northern Alliance on Twitter today shows "
                    "American-made Humvee armoured cars rolling through the valley",
                    "span": {"start": 3100, "end": 3227},
                    "posted_on": "2021-08-24",
                    "posted_on_precision": "day",
                    "posted_period": "2021-08-24",
                    "posted_on_text": "today",
                    "posted_by": {
                        "id": "northern-alliance",
                        "name": "Northern Alliance",
                        "kind": "armed_group",
                    },
                    "platform": "Twitter",
                    "credit": None,
                    "claim_id": None,
                    "actors": [],
                    "locations": [],
                }
            ]
        }
    )

    id: str
    report_id: str
    kind: str = Field(description="photo, video, map or tweet.")
    caption: str = Field(description="The caption (or tweet text) exactly as in the report.")
    span: Span
    posted_on: dt.date | None = Field(description="When posted or taken (first day of the period).")
    posted_on_precision: str | None
    posted_period: str | None = Field(description=PERIOD_DESCRIPTION, examples=["2001-04"])
    posted_on_text: str | None
    posted_by: ActorRef | None
    platform: str | None
    credit: str | None
    claim_id: str | None = Field(description="The claim the item carries, if any.")
    actors: list[ActorRole] = Field(description="Actors shown or mentioned.")
    locations: list[LocationRef]


class MediaPage(Page[MediaOut]):
    pass
