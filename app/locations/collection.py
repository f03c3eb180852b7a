"""The locations collection, declared once: its parameters and what the kit needs to know of it."""

from pydantic import ConfigDict, Field, field_validator

from app.core.collection import Collection
from app.core.http.negotiation import GeoFormat
from app.core.query.params import (
    BBoxMixin,
    ListParams,
    number_list_pattern,
    parse_near,
    sort_description,
    sort_pattern,
)
from app.core.query.queryables import Queryable
from app.core.render.export import ExportParams, same_field
from app.core.render.formats import format_field
from app.locations import service
from app.locations.schemas import LocationOut
from app.models import Location
from app.models.vocab import LocationKind


class LocationFilters(BBoxMixin):
    model_config = ConfigDict(extra="forbid")

    kind: list[LocationKind] | None = Field(
        default=None, description="Kind of place; repeat for any of several.", examples=[["valley"]]
    )
    country: list[str] | None = Field(
        default=None,
        description="ISO 3166-1 alpha-2 country code; repeat for any of several.",
        examples=[["AF"]],
    )
    parent_id: list[str] | None = Field(
        default=None,
        description="Direct children of this location.",
        examples=[["panjshir-province"]],
    )
    report_id: list[str] | None = Field(
        default=None,
        description="Places a report mentions.",
        examples=[["panjshir-last-bastion-2021-08-24"]],
    )
    near: str | None = Field(
        default=None,
        description="`lat,lon,km`: places within km kilometres of the point (great-circle). "
        "Adds `distance_km` to each item and sorts by distance unless `sort` says otherwise.",
        json_schema_extra=number_list_pattern(3),
        examples=["34.5553,69.2075,150"],
    )

    @field_validator("near")
    @classmethod
    def _valid_near(cls, value: str | None) -> str | None:
        if value is not None:
            parse_near(value)
        return value


class LocationParams(ListParams, LocationFilters):
    format: GeoFormat | None = format_field()
    sort: str | None = Field(
        default=None,
        description=sort_description([*service.SORT_FIELDS, "distance (with `near`)"]),
        json_schema_extra=sort_pattern([*service.SORT_FIELDS, "distance"]),
        examples=["name", "-latitude,name"],
    )


class LocationExportParams(ExportParams, LocationFilters):
    sort: str | None = same_field(LocationParams, "sort")


LOCATIONS = Collection(
    name=service.NAME,
    item_type=service.ITEM_TYPE,
    noun="location",
    model=Location,
    item_schema=LocationOut,
    title=Location.name,
    list_page=service.list_locations,
    list_params=LocationParams,
    export_params=LocationExportParams,
    sort_fields=service.SORT_FIELDS,
    geometry="self",
    filter_params=LocationFilters,
    filters=service.location_filters,
    queryables={
        "kind": Queryable("term", "kind", "Kind of place.", values=LocationKind),
        "country": Queryable("term", "country", "ISO 3166-1 alpha-2 country code."),
        "parent_id": Queryable("term", "parent_id", "The place it lies directly in."),
        "report_id": Queryable("term", "report_id", "A report that mentions it."),
    },
    place_link=(Location.id, Location.id),
)
