"""OGC API - Features (Part 1: Core, GeoJSON, HTML, OpenAPI 3.0; Part 3: queryables and CQL2
filters) at `/ogc`, over the collections that have places: what QGIS, GDAL/OGR, ArcGIS and
OWSLib open with nothing but the landing page's address.

Nothing here queries on its own: a collection's features are its `/v1` list (its filters,
pagination and items) turned into GeoJSON by the kit (app.ogc.features), and a filter is
translated to the collection's own filters (app.ogc.cql). JSON for machines, HTML for
browsers, by `f=` or `Accept`.
"""

import datetime as dt
import re
from enum import StrEnum
from functools import partial
from typing import Annotated, Any
from urllib.parse import quote

import anyio
import orjson
from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, ConfigDict, Field, create_model, field_validator
from sqlalchemy.orm import Session

from app.catalog import COLLECTIONS
from app.core.collection import Collection
from app.core.db.deps import DatabaseDep
from app.core.http.caching import body_etag
from app.core.http.errors import BadParameter, NotFound
from app.core.http.negotiation import parse_accept
from app.core.http.openapi import openapi_30
from app.core.query.params import NUMBER, BBox, parse_bbox
from app.core.query.periods import period_bounds
from app.core.query.sync import last_modified, with_last_change
from app.core.render.html import templates_of
from app.core.schemas import problem_responses
from app.ogc import cql
from app.ogc.features import (
    DEFAULT_LIMIT,
    MAX_LIMIT,
    Extent,
    FeaturePage,
    Token,
    decode_token,
    encode_token,
    extent_of,
    feature_page,
    located_items,
    one_feature,
)

PREFIX = "/ogc"
TAG = "features (OGC API)"
router = APIRouter(prefix=PREFIX, tags=[TAG])

# The collections with places, in the catalog's order.
FEATURE_COLLECTIONS: tuple[Collection, ...] = tuple(
    c for c in COLLECTIONS if c.geometry is not None and c.filters is not None
)

CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
CRS84H = "http://www.opengis.net/def/crs/OGC/1.3/CRS84h"
GREGORIAN = "http://www.opengis.net/def/uom/ISO-8601/0/Gregorian"
OPENAPI_TYPE = "application/vnd.oai.openapi+json;version=3.0"
GEOJSON = "application/geo+json"
SCHEMA_JSON = "application/schema+json"

CONFORMANCE = [
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/html",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables-query-parameters",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/filter",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/features-filter",
    "http://www.opengis.net/spec/cql2/1.0/conf/cql2-text",
    "http://www.opengis.net/spec/cql2/1.0/conf/cql2-json",
]
# Not declared: Basic CQL2, which asks for every comparison (and IS NULL) on every
# queryable; a queryable here compares as its collection's filters can (docs/maps.md).

DESCRIPTIONS = {
    "locations": "A place: one feature per location, at its point.",
    "events": "What happened: one feature per event, at its place.",
    "claims": "Who said what: one feature per claim and place it is about "
    "(`{claim id}/{location id}`).",
    "media": "Photos, videos, maps and tweets: one feature per item and place it shows "
    "(`{media id}/{location id}`).",
}

API_DESCRIPTION = (
    "Locations, events, claims and media of conflict reports as OGC API - Features "
    "collections (Part 1: Core, GeoJSON, HTML, OpenAPI 3.0; Part 3: queryables and CQL2 "
    "filters). The features of a collection are the items of its `/v1` list, the same "
    "filters giving the same items in the same order; the whole API is described at "
    "`/openapi.json` (OpenAPI 3.1) and browsed at `/docs`."
)

templates = templates_of("app.ogc")


class BBoxCrs(StrEnum):
    """The coordinate systems a `bbox` may be given in: WGS84 longitude and latitude."""

    crs84 = CRS84
    crs84h = CRS84H


class FilterCrs(StrEnum):
    """The coordinate systems a filter's geometries may be given in."""

    crs84 = CRS84


class OgcFormat(StrEnum):
    """The representation of an OGC API resource: JSON (GeoJSON for features) or HTML."""

    json = "json"
    html = "html"


