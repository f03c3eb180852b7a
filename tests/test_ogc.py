"""OGC API - Features at `/ogc`: the landing page, conformance, the API definition, the
collections, their features (paging, `bbox`, `datetime`, the collections' own filters, CQL2)
and queryables, in JSON and HTML; the same items in the same order as `/v1`. The clients GIS
users open it with (OWSLib, GDAL's OAPIF driver) are in tests/test_ogc_clients.py."""

import base64
import datetime as dt
import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import pytest
from fastapi.testclient import TestClient
from geojson_pydantic import Feature, FeatureCollection
from openapi_spec_validator import validate

from app.ogc.router import CONFORMANCE, CRS84
from tests.helpers import assert_problem, captured_statements

FEATURE_COLLECTIONS = ["locations", "claims", "media", "events"]
TALIBAN_SINCE_MONDAY = {
    "taliban-panjshir-surrounded/panjshir-valley",
    "taliban-panjshir-surrounded-summary/panjshir-valley",
    "taliban-panjshir-surrounded-summary/kabul",
}
STATED_ON_MONDAY = {
    "taliban-retook-three-districts",
    "taliban-panjshir-surrounded",
    "taliban-panjshir-surrounded-summary",
    "na-tajik-helicopter-photo",
}


def _local(href: str) -> str:
    parts = urlsplit(href)
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


def _get(client: TestClient, path: str, **params: Any) -> dict[str, Any]:
    # Only with parameters: httpx would replace the path's own query with empty ones.
    response = client.get(path, params=params) if params else client.get(path)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def _links(body: dict[str, Any], rel: str) -> list[dict[str, str]]:
    return [link for link in body["links"] if link["rel"] == rel]


def walk(client: TestClient, path: str, **params: Any) -> tuple[list[dict[str, Any]], int]:
    """Every feature, following `next` links; and the `numberMatched` of the pages."""
    found: list[dict[str, Any]] = []
    body = _get(client, path, **params)
    matched = body["numberMatched"]
    for _ in range(1000):
        found.extend(body["features"])
        assert body["numberReturned"] == len(body["features"])
        assert body["numberMatched"] == matched
        following = _links(body, "next")
        if not following:
            return found, matched
        body = _get(client, _local(following[0]["href"]))
    raise AssertionError("the next links did not end")


def v1_features(client: TestClient, name: str, **params: Any) -> list[str]:
    """The feature ids the `/v1` list stands for, in its order: an item's, or one per item
    and place it names."""
    ids: list[str] = []
    cursor = None
    while True:
        page = _get(client, f"/v1/{name}", limit=500, **params, **({"cursor": cursor} or {}))
        for item in page["items"]:
            if name in ("claims", "media"):
                ids.extend(f"{item['id']}/{place['id']}" for place in item["locations"])
            else:
                ids.append(item["id"])
        cursor = page["next_cursor"]
        if cursor is None:
            return ids


# --- Landing page, conformance, API definition (Core: /req/core/root-*, /req/core/conformance-*,
# /req/core/api-definition-*; OpenAPI 3.0: /req/oas30/*) ----------------------------------


def test_the_landing_page_links_the_definition_conformance_and_data(client: TestClient) -> None:
    for path in ("/ogc", "/ogc/"):
        body = _get(client, path)
        rels = {link["rel"]: link for link in body["links"]}
        assert {"self", "alternate", "service-desc", "service-doc", "conformance", "data"} <= set(
            rels
        )
        assert rels["service-desc"]["type"] == "application/vnd.oai.openapi+json;version=3.0"
        assert _local(rels["data"]["href"]) == "/ogc/collections"
        assert _local(rels["conformance"]["href"]) == "/ogc/conformance"
        assert rels["alternate"]["type"] == "text/html"
        assert body["title"] == "conflict-reports"


def test_conformance_declares_core_geojson_html_oas30_and_filtering(client: TestClient) -> None:
    declared = _get(client, "/ogc/conformance")["conformsTo"]
    assert declared == CONFORMANCE
    for name in ("core", "geojson", "html", "oas30"):
        assert f"http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/{name}" in declared
    assert "http://www.opengis.net/spec/cql2/1.0/conf/cql2-text" in declared


