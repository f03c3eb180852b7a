from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from app.actors import service
from app.actors.schemas import ActorDetail, ActorOut, ActorPage
from app.core.db.deps import DatabaseDep
from app.core.http.responses import FastJSONResponse
from app.core.query.params import ListParams, sort_description, sort_pattern
from app.core.query.sync import LAST_MODIFIED, item_response, with_last_change
from app.core.render.export import (
    ExportParams,
    ExportSource,
    add_export_route,
    same_field,
)
from app.core.render.formats import (
    PlainFormat,
    Representation,
    format_field,
    list_answer,
    list_responses,
    register,
)
from app.core.schemas import problem_responses
from app.models.vocab import ActorKind

router = APIRouter(prefix="/v1/actors", tags=["actors"])
REPRESENTATION = register(Representation("actors", ActorOut))


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


ACTORS_EXPORT = ExportSource(
    name="actors",
    list_page=service.list_actors,
    page_params=ActorParams,
    export_params=ActorExportParams,
    item_schema=ActorOut,
)


ActorId = Annotated[str, Path(description="The actor's id.", examples=["ahmad-massoud"])]


@router.get(
    "",
    summary="List actors",
    response_model=ActorPage,
    responses={**problem_responses(400, 406), **list_responses("actors")},
)
async def list_actors(
    params: Annotated[ActorParams, Query()], db: DatabaseDep, request: Request
) -> Response:
    """People, armed groups, governments, states and outlets, filtered by kind, by the report
    that mentions them or by who they are related to; `q` searches names, aliases and
    descriptions."""
    return await list_answer(request, db, params, collection="actors", page=service.list_actors)


add_export_route(router, ACTORS_EXPORT, noun="actor")


@router.get(
    "/{actor_id}",
    summary="One actor, with its relations and claims",
    response_model=ActorDetail,
    responses={**LAST_MODIFIED, **problem_responses(404)},
)
async def get_actor(actor_id: ActorId, db: DatabaseDep) -> FastJSONResponse:
    """An actor with its relations in both directions (each with the words that support it),
    the claims it made, and the reports that mention it."""
    return item_response(await db.lookup(with_last_change(service.actor_detail), actor_id=actor_id))
