"""The formats of every collection's list: negotiation (format= and Accept), CSV that
round-trips the seed claims, NDJSON, GeoJSON in [lon, lat], the JSON-LD wiring, the paging
headers, and the formats the OpenAPI document declares."""

import csv
import datetime as dt
import io
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import orjson
import pytest
import yaml
from fastapi.testclient import TestClient
from geojson_pydantic import FeatureCollection
from sqlalchemy import Engine, text

from app.catalog import BY_NAME
from app.claims.schemas import ClaimOut
from app.core.render.csv import csv_columns, csv_header, csv_rows, escape_cell, unescape_cell
from app.core.render.ndjson import ndjson_rows
from app.main import create_app
from tests.conftest import SEED_FILE

COLLECTIONS = ["claims", "actors", "locations", "events", "media", "reports"]
GEO = {"claims", "locations", "events", "media"}
LINKED = {"claims", "reports"}


def _csv(response: Any) -> list[dict[str, str]]:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/csv; charset=utf-8; header=present"
    body = response.content.decode("utf-8")
    assert body.endswith("\r\n")
    return list(csv.DictReader(io.StringIO(body, newline="")))


def _items(client: TestClient, path: str) -> list[dict[str, Any]]:
    response = client.get(path)
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


# --- CSV -----------------------------------------------------------------------------------


def _split(cell: str) -> list[str]:
    return unescape_cell(cell).split("; ") if cell else []


def _number(cell: str) -> float:
    return float(cell)


def _optional(cell: str) -> str | None:
    return unescape_cell(cell) if cell else None


def _ref(row: dict[str, str], prefix: str) -> dict[str, str] | None:
    if not row[f"{prefix}_id"]:
        return None
    return {
        "id": unescape_cell(row[f"{prefix}_id"]),
        "name": unescape_cell(row[f"{prefix}_name"]),
        "kind": row[f"{prefix}_kind"],
    }


def _claim_from_row(row: dict[str, str]) -> dict[str, Any]:
    """A claim read back from its CSV row, by the documented rules (independently of the
    code that wrote it)."""
    quantities = []
    summaries = _split(row["quantities"])
    qualifiers = _split(row["quantities_qualifier"])
    texts = unescape_cell(row["quantities_text"]).split("; ") if summaries else []
    for summary, qualifier, words in zip(summaries, qualifiers, texts, strict=True):
        value, unit, counted = summary.split(" ", 2)
        quantities.append(
            {
                "value": float(value),
                "unit": unit,
                "counted": counted,
                "qualifier": qualifier,
                "text": words or None,
            }
        )

    def refs(prefix: str) -> list[dict[str, str]]:
        found = []
        names, kinds = _split(row[f"{prefix}_name"]), _split(row[f"{prefix}_kind"])
        for part, name, kind in zip(_split(row[prefix]), names, kinds, strict=True):
            ref_id, _, role = part.partition(" (")
            found.append({"id": ref_id, "name": name, "kind": kind, "role": role.removesuffix(")")})
        return found

    return {
        "id": row["id"],
        "report_id": row["report_id"],
        "claimant": _ref(row, "claimant"),
        "quote": unescape_cell(row["quote"]),
        "span": {"start": int(row["span_start"]), "end": int(row["span_end"])},
        "statement": unescape_cell(row["statement"]),
        "kind": row["kind"],
        "status": row["status"],
        "channel": row["channel"],
        "venue": _ref(row, "venue"),
        "stated_on": row["stated_on"] or None,
        "stated_on_precision": row["stated_on_precision"] or None,
        "stated_period": row["stated_period"] or None,
        "stated_on_text": _optional(row["stated_on_text"]),
        "quantities": quantities,
        "contradicts": _split(row["contradicts"]),
        "actors": refs("actors"),
        "locations": refs("locations"),
        # Every item carries when it last changed, once the sync work is merged.
        **({"updated_at": row["updated_at"]} if "updated_at" in row else {}),
    }


def _comparable(claim: dict[str, Any]) -> dict[str, Any]:
    """A JSON claim as its CSV row can say it: every field, `updated_at` as its text."""
    return {**claim, **({"updated_at": str(claim["updated_at"])} if "updated_at" in claim else {})}