def test_the_api_definition_is_valid_openapi_30_with_every_feature_path(
    client: TestClient,
) -> None:
    response = client.get("/ogc/api")
    assert response.headers["content-type"] == "application/vnd.oai.openapi+json;version=3.0"
    document = response.json()
    assert document["openapi"] == "3.0.3"
    validate(document)  # raises on anything OpenAPI 3.0 does not allow
    for name in FEATURE_COLLECTIONS:
        for suffix in ("", "/items", "/items/{featureId}", "/queryables"):
            assert f"/ogc/collections/{name}{suffix}" in document["paths"], (name, suffix)
    items = document["paths"]["/ogc/collections/claims/items"]["get"]
    names = {parameter["name"] for parameter in items["parameters"]}
    assert {"limit", "bbox", "datetime", "filter", "filter-lang", "claimant_id"} <= names
    assert all(path.startswith("/ogc") for path in document["paths"])
    assert '"type": "null"' not in json.dumps(document)
    assert "const" not in json.dumps(document["components"])


# --- Collections (/req/core/fc-md-*, /req/core/sfc-md-*) -----------------------------------


def test_collections_list_the_four_with_extents_and_items_links(client: TestClient) -> None:
    body = _get(client, "/ogc/collections")
    documents = {document["id"]: document for document in body["collections"]}
    assert list(documents) == FEATURE_COLLECTIONS
    for name, document in documents.items():
        assert document == _get(client, f"/ogc/collections/{name}")
        assert document["itemType"] == "feature"
        assert document["crs"] == [CRS84]
        items = [link for link in document["links"] if link["rel"] == "items"]
        assert {link["type"] for link in items} == {"application/geo+json", "text/html"}
        west, south, east, north = document["extent"]["spatial"]["bbox"][0]
        assert west <= east
        assert south <= north
    # Kabul (69.2, 34.5) and Paris-region France (2.4, 46.6) lie in the claims' extent.
    west, south, east, north = documents["claims"]["extent"]["spatial"]["bbox"][0]
    assert west <= 2.4 <= east
    assert south <= 34.5 <= north
    first, last = documents["events"]["extent"]["temporal"]["interval"][0]
    assert last == "2021-08-24T23:59:59Z"
    assert first <= "2021-08-01T00:00:00Z"
    assert "temporal" not in documents["locations"]["extent"]


def test_an_unknown_collection_is_a_404_naming_the_collections(client: TestClient) -> None:
    for path in ("/ogc/collections/actors", "/ogc/collections/nope/items"):
        body = assert_problem(client.get(path), 404)
        assert "locations, claims, media, events" in body["detail"]


# --- Features: the /v1 lists, paged by next links (/req/core/fc-*, /req/geojson/*) ----------


@pytest.mark.parametrize("name", FEATURE_COLLECTIONS)
@pytest.mark.parametrize("limit", [1, 3, 10, 500])
def test_next_links_walk_every_feature_once_in_the_lists_order(
    client: TestClient, name: str, limit: int
) -> None:
    found, matched = walk(client, f"/ogc/collections/{name}/items", limit=limit)
    ids = [feature["id"] for feature in found]
    assert len(ids) == len(set(ids)), "a feature came twice"
    assert ids == v1_features(client, name)
    assert matched == len(ids)
    assert all(feature["type"] == "Feature" for feature in found)


def test_the_seed_has_the_features_the_lists_stand_for(client: TestClient) -> None:
    counts = {
        name: _get(client, f"/ogc/collections/{name}/items")["numberMatched"]
        for name in FEATURE_COLLECTIONS
    }
    assert counts == {"locations": 22, "claims": 25, "media": 18, "events": 6}
    assert counts["locations"] == _get(client, "/v1/locations")["total"]
    assert counts["events"] == _get(client, "/v1/events")["total"]


def test_prev_links_lead_back_to_the_page_before(client: TestClient) -> None:
    first = _get(client, "/ogc/collections/claims/items", limit=4)
    assert _links(first, "prev") == []
    second = _get(client, _local(_links(first, "next")[0]["href"]))
    third = _get(client, _local(_links(second, "next")[0]["href"]))
    assert _get(client, _local(_links(third, "prev")[0]["href"]))["features"] == second["features"]
    assert _get(client, _local(_links(second, "prev")[0]["href"]))["features"] == first["features"]