F_DESCRIPTION = (
    "`json` (GeoJSON for features, JSON Schema for queryables, OpenAPI 3.0 for the API "
    "definition) or `html`. Wins over `Accept` (`text/html` for HTML, anything else JSON)."
)


class FormatParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    f: OgcFormat | None = Field(default=None, description=F_DESCRIPTION)


def _wants_html(request: Request, given: OgcFormat | None) -> bool:
    if given is not None:
        return given is OgcFormat.html
    best_html = best_json = 0.0
    for media in parse_accept(request.headers.get("accept", "")):
        if (media.type, media.subtype) == ("text", "html"):
            best_html = max(best_html, media.q)
        elif media.subtype == "json" or media.subtype.endswith("+json") or media.subtype == "*":
            best_json = max(best_json, media.q)
    return best_html > 0 and best_html > best_json


def _url(request: Request, path: str, **query: str) -> str:
    base = str(request.base_url).rstrip("/")
    text = "&".join(f"{name}={value}" for name, value in query.items())
    return f"{base}{PREFIX}{path}" + (f"?{text}" if text else "")


def _link(href: str, rel: str, kind: str, title: str) -> dict[str, str]:
    return {"href": href, "rel": rel, "type": kind, "title": title}


def _self_links(request: Request, path: str, html: bool, json_type: str) -> list[dict[str, str]]:
    as_json = _link(_url(request, path, f="json"), "self", json_type, "This document")
    as_html = _link(_url(request, path, f="html"), "self", "text/html", "This document")
    if html:
        as_json = {**as_json, "rel": "alternate", "title": "This document as JSON"}
        return [as_html, as_json]
    as_html = {**as_html, "rel": "alternate", "title": "This document as HTML"}
    return [as_json, as_html]


def _json(body: Any, media_type: str = "application/json", **headers: str) -> Response:
    return Response(
        orjson.dumps(body), media_type=media_type, headers={"Vary": "Accept", **headers}
    )


def _html(context: dict[str, Any], **headers: str) -> HTMLResponse:
    defaults: dict[str, Any] = {
        "description": "",
        "trail": [],
        "collections": [],
        "features": None,
        "counts": "",
        "properties": [],
        "properties_heading": "Property",
        "conforms": [],
    }
    body = templates.get_template("page.html").render(**{**defaults, **context})
    return HTMLResponse(body, headers={"Vary": "Accept", **headers})


HTML_OR_JSON: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "JSON, or HTML for browsers (`f=html` or `Accept: text/html`).",
        "content": {"application/json": {"schema": {"type": "object"}}, "text/html": {}},
    }
}


ITEMS_ANSWER = (
    "A GeoJSON FeatureCollection with `numberMatched`, `numberReturned`, `links` (`self`, "
    "`alternate`, `next`, `prev`) and `timeStamp` (when the answer was generated; its weak "
    "ETag leaves it out, so an unchanged page revalidates); or HTML."
)


def _answers(description: str, media_type: str, *problems: int) -> dict[int | str, dict[str, Any]]:
    """A route's documented answers: a 200 in `media_type` or HTML, and its problems."""
    ok = {
        "description": description,
        "content": {media_type: {"schema": {"type": "object"}}, "text/html": {}},
    }
    return {200: ok, **problem_responses(*problems)}


# --- Landing page, conformance, API definition ------------------------------------------


@router.get("", summary="Landing page", responses={**HTML_OR_JSON, **problem_responses(400)})
async def landing(request: Request, params: Annotated[FormatParams, Query()]) -> Response:
    """What this service is and where its API definition, conformance and collections are."""
    html = _wants_html(request, params.f)
    links = [
        *_self_links(request, "", html, "application/json"),
        _link(_url(request, "/api"), "service-desc", OPENAPI_TYPE, "The API definition"),
        _link(_url(request, "/api", f="html"), "service-doc", "text/html", "The API documentation"),
        _link(_url(request, "/conformance"), "conformance", "application/json", "Conformance"),
        _link(_url(request, "/collections"), "data", "application/json", "The collections"),
    ]
    body = {
        "title": "conflict-reports",
        "description": "Conflict reports as features: places, events, and claims and media "
        "at the places they name, with every attribute of the API's JSON.",
        "links": links,
    }
    if html:
        return _html({**body, "title": "conflict-reports: features"})
    return _json(body)


