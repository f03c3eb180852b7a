"""The actors collection, declared once: its parameters and what the kit needs to know of it."""

from pydantic import BaseModel, ConfigDict, Field

from app.actors import service
from app.actors.schemas import ActorOut
from app.core.collection import Collection
from app.core.http.negotiation import PlainFormat
from app.core.query.params import ListParams, sort_description, sort_pattern
from app.core.render.export import ExportParams, same_field
from app.core.render.formats import format_field
from app.models import Actor
from app.models.vocab import ActorKind


class ActorFilters(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: list[ActorKind] | None = Field(
        default=None, description="Kind of actor; repeat for any of several.", examples=[["person"]]
    )
    report_id: list[str] | None = Field(
        default=None,
        description="Actors a report mentions.",
        examples=[["panjshir-last-bastion-2021-08-24"]],
    )
    related_to: list[str] | None = Field(
        default=None,
        description="Actors with a relation, in either direction, to this actor.",
        examples=[["ahmad-massoud"]],
    )


class ActorParams(ListParams, ActorFilters):
    format: PlainFormat | None = format_field()
    sort: str | None = Field(
        default=None,
        description=sort_description(list(service.SORT_FIELDS)),
        json_schema_extra=sort_pattern(list(service.SORT_FIELDS)),
        examples=["name"],
    )


class ActorExportParams(ExportParams, ActorFilters):
    sort: str | None = same_field(ActorParams, "sort")


ACTORS = Collection(
    name=service.NAME,
    item_type=service.ITEM_TYPE,
    noun="actor",
    model=Actor,
    item_schema=ActorOut,
    title=Actor.name,
    list_page=service.list_actors,
    list_params=ActorParams,
    export_params=ActorExportParams,
    sort_fields=service.SORT_FIELDS,
)