def test_the_csv_of_every_seed_claim_round_trips(client: TestClient) -> None:
    claims = _items(client, "/v1/claims?limit=500")
    assert len(claims) == 30
    rows = _csv(client.get("/v1/claims?limit=500&format=csv"))
    assert [row["id"] for row in rows] == [claim["id"] for claim in claims]
    # Every column the schema gives, in its order: derived, not hand-written.
    assert list(rows[0]) == csv_columns(ClaimOut)
    assert list(rows[0])[:5] == ["id", "report_id", "claimant_id", "claimant_name", "claimant_kind"]
    for row, claim in zip(rows, claims, strict=True):
        known = set(ClaimOut.model_fields)
        assert set(claim) <= known | {"updated_at"}
        read = _claim_from_row(row)
        expected = _comparable(claim)
        assert set(read) == set(expected)  # every field of the claim is in its row
        for name in read:
            assert read[name] == expected[name], (claim["id"], name)
    # The seed's values that need the rules: a quote starting with a quote mark, commas and
    # curly quotes, several quantities fields, contradictions, roles.
    by_id = {row["id"]: row for row in rows}
    assert by_id["massoud-people-want-to-resist"]["quote"].startswith("\u2018They want to defend")
    assert by_id["aide-forces-over-6000"]["quantities"] == "6000 fighters Massoud's forces"
    assert by_id["aide-forces-over-6000"]["quantities_qualifier"] == "more_than"
    assert by_id["aide-forces-over-6000"]["actors"] == "northern-alliance (subject)"
    assert by_id["taliban-panjshir-surrounded"]["contradicts"] == (
        "massoud-no-fighter-has-dared; na-efforts-rebuffed"
    )
    assert by_id["taliban-panjshir-surrounded"]["claimant_name"] == "Taliban"


def test_csv_is_rfc_4180_with_a_file_name(client: TestClient) -> None:
    response = client.get("/v1/claims?format=csv&limit=500")
    assert response.headers["content-disposition"] == 'attachment; filename="claims.csv"'
    raw = response.content
    assert raw.count(b"\r\n") >= 31
    assert b"\n" not in raw.replace(b"\r\n", b"")  # no bare line feeds outside quoted cells
    assert raw.startswith(b"id,report_id,claimant_id,")
    # A cell with a comma or a quote is quoted, its quotes doubled.
    assert b'"Massoud\'s forces number more than 6,000."' in raw
    assert "Lévy".encode() in raw  # UTF-8, no escapes


@pytest.mark.parametrize("collection", COLLECTIONS)
def test_every_collection_has_csv_with_one_row_per_item(
    client: TestClient, collection: str
) -> None:
    items = _items(client, f"/v1/{collection}?limit=500")
    rows = _csv(client.get(f"/v1/{collection}?limit=500&format=csv"))
    assert [row["id"] for row in rows] == [item["id"] for item in items]
    assert list(rows[0]) == csv_columns(BY_NAME[collection].item_schema)
    assert (
        client.get(f"/v1/{collection}?format=csv").headers["content-disposition"]
        == f'attachment; filename="{collection}.csv"'
    )


def test_csv_flattens_each_collection_predictably(client: TestClient) -> None:
    locations = {row["id"]: row for row in _csv(client.get("/v1/locations?format=csv&limit=500"))}
    assert locations["panjshir-valley"]["latitude"] == "35.35"
    assert locations["panjshir-valley"]["longitude"] == "69.6"
    assert locations["fuj-area"]["latitude"] == ""
    assert locations["andarab"]["aliases"] == "Andarab province"
    events = {row["id"]: row for row in _csv(client.get("/v1/events?format=csv&limit=500"))}
    fuj = events["fuj-ambush"]
    assert fuj["location_id"] == "fuj-area"
    assert fuj["location_latitude"] == ""
    assert "fatalities_best" in fuj
    assert "taliban (" in fuj["actors"]
    media = {row["id"]: row for row in _csv(client.get("/v1/media?format=csv&limit=500"))}
    video = media["video-humvees-rolling"]
    assert video["posted_by_id"] == "northern-alliance"
    assert video["span_start"].isdigit()
    # Media places have no role: their ids alone.
    assert all("(" not in row["locations"] for row in media.values())