# A landing page at `/ogc/` too: clients (OWSLib) add the slash before asking.
router.add_api_route("/", landing, methods=["GET"], include_in_schema=False)


@router.get(
    "/conformance",
    summary="The conformance classes implemented",
    responses={**HTML_OR_JSON, **problem_responses(400)},
)
async def conformance(request: Request, params: Annotated[FormatParams, Query()]) -> Response:
    """Part 1 (Core, GeoJSON, HTML, OpenAPI 3.0), Part 3 (queryables, filter) and CQL2."""
    html = _wants_html(request, params.f)
    links = _self_links(request, "/conformance", html, "application/json")
    if html:
        return _html({"title": "Conformance", "conforms": CONFORMANCE, "links": links})
    return _json({"conformsTo": CONFORMANCE, "links": links})


@router.get(
    "/api",
    summary="The API definition (OpenAPI 3.0)",
    responses=_answers(
        "The `/ogc` part of the API's OpenAPI document, as OpenAPI 3.0.", OPENAPI_TYPE, 400
    ),
)
async def api_definition(request: Request, params: Annotated[FormatParams, Query()]) -> Response:
    """This service's operations as OpenAPI 3.0 (the whole API's document, 3.1, is at
    `/openapi.json`; Swagger UI at `/docs`)."""
    if _wants_html(request, params.f):
        links = _self_links(request, "/api", True, OPENAPI_TYPE)
        links.append(_link("/docs", "service-doc", "text/html", "Swagger UI (the whole API)"))
        return _html(
            {
                "title": "API definition",
                "description": "The operations of this service, as OpenAPI 3.0; every "
                "operation of the API is in Swagger UI.",
                "links": links,
            }
        )
    # Built once per app (a deep copy and a walk of the whole document: milliseconds).
    body: bytes | None = getattr(request.app.state, "ogc_api_document", None)
    if body is None:
        document = openapi_30(
            request.app.openapi(),
            prefix=PREFIX,
            title="conflict-reports: OGC API - Features",
            description=API_DESCRIPTION,
        )
        body = request.app.state.ogc_api_document = orjson.dumps(document)
    return Response(body, media_type=OPENAPI_TYPE, headers={"Vary": "Accept"})


# --- Collections --------------------------------------------------------------------------


def _extents(session: Session) -> dict[str, Extent]:
    return {c.name: extent_of(session, c) for c in FEATURE_COLLECTIONS}


def _instant(day: dt.date, end: bool) -> str:
    return f"{day.isoformat()}T{'23:59:59' if end else '00:00:00'}Z"


def _collection_document(
    request: Request, collection: Collection, extent: Extent
) -> dict[str, Any]:
    name = collection.name
    links = [
        _link(_url(request, f"/collections/{name}"), "self", "application/json", "This collection"),
        _link(
            _url(request, f"/collections/{name}", f="html"),
            "alternate",
            "text/html",
            "This collection as HTML",
        ),
        _link(_url(request, f"/collections/{name}/items"), "items", GEOJSON, "Its features"),
        _link(
            _url(request, f"/collections/{name}/items", f="html"),
            "items",
            "text/html",
            "Its features as HTML",
        ),
        _link(
            _url(request, f"/collections/{name}/queryables"),
            "http://www.opengis.net/def/rel/ogc/1.0/queryables",
            SCHEMA_JSON,
            "What a filter may compare",
        ),
    ]
    spatial: dict[str, Any] = {"crs": CRS84}
    if extent.bbox is not None:
        spatial["bbox"] = [list(extent.bbox)]
    body: dict[str, Any] = {
        "id": name,
        "title": name.capitalize(),
        "description": DESCRIPTIONS.get(name, ""),
        "itemType": "feature",
        "crs": [CRS84],
        "storageCrs": CRS84,
        "extent": {"spatial": spatial},
        "links": links,
    }
    if extent.first is not None and extent.last is not None:
        body["extent"]["temporal"] = {
            "interval": [[_instant(extent.first, False), _instant(extent.last, True)]],
            "trs": GREGORIAN,
        }
    return body