def test_a_page_has_self_alternate_and_its_numbers(client: TestClient) -> None:
    response = client.get("/ogc/collections/events/items", params={"limit": 2})
    assert response.headers["content-type"] == "application/geo+json"
    body = response.json()
    assert body["type"] == "FeatureCollection"
    assert body["numberReturned"] == 2
    assert body["numberMatched"] == 6
    generated = dt.datetime.fromisoformat(body["timeStamp"].replace("Z", "+00:00"))
    assert abs((dt.datetime.now(dt.UTC) - generated).total_seconds()) < 60
    assert list(body)[-1] == "timeStamp"
    assert _links(body, "self")[0]["type"] == "application/geo+json"
    assert _links(body, "alternate")[0]["type"] == "text/html"
    assert "last-modified" in response.headers
    feature = body["features"][0]
    assert feature["geometry"]["type"] == "Point"
    assert feature["properties"]["id"] == feature["id"]


def test_a_limit_above_the_most_is_served_as_the_most(client: TestClient) -> None:
    body = _get(client, "/ogc/collections/locations/items", limit=100_000)
    assert body["numberReturned"] == 22
    for wrong in ("0", "-1", "ten", "1.5"):
        assert_problem(
            client.get("/ogc/collections/claims/items", params={"limit": wrong}),
            400,
            parameter="limit",
        )


def test_the_collections_own_filters_are_parameters_of_items(client: TestClient) -> None:
    found, _ = walk(client, "/ogc/collections/claims/items", claimant_id="taliban", limit=2)
    assert [f["id"] for f in found] == v1_features(client, "claims", claimant_id="taliban")
    assert {f["properties"]["claimant"]["id"] for f in found} == {"taliban"}
    found, _ = walk(client, "/ogc/collections/events/items", min_fatalities=1)
    assert [f["id"] for f in found] == v1_features(client, "events", min_fatalities=1)
    body = assert_problem(
        client.get("/ogc/collections/claims/items", params={"nonsense": "1"}), 400
    )
    assert "nonsense" in body["detail"]


def test_one_feature_by_its_id(client: TestClient) -> None:
    path = "/ogc/collections/claims/items/taliban-panjshir-surrounded/panjshir-valley"
    feature = _get(client, path)
    assert feature["type"] == "Feature"
    # The slash percent-encoded (as the links write it, and OpenAPI wants a path parameter).
    assert _get(client, path.replace("surrounded/", "surrounded%2F")) == feature
    self_link = _links(feature, "self")[0]["href"]
    assert self_link.endswith("/items/taliban-panjshir-surrounded%2Fpanjshir-valley?f=json")
    assert feature["properties"]["location_id"] == "panjshir-valley"
    assert feature["geometry"]["coordinates"] == [69.6, 35.35]
    assert {link["rel"] for link in feature["links"]} >= {"self", "alternate", "collection"}
    assert _get(client, "/ogc/collections/locations/items/kabul")["properties"]["name"] == "Kabul"
    assert_problem(client.get("/ogc/collections/locations/items/atlantis"), 404)
    body = assert_problem(
        client.get("/ogc/collections/claims/items/taliban-panjshir-surrounded"), 404
    )
    assert "{location id}" in body["detail"]


# --- bbox, datetime (/req/core/fc-bbox-*, /req/core/fc-time-*) -----------------------------


def test_bbox_keeps_the_features_at_places_inside_it(client: TestClient) -> None:
    box = "69.0,35.0,70.5,36.0"
    found, matched = walk(client, "/ogc/collections/claims/items", bbox=box, limit=5)
    assert matched == len(found) == 16
    for feature in found:
        lon, lat = feature["geometry"]["coordinates"]
        assert 69.0 <= lon <= 70.5
        assert 35.0 <= lat <= 36.0
    # A claim about Kabul and the valley keeps its feature in the box only.
    ids = {feature["id"] for feature in found}
    assert "taliban-panjshir-surrounded-summary/panjshir-valley" in ids
    assert "taliban-panjshir-surrounded-summary/kabul" not in ids
    # With heights (six numbers), the same box.
    six = _get(client, "/ogc/collections/claims/items", bbox="69.0,35.0,0,70.5,36.0,100", limit=50)
    assert {f["id"] for f in six["features"]} == ids
    locations = _get(client, "/ogc/collections/locations/items", bbox=box, limit=50)
    assert {f["id"] for f in locations["features"]} == {
        item["id"] for item in _get(client, "/v1/locations", bbox=box, limit=500)["items"]
    }