def test_a_formula_in_a_text_cell_is_escaped(make_database: Callable[..., Engine]) -> None:
    engine = make_database()
    with engine.begin() as connection:
        connection.execute(
            text("UPDATE claim SET quote = :quote, statement = :statement WHERE id = :id"),
            {
                "quote": '=HYPERLINK("http://example.com","click")',
                "statement": "-2+3 fighters",
                "id": "taliban-panjshir-surrounded",
            },
        )
        connection.execute(
            text("UPDATE claim SET quote = :quote, statement = :statement WHERE id = :id"),
            {"quote": "@SUM(A1:A2)", "statement": "+1 and\ta tab", "id": "na-efforts-rebuffed"},
        )
    with TestClient(create_app(engine)) as client:
        rows = {row["id"]: row for row in _csv(client.get("/v1/claims?format=csv&limit=500"))}
        json_items = {item["id"]: item for item in _items(client, "/v1/claims?limit=500")}
    surrounded = rows["taliban-panjshir-surrounded"]
    assert surrounded["quote"] == '\'=HYPERLINK("http://example.com","click")'
    assert surrounded["statement"] == "'-2+3 fighters"
    rebuffed = rows["na-efforts-rebuffed"]
    assert rebuffed["quote"] == "'@SUM(A1:A2)"
    assert rebuffed["statement"] == "'+1 and\ta tab"
    # The JSON is untouched, and un-escaping gives it back.
    assert json_items["na-efforts-rebuffed"]["quote"] == "@SUM(A1:A2)"
    assert unescape_cell(rebuffed["quote"]) == "@SUM(A1:A2)"
    # Numbers are not text: a negative number is not escaped.
    assert escape_cell("\rx") == "'\rx"
    assert escape_cell("plain") == "plain"


def test_columns_follow_the_item_schema() -> None:
    """A field added to an item schema is a column at once (as `updated_at` was)."""

    class Stamped(ClaimOut):
        reviewed_at: dt.datetime

    stamped = Stamped
    assert csv_columns(stamped)[-1] == "reviewed_at"
    assert csv_columns(ClaimOut)[-1] == "updated_at"
    assert csv_columns(stamped)[:-1] == csv_columns(ClaimOut)
    item = {
        "id": "x",
        "claimant": {"id": "a", "name": "=A", "kind": "person"},
        "quantities": [
            {"value": 2.5, "unit": "km", "counted": "a b", "qualifier": "exact", "text": None},
            {"value": -3.0, "unit": "u", "counted": "c", "qualifier": "exact", "text": "t"},
        ],
        "reviewed_at": dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC),
    }
    header = csv_header(stamped).decode()
    row = next(csv.DictReader(io.StringIO(header + csv_rows(stamped, [item]).decode())))
    assert row["reviewed_at"] == "2026-01-02T03:04:05+00:00"
    assert row["claimant_name"] == "'=A"
    assert row["quantities"] == "2.5 km a b; -3 u c"
    assert row["quantities_text"] == "; t"
    assert row["venue_id"] == ""
    assert csv_rows(stamped, []) == b""


# --- NDJSON --------------------------------------------------------------------------------


@pytest.mark.parametrize("collection", COLLECTIONS)
def test_ndjson_is_exactly_the_json_items(client: TestClient, collection: str) -> None:
    json_answer = client.get(f"/v1/{collection}?limit=500")
    response = client.get(f"/v1/{collection}?limit=500&format=ndjson")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/x-ndjson"
    assert response.content.endswith(b"\n")
    lines = response.content.split(b"\n")[:-1]
    items = json_answer.json()["items"]
    assert [orjson.loads(line) for line in lines] == items
    assert response.content == ndjson_rows(orjson.loads(json_answer.content)["items"])


# --- GeoJSON -------------------------------------------------------------------------------


def _seed_places() -> dict[str, dict[str, Any]]:
    bundle = yaml.safe_load(SEED_FILE.read_text(encoding="utf-8"))
    return {place["id"]: place for place in bundle["locations"]}


