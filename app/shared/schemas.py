"""The shapes several resources embed: references to actors and places (with their roles),
and claims in brief."""

import datetime as dt

from pydantic import BaseModel, Field

from app.core.query.periods import PERIOD_DESCRIPTION
from app.models.vocab import (
    ActorKind,
    ClaimActorRole,
    ClaimKind,
    ClaimStatus,
    DatePrecision,
    EventActorRole,
    LocationKind,
    MediaActorRole,
    PlaceRole,
)


class ActorRef(BaseModel):
    id: str = Field(examples=["taliban"])
    name: str = Field(examples=["Taliban"])
    kind: ActorKind


class ClaimActorRef(ActorRef):
    """An actor a claim is about, with its role in the claim."""

    role: ClaimActorRole


class MediaActorRef(ActorRef):
    """An actor a media item shows or mentions."""

    role: MediaActorRole


class EventActorRef(ActorRef):
    """An actor that took part in an event, with its role."""

    role: EventActorRole


class LocationRef(BaseModel):
    id: str = Field(examples=["panjshir-valley"])
    name: str = Field(examples=["Panjshir Valley"])
    kind: LocationKind


class ClaimLocationRef(LocationRef):
    """A place a claim is about, with its role in the claim."""

    role: PlaceRole


class ClaimBrief(BaseModel):
    id: str = Field(examples=["na-efforts-rebuffed"])
    claimant: ActorRef
    statement: str
    kind: ClaimKind
    status: ClaimStatus
    stated_on: dt.date | None
    stated_on_precision: DatePrecision | None = Field(description="day, month, year or decade.")
    stated_period: str | None = Field(description=PERIOD_DESCRIPTION, examples=["2021-08"])