def test_a_bad_bbox_or_another_crs_is_a_400(client: TestClient) -> None:
    for wrong in ("1,2,3", "a,b,c,d", "69,36,70,35", "0,95,1,96", "1,2,3,4,5", "181,0,182,1"):
        assert_problem(
            client.get("/ogc/collections/claims/items", params={"bbox": wrong}),
            400,
            parameter="bbox",
        )
    body = assert_problem(
        client.get(
            "/ogc/collections/claims/items",
            params={
                "bbox": "69,35,70,36",
                "bbox-crs": "http://www.opengis.net/def/crs/EPSG/0/3857",
            },
        ),
        400,
        parameter="bbox-crs",
    )
    assert CRS84 in body["detail"]
    assert (
        client.get(
            "/ogc/collections/claims/items", params={"bbox": "69,35,70,36", "bbox-crs": CRS84}
        ).status_code
        == 200
    )


@pytest.mark.parametrize(
    "value",
    [
        "2021-08-23",
        "2021-08-23T10:00:00Z",
        "2021-08-23T14:30:00+04:30",
        "2021-08-23/2021-08-23",
        "2021-08-23T00:00:00Z/2021-08-23T23:59:59Z",
    ],
)
def test_datetime_an_instant_or_a_closed_interval(client: TestClient, value: str) -> None:
    found, _ = walk(client, "/ogc/collections/claims/items", datetime=value, limit=100)
    # The month-only appeal ("August 2021") overlaps the day, as stated_from/to=that day.
    expected = v1_features(client, "claims", stated_from="2021-08-23", stated_to="2021-08-23")
    assert [feature["id"] for feature in found] == expected
    items = {feature["properties"]["id"] for feature in found}
    # Monday's claims that name a place (the three districts are named by no place).
    assert items == STATED_ON_MONDAY - {"taliban-retook-three-districts"} | {
        "massoud-appeal-to-the-french"
    }


def test_datetime_open_intervals_and_periods(client: TestClient) -> None:
    def ids(value: str, name: str = "claims") -> list[str]:
        return [f["id"] for f in walk(client, f"/ogc/collections/{name}/items", datetime=value)[0]]

    assert ids("../2020-12-31") == v1_features(client, "claims", stated_to="2020-12-31")
    assert ids("2021-08-24/..") == v1_features(client, "claims", stated_from="2021-08-24")
    assert ids("2021-08-24/") == ids("2021-08-24/..")
    assert ids("2021-08") == v1_features(
        client, "claims", stated_from="2021-08", stated_to="2021-08"
    )
    assert ids("2021", "events") == v1_features(client, "events", date_from="2021", date_to="2021")
    assert ids("2021-08-22/2021-08-24", "media") == v1_features(
        client, "media", posted_from="2021-08-22", posted_to="2021-08-24"
    )


def test_a_bad_datetime_is_a_400_and_places_meet_every_one(client: TestClient) -> None:
    for wrong in (
        "yesterday",
        "2021-08-24T10:00:00",
        "2021-09-01/2021-08-01",
        "../..",
        "a/b/c",
        "9999-12-31T23:00:00-05:00",
        "0001-01-01T00:30:00+01:00/..",
    ):
        for name in ("claims", "locations"):
            assert_problem(
                client.get(f"/ogc/collections/{name}/items", params={"datetime": wrong}),
                400,
                parameter="datetime",
            )
    # Places have no date: every location meets every (valid) datetime.
    every = _get(client, "/ogc/collections/locations/items", limit=500)["features"]
    dated = _get(client, "/ogc/collections/locations/items", datetime="2021", limit=500)
    assert dated["features"] == every


# --- Queryables and CQL2 filters (Part 3) ---------------------------------------------------


