"""Places as several resources use them: "in this place or below it", "inside this box", the
coordinates of the places a page names (GeoJSON) and counts by place (facets)."""

from typing import Any

from sqlalchemy import ColumnElement, Select, and_, or_, select
from sqlalchemy.orm import Session

from app.core.db.dialect import json_objects
from app.core.query.facets import Facet
from app.core.query.params import BBox
from app.core.render.geojson import Places
from app.models import Location


def with_descendants(location_ids: list[str]) -> Select[*tuple[Any, ...]]:
    """The given locations and every location below them (a recursive CTE)."""
    tree = select(Location.id).where(Location.id.in_(location_ids)).cte("tree", recursive=True)
    tree = tree.union_all(select(Location.id).where(Location.parent_id == tree.c.id))
    return select(tree.c.id)


def located_in(
    session: Session, column: Any, location_ids: list[str], *, include_sublocations: bool
) -> ColumnElement[bool]:
    """`column` is one of the places, or (with sublocations) anywhere below them.

    The tree is walked first, in a statement of its own, so the filter is a plain list of ids
    that each engine's planner costs correctly (a recursive CTE inside the page query makes
    PostgreSQL guess, and guess badly)."""
    if include_sublocations:
        location_ids = sorted(session.scalars(with_descendants(location_ids)))
    condition: ColumnElement[bool] = column.in_(location_ids)
    return condition


def in_bbox(latitude: Any, longitude: Any, box: BBox) -> ColumnElement[bool]:
    if box.crosses_antimeridian:
        # East of min_lon to 180, and from -180 to west of max_lon.
        across = or_(longitude >= box.min_lon, longitude <= box.max_lon)
        return and_(latitude.between(box.min_lat, box.max_lat), across)
    return and_(
        latitude.between(box.min_lat, box.max_lat),
        longitude.between(box.min_lon, box.max_lon),
    )


def places_in_bbox(box: BBox) -> Select[str]:
    """The ids of the places inside the box (places without coordinates never are)."""
    return select(Location.id).where(in_bbox(Location.latitude, Location.longitude, box))


def linked_in_bbox(item_id: Any, link_item: Any, link_place: Any, box: BBox) -> ColumnElement[bool]:
    """Items that name, through a link table, a place inside the box."""
    return item_id.in_(  # type: ignore[no-any-return]
        select(link_item).where(link_place.in_(places_in_bbox(box)))
    )


def coordinates_of(session: Session, location_ids: list[str]) -> Places:
    """`{id: (latitude, longitude)}` of the given places (a GeoJSON page's points)."""
    if not location_ids:
        return {}
    rows = session.execute(
        select(Location.id, Location.latitude, Location.longitude).where(
            Location.id.in_(location_ids)
        )
    )
    return {row.id: (row.latitude, row.longitude) for row in rows}


def places_facet(link: Any, owner_column: Any, item_id: Any) -> Facet:
    """Counts by place, through a link table (`link.location_id`, `owner_column`)."""
    return Facet(
        link.location_id,
        label=Location.name,
        joins=[
            (link, owner_column == item_id, False),
            (Location, Location.id == link.location_id, False),
        ],
        distinct=item_id,
    )


def places_with_roles_json(dialect: str, *, link: str, owner_column: str, owner: str) -> str:
    """The SQL of a page query's column holding, as JSON text, the places linked to the row's
    item `owner` (its id, as SQL) through the table `link`, in order, with their role."""
    return json_objects(
        dialect,
        fields=[("id", "l.id"), ("name", "l.name"), ("kind", "l.kind"), ("role", "cl.role")],
        source=f"{link} AS cl JOIN location AS l ON l.id = cl.location_id",
        where=f"cl.{owner_column} = {owner}",
        order_by="cl.position",
    )