def _extent_text(document: dict[str, Any]) -> str:
    parts = []
    box = document["extent"]["spatial"].get("bbox")
    if box:
        parts.append(
            "lon {:.2f} to {:.2f}, lat {:.2f} to {:.2f}".format(*box[0][::2], *box[0][1::2])
        )
    temporal = document["extent"].get("temporal")
    if temporal:
        first, last = temporal["interval"][0]
        parts.append(f"{first[:10]} to {last[:10]}")
    return "; ".join(parts)


@router.get(
    "/collections",
    summary="The feature collections",
    responses={**HTML_OR_JSON, **problem_responses(400)},
)
async def collections(
    request: Request, params: Annotated[FormatParams, Query()], db: DatabaseDep
) -> Response:
    """Locations, events, claims and media, each with its extent in space and time."""
    html = _wants_html(request, params.f)
    extents, changed = await db.run(with_last_change(_extents, db.changes))
    documents = [_collection_document(request, c, extents[c.name]) for c in FEATURE_COLLECTIONS]
    links = _self_links(request, "/collections", html, "application/json")
    headers = last_modified(changed)
    if html:
        rows = [
            {
                "title": document["title"],
                "description": document["description"],
                "extent": _extent_text(document),
                "href": _url(request, f"/collections/{document['id']}", f="html"),
                "features_href": _url(request, f"/collections/{document['id']}/items", f="html"),
                "json": _url(request, f"/collections/{document['id']}", f="json"),
            }
            for document in documents
        ]
        return _html(
            {
                "title": "Collections",
                "description": "Each collection's features carry the API's JSON of the item "
                "as their properties.",
                "collections": rows,
                "links": links,
                "trail": [{"href": _url(request, "", f="html"), "title": "Features"}],
            },
            **headers,
        )
    return _json({"collections": documents, "links": links}, **headers)


# --- One collection's routes --------------------------------------------------------------

_FOUR_OR_SIX = "^" + ",".join([NUMBER] * 4) + "$|^" + ",".join([NUMBER] * 6) + "$"
DATETIME_DESCRIPTION = (
    "Features whose date meets this instant or interval (RFC 3339): `2021-08-24`, "
    "`2021-08-24T10:00:00Z` (its day), `2021-08-01/2021-08-31`, `2021-08-01/..`, "
    "`../2021-08-31`; a month (`2021-08`) or a year (`2021`) is the period it names. A date "
    "known only to its month or year meets an interval its period overlaps; an undated item "
    "meets none. Places have no date: on locations every feature meets it."
)


class ItemsParams(BaseModel):
    """What every collection's `items` takes, before the collection's own filters."""

    model_config = ConfigDict(extra="forbid", populate_by_name=False)

    f: OgcFormat | None = Field(default=None, description=F_DESCRIPTION)
    limit: int = Field(
        default=DEFAULT_LIMIT,
        ge=1,
        description=f"Features per page, default {DEFAULT_LIMIT}, at most {MAX_LIMIT}: a larger "
        "value is served as the most (OGC API - Features), not refused.",
    )
    bbox: str | None = Field(
        default=None,
        description="`minLon,minLat,maxLon,maxLat` in WGS84 degrees (CRS84), or six numbers "
        "with heights (ignored). Features at a place inside the box; places without "
        "coordinates never are.",
        json_schema_extra={"pattern": _FOUR_OR_SIX},
        examples=["69.0,35.0,70.5,36.0"],
    )
    bbox_crs: BBoxCrs | None = Field(
        default=None,
        alias="bbox-crs",
        description=f"Only `{CRS84}` (the default; with heights `{CRS84H}`) is served: any "
        "other is a 400.",
    )
    cursor: str | None = Field(
        default=None, description="Opaque: where a page starts (follow the `next` link)."
    )
    filter: str | None = Field(
        default=None,
        description="A CQL2 expression over the collection's queryables (`/queryables`): "
        "comparisons (`=`, `<>`, `<`, `<=`, `>`, `>=`, `BETWEEN`, `IN`) joined by `AND`, "
        "`OR`, `NOT` and parentheses, as in `kind = 'territorial_control' AND stated_on >= "
        "DATE('2021-08-23')`. Anything else (`LIKE`, spatial or temporal functions) is a 400.",
        max_length=cql.MAX_FILTER_LENGTH,
        examples=["claimant_id = 'taliban' AND stated_on >= DATE('2021-08-23')"],
    )
    filter_lang: cql.FilterLang | None = Field(
        default=None,
        alias="filter-lang",
        description="The language of `filter`: `cql2-text` (default) or `cql2-json`.",
    )
    filter_crs: FilterCrs | None = Field(
        default=None,
        alias="filter-crs",
        description=f"Only `{CRS84}`: filters compare no geometry.",
    )

    @field_validator("bbox")
    @classmethod
    def _valid_bbox(cls, value: str | None) -> str | None:
        if value is not None:
            _box(value)
        return value