def test_queryables_are_a_json_schema_of_what_a_filter_compares(client: TestClient) -> None:
    response = client.get("/ogc/collections/claims/queryables")
    assert response.headers["content-type"] == "application/schema+json"
    schema = response.json()
    assert schema["type"] == "object"
    assert schema["$id"].endswith("/ogc/collections/claims/queryables")
    properties = schema["properties"]
    assert properties["kind"]["enum"][:2] == ["territorial_control", "casualties"]
    assert properties["stated_on"]["format"] == "date"
    assert properties["contested"]["type"] == "boolean"
    events = _get(client, "/ogc/collections/events/queryables")["properties"]
    assert events["fatalities"]["type"] == "integer"


@pytest.mark.parametrize(
    ("expression", "v1"),
    [
        ("claimant_id = 'taliban'", {"claimant_id": "taliban"}),
        ("'taliban' = claimant_id", {"claimant_id": "taliban"}),
        ("kind IN ('vow', 'negotiation')", {"kind": ["vow", "negotiation"]}),
        ("contested = true", {"contested": "true"}),
        ("stated_on >= DATE('2021-08-23')", {"stated_from": "2021-08-23"}),
        ("stated_on > DATE('2021-08-22')", {"stated_from": "2021-08-23"}),
        ("stated_on <= '2020'", {"stated_to": "2020"}),
        ("stated_on < DATE('2021-01-01')", {"stated_to": "2020-12-31"}),
        ("stated_on = '2021-08'", {"stated_from": "2021-08", "stated_to": "2021-08"}),
        (
            "stated_on BETWEEN DATE('2021-08-23') AND DATE('2021-08-24')",
            {"stated_from": "2021-08-23", "stated_to": "2021-08-24"},
        ),
        (
            "claimant_id = 'taliban' AND stated_on >= DATE('2021-08-23')",
            {"claimant_id": "taliban", "stated_from": "2021-08-23"},
        ),
        (
            "location_id = 'andarab' AND kind = 'military_action'",
            {"location_id": "andarab", "kind": "military_action"},
        ),
    ],
)
def test_a_cql2_filter_gives_what_the_same_v1_filters_give(
    client: TestClient, expression: str, v1: dict[str, Any]
) -> None:
    found, matched = walk(client, "/ogc/collections/claims/items", filter=expression, limit=7)
    assert [f["id"] for f in found] == v1_features(client, "claims", **v1)
    assert matched == len(found)


def test_cql2_or_and_not_combine_the_filters(client: TestClient) -> None:
    def ids(expression: str) -> set[str]:
        found, _ = walk(client, "/ogc/collections/claims/items", filter=expression, limit=500)
        return {feature["properties"]["id"] for feature in found}

    every = {f.split("/")[0] for f in v1_features(client, "claims")}
    taliban = {f.split("/")[0] for f in v1_features(client, "claims", claimant_id="taliban")}
    casualties = {f.split("/")[0] for f in v1_features(client, "claims", kind="casualties")}
    assert ids("claimant_id = 'taliban' OR kind = 'casualties'") == taliban | casualties
    assert ids("NOT claimant_id = 'taliban'") == every - taliban
    assert ids("claimant_id <> 'taliban'") == every - taliban
    assert ids("claimant_id NOT IN ('taliban')") == every - taliban
    assert (
        ids("NOT (claimant_id = 'taliban' OR kind = 'casualties')") == every - taliban - casualties
    )
    # An undated claim is outside every date range, so inside its negation.
    dated = {f.split("/")[0] for f in v1_features(client, "claims", stated_to="9999-12-31")}
    assert ids("NOT stated_on >= DATE('0001-01-01')") == every - dated
    assert ids("claimant_id = 'taliban' AND stated_on >= DATE('2021-08-23')") == {
        feature.split("/")[0] for feature in TALIBAN_SINCE_MONDAY
    }
    assert {
        f["id"]
        for f in walk(
            client,
            "/ogc/collections/claims/items",
            filter="claimant_id = 'taliban' AND stated_on >= DATE('2021-08-23')",
        )[0]
    } == TALIBAN_SINCE_MONDAY


def test_cql2_json_says_the_same(client: TestClient) -> None:
    expression = {
        "op": "and",
        "args": [
            {"op": "=", "args": [{"property": "claimant_id"}, "taliban"]},
            {"op": ">=", "args": [{"property": "stated_on"}, {"date": "2021-08-23"}]},
        ],
    }
    body = _get(
        client,
        "/ogc/collections/claims/items",
        filter=json.dumps(expression),
        **{"filter-lang": "cql2-json"},
        limit=50,
    )
    assert {f["id"] for f in body["features"]} == TALIBAN_SINCE_MONDAY


