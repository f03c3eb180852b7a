from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response

from app.actors import service
from app.actors.collection import ACTORS, ActorParams
from app.actors.schemas import ActorDetail, ActorPage
from app.core.db.deps import DatabaseDep
from app.core.http.responses import FastJSONResponse
from app.core.query.sync import LAST_MODIFIED, item_response, with_last_change
from app.core.render.export import add_export_route
from app.core.render.formats import list_answer, list_responses
from app.core.schemas import problem_responses

router = APIRouter(prefix=f"/v1/{ACTORS.name}", tags=[ACTORS.name])


ActorId = Annotated[str, Path(description="The actor's id.", examples=["ahmad-massoud"])]


@router.get(
    "",
    summary="List actors",
    response_model=ActorPage,
    responses={**problem_responses(400, 406), **list_responses(ACTORS)},
)
async def list_actors(
    params: Annotated[ActorParams, Query()], db: DatabaseDep, request: Request
) -> Response:
    """People, armed groups, governments, states and outlets, filtered by kind, by the report
    that mentions them or by who they are related to; `q` searches names, aliases and
    descriptions."""
    return await list_answer(request, db, params, collection=ACTORS)


add_export_route(router, ACTORS)


@router.get(
    "/{actor_id}",
    summary="One actor, with its relations and claims",
    response_model=ActorDetail,
    responses={**LAST_MODIFIED, **problem_responses(404)},
)
async def get_actor(actor_id: ActorId, db: DatabaseDep) -> FastJSONResponse:
    """An actor with its relations in both directions (each with the words that support it),
    the claims it made, and the reports that mention it."""
    return item_response(
        await db.lookup(with_last_change(service.actor_detail, db.changes), actor_id=actor_id)
    )