class DatetimeParam(BaseModel):
    datetime: str | None = Field(
        default=None, description=DATETIME_DESCRIPTION, examples=["2021-08-23/2021-08-24"]
    )


def _box(text: str) -> BBox:
    numbers = text.split(",")
    if len(numbers) == 6:  # with heights: minLon,minLat,minH,maxLon,maxLat,maxH
        numbers = [numbers[0], numbers[1], numbers[3], numbers[4]]
    return parse_bbox(",".join(numbers))


# Parameters of the list that are not features' filters (paging, format, search, sync) or
# that `items` says its own way (`bbox`), and `near`, which orders by distance.
_NOT_FILTERS = frozenset({"bbox", "near"})


def items_params(collection: Collection) -> type[BaseModel]:
    """The model of a collection's `items` parameters: OGC's, and the collection's own
    filters (the list's, but for `bbox`, which OGC's takes over, and `near`)."""
    assert collection.filter_params is not None
    bases: tuple[type[BaseModel], ...] = (ItemsParams, DatetimeParam)
    own: dict[str, Any] = {
        name: (info.annotation, info)
        for name, info in collection.filter_params.model_fields.items()
        if name not in _NOT_FILTERS
    }
    return create_model(
        f"{collection.name.capitalize()}FeatureParams",
        __base__=bases,
        __module__=__name__,
        **own,
    )


_DAY_OR_TIME = re.compile(r"\d{4}-\d{2}-\d{2}[Tt ].+")


def _moment(text: str, end: bool) -> dt.date | None:
    """One end of `datetime`: `..` or empty (open), a date or a period, an RFC 3339 time."""
    if text in ("", ".."):
        return None
    if _DAY_OR_TIME.fullmatch(text):
        try:
            moment = dt.datetime.fromisoformat(text.replace("z", "Z").replace("Z", "+00:00"))
        except ValueError:
            moment = None
        if moment is not None and moment.tzinfo is not None:
            try:
                return moment.astimezone(dt.UTC).date()
            except OverflowError:
                raise BadParameter("datetime", f"{text!r} is beyond the calendar in UTC") from None
        raise BadParameter(
            "datetime", f"{text!r} is not an RFC 3339 time with its zone (2021-08-24T10:00:00Z)"
        )
    try:
        first, last = period_bounds(text)
    except ValueError:
        raise BadParameter(
            "datetime",
            f"{text!r} is not a date, a time or an interval: 2021-08-24, "
            "2021-08-24T10:00:00Z, 2021-08-01/2021-08-31, 2021-08-01/.., ../2021-08-31",
        ) from None
    return last if end else first


def parse_datetime(text: str) -> tuple[dt.date | None, dt.date | None]:
    """The first and last day `datetime` asks for (None: open)."""
    if "/" in text:
        low, _, high = text.partition("/")
        if "/" in high:
            raise BadParameter("datetime", "an interval has one `/`")
        first, last = _moment(low, False), _moment(high, True)
        if first is None and last is None:
            raise BadParameter("datetime", "an interval needs at least one end (`../..` has none)")
        if first is not None and last is not None and first > last:
            raise BadParameter("datetime", f"the interval ends ({last}) before it starts ({first})")
        return first, last
    first, last = _moment(text, False), _moment(text, True)
    if first is None:
        raise BadParameter("datetime", "an instant is a date or a time, not `..`")
    return first, last


