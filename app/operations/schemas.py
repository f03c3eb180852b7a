"""The service endpoints' answers: liveness and readiness."""

from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, Field


class DatabaseEngine(StrEnum):
    sqlite = "sqlite"
    postgresql = "postgresql"


class Health(BaseModel):
    status: Literal["ok"] = Field(
        description="`ok`: the process answers (liveness; it does not ask the database)."
    )
    database: DatabaseEngine = Field(description="The database engine the service is set up for.")


class Ready(BaseModel):
    status: Literal["ready"] = Field(
        description="`ready`: the database answers and its schema is at the newest migration."
    )
    database: DatabaseEngine = Field(description="The database engine that answered.")
    revision: str = Field(description="The schema's migration (Alembic revision).")
