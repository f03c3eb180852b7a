import datetime as dt
from enum import StrEnum

from pydantic import BaseModel, Field

from app.catalog import NAMES
from app.core.schemas import Page

DeletedEntityType = StrEnum("DeletedEntityType", NAMES)  # type: ignore[misc]
DeletedEntityType.__doc__ = "The collection a removed item belonged to (its path under /v1)."


class DeletedOut(BaseModel):
    entity_type: DeletedEntityType = Field(examples=["claims"])
    id: str = Field(description="The removed item's id.", examples=["taliban-panjshir-surrounded"])
    deleted_at: dt.datetime = Field(
        description="When the import that removed it ran (UTC, RFC 3339 to the microsecond).",
        examples=["2021-09-01T00:00:00.000000Z"],
    )


class DeletedPage(Page[DeletedOut]):
    pass