def _label(properties: dict[str, Any]) -> str:
    for key in ("name", "title", "statement", "caption"):
        value = properties.get(key)
        if isinstance(value, str):
            return value if len(value) <= 160 else value[:157] + "…"
    return ""


def _point_text(geometry: dict[str, Any] | None) -> str:
    if geometry is None:
        return "not located"
    lon, lat = geometry["coordinates"]
    return f"{lon:.4f}, {lat:.4f}"


def add_collection_routes(collection: Collection) -> None:
    """The collection's description, features, one feature and queryables."""
    name = collection.name
    base = f"/collections/{name}"
    Params = items_params(collection)
    filter_names = [n for n in Params.model_fields if n not in ItemsParams.model_fields]
    filter_names = [n for n in filter_names if n != "datetime"]

    async def describe(
        request: Request, params: Annotated[FormatParams, Query()], db: DatabaseDep
    ) -> Response:
        extent, changed = await db.run(
            with_last_change(partial(_one_extent, collection=collection), db.changes)
        )
        document = _collection_document(request, collection, extent)
        headers = last_modified(changed)
        if _wants_html(request, params.f):
            return _html(
                {
                    "title": document["title"],
                    "description": f"{document['description']} {_extent_text(document)}",
                    "links": document["links"],
                    "trail": _trail(request),
                },
                **headers,
            )
        return _json(document, **headers)

    async def items(
        request: Request,
        params: Annotated[Params, Query()],  # type: ignore[valid-type]
        db: DatabaseDep,
    ) -> Response:
        return await _items(request, params, db, collection, filter_names)

    async def item(
        request: Request,
        feature_id: Annotated[
            str,
            Path(
                alias="featureId",
                description="A feature's id: the item's, or `{item id}/{location id}` where "
                "an item has a feature per place.",
            ),
        ],
        params: Annotated[FormatParams, Query()],
        db: DatabaseDep,
    ) -> Response:
        html = _wants_html(request, params.f)
        list_params = collection.list_params.model_validate({})
        feature, changed = await db.run(
            with_last_change(one_feature, db.changes),
            collection,
            db.dialect,
            list_params,
            feature_id,
        )
        path = f"{base}/items/{quote(feature['id'], safe='')}"
        links = [
            *_self_links(request, path, html, GEOJSON),
            _link(_url(request, base), "collection", "application/json", "The collection"),
        ]
        headers = last_modified(changed)
        if html:
            properties = [(key, _shown(value)) for key, value in feature["properties"].items()]
            return _html(
                {
                    "title": _label(feature["properties"]) or feature["id"],
                    "description": f"Feature {feature['id']} at "
                    f"{_point_text(feature['geometry'])}.",
                    "properties": properties,
                    "links": links,
                    "trail": [
                        *_trail(request),
                        {
                            "href": _url(request, f"{base}/items", f="html"),
                            "title": name.capitalize(),
                        },
                    ],
                },
                **headers,
            )
        return _json({**feature, "links": links}, GEOJSON, **headers)

    async def queryables(request: Request, params: Annotated[FormatParams, Query()]) -> Response:
        url = _url(request, f"{base}/queryables")
        schema = {
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "$id": url,
            "type": "object",
            "title": f"{name.capitalize()}: what a filter may compare",
            "properties": {key: q.json_schema() for key, q in collection.queryables.items()},
            "additionalProperties": False,
        }
        links = _self_links(
            request, f"{base}/queryables", _wants_html(request, params.f), SCHEMA_JSON
        )
        if _wants_html(request, params.f):
            rows = [
                (key, f"{q.description} ({', '.join(q.operators())})")
                for key, q in collection.queryables.items()
            ]
            return _html(
                {
                    "title": f"{name.capitalize()}: queryables",
                    "description": "The properties a `filter` may compare, with the "
                    "comparisons each takes.",
                    "properties": rows,
                    "properties_heading": "Queryable",
                    "links": links,
                    "trail": _trail(request),
                }
            )
        return _json(schema, SCHEMA_JSON)

    title = name.capitalize()
    router.add_api_route(
        base,
        describe,
        methods=["GET"],
        summary=f"{title}: the collection",
        description=f"{DESCRIPTIONS.get(name, '')} With its extent in space and time.",
        responses={**HTML_OR_JSON, **problem_responses(400)},
        operation_id=f"ogc_{name}_collection",
    )
    router.add_api_route(
        f"{base}/items",
        items,
        methods=["GET"],
        summary=f"{title}: features",
        description=f"{DESCRIPTIONS.get(name, '')} The same items, in the same order, as "
        f"`/v1/{name}` with the same filters; each feature's properties are the item's JSON.",
        responses=_answers(ITEMS_ANSWER, GEOJSON, 400),
        operation_id=f"ogc_{name}_items",
    )
    router.add_api_route(
        f"{base}/items/{{featureId:path}}",
        item,
        methods=["GET"],
        summary=f"{title}: one feature",
        description=f"{DESCRIPTIONS.get(name, '')} One feature, by its id, with its links.",
        responses=_answers("A GeoJSON Feature with `links`; or HTML.", GEOJSON, 400, 404),
        operation_id=f"ogc_{name}_item",
    )
    router.add_api_route(
        f"{base}/queryables",
        queryables,
        methods=["GET"],
        summary=f"{title}: queryables",
        description="The properties a `filter` may compare, as a JSON Schema.",
        responses=_answers("A JSON Schema of the queryables; or HTML.", SCHEMA_JSON, 400),
        operation_id=f"ogc_{name}_queryables",
    )