def test_filters_on_other_collections(client: TestClient) -> None:
    events = walk(client, "/ogc/collections/events/items", filter="fatalities >= 1")[0]
    assert [f["id"] for f in events] == v1_features(client, "events", min_fatalities=1)
    media = walk(client, "/ogc/collections/media/items", filter="kind = 'video'")[0]
    assert [f["id"] for f in media] == v1_features(client, "media", kind="video")
    places = walk(client, "/ogc/collections/locations/items", filter="kind = 'valley'")[0]
    assert [f["id"] for f in places] == v1_features(client, "locations", kind="valley")


@pytest.mark.parametrize(
    ("expression", "says"),
    [
        ("kind LIKE 'vow%'", "LIKE is not supported"),
        ("S_INTERSECTS(geometry, BBOX(69, 35, 70, 36))", "is not supported"),
        ("nonsense = 'x'", "nonsense is not a queryable of claims; queryables: claimant_id"),
        ("kind = 'nonsense'", "kind: 'nonsense'"),
        ("kind > 'vow'", "kind is compared with =, <> or IN"),
        ("contested = 'yes'", "contested is compared with = true or = false"),
        ("stated_on >= 'last week'", "stated_on is compared with a date"),
        ("kind = ", "is not CQL2 text"),
        ("kind = 'vow' AND", "is not CQL2 text"),
        ("(" * 60 + "kind = 'vow'" + ")" * 60, "nests more than 12 levels"),
        ("kind = kind", "a queryable on one side and a value on the other"),
    ],
)
def test_an_unsupported_or_malformed_filter_is_a_400_naming_it(
    client: TestClient, expression: str, says: str
) -> None:
    body = assert_problem(
        client.get("/ogc/collections/claims/items", params={"filter": expression}),
        400,
        parameter="filter",
    )
    assert says in body["detail"]


def test_filter_lang_and_crs_are_checked(client: TestClient) -> None:
    assert_problem(
        client.get("/ogc/collections/claims/items", params={"filter-lang": "cql2-text"}),
        400,
        parameter="filter-lang",
    )
    assert_problem(
        client.get(
            "/ogc/collections/claims/items", params={"filter": "kind = 'vow'", "filter-lang": "x"}
        ),
        400,
        parameter="filter-lang",
    )
    assert_problem(
        client.get(
            "/ogc/collections/claims/items", params={"filter": "{", "filter-lang": "cql2-json"}
        ),
        400,
        parameter="filter",
    )


def test_a_cursor_is_bound_to_its_filter(client: TestClient) -> None:
    first = _get(client, "/ogc/collections/claims/items", filter="contested = false", limit=2)
    cursor = _local(_links(first, "next")[0]["href"]).split("cursor=")[1].split("&")[0]
    body = assert_problem(
        client.get(
            "/ogc/collections/claims/items",
            params={"filter": "contested = true", "limit": 2, "cursor": cursor},
        ),
        400,
        parameter="cursor",
    )
    assert "other filters" in body["detail"]
    assert_problem(
        client.get("/ogc/collections/claims/items", params={"cursor": "not-ours"}),
        400,
        parameter="cursor",
    )


# --- HTML (/req/html/*) ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/ogc",
        "/ogc/conformance",
        "/ogc/api",
        "/ogc/collections",
        "/ogc/collections/claims",
        "/ogc/collections/claims/items",
        "/ogc/collections/claims/items/taliban-panjshir-surrounded/panjshir-valley",
        "/ogc/collections/claims/queryables",
    ],
)
def test_every_resource_is_html_for_browsers_by_f_or_accept(client: TestClient, path: str) -> None:
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    by_accept = client.get(path, headers={"Accept": browser})
    by_f = client.get(path, params={"f": "html"})
    for response in (by_accept, by_f):
        assert response.status_code == 200, response.text
        assert response.headers["content-type"] == "text/html; charset=utf-8"
        assert "<!doctype html>" in response.text
        assert 'href="/static/reading/reading.css"' in response.text
        assert "http" not in response.text.split("<body>")[0].replace("http://testserver", "")
    assert by_accept.text == by_f.text
    as_json = client.get(path, params={"f": "json"}, headers={"Accept": browser})
    assert as_json.headers["content-type"] != "text/html; charset=utf-8"
    assert "accept" in by_accept.headers["vary"].lower()


