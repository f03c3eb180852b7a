from enum import StrEnum

from pydantic import BaseModel, Field

from app.core.schemas import Page, Span, UpdatedAt
from app.models.vocab import ActorKind, RelationKind
from app.shared.schemas import ActorRef, ClaimBrief


class RelationDirection(StrEnum):
    """Which way a relation reads from the actor it is listed under."""

    outgoing = "outgoing"  # this actor is the subject: this actor <kind> other
    incoming = "incoming"  # the other actor is the subject: other <kind> this actor


class ActorOut(BaseModel):
    id: str
    name: str
    kind: ActorKind
    aliases: list[str]
    description: str | None
    affiliation: str | None
    nationality: str | None
    updated_at: UpdatedAt


class RelationOut(BaseModel):
    id: str
    kind: RelationKind
    direction: RelationDirection = Field(
        description="`outgoing`: this actor is the subject (this actor <kind> other); "
        "`incoming`: the other actor is the subject.",
        examples=["outgoing"],
    )
    other: ActorRef
    quote: str = Field(description="The words that support the relation.")
    span: Span
    report_id: str


class ActorDetail(ActorOut):
    relations: list[RelationOut]
    claims: list[ClaimBrief] = Field(description="Claims this actor made.")
    report_ids: list[str] = Field(description="Reports that mention this actor.")


class ActorPage(Page[ActorOut]):
    pass
