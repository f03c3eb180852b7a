"""GeoJSON (RFC 7946) of a page of items: `[lon, lat]`, one feature per item, or per item and
place it names."""

from collections.abc import Sequence
from typing import Any, Literal

# Where an item's place is: `self` (the item is a place: `latitude`, `longitude`), `location`
# (one `location` object with coordinates), `locations` (refs to places: one feature per item
# and place, coordinates looked up for the page).
Geometry = Literal["self", "location", "locations"]

Places = dict[str, tuple[float | None, float | None]]


def _point(latitude: Any, longitude: Any) -> dict[str, Any] | None:
    if latitude is None or longitude is None:
        return None
    return {"type": "Point", "coordinates": [longitude, latitude]}


def features(
    geometry: Geometry, items: Sequence[dict[str, Any]], places: Places
) -> list[dict[str, Any]]:
    """GeoJSON features of a page's items (see `Geometry`)."""
    found: list[dict[str, Any]] = []
    for item in items:
        if geometry == "self":
            point = _point(item.get("latitude"), item.get("longitude"))
            found.append(_feature(item["id"], point, item))
        elif geometry == "location":
            location = item.get("location") or {}
            point = _point(location.get("latitude"), location.get("longitude"))
            found.append(_feature(item["id"], point, item))
        else:
            for ref in item.get("locations") or []:
                latitude, longitude = places.get(ref["id"], (None, None))
                found.append(
                    _feature(
                        f"{item['id']}/{ref['id']}",
                        _point(latitude, longitude),
                        {**item, "location_id": ref["id"]},
                    )
                )
    return found


def _feature(
    feature_id: str, geometry: dict[str, Any] | None, properties: dict[str, Any]
) -> dict[str, Any]:
    return {"type": "Feature", "id": feature_id, "geometry": geometry, "properties": properties}


def feature_collection(
    geometry: Geometry, items: Sequence[dict[str, Any]], places: Places
) -> dict[str, Any]:
    return {"type": "FeatureCollection", "features": features(geometry, items, places)}


def geojson_schema(item_schema: str, geometry: Geometry) -> dict[str, Any]:
    """The OpenAPI schema of a GeoJSON page of items of the schema named `item_schema`."""
    item_ref: dict[str, Any] = {"$ref": f"#/components/schemas/{item_schema}"}
    properties = item_ref
    if geometry == "locations":
        properties = {
            "allOf": [
                item_ref,
                {
                    "type": "object",
                    "properties": {
                        "location_id": {
                            "type": "string",
                            "description": "The place of this feature.",
                        }
                    },
                    "required": ["location_id"],
                },
            ]
        }
    point = {
        "type": "object",
        "properties": {
            "type": {"type": "string", "const": "Point"},
            "coordinates": {
                "type": "array",
                "items": {"type": "number"},
                "minItems": 2,
                "maxItems": 2,
                "description": "[longitude, latitude], WGS84 degrees.",
            },
        },
        "required": ["type", "coordinates"],
    }
    return {
        "type": "object",
        "properties": {
            "type": {"type": "string", "const": "FeatureCollection"},
            "features": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "type": {"type": "string", "const": "Feature"},
                        "id": {"type": "string"},
                        "geometry": {"oneOf": [point, {"type": "null"}]},
                        "properties": properties,
                    },
                    "required": ["type", "id", "geometry", "properties"],
                },
            },
        },
        "required": ["type", "features"],
    }


GEOMETRY_TEXT = {
    "self": "GeoJSON: one feature per place, id the place's id, its point `[lon, lat]` "
    "(null geometry where it is not located), properties the item.",
    "location": "GeoJSON: one feature per item, id the item's id, at its `location` (null "
    "geometry where it has none or the place is not located), properties the item.",
    "locations": "GeoJSON: one feature per item and place it names (`{item id}/{location "
    "id}`; an item naming no place has no feature), at that place (null geometry where it is "
    "not located), properties the item plus `location_id`.",
}
