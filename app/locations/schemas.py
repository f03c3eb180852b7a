from pydantic import BaseModel, Field

from app.core.schemas import Page, UpdatedAt
from app.models.vocab import CoordinatePrecision, LocationKind
from app.shared.schemas import LocationRef


class LocationOut(BaseModel):
    id: str
    name: str
    kind: LocationKind
    latitude: float | None = Field(description="WGS84 degrees; null where not located.")
    longitude: float | None = Field(description="WGS84 degrees; null where not located.")
    precision: CoordinatePrecision = Field(
        description="How far the point may be from the place: site (~1 km), city (~10 km), "
        "district (~30 km), province (~100 km), region, country, or unknown (no point)."
    )
    parent_id: str | None
    country_code: str | None = Field(description="ISO 3166-1 alpha-2.")
    aliases: list[str]
    description: str | None
    distance_km: float | None = Field(
        default=None, description="Distance from the `near` point, when `near` is given."
    )
    updated_at: UpdatedAt


class LocationDetail(LocationOut):
    ancestors: list[LocationRef] = Field(description="Parent first, up to the country.")
    children: list[LocationRef]


class LocationPage(Page[LocationOut]):
    pass