@pytest.mark.parametrize("collection", sorted(GEO))
def test_geojson_validates_as_rfc_7946(client: TestClient, collection: str) -> None:
    response = client.get(f"/v1/{collection}?limit=500&format=geojson")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/geo+json"
    document = response.json()
    FeatureCollection.model_validate(document)
    assert document["type"] == "FeatureCollection"
    assert document["features"]
    items = _items(client, f"/v1/{collection}?limit=500")
    if collection in {"claims", "media"}:
        pairs = [(item, place["id"]) for item in items for place in item["locations"]]
        assert [f["id"] for f in document["features"]] == [f"{i['id']}/{p}" for i, p in pairs]
        for feature, (item, place) in zip(document["features"], pairs, strict=True):
            assert feature["properties"] == {**item, "location_id": place}
    else:
        assert [f["properties"] for f in document["features"]] == items
        assert [f["id"] for f in document["features"]] == [item["id"] for item in items]


def test_panjshir_comes_out_as_lon_lat(client: TestClient) -> None:
    places = _seed_places()
    located = client.get("/v1/locations?format=geojson&limit=500").json()
    by_id = {feature["id"]: feature for feature in located["features"]}
    for place_id in ("panjshir-valley", "panjshir-province", "panjshir-valley-entrance"):
        seed = places[place_id]
        geometry = by_id[place_id]["geometry"]
        assert geometry == {"type": "Point", "coordinates": [seed["longitude"], seed["latitude"]]}
    assert by_id["panjshir-valley"]["geometry"]["coordinates"] == [69.6, 35.35]
    # A place with no coordinates is a feature without geometry.
    assert by_id["fuj-area"]["geometry"] is None
    # Claims about the Panjshir Valley sit at its point.
    claims = client.get("/v1/claims?format=geojson&location_id=panjshir-valley").json()
    at_valley = [f for f in claims["features"] if f["id"].endswith("/panjshir-valley")]
    assert at_valley
    assert {tuple(f["geometry"]["coordinates"]) for f in at_valley} == {(69.6, 35.35)}
    # An event is placed through its location (the Fuj ambush: a place not located).
    events = client.get("/v1/events?format=geojson&limit=500").json()
    by_event = {feature["id"]: feature for feature in events["features"]}
    assert by_event["fuj-ambush"]["geometry"] is None
    located_events = [f for f in events["features"] if f["geometry"] is not None]
    for feature in located_events:
        place = places[feature["properties"]["location"]["id"]]
        assert feature["geometry"]["coordinates"] == [place["longitude"], place["latitude"]]


# --- JSON-LD wiring ------------------------------------------------------------------------


@pytest.mark.parametrize("collection", sorted(LINKED))
def test_jsonld_is_wired_for_claims_and_reports(client: TestClient, collection: str) -> None:
    for response in (
        client.get(f"/v1/{collection}?format=jsonld"),
        client.get(f"/v1/{collection}", headers={"Accept": "application/ld+json"}),
    ):
        assert response.status_code == 200, response.text
        assert response.headers["content-type"] == "application/ld+json"
        assert "@context" in response.json()
    assert BY_NAME[collection].jsonld is not None


