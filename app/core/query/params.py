"""Query parameters shared by every collection, and the parsers for geometric filters.

Each collection declares its filters as a Pydantic model with `extra="forbid"`, so an unknown
query parameter (a typo) is a 400 naming it, never a silently unfiltered answer.
"""

import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, field_validator
from pydantic.config import JsonDict

from app.core.query.search_language import MAX_QUERY_LENGTH, MAX_QUERY_WORDS
from app.core.query.sync import UpdatedSinceMixin

LIMIT_DESCRIPTION = "Items per page, 1 to 500. Larger values are refused, not clamped."
CURSOR_DESCRIPTION = (
    "Opaque keyset cursor: pass the `next_cursor` of the previous page, with the same "
    "filters and sort, to get the next one."
)
COUNT_DESCRIPTION = (
    "How `total` is counted. `estimated` (default): exact up to 10,000 matching items "
    '(`total_relation: "eq"`); beyond, PostgreSQL answers the query planner\'s estimate '
    '(`"estimate"`) and SQLite `10000` as a lower bound (`"gte"`). `exact`: always exact '
    "(it may pass the time budget on very large results). `none`: no count, `total: null`."
)


class CountMode(StrEnum):
    """How `total` is counted (one component, shared by every list)."""

    exact = "exact"
    estimated = "estimated"
    none = "none"


DATE_MATCH_DESCRIPTION = (
    "How a date known only to the month, year or decade meets the range: `overlap` (default) "
    "matches when its period overlaps the range; `within` only when the whole period lies "
    "inside it."
)


class DateMatch(StrEnum):
    """How a date known only to the month, year or decade meets a date range."""

    overlap = "overlap"
    within = "within"


Q_DESCRIPTION = (
    "Full-text search, the same language on every engine. Words: every one must match "
    '(`taliban valley`); `"a phrase"`: its words in a row; `a OR b`: either; `-word`, '
    '`-"a phrase"` or `NOT word`: leave out what contains it (exclusions alone: everything '
    "without those words); `word*`: a prefix of the stemmed words (`talib*`; "
    "`surrounding*` looks for `surround*`). Case, accents and possessives are folded "
    "(`Talibán's` = `taliban`), words are stemmed in English "
    "(`surrounding` finds `surrounded`) and English stop words (`the`, `of`, `and`, `not`, "
    "`or` …) are skipped; anything else (an unbalanced quote, a lone operator) is read as "
    f"words. At most {MAX_QUERY_LENGTH} characters and {MAX_QUERY_WORDS} words, and at least "
    "one word that is not a stop word, or a 400. With `q`, results are ordered by relevance "
    "(how often the words occur, per length of the text; ties by id) unless `sort` says "
    "otherwise."
)


class ListParams(UpdatedSinceMixin):
    """Paging, counting, search and `updated_since`: the parameters every collection accepts."""

    model_config = ConfigDict(extra="forbid")

    limit: int = Field(default=50, ge=1, le=500, description=LIMIT_DESCRIPTION)
    cursor: str | None = Field(default=None, description=CURSOR_DESCRIPTION)
    count: CountMode = Field(default=CountMode.estimated, description=COUNT_DESCRIPTION)
    q: str | None = Field(
        default=None, min_length=1, max_length=MAX_QUERY_LENGTH, description=Q_DESCRIPTION
    )
    # Conditions added by a caller above the collections (a filter expression: app.ogc), on
    # top of the filters, and a text naming them, to which cursors are bound.
    _also: tuple[Any, ...] = PrivateAttr(default=())
    _also_key: str = PrivateAttr(default="")

    def narrowed(self, conditions: tuple[Any, ...], key: str) -> "ListParams":
        """A copy with `conditions` added to its filters, its cursors bound to `key`."""
        copy = self.model_copy()
        copy._also = conditions
        copy._also_key = key
        return copy


class FacetParams(UpdatedSinceMixin):
    """What every facet endpoint takes besides its collection's filters."""

    model_config = ConfigDict(extra="forbid")

    q: str | None = Field(
        default=None, min_length=1, max_length=MAX_QUERY_LENGTH, description=Q_DESCRIPTION
    )
    facet_size: int = Field(default=50, ge=1, le=500, description="Values per facet, at most.")