def test_the_html_features_page_lists_features_and_links_the_next(client: TestClient) -> None:
    page = client.get("/ogc/collections/claims/items", params={"f": "html", "limit": 3}).text
    assert page.count("/ogc/collections/claims/items/") >= 3
    assert "of 25 matching features" in page
    assert 'rel="next"' in page
    assert _get(client, "/ogc/collections/claims/items", f="json")["numberMatched"] == 25
    assert_problem(client.get("/ogc", params={"f": "xml"}), 400, parameter="f")


# --- Caching and errors ---------------------------------------------------------------------


def test_feature_pages_have_etags_and_revalidate(client: TestClient) -> None:
    path = "/ogc/collections/claims/items?limit=5"
    first = client.get(path)
    tag = first.headers["etag"]
    # Weak: the page's features, not when it was generated (its timeStamp).
    assert tag.startswith('W/"')
    assert client.get(path).headers["etag"] == tag
    again = client.get(path, headers={"If-None-Match": tag})
    assert again.status_code == 304
    assert client.get(path + "&f=html").headers["etag"] != tag


@pytest.mark.parametrize("name", FEATURE_COLLECTIONS)
def test_every_page_and_feature_is_geojson(client: TestClient, name: str) -> None:
    """/req/geojson/content: a FeatureCollection and a Feature (RFC 7946), with links."""
    found, _ = walk(client, f"/ogc/collections/{name}/items", limit=7)
    page = _get(client, f"/ogc/collections/{name}/items", limit=500)
    FeatureCollection.model_validate(page)
    for feature in found[:5]:
        one = _get(client, f"/ogc/collections/{name}/items/{quote(feature['id'], safe='')}")
        Feature.model_validate(one)
        assert one["id"] == feature["id"]
        assert one["properties"] == feature["properties"]


def test_every_link_has_rel_and_type_and_unknown_parameters_are_a_400(client: TestClient) -> None:
    """/req/core/fc-rel-type and /req/core/query-param-unknown, on every resource."""
    paths = [
        "/ogc",
        "/ogc/conformance",
        "/ogc/collections",
        "/ogc/collections/media",
        "/ogc/collections/media/items",
        "/ogc/collections/media/items?limit=2",
        "/ogc/collections/locations/items/kabul",
        "/ogc/collections/media/queryables",
    ]
    for path in paths:
        body = _get(client, path)
        links = body.get("links", [])
        for document in body.get("collections", []):
            links = [*links, *document["links"]]
        for link in links:
            assert {"href", "rel", "type"} <= set(link), (path, link)
        bare = path.split("?")[0]
        assert_problem(client.get(bare, params={"srsName": "EPSG:4326"}), 400)
    queryables = client.get("/ogc/collections/media/queryables").json()
    assert queryables["additionalProperties"] is False


def test_a_box_across_the_antimeridian(client: TestClient) -> None:
    """minLon > maxLon: east of minLon and west of maxLon (RFC 7946 5.2), in /v1 and /ogc."""
    across = "60,30,-170,40"  # from 60 E eastwards over the antimeridian to 170 W
    expected = {
        item["id"]
        for item in _get(client, "/v1/locations", limit=500)["items"]
        if item["longitude"] is not None
        and (item["longitude"] >= 60 or item["longitude"] <= -170)
        and 30 <= item["latitude"] <= 40
    }
    assert expected
    assert {i["id"] for i in _get(client, "/v1/locations", bbox=across, limit=500)["items"]} == (
        expected
    )
    features = _get(client, "/ogc/collections/locations/items", bbox=across, limit=500)
    assert {f["id"] for f in features["features"]} == expected
    claims = walk(client, "/ogc/collections/claims/items", bbox=across, limit=500)[0]
    assert all(f["properties"]["location_id"] in expected for f in claims)
    assert _get(client, "/ogc/collections/claims/items", bbox="170,-20,-170,0")["features"] == []