# --- Negotiation ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (None, "application/json"),
        ("", "application/json"),
        ("*/*", "application/json"),
        ("application/json", "application/json"),
        ("text/csv", "text/csv; charset=utf-8; header=present"),
        ("text/*", "text/csv; charset=utf-8; header=present"),
        ("application/x-ndjson", "application/x-ndjson"),
        ("application/geo+json", "application/geo+json"),
        ("application/ld+json", "application/ld+json"),
        ("text/csv;q=0.5, application/x-ndjson", "application/x-ndjson"),
        ("text/csv, application/json;q=0.9", "text/csv; charset=utf-8; header=present"),
        ("application/json;q=0.2, text/csv;q=0.8", "text/csv; charset=utf-8; header=present"),
        ("text/csv, */*", "text/csv; charset=utf-8; header=present"),
        ("text/csv;q=0, */*;q=0.1", "application/json"),
        ("application/*", "application/json"),
        ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "application/json"),
        ("garbage", "application/json"),
        ("text/csv;q=2", "application/json"),
    ],
)
def test_accept_chooses_by_q_values(client: TestClient, accept: str | None, expected: str) -> None:
    headers = {} if accept is None else {"Accept": accept}
    response = client.get("/v1/claims?limit=2", headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == expected
    assert "Accept" in response.headers["vary"].split(", ")


def test_format_wins_over_accept(client: TestClient) -> None:
    response = client.get("/v1/claims?format=ndjson&limit=2", headers={"Accept": "text/csv"})
    assert response.headers["content-type"] == "application/x-ndjson"
    response = client.get("/v1/claims?format=json&limit=2", headers={"Accept": "text/csv"})
    assert response.json()["items"][0]["id"] == "aide-forces-over-6000"


def test_an_unacceptable_accept_is_a_406_naming_what_is_offered(client: TestClient) -> None:
    response = client.get("/v1/claims", headers={"Accept": "application/xml, text/html"})
    assert response.status_code == 406
    assert response.headers["content-type"] == "application/problem+json"
    assert "Accept" in response.headers["vary"].split(", ")
    problem = response.json()
    assert problem["title"] == "Not Acceptable"
    assert problem["offered"] == [
        "application/json",
        "text/csv",
        "application/x-ndjson",
        "application/geo+json",
        "application/ld+json",
    ]
    assert "text/csv" in problem["detail"]
    # A format the collection does not have, asked by Accept.
    actors = client.get("/v1/actors", headers={"Accept": "application/geo+json"})
    assert actors.status_code == 406
    assert actors.json()["offered"] == ["application/json", "text/csv", "application/x-ndjson"]
    reports = client.get("/v1/events", headers={"Accept": "application/ld+json"})
    assert reports.status_code == 406


@pytest.mark.parametrize(
    ("path", "offered"),
    [
        ("/v1/actors?format=geojson", "json, csv, ndjson"),
        ("/v1/reports?format=geojson", "json, csv, ndjson, jsonld"),
        ("/v1/events?format=jsonld", "json, csv, ndjson, geojson"),
        ("/v1/media?format=jsonld", "json, csv, ndjson, geojson"),
        ("/v1/locations?format=jsonld", "json, csv, ndjson, geojson"),
    ],
)
def test_a_format_the_collection_lacks_is_a_400_naming_format(
    client: TestClient, path: str, offered: str
) -> None:
    response = client.get(path)
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["errors"][0]["name"] == "format"
    detail = problem["errors"][0]["detail"]
    for name in offered.split(", "):
        assert f"'{name}'" in detail
    asked = path.rsplit("=", 1)[1]
    assert f"'{asked}' " not in detail.split(":", 1)[1]  # what was asked is not offered


def test_an_unknown_format_is_a_400_and_errors_stay_problems(client: TestClient) -> None:
    response = client.get("/v1/claims?format=xml")
    assert response.status_code == 400
    assert response.json()["errors"][0]["name"] == "format"
    for headers, path in (
        ({"Accept": "text/csv"}, "/v1/claims?limit=1000"),
        ({}, "/v1/claims?limit=1000&format=csv"),
        ({"Accept": "application/geo+json"}, "/v1/claims?kind=gossip"),
    ):
        answer = client.get(path, headers=headers)
        assert answer.status_code == 400
        assert answer.headers["content-type"] == "application/problem+json"
        assert answer.json()["status"] == 400


# --- The same page in every format ----------------------------------------------------------


def _ids_of(response: Any, fmt: str) -> list[str]:
    if fmt == "json":
        return [item["id"] for item in response.json()["items"]]
    if fmt == "csv":
        return [row["id"] for row in _csv(response)]
    if fmt == "ndjson":
        return [orjson.loads(line)["id"] for line in response.content.splitlines()]
    features = response.json()["features"]
    return list(dict.fromkeys(f["properties"]["id"] for f in features))


@pytest.mark.parametrize("fmt", ["json", "csv", "ndjson", "geojson"])
def test_filters_sort_and_limit_apply_in_every_format(client: TestClient, fmt: str) -> None:
    query = "claimant_id=northern-alliance&sort=-stated_on&limit=4"
    expected = [item["id"] for item in _items(client, f"/v1/claims?{query}")]
    assert len(expected) == 4
    response = client.get(f"/v1/claims?{query}&format={fmt}")
    if fmt == "geojson":  # only claims naming a place are features
        located = [
            item["id"] for item in _items(client, f"/v1/claims?{query}") if item["locations"]
        ]
        assert _ids_of(response, fmt) == located
    else:
        assert _ids_of(response, fmt) == expected


def _walk(client: TestClient, first: str, fmt: str) -> tuple[list[str], list[str]]:
    """Follow `Link: rel="next"` from `first`; the ids and the totals met on the way."""
    ids: list[str] = []
    totals: list[str] = []
    target: str | None = first
    while target is not None:
        response = client.get(target)
        assert response.status_code == 200, response.text
        ids += _ids_of(response, fmt)
        totals.append(response.headers.get("x-total-count", ""))
        link = response.headers.get("link")
        if link is None:
            target = None
        else:
            assert link.startswith("</v1/claims?")
            assert link.endswith('>; rel="next"')
            target = link[1 : link.index(">")]
    return ids, totals


@pytest.mark.parametrize("fmt", ["csv", "ndjson", "json"])
def test_link_headers_walk_every_page(client: TestClient, fmt: str) -> None:
    everything = [item["id"] for item in _items(client, "/v1/claims?limit=500&sort=kind")]
    ids, totals = _walk(client, f"/v1/claims?sort=kind&limit=7&format={fmt}", fmt)
    assert ids == everything
    assert totals == ["30"] * 5
    last = client.get("/v1/claims?limit=500&format=csv")
    assert "link" not in last.headers
    assert last.headers["x-total-relation"] == "eq"
    assert "x-total-count" not in client.get("/v1/claims?count=none&format=csv").headers


def test_the_link_keeps_every_parameter(client: TestClient) -> None:
    response = client.get("/v1/claims?kind=vow&kind=casualties&limit=1&format=csv")
    link = response.headers["link"]
    query = parse_qsl(urlsplit(link[1 : link.index(">")]).query)
    assert [name for name, _ in query].count("kind") == 2
    assert ("format", "csv") in query
    assert ("limit", "1") in query


def test_a_json_cursor_serves_another_format(client: TestClient) -> None:
    first = client.get("/v1/claims?limit=5").json()
    second_json = client.get(f"/v1/claims?limit=5&cursor={first['next_cursor']}").json()
    second_csv = client.get(f"/v1/claims?limit=5&format=csv&cursor={first['next_cursor']}")
    assert [row["id"] for row in _csv(second_csv)] == [i["id"] for i in second_json["items"]]


# --- The document --------------------------------------------------------------------------


def test_the_document_declares_each_lists_formats(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    schemas = document["components"]["schemas"]
    assert schemas["Format"]["enum"] == ["json", "csv", "ndjson", "geojson", "jsonld"]
    for collection in COLLECTIONS:
        operation = document["paths"][f"/v1/{collection}"]["get"]
        parameters = {p["name"]: p for p in operation["parameters"]}
        # The parameter takes exactly what the collection offers (a named enum).
        enum = schemas[parameters["format"]["schema"]["$ref"].rsplit("/", 1)[1]]["enum"]
        assert enum == [f.value for f in BY_NAME[collection].formats]
        assert "`geojson`" in parameters["format"]["description"]
        ok = operation["responses"]["200"]
        expected = {"application/json", "text/csv", "application/x-ndjson"}
        if collection in GEO:
            expected.add("application/geo+json")
        if collection in LINKED:
            expected.add("application/ld+json")
        assert set(ok["content"]) == expected
        assert ok["content"]["application/json"]["schema"]["$ref"].endswith("Page")
        # The CSV columns are documented, from the schema.
        for column in csv_columns(BY_NAME[collection].item_schema):
            assert f"`{column}`" in ok["description"]
        assert {"Link", "X-Total-Count", "Vary"} <= set(ok["headers"])
        assert "406" in operation["responses"]


def test_the_docs_list_every_collections_csv_columns() -> None:
    """The docs' column table (docs/api.md) is the columns the code writes (a field added to
    an item is a column at once: the table must follow)."""
    page = (SEED_FILE.parents[1] / "docs" / "api.md").read_text(encoding="utf-8")
    for collection in ("claims", "actors", "locations", "events", "media", "reports"):
        columns = ", ".join(f"`{name}`" for name in csv_columns(BY_NAME[collection].item_schema))
        assert f"  | {collection} | {columns} |\n" in page, collection
