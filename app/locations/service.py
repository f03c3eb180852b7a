import math
from typing import Any

from sqlalchemy import ColumnElement, case, func, literal, select
from sqlalchemy.orm import Session

from app.core.http.errors import NotFound
from app.core.query.listing import envelope, search_and_paginate
from app.core.query.pagination import SortField
from app.core.query.params import BBox, Near, parse_bbox, parse_near
from app.core.query.sync import updated_at_column
from app.models import Location, ReportLocation
from app.shared.places import in_bbox

# The collection's name and what one of its items is called (see `locations.collection`).
NAME = "locations"
ITEM_TYPE = "location"

EARTH_RADIUS_KM = 6371.0088

LOCATION_COLUMNS = (
    Location.id,
    Location.name,
    Location.kind,
    Location.latitude,
    Location.longitude,
    Location.precision,
    Location.parent_id,
    Location.country_code,
    Location.aliases,
    Location.description,
)

SORT_FIELDS = {
    "id": SortField(Location.id, "str"),
    "name": SortField(Location.name, "str"),
    "kind": SortField(Location.kind, "str"),
    "latitude": SortField(Location.latitude, "float", nullable=True),
    "longitude": SortField(Location.longitude, "float", nullable=True),
    "updated_at": SortField(Location.updated_at, "datetime"),
}


def location_item(row: Any) -> dict[str, Any]:
    """A place from a row with LOCATION_COLUMNS and `updated_at` (and `distance_km` with
    `near`)."""
    item = {column.key: row[column.key] for column in LOCATION_COLUMNS}
    item["updated_at"] = row["updated_at"]
    if "distance_km" in row:
        item["distance_km"] = round(row["distance_km"], 3)
    return item


def distance_km(latitude: Any, longitude: Any, near: Near) -> ColumnElement[float]:
    """Great-circle distance (haversine) from the `near` point, in SQL."""
    lat1, lon1 = math.radians(near.lat), math.radians(near.lon)
    dlat = (func.radians(latitude) - lat1) / 2
    dlon = (func.radians(longitude) - lon1) / 2
    inner = func.sin(dlat) * func.sin(dlat) + math.cos(lat1) * func.cos(
        func.radians(latitude)
    ) * func.sin(dlon) * func.sin(dlon)
    # Rounding can push `inner` a hair above 1, where asin is undefined.
    clamped = case((inner > 1.0, literal(1.0)), else_=inner)
    return 2 * EARTH_RADIUS_KM * func.asin(func.sqrt(clamped))


def near_box(near: Near) -> BBox:
    """A box that holds the circle, so an index narrows the rows before the exact distance."""
    dlat = math.degrees(near.km / EARTH_RADIUS_KM)
    cos_lat = math.cos(math.radians(near.lat))
    dlon = 180.0 if cos_lat < 1e-6 else min(180.0, dlat / cos_lat)
    return BBox(
        min_lon=max(-180.0, near.lon - dlon),
        min_lat=max(-90.0, near.lat - dlat),
        max_lon=min(180.0, near.lon + dlon),
        max_lat=min(90.0, near.lat + dlat),
    )


def location_filters(session: Session, params: Any) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = []
    if params.kind:
        where.append(Location.kind.in_(params.kind))
    if params.country:
        where.append(Location.country_code.in_([c.upper() for c in params.country]))
    if params.parent_id:
        where.append(Location.parent_id.in_(params.parent_id))
    if params.report_id:
        where.append(
            Location.id.in_(
                select(ReportLocation.location_id).where(
                    ReportLocation.report_id.in_(params.report_id)
                )
            )
        )
    if params.bbox:
        where.append(in_bbox(Location.latitude, Location.longitude, parse_bbox(params.bbox)))
    if params.near:
        near = parse_near(params.near)
        where.append(in_bbox(Location.latitude, Location.longitude, near_box(near)))
        where.append(distance_km(Location.latitude, Location.longitude, near) <= near.km)
    return where


def list_locations(session: Session, dialect: str, params: Any) -> dict[str, Any]:
    statement = select(*LOCATION_COLUMNS, updated_at_column(Location))
    where = location_filters(session, params)
    fields = dict(SORT_FIELDS)
    if params.near:
        distance = distance_km(Location.latitude, Location.longitude, parse_near(params.near))
        statement = statement.add_columns(distance.label("distance_km"))
        fields["distance"] = SortField(distance, "float")
    result = search_and_paginate(
        session,
        dialect,
        params,
        statement=statement,
        where=where,
        entity_type=ITEM_TYPE,
        id_column=Location.id,
        sort_fields=fields,
        default_sort="distance" if params.near else "id",
    )
    return envelope([location_item(row) for row in result.rows], result)


def location_detail(session: Session, *, location_id: str) -> dict[str, Any]:
    row = (
        session.execute(
            select(*LOCATION_COLUMNS, updated_at_column(Location)).where(Location.id == location_id)
        )
        .mappings()
        .first()
    )
    if row is None:
        raise NotFound(f"no location with id '{location_id}'")
    chain = (
        select(Location.id, Location.parent_id, literal(1).label("depth"))
        .where(Location.id == row["parent_id"])
        .cte("chain", recursive=True)
    )
    chain = chain.union_all(
        select(Location.id, Location.parent_id, (chain.c.depth + 1).label("depth")).join(
            chain, Location.id == chain.c.parent_id
        )
    )
    ancestors = session.execute(
        select(Location.id, Location.name, Location.kind)
        .join(chain, chain.c.id == Location.id)
        .order_by(chain.c.depth)
    ).mappings()
    children = session.execute(
        select(Location.id, Location.name, Location.kind)
        .where(Location.parent_id == location_id)
        .order_by(Location.id)
    ).mappings()
    return {
        **location_item(row),
        "ancestors": [dict(a) for a in ancestors],
        "children": [dict(c) for c in children],
    }
