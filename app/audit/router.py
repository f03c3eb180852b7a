"""`GET /v1/audit`: who wrote what, for admin keys."""

from enum import StrEnum
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, ConfigDict, Field

from app.audit import service
from app.core.db.deps import DatabaseDep
from app.core.http.auth import Scope, access
from app.core.http.responses import FastJSONResponse
from app.core.query.params import (
    COUNT_DESCRIPTION,
    CURSOR_DESCRIPTION,
    LIMIT_DESCRIPTION,
    CountMode,
)
from app.core.schemas import problem_responses

router = APIRouter(prefix="/v1/audit", tags=["audit"])


class AuditAction(StrEnum):
    """What a write did to its report."""

    create = "create"
    # Named apart from its value: `replace` would hide str.replace.
    replaced = "replace"
    delete = "delete"


class AuditParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    report_id: list[str] | None = Field(
        default=None,
        description="Only writes of these reports; repeat for several.",
        examples=[["panjshir-last-bastion-2021-08-24"]],
    )
    key_id: list[Annotated[int, Field(ge=1, le=2_147_483_647)]] | None = Field(
        default=None,
        description="Only writes by these API keys (their ids, as the entries give them); "
        "repeat for several.",
    )
    action: list[AuditAction] | None = Field(
        default=None, description="Only these kinds of write; repeat for several."
    )
    limit: int = Field(default=50, ge=1, le=500, description=LIMIT_DESCRIPTION)
    cursor: str | None = Field(default=None, description=CURSOR_DESCRIPTION)
    count: CountMode = Field(default=CountMode.estimated, description=COUNT_DESCRIPTION)


@router.get(
    "",
    summary="The audit log of writes",
    responses={
        **problem_responses(400, 401),
        403: {"description": "The key's scope is not `admin`."},
    },
    dependencies=[Depends(access(Scope.admin))],
)
async def list_audit(params: Annotated[AuditParams, Query()], db: DatabaseDep) -> FastJSONResponse:
    """Every write, newest first, by HTTP or the command line: its action (create, replace,
    delete), the report, who (the API key's id and name, or `cli`), the request's id and
    idempotency key, what changed per entity, and the report's version (the hash its
    `ETag` carries) before and after. Needs an `admin` key."""
    # Never kept by a shared cache, whatever CACHE_CONTROL says: it is an admin's to read.
    return FastJSONResponse(
        await db.run(service.list_entries, params),
        headers={"Cache-Control": "private, no-store"},
    )
