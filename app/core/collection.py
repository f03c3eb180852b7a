"""A collection, declared once: what the kit's mechanisms (formats, facets, export, search,
sync) need to know of it. Each resource fills one in, in its own `collection.py`, and the
catalog (`app.catalog`) lists them; the kit takes a `Collection` as an argument and never
looks one up by name."""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, get_args

from pydantic import BaseModel
from sqlalchemy import ColumnElement
from sqlalchemy.orm import Session

from app.core.http.negotiation import Format
from app.core.query.facets import FacetSet
from app.core.query.pagination import SortField
from app.core.query.queryables import Queryable
from app.core.render.geojson import Geometry, Places

# A list's service: `(session, dialect, params)` to the JSON envelope of one page.
ListPage = Callable[[Session, str, Any], dict[str, Any]]
# A list's filters as conditions: `(session, params)`, params a model of `filter_params`.
Filters = Callable[[Session, Any], list[ColumnElement[bool]]]
# The coordinates of the places a page's items name (GeoJSON of items with `locations`).
PlacesOf = Callable[[Session, list[str]], Places]
# The JSON-LD document of a page's items: `(items, base_url=...)`.
JsonLd = Callable[..., dict[str, Any]]


@dataclass(frozen=True)
class Collection:
    """One collection of items.

    - `name`: its one name, in paths (`/v1/claims`), stored facet counts, the deletion log,
      file names and the CLI (`claims`); `item_type`: what one item is called where items of
      every collection mix, the search index and its hits' `type`, and what a cursor is bound
      to (`claim`); `noun`: how the documentation speaks of one item.
    - `model`: its table (with `id` and `updated_at`); `item_schema`: one item as a list
      answers it; `title`: the SQL expression of an item's title (search hits).
    - `list_page`: the list's service; `list_params`: the list's parameters (filters, sort,
      paging, `format`); `export_params`: the same filters and sort, without paging;
      `sort_fields`: what `sort` takes.
    - `facets`: its facets (None: no facets endpoint).
    - `geometry`: where an item's place is, for GeoJSON (None: no GeoJSON); `places`: the
      coordinates of the places a page names (geometry `locations`).
    - `jsonld`: the JSON-LD document of a page (None: no JSON-LD).
    - `filter_params`: the model of its filters alone; `filters`: those filters as SQL
      conditions on `model` (what the list applies, without `q` and `updated_since`).
    - `queryables`: what a filter expression may compare, each a filter parameter;
      `temporal`: the property that is its items' date (a `period` queryable), if any.
    - `place_link`: where an item's places are, as (item column, place column): the link
      table's for geometry `locations` (one feature per row), the item table's own otherwise
      (`Event.id, Event.location_id`; a place is its own: `Location.id, Location.id`).
    - `dates`: the columns of the first and last day of an item's date (its period).
    """

    name: str
    item_type: str
    noun: str
    model: Any
    item_schema: type[BaseModel]
    title: Any
    list_page: ListPage
    list_params: type[BaseModel]
    export_params: type[BaseModel]
    sort_fields: Mapping[str, SortField]
    facets: FacetSet | None = None
    geometry: Geometry | None = None
    places: PlacesOf | None = None
    jsonld: JsonLd | None = None
    filter_params: type[BaseModel] | None = None
    filters: Filters | None = None
    queryables: Mapping[str, Queryable] = field(default_factory=dict)
    temporal: str | None = None
    place_link: tuple[Any, Any] | None = None
    dates: tuple[Any, Any] | None = None
    formats: tuple[Format, ...] = field(init=False)

    def __post_init__(self) -> None:
        offered = [Format.json, Format.csv, Format.ndjson]
        if self.geometry is not None:
            offered.append(Format.geojson)
        if self.geometry == "locations" and self.places is None:
            raise ValueError(f"{self.name}: items with `locations` need `places` for GeoJSON")
        if self.jsonld is not None:
            offered.append(Format.jsonld)
        object.__setattr__(self, "formats", tuple(offered))
        # The list's `format` parameter is typed with the enum of what it offers (so the
        # document lists exactly those): it must be what the collection's fields say.
        declared = self.list_params.model_fields["format"].annotation
        enums = [arg for arg in get_args(declared) if isinstance(arg, type)]
        values = [member.value for enum in enums if issubclass(enum, Enum) for member in enum]
        if values != [f.value for f in offered]:
            raise ValueError(
                f"{self.name}: the list's `format` takes {values}, the collection offers "
                f"{[f.value for f in offered]}"
            )
        if self.temporal is not None and self.queryables[self.temporal].kind != "period":
            raise ValueError(f"{self.name}: `temporal` must name a period queryable")
        if self.geometry is not None and self.filters and self.place_link is None:
            raise ValueError(f"{self.name}: features need `place_link` (where its places are)")
        if (self.temporal is None) != (self.dates is None):
            raise ValueError(f"{self.name}: `temporal` and `dates` go together")
        for name, queryable in self.queryables.items():
            fields = self.filter_params.model_fields if self.filter_params else {}
            for param in (queryable.param, queryable.upper):
                if param is not None and param not in fields:
                    raise ValueError(f"{self.name}: queryable {name} names no filter {param}")
        if "id" not in self.sort_fields:
            raise ValueError(f"{self.name}: `id` must be a sort field (the keyset tie-breaker)")
