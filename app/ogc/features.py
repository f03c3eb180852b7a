"""The features of a collection, as OGC API - Features pages them: its `/v1` list (the same
filters, the same order, the same items) turned into features by the kit's GeoJSON, a page
of items at a time.

A collection whose items name several places (claims, media) has one feature per item and
place, so a page of `limit` features may end inside an item: the page token is the list's
cursor after the last item served whole, and how many features of the next item are already
served (`skip`). Runs off the event loop, in one session (`Database.run`).
"""

import base64
import binascii
import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, and_, func, select
from sqlalchemy.orm import Session

from app.core.collection import Collection
from app.core.http.errors import BadParameter, NotFound
from app.core.query.params import BBox, CountMode
from app.core.render.geojson import features
from app.models import Location
from app.shared.places import places_in_bbox

# `limit`: OGC's default; a larger value than the most is served as the most, not refused.
DEFAULT_LIMIT = 10
MAX_LIMIT = 500
# A token's `skip` counts features of one item (its places); more is no token of ours.
MAX_SKIP = 100_000
# Two list cursors (each bounded as the list bounds it) and two numbers, base64-encoded.
MAX_TOKEN_LENGTH = 3 * 16_384


@dataclass(frozen=True, slots=True)
class Token:
    """Where a page starts: after the list's `cursor` (None: at the start), `skip` features
    into the list page there."""

    cursor: str | None = None
    skip: int = 0


@dataclass(frozen=True)
class FeaturePage:
    features: list[dict[str, Any]]
    number_matched: int
    next: Token | None


def encode_token(token: Token, previous: Token | None) -> str:
    """The opaque `cursor` of a page: its start and the start of the page before it (for
    the `prev` link of the page it opens)."""
    payload: dict[str, Any] = {"c": token.cursor, "s": token.skip}
    if previous is not None:
        payload["p"] = [previous.cursor, previous.skip]
    raw = json.dumps(payload, separators=(",", ":")).encode("utf-8")
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def decode_token(text: str) -> tuple[Token, Token | None]:
    """A page's start and its previous page's start; a 400 naming `cursor` if it is not one
    of ours (the list's cursor inside is checked again by the list)."""
    try:
        if len(text) > MAX_TOKEN_LENGTH:
            raise ValueError("longer than any token of ours")
        payload = json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
        token = _token(payload["c"], payload["s"])
        previous = _token(*payload["p"]) if "p" in payload else None
    except (ValueError, KeyError, TypeError, binascii.Error, UnicodeError, RecursionError):
        raise BadParameter("cursor", "not a cursor this API issued; use the next link") from None
    return token, previous


def _token(cursor: Any, skip: Any) -> Token:
    if cursor is not None and not isinstance(cursor, str):
        raise TypeError("cursor")
    if isinstance(skip, bool) or not isinstance(skip, int) or not 0 <= skip <= MAX_SKIP:
        raise TypeError("skip")
    return Token(cursor, skip)


def _in_box(feature: dict[str, Any], box: BBox | None) -> bool:
    if box is None:
        return True
    geometry = feature["geometry"]
    if geometry is None:
        return False
    lon, lat = geometry["coordinates"]
    return box.holds(lon, lat)


def _features_by_item(
    session: Session, collection: Collection, items: list[dict[str, Any]], box: BBox | None
) -> list[list[dict[str, Any]]]:
    """Each item's features, in the list's order."""
    assert collection.geometry is not None
    places = {}
    if collection.geometry == "locations":
        assert collection.places is not None
        ids = sorted({ref["id"] for item in items for ref in item.get("locations") or []})
        places = collection.places(session, ids)
    # Items naming several places matched the box by one of them: keep the features inside.
    return [
        [found for found in features(collection.geometry, [item], places) if _in_box(found, box)]
        for item in items
    ]


def located_items(collection: Collection) -> ColumnElement[bool] | None:
    """With a feature per item and place, the items that name a place: every item of a page
    then gives a feature at least (an item naming none gives none)."""
    if collection.geometry != "locations":
        return None
    assert collection.place_link is not None
    item, _ = collection.place_link
    condition: ColumnElement[bool] = collection.model.id.in_(select(item))
    return condition