@pytest.mark.parametrize(
    "expression",
    [
        "fatalities >= " + "-" * 3500 + "1",  # overflowed the parser's stack
        "NOT " * 13 + "contested = true",
        "(" * 13 + "contested = true" + ")" * 13,
        "fatalities >= 99999999999999999999999",
        "date = TIMESTAMP('9999-12-31T23:00:00-05:00')",
    ],
    ids=["signs", "nots", "brackets", "huge", "timestamp"],
)
def test_filters_that_would_crash_or_overflow_are_a_400(
    client: TestClient, expression: str
) -> None:
    assert_problem(
        client.get("/ogc/collections/events/items", params={"filter": expression}),
        400,
        parameter="filter",
    )


def test_a_filter_as_deep_as_allowed_runs_on_every_engine(client: TestClient) -> None:
    """Conditions nested as deep as allowed (MAX_DEPTH, the comparison included): SQLite's
    parser and SQLAlchemy's compiler take them."""
    nots = _get(client, "/ogc/collections/claims/items", filter="NOT " * 10 + "contested = true")
    assert (
        nots["numberMatched"]
        == _get(client, "/ogc/collections/claims/items", filter="contested = true")["numberMatched"]
    )
    nested = "(" * 11 + "contested = true OR kind = 'vow'" + ")" * 11
    assert _get(client, "/ogc/collections/claims/items", filter=nested)["numberMatched"] > 0
    # Brackets, signs and NOT inside a text literal are text.
    literal = "kind = '((((((((((((((NOT NOT NOT ---'"
    body = assert_problem(
        client.get("/ogc/collections/claims/items", params={"filter": literal}), 400
    )
    assert "Input should be" in body["detail"]  # not a kind: refused by the vocabulary


def test_nul_in_a_cql2_json_text_is_a_400(client: TestClient) -> None:
    expression = '{"op":"=","args":[{"property":"event_type"},"\\u0000"]}'
    body = assert_problem(
        client.get(
            "/ogc/collections/events/items",
            params={"filter": expression, "filter-lang": "cql2-json"},
        ),
        400,
        parameter="filter",
    )
    assert "NUL" in body["detail"]


@pytest.mark.parametrize("path", ["/ogc/collections/claims/items", "/v1/claims"])
def test_a_cursor_of_nested_json_is_a_400(client: TestClient, path: str) -> None:
    nested = base64.urlsafe_b64encode(b"[" * 20_000).decode().rstrip("=")
    for cursor in (nested, nested[:9000], "A" * 20_000):
        assert_problem(client.get(path, params={"cursor": cursor}), 400, parameter="cursor")


def test_a_forged_skip_costs_one_page(client: TestClient) -> None:
    """A token's `skip` counts features of one item: far more than an item has skips it."""
    forged = base64.urlsafe_b64encode(b'{"c":null,"s":99999}').decode().rstrip("=")
    with captured_statements() as statements:
        body = _get(client, "/ogc/collections/claims/items", limit=1, cursor=forged)
    assert len(statements) < 12
    assert body["numberReturned"] == 1
    assert body["features"][0]["id"] != v1_features(client, "claims")[0]


def test_the_requirements_table_names_tests_that_exist() -> None:
    """docs/maps.md maps every requirement to tests: each named test is one of these."""
    root = Path(__file__).resolve().parents[1]
    table = (root / "docs" / "maps.md").read_text(encoding="utf-8").split("## Requirements")[1]
    rows = [line for line in table.splitlines() if line.startswith("| `/req/")]
    requirements = {row.split("`")[1] for row in rows}
    core = {"root-op", "root-success", "conformance-op", "conformance-success", "fc-op"}
    assert {f"/req/core/{name}" for name in core} <= requirements
    assert {"/req/geojson/content", "/req/html/content", "/req/html/definition"} <= requirements
    assert len(rows) >= 37
    defined = set()
    for name in ("test_ogc.py", "test_ogc_clients.py"):
        source = (root / "tests" / name).read_text(encoding="utf-8")
        defined |= set(re.findall(r"^def (test_\w+)", source, re.MULTILINE))
    for row in rows:
        named = re.findall(r"`(test_[\w*]+)`", row)
        assert named, row
        for test in named:
            pattern = re.compile(test.replace("*", r"\w*") + "$")
            assert any(pattern.match(found) for found in defined), (test, row)