def _shown(value: Any) -> str:
    if isinstance(value, str):
        return value
    return orjson.dumps(value).decode()


def _trail(request: Request) -> list[dict[str, str]]:
    return [
        {"href": _url(request, "", f="html"), "title": "Features"},
        {"href": _url(request, "/collections", f="html"), "title": "Collections"},
    ]


def _one_extent(session: Session, *, collection: Collection) -> Extent:
    return extent_of(session, collection)


def _filter_key(params: Any) -> str:
    """What, beyond the list's filters, the page's conditions come from: its cursors are
    bound to it."""
    lang = params.filter_lang or cql.FilterLang.cql2_text
    parts = [
        getattr(params, "datetime", None) or "",
        lang.value if params.filter else "",
        params.filter or "",
    ]
    return "\x1f".join(parts) if any(parts) else ""


def _conditions(
    session: Session, collection: Collection, params: Any, interval: Any
) -> tuple[Any, ...]:
    found = []
    located = located_items(collection)
    if located is not None:
        found.append(located)
    if interval is not None:
        assert collection.temporal is not None
        queryable = collection.queryables[collection.temporal]
        assert queryable.upper is not None
        assert collection.filter_params is not None
        first, last = interval
        bounds = {queryable.param: first, queryable.upper: last}
        model = collection.filter_params.model_validate({k: v for k, v in bounds.items() if v})
        assert collection.filters is not None
        found.extend(collection.filters(session, model))
    if params.filter:
        node = cql.parse(params.filter, params.filter_lang or cql.FilterLang.cql2_text)
        found.append(cql.conditions(session, collection, node))
    return tuple(found)


def _page(
    session: Session,
    collection: Collection,
    dialect: str,
    list_params: Any,
    params: Any,
    interval: Any,
    box: BBox | None,
    limit: int,
    start: Token,
) -> FeaturePage:
    conditions = _conditions(session, collection, params, interval)
    narrowed = list_params.narrowed(conditions, _filter_key(params))
    return feature_page(session, collection, dialect, narrowed, box=box, limit=limit, start=start)