def number_matched(session: Session, collection: Collection, params: Any, box: BBox | None) -> int:
    """Features matching the filters (the list's, and the conditions added above them)."""
    assert collection.filters is not None
    assert collection.place_link is not None
    where = [*collection.filters(session, params), *params._also]
    if collection.geometry != "locations":
        counted = select(func.count()).select_from(collection.model).where(*where)
        return int(session.scalar(counted) or 0)
    item, place = collection.place_link
    matching = select(collection.model.id).where(*where)
    link = [item.in_(matching)]
    if box is not None:
        link.append(place.in_(places_in_bbox(box)))
    return int(session.scalar(select(func.count()).select_from(item.table).where(*link)) or 0)


def feature_page(
    session: Session,
    collection: Collection,
    dialect: str,
    params: Any,
    *,
    box: BBox | None,
    limit: int,
    start: Token,
) -> FeaturePage:
    """`limit` features from `start`: a list page of `limit` items (each gives a feature at
    least), and the next one if the page is not full. A page that ends inside an item is
    resumed after the item before it, `skip` features into it. `params` are the list's
    parameters (filters and added conditions)."""
    matched = number_matched(session, collection, params, box)
    found: list[dict[str, Any]] = []
    cursor, skip = start.cursor, start.skip
    while True:
        page = params.model_copy(update={"cursor": cursor, "limit": limit, "count": CountMode.none})
        body = collection.list_page(session, dialect, page)
        for index, features_of_item in enumerate(
            _features_by_item(session, collection, body["items"], box)
        ):
            # A token older than the data (an item that lost places since): skip what is left.
            first = min(skip, len(features_of_item)) if index == 0 else 0
            rest = features_of_item[first:]
            room = limit - len(found)
            if len(rest) > room:
                found.extend(rest[:room])
                after = (
                    cursor
                    if index == 0
                    else _cursor_after(session, collection, dialect, page, index)
                )
                return FeaturePage(found, matched, Token(after, first + room))
            found.extend(rest)
        if body["next_cursor"] is None:
            return FeaturePage(found, matched, None)
        cursor, skip = body["next_cursor"], 0
        if len(found) == limit:
            return FeaturePage(found, matched, Token(cursor, 0))


def _cursor_after(
    session: Session, collection: Collection, dialect: str, page: Any, items: int
) -> str:
    """The list's cursor after the first `items` items of `page` (which has more)."""
    shorter = page.model_copy(update={"limit": items})
    cursor = collection.list_page(session, dialect, shorter)["next_cursor"]
    assert cursor is not None
    return str(cursor)


def one_feature(
    session: Session, collection: Collection, dialect: str, params: Any, feature_id: str
) -> dict[str, Any]:
    """The feature `feature_id`: an item's id, or `{item id}/{place id}` for collections with
    a feature per item and place."""
    item_id, _, place_id = feature_id.partition("/")
    only = params.narrowed((collection.model.id == item_id,), f"item:{item_id}")
    body = collection.list_page(session, dialect, only.model_copy(update={"count": CountMode.none}))
    for features_of_item in _features_by_item(session, collection, body["items"], None):
        for feature in features_of_item:
            if feature["id"] == feature_id:
                return feature
    if collection.geometry == "locations" and not place_id and body["items"]:
        raise NotFound(
            f"{collection.name}: features are one per item and place, "
            f"`{item_id}/{{location id}}`; '{item_id}' alone is not one"
        )
    raise NotFound(f"no feature '{feature_id}' in {collection.name}")


# --- Extents: where and when the collection's items are ---------------------------------


@dataclass(frozen=True)
class Extent:
    bbox: tuple[float, float, float, float] | None
    first: dt.date | None
    last: dt.date | None


def extent_of(session: Session, collection: Collection) -> Extent:
    """The box around every located place the collection's features are at, and the first
    and last day of its items' dates."""
    assert collection.place_link is not None
    _, place = collection.place_link
    located = and_(Location.latitude.is_not(None), Location.longitude.is_not(None))
    row = session.execute(
        select(
            func.min(Location.longitude),
            func.min(Location.latitude),
            func.max(Location.longitude),
            func.max(Location.latitude),
        ).where(located, Location.id.in_(select(place)))
    ).one()
    bbox = None
    west, south, east, north = row
    if west is not None and south is not None and east is not None and north is not None:
        bbox = (float(west), float(south), float(east), float(north))
    first = last = None
    if collection.dates is not None:
        start, end = collection.dates
        first, last = session.execute(select(func.min(start), func.max(end))).one()
        first, last = _as_date(first), _as_date(last)
    return Extent(bbox, first, last)


def _as_date(value: Any) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])
