from pydantic import BaseModel, ConfigDict, Field

from app.core.schemas import ActorRef, ClaimBrief, Page, Span


class ActorOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "ahmad-massoud",
                    "name": "Ahmad Massoud",
                    "kind": "person",
                    "aliases": ["Massoud", "Massoud the younger"],
                    "description": "Leader of the Northern Alliance resistance …",
                    "affiliation": "Northern Alliance",
                    "nationality": "Afghan",
                }
            ]
        }
    )

    id: str
    name: str
    kind: str = Field(
        description="person, armed_group, armed_forces, government, state, "
        "political_organization, media_outlet, military_academy, university, organization."
    )
    aliases: list[str]
    description: str | None
    affiliation: str | None
    nationality: str | None


class RelationOut(BaseModel):
    id: str
    kind: str = Field(examples=["child_of"])
    direction: str = Field(
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
