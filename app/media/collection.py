"""The media collection, declared once: its parameters and what the kit needs to know of it."""

from pydantic import ConfigDict, Field
from sqlalchemy import func

from app.core.collection import Collection
from app.core.http.negotiation import GeoFormat
from app.core.query.params import (
    DATE_MATCH_DESCRIPTION,
    BBoxMixin,
    DateMatch,
    FacetParams,
    ListParams,
    sort_description,
    sort_pattern,
)
from app.core.query.periods import DateFrom, DateTo, from_description, to_description
from app.core.query.queryables import Queryable
from app.core.render.export import ExportParams, same_field
from app.core.render.formats import format_field
from app.media import service
from app.media.schemas import MediaOut
from app.models import Media, MediaLocation
from app.models.vocab import MediaKind
from app.shared.places import coordinates_of


class MediaFilters(BBoxMixin):
    model_config = ConfigDict(extra="forbid")

    kind: list[MediaKind] | None = Field(
        default=None,
        description="photo, video, map or tweet; repeat for any of several.",
        examples=[["video"]],
    )
    posted_by: list[str] | None = Field(
        default=None, description="Who posted it.", examples=[["northern-alliance"]]
    )
    actor_id: list[str] | None = Field(
        default=None,
        description="Items that show, mention or were posted by this actor.",
        examples=[["ahmad-massoud"]],
    )
    location_id: list[str] | None = Field(
        default=None, description="Items showing this place.", examples=[["panjshir-valley"]]
    )
    include_sublocations: bool = Field(
        default=False, description="With `location_id`, take in every place below it too."
    )
    report_id: list[str] | None = Field(
        default=None,
        description="Items from this report.",
        examples=[["panjshir-last-bastion-2021-08-24"]],
    )
    platform: list[str] | None = Field(
        default=None, description="Where it was posted.", examples=[["Twitter"]]
    )
    posted_from: DateFrom | None = Field(
        default=None,
        description=from_description("Posted or taken on or after this day."),
        examples=["2021-08-22", "2021-08"],
    )
    posted_to: DateTo | None = Field(
        default=None,
        description=to_description("Posted or taken on or before this day."),
        examples=["2021-08-24", "2021"],
    )
    date_match: DateMatch = Field(default=DateMatch.overlap, description=DATE_MATCH_DESCRIPTION)


class MediaParams(ListParams, MediaFilters):
    format: GeoFormat | None = format_field()
    sort: str | None = Field(
        default=None,
        description=sort_description(list(service.SORT_FIELDS)),
        json_schema_extra=sort_pattern(list(service.SORT_FIELDS)),
        examples=["-posted_on"],
    )


class MediaFacetParams(FacetParams, MediaFilters):
    pass


class MediaExportParams(ExportParams, MediaFilters):
    sort: str | None = same_field(MediaParams, "sort")


MEDIA = Collection(
    name=service.NAME,
    item_type=service.ITEM_TYPE,
    noun="media item",
    model=Media,
    item_schema=MediaOut,
    title=func.substr(Media.caption, 1, 160),
    list_page=service.list_media,
    list_params=MediaParams,
    export_params=MediaExportParams,
    sort_fields=service.SORT_FIELDS,
    facets=service.MEDIA_FACETS,
    geometry="locations",
    places=coordinates_of,
    filter_params=MediaFilters,
    filters=service.media_filters,
    queryables={
        "kind": Queryable("term", "kind", "photo, video, map or tweet.", values=MediaKind),
        "posted_by": Queryable("term", "posted_by", "Who posted it (an actor's id)."),
        "actor_id": Queryable("term", "actor_id", "An actor it shows, mentions or was posted by."),
        "location_id": Queryable("term", "location_id", "A place it shows."),
        "report_id": Queryable("term", "report_id", "The report it comes from."),
        "platform": Queryable("term", "platform", "Where it was posted."),
        "posted_on": Queryable(
            "period",
            "posted_from",
            "When it was posted or taken (a date known to the month or year is its period).",
            upper="posted_to",
        ),
    },
    temporal="posted_on",
    place_link=(MediaLocation.media_id, MediaLocation.location_id),
    dates=(Media.posted_on, Media.posted_until),
)