async def _items(
    request: Request, params: Any, db: Any, collection: Collection, filter_names: list[str]
) -> Response:
    html = _wants_html(request, params.f)
    if params.filter_lang is not None and not params.filter:
        raise BadParameter("filter-lang", "is given without a filter")
    box = _box(params.bbox) if params.bbox else None
    interval = None
    if params.datetime:
        interval = parse_datetime(params.datetime)
        if collection.temporal is None:
            # Nothing here has a date: every feature meets every datetime (Part 1 1.0.1,
            # /req/core/fc-time-response C), once the value is checked.
            interval = None
    limit = min(params.limit, MAX_LIMIT)
    start, previous = decode_token(params.cursor) if params.cursor else (Token(), None)
    given = {n: getattr(params, n) for n in filter_names if n in params.model_fields_set}
    if box is not None:
        given["bbox"] = f"{box.min_lon},{box.min_lat},{box.max_lon},{box.max_lat}"
    list_params = collection.list_params.model_validate(given)
    page, changed = await db.run(
        with_last_change(_page, db.changes),
        collection,
        db.dialect,
        list_params,
        params,
        interval,
        box,
        limit,
        start,
    )
    return await anyio.to_thread.run_sync(
        partial(_items_answer, request, collection, page, changed, html, start, previous)
    )


def _page_url(request: Request, token: Token | None, previous: Token | None, f: str) -> str:
    url = request.url.remove_query_params(["cursor", "f"])
    query: dict[str, str] = {"f": f}
    if token is not None and token != Token():
        query["cursor"] = encode_token(token, previous)
    return str(url.include_query_params(**query))


def _items_answer(
    request: Request,
    collection: Collection,
    page: FeaturePage,
    changed: dt.datetime | None,
    html: bool,
    start: Token,
    previous: Token | None,
) -> Response:
    at = start if start != Token() else None
    kind, other = ("html", "json") if html else ("json", "html")
    types = {"json": GEOJSON, "html": "text/html"}
    links = [
        _link(_page_url(request, at, previous, kind), "self", types[kind], "This page"),
        _link(
            _page_url(request, at, previous, other),
            "alternate",
            types[other],
            f"This page as {other.upper()}",
        ),
    ]
    if page.next is not None:
        links.append(
            _link(_page_url(request, page.next, start, kind), "next", types[kind], "The next page")
        )
    if previous is not None:
        links.append(
            _link(
                _page_url(request, previous, None, kind), "prev", types[kind], "The previous page"
            )
        )
    links.append(
        _link(
            _url(request, f"/collections/{collection.name}"),
            "collection",
            "application/json",
            "The collection",
        )
    )
    headers = last_modified(changed)
    if html:
        base = f"/collections/{collection.name}/items"
        rows = [
            {
                "id": feature["id"],
                "href": _url(request, f"{base}/{quote(feature['id'], safe='')}", f="html"),
                "label": _label(feature["properties"]),
                "place": feature["properties"].get("location_id")
                or (feature["properties"].get("location") or {}).get("name", "")
                if collection.geometry != "self"
                else feature["properties"].get("name", ""),
                "point": _point_text(feature["geometry"]),
            }
            for feature in page.features
        ]
        return _html(
            {
                "title": f"{collection.name.capitalize()}: features",
                "description": DESCRIPTIONS.get(collection.name, ""),
                "features": rows,
                "counts": f"{len(rows)} of {page.number_matched} matching features on this page.",
                "links": links,
                "trail": [
                    *_trail(request),
                    {
                        "href": _url(request, f"/collections/{collection.name}", f="html"),
                        "title": collection.name.capitalize(),
                    },
                ],
            },
            **headers,
        )
    body: dict[str, Any] = {
        "type": "FeatureCollection",
        "features": page.features,
        "numberMatched": page.number_matched,
        "numberReturned": len(page.features),
        "links": links,
    }
    # The same features are the same page whenever it is generated: a weak tag of the page
    # without its `timeStamp` (when this answer was generated, last, to the second).
    headers["ETag"] = "W/" + body_etag(orjson.dumps(body))
    body["timeStamp"] = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return _json(body, GEOJSON, **headers)


for _collection in FEATURE_COLLECTIONS:
    add_collection_routes(_collection)


@router.get("/collections/{collection_id}", include_in_schema=False)
@router.get("/collections/{collection_id}/{rest:path}", include_in_schema=False)
async def unknown_collection(collection_id: str) -> Response:
    names = ", ".join(c.name for c in FEATURE_COLLECTIONS)
    raise NotFound(f"no feature collection '{collection_id}'; collections: {names}")