def sort_pattern(fields: list[str]) -> JsonDict:
    """The OpenAPI `pattern` of a `sort` parameter: exactly what `parse_sort` accepts, so
    clients and fuzzers know the fields without reading the description (empty: the default)."""
    names = "|".join(re.escape(name) for name in [*fields, "relevance"])
    return {"pattern": f"^$|^-?({names})(,-?({names}))*$"}


def sort_description(fields: list[str], default: str = "id") -> str:
    return (
        "Comma-separated fields, `-field` for descending: "
        + ", ".join(f"`{f}`" for f in fields)
        + f", and `relevance` when `q` is given. Default `{default}` (`relevance` with `q`). "
        "The id is always the final tie-breaker, so the order, and every cursor, is stable."
    )


@dataclass(frozen=True, slots=True)
class BBox:
    """A box in WGS84 degrees; west of east unless it crosses the antimeridian (RFC 7946
    5.2: `min_lon` > `max_lon`, a box from 170 to -170 is 20 degrees wide)."""

    min_lon: float
    min_lat: float
    max_lon: float
    max_lat: float

    @property
    def crosses_antimeridian(self) -> bool:
        return self.min_lon > self.max_lon

    def holds(self, lon: float, lat: float) -> bool:
        if not self.min_lat <= lat <= self.max_lat:
            return False
        if self.crosses_antimeridian:
            return lon >= self.min_lon or lon <= self.max_lon
        return self.min_lon <= lon <= self.max_lon


@dataclass(frozen=True, slots=True)
class Near:
    lat: float
    lon: float
    km: float


# A decimal number as `bbox` and `near` take it; their OpenAPI patterns say the same, so a
# value the document allows is never refused for its form (only for its range or order).
NUMBER = r" *[-+]?[0-9]+(\.[0-9]+)? *"


def number_list_pattern(count: int) -> JsonDict:
    return {"pattern": "^" + ",".join([NUMBER] * count) + "$"}


def _floats(value: str, count: int, shape: str) -> list[float]:
    parts = value.split(",")
    if len(parts) != count:
        raise ValueError(f"expected {count} comma-separated numbers: {shape}")
    if not all(re.fullmatch(NUMBER, part) for part in parts):
        raise ValueError(f"expected numbers: {shape}")
    return [float(part) for part in parts]


def parse_bbox(value: str) -> BBox:
    min_lon, min_lat, max_lon, max_lat = _floats(value, 4, "minLon,minLat,maxLon,maxLat")
    for lon in (min_lon, max_lon):
        if not -180 <= lon <= 180:
            raise ValueError(f"longitude {lon} is outside -180..180")
    for lat in (min_lat, max_lat):
        if not -90 <= lat <= 90:
            raise ValueError(f"latitude {lat} is outside -90..90")
    if min_lat > max_lat:
        raise ValueError("minLat is greater than maxLat")
    # minLon > maxLon: the box crosses the antimeridian (RFC 7946 5.2, OGC API - Features).
    return BBox(min_lon, min_lat, max_lon, max_lat)


def parse_near(value: str) -> Near:
    lat, lon, km = _floats(value, 3, "lat,lon,km")
    if not -90 <= lat <= 90:
        raise ValueError(f"latitude {lat} is outside -90..90")
    if not -180 <= lon <= 180:
        raise ValueError(f"longitude {lon} is outside -180..180")
    if not 0 < km <= 20_000:
        raise ValueError(f"radius {km} km must be above 0 and at most 20000")
    return Near(lat, lon, km)


BBOX_DESCRIPTION = (
    "Bounding box `minLon,minLat,maxLon,maxLat` in WGS84 degrees (OGC API - Features order); "
    "a `minLon` greater than `maxLon` is a box across the antimeridian (`170,-20,-170,0`). "
    "Places without coordinates never match."
)


class BBoxMixin(BaseModel):
    bbox: str | None = Field(
        default=None,
        description=BBOX_DESCRIPTION,
        json_schema_extra=number_list_pattern(4),
        examples=["69.0,35.0,70.5,36.0"],
    )

    @field_validator("bbox")
    @classmethod
    def _valid_bbox(cls, value: str | None) -> str | None:
        if value is not None:
            parse_bbox(value)
        return value
