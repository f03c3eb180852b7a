import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field, field_validator

from app.core.db.deps import DatabaseDep
from app.core.http.responses import FastJSONResponse
from app.core.query.params import (
    COUNT_DESCRIPTION,
    CURSOR_DESCRIPTION,
    LIMIT_DESCRIPTION,
    CountMode,
)
from app.core.query.sync import as_utc
from app.core.schemas import problem_responses
from app.sync import service
from app.sync.schemas import DeletedEntityType, DeletedPage

router = APIRouter(prefix="/v1/deleted", tags=["sync"])


class DeletedParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    since: dt.datetime | None = Field(
        default=None,
        description="Only items removed at or after this moment: an RFC 3339 date and time "
        "with its zone (`2021-09-01T00:00:00Z`). Give the time of your last sync.",
        examples=["2021-09-01T00:00:00Z"],
    )
    entity_type: list[DeletedEntityType] | None = Field(
        default=None,
        description="Only items of these collections; repeat for several.",
        examples=[["claims"]],
    )
    limit: int = Field(default=50, ge=1, le=500, description=LIMIT_DESCRIPTION)
    cursor: str | None = Field(default=None, description=CURSOR_DESCRIPTION)
    count: CountMode = Field(default=CountMode.estimated, description=COUNT_DESCRIPTION)

    @field_validator("since")
    @classmethod
    def _aware(cls, value: dt.datetime | None) -> dt.datetime | None:
        return None if value is None else as_utc(value)


@router.get(
    "",
    summary="Items removed since a moment",
    response_model=DeletedPage,
    responses=problem_responses(400),
)
async def list_deleted(
    params: Annotated[DeletedParams, Query()], db: DatabaseDep
) -> FastJSONResponse:
    """What imports removed (an item its bundle no longer declares, an actor or place no
    report mentions any longer), oldest first: its collection, id and when. With
    `updated_since` on the collections, this keeps a copy in step: fetch what changed,
    then drop what is listed here. An item created again leaves this list (it is listed by
    `updated_since` instead), so each id here is gone now."""
    return FastJSONResponse(await db.run(service.list_deleted, params))
