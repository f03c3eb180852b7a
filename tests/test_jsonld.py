"""Claims and reports as schema.org JSON-LD, expanded with pyld offline.

pyld's document loader is replaced by one that serves only the packaged context and fails on
any other URL, so a document that needed the network (schema.org's context, say) fails here.
"""

import copy
import datetime as dt
import json
from collections.abc import Callable
from importlib.resources import files
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pyld import jsonld

from app.linked_data.document import (
    CONTEXT_PATH,
    MEDIA_TYPE,
    VOCABULARY,
    claims_document,
    reports_document,
)
from tests.conftest import REPORT_ID, ROOT
from tests.helpers import assert_problem

BASE = "http://testserver"
SCHEMA = "https://schema.org/"
CR = "urn:conflict-reports:vocab:"
assert VOCABULARY == CR  # a stable URN: changing it renames every term of ours
XSD = "http://www.w3.org/2001/XMLSchema#"
ORGANIZATIONS = {
    f"{SCHEMA}{name}"
    for name in (
        "Organization",
        "NewsMediaOrganization",
        "GovernmentOrganization",
        "EducationalOrganization",
        "CollegeOrUniversity",
    )
}


def _packaged_context() -> Any:
    return json.loads(files("app.linked_data").joinpath("context.jsonld").read_bytes())


class OfflineLoader:
    """A pyld document loader that knows one URL, the context's, and refuses every other."""

    def __init__(self, context: Any = None) -> None:
        self.context = _packaged_context() if context is None else context
        self.asked: list[str] = []

    def __call__(self, url: str, _options: Any = None) -> dict[str, Any]:
        self.asked.append(url)
        if url != BASE + CONTEXT_PATH:
            raise OSError(f"no network in this test: {url}")
        return {
            "contentType": MEDIA_TYPE,
            "contextUrl": None,
            "documentUrl": url,
            "document": copy.deepcopy(self.context),
        }


def _expand(document: dict[str, Any], loader: OfflineLoader) -> list[dict[str, Any]]:
    """The expanded document; fails on any term the context does not define (pyld drops
    those silently otherwise)."""
    dropped: list[str | None] = []
    expanded: list[dict[str, Any]] = jsonld.expand(
        document, {"documentLoader": loader}, on_property_dropped=dropped.append
    )
    assert dropped == []
    return expanded


def _nodes(expanded: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Top-level nodes by `@id` (expansion lifts a bare `@graph`'s nodes to the top)."""
    nodes = {node["@id"]: node for node in expanded}
    assert len(nodes) == len(expanded)
    return nodes


def _value(node: dict[str, Any], term: str) -> Any:
    (value,) = node[term]
    return value["@value"] if "@value" in value else value


def _types(expanded: Any) -> set[str]:
    """Every `@type` of every node and value object, anywhere in the expanded document."""
    found: set[str] = set()
    if isinstance(expanded, list):
        for element in expanded:
            found |= _types(element)
    elif isinstance(expanded, dict):
        kind = expanded.get("@type")
        if isinstance(kind, list):
            found |= set(kind)
        elif isinstance(kind, str):
            found.add(kind)
        for key, element in expanded.items():
            if key != "@type":
                found |= _types(element)
    return found


@pytest.fixture(scope="module")
def claim_items(client: TestClient) -> list[dict[str, Any]]:
    body = client.get("/v1/claims", params={"limit": 500, "count": "exact"}).json()
    assert body["next_cursor"] is None
    assert len(body["items"]) == body["total"] >= 30
    items: list[dict[str, Any]] = body["items"]
    return items


@pytest.fixture(scope="module")
def report_items(client: TestClient) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = client.get("/v1/reports", params={"limit": 500}).json()["items"]
    assert [item["id"] for item in items] == [REPORT_ID]
    return items


@pytest.fixture(scope="module")
def expanded_claims(
    client: TestClient, claim_items: list[dict[str, Any]]
) -> dict[str, dict[str, Any]]:
    """The API's own JSON-LD answer for the claims (format=jsonld), expanded offline."""
    loader = OfflineLoader()
    response = client.get("/v1/claims", params={"limit": 500, "format": "jsonld"})
    assert response.headers["content-type"] == MEDIA_TYPE
    document = response.json()
    assert document == claims_document(claim_items, base_url=BASE + "/")
    expanded = _expand(document, loader)
    assert loader.asked == []  # the context is inline: nothing is loaded at all
    return _nodes(expanded)


def test_every_seed_claim_is_a_schema_org_claim_with_its_quote_and_author(
    claim_items: list[dict[str, Any]], expanded_claims: dict[str, dict[str, Any]]
) -> None:
    assert set(expanded_claims) == {f"{BASE}/v1/claims/{item['id']}" for item in claim_items}
    for item in claim_items:
        node = expanded_claims[f"{BASE}/v1/claims/{item['id']}"]
        assert node["@type"] == [f"{SCHEMA}Claim"]
        assert _value(node, f"{SCHEMA}identifier") == item["id"]
        assert _value(node, f"{SCHEMA}text") == item["quote"]
        author = _value(node, f"{SCHEMA}author")
        claimant = item["claimant"]
        assert author["@id"] == f"{BASE}/v1/actors/{claimant['id']}"
        assert _value(author, f"{SCHEMA}name") == claimant["name"]
        assert _value(author, f"{CR}actorKind") == claimant["kind"]
        (author_type,) = author["@type"]
        if claimant["kind"] == "person":
            assert author_type == f"{SCHEMA}Person"
        else:
            assert author_type in ORGANIZATIONS
        report = _value(node, f"{SCHEMA}appearance")
        assert report["@id"] == f"{BASE}/v1/reports/{item['report_id']}"
        assert report["@type"] == [f"{SCHEMA}NewsArticle"]
        assert _value(node, f"{CR}statement") == item["statement"]
        assert _value(node, f"{CR}claimKind") == item["kind"]
        assert _value(node, f"{CR}claimStatus") == item["status"]
        assert _value(node, f"{CR}channel") == item["channel"]
        span = _value(node, f"{CR}span")
        assert (_value(span, f"{CR}start"), _value(span, f"{CR}end")) == (
            item["span"]["start"],
            item["span"]["end"],
        )
        contradicts = {ref["@id"] for ref in node.get(f"{CR}contradicts", [])}
        assert contradicts == {f"{BASE}/v1/claims/{other}" for other in item["contradicts"]}


def test_the_seed_authors_are_people_and_organizations(
    expanded_claims: dict[str, dict[str, Any]],
) -> None:
    authors = {
        _value(node, f"{SCHEMA}author")["@id"]: _value(node, f"{SCHEMA}author")["@type"][0]
        for node in expanded_claims.values()
    }
    assert authors[f"{BASE}/v1/actors/ahmad-massoud"] == f"{SCHEMA}Person"
    assert authors[f"{BASE}/v1/actors/taliban"] == f"{SCHEMA}Organization"
    assert authors[f"{BASE}/v1/actors/mailonline"] == f"{SCHEMA}NewsMediaOrganization"


def test_about_names_the_actors_and_places_with_their_roles(
    claim_items: list[dict[str, Any]], expanded_claims: dict[str, dict[str, Any]]
) -> None:
    places_seen = 0
    for item in claim_items:
        node = expanded_claims[f"{BASE}/v1/claims/{item['id']}"]
        about = {ref["@id"]: ref for ref in node.get(f"{SCHEMA}about", [])}
        expected = {f"{BASE}/v1/actors/{actor['id']}": actor for actor in item["actors"]} | {
            f"{BASE}/v1/locations/{place['id']}": place for place in item["locations"]
        }
        assert set(about) == set(expected)
        for url, ref in expected.items():
            assert _value(about[url], f"{SCHEMA}name") == ref["name"]
            if "/v1/locations/" in url:
                places_seen += 1
                assert about[url]["@type"] == [f"{SCHEMA}Place"]
        roles = {
            (_value(role, f"{CR}actor")["@id"], _value(role, f"{SCHEMA}roleName"))
            for role in node.get(f"{CR}actorRole", [])
        } | {
            (_value(role, f"{CR}place")["@id"], _value(role, f"{SCHEMA}roleName"))
            for role in node.get(f"{CR}placeRole", [])
        }
        assert roles == {(url, ref["role"]) for url, ref in expected.items()}
    assert places_seen > 0


def test_quantities_and_dates_keep_their_precision(
    claim_items: list[dict[str, Any]], expanded_claims: dict[str, dict[str, Any]]
) -> None:
    precisions: set[str] = set()
    quantities = 0
    for item in claim_items:
        node = expanded_claims[f"{BASE}/v1/claims/{item['id']}"]
        published = node.get(f"{SCHEMA}datePublished")
        if item["stated_on"] is None:
            assert published is None
        else:
            precisions.add(item["stated_on_precision"])
            expected = {
                "day": (item["stated_on"], f"{XSD}date"),
                "month": (item["stated_period"], f"{XSD}gYearMonth"),
            }[item["stated_on_precision"]]
            assert published == [{"@value": expected[0], "@type": expected[1]}]
            assert _value(node, f"{CR}statedPeriod") == item["stated_period"]
        values = [
            (
                _value(quantity, f"{SCHEMA}value"),
                _value(quantity, f"{SCHEMA}unitText"),
                _value(quantity, f"{CR}counted"),
                _value(quantity, f"{CR}qualifier"),
            )
            for quantity in node.get(f"{CR}quantity", [])
        ]
        assert sorted(values) == sorted(
            (q["value"], q["unit"], q["counted"], q["qualifier"]) for q in item["quantities"]
        )
        quantities += len(values)
    assert precisions == {"day", "month"}  # the seed has both
    assert quantities > 0
    month = next(item for item in claim_items if item["stated_on_precision"] == "month")
    month_node = expanded_claims[f"{BASE}/v1/claims/{month['id']}"]
    assert month_node[f"{SCHEMA}datePublished"][0]["@value"] == month["stated_on"][:7]


def test_every_type_is_schema_org_or_xml_schema(claim_items: list[dict[str, Any]]) -> None:
    expanded = _expand(claims_document(claim_items, base_url=BASE), OfflineLoader())
    types = _types(expanded)
    assert f"{SCHEMA}Claim" in types
    assert {kind for kind in types if not kind.startswith((SCHEMA, XSD))} == set()


def test_the_document_converts_to_rdf_offline(claim_items: list[dict[str, Any]]) -> None:
    loader = OfflineLoader()
    document = claims_document(claim_items[:20], base_url=BASE)
    quads = jsonld.to_rdf(document, {"documentLoader": loader, "format": "application/n-quads"})
    assert loader.asked == []
    quote = claim_items[0]["quote"]
    subject = f"<{BASE}/v1/claims/{claim_items[0]['id']}>"
    assert f"{subject} <{SCHEMA}text> {json.dumps(quote, ensure_ascii=False)} ." in quads
    assert f"{subject} <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <{SCHEMA}Claim> ." in quads


def test_a_document_referring_to_the_served_context_expands_the_same(
    client: TestClient, claim_items: list[dict[str, Any]]
) -> None:
    served = client.get(CONTEXT_PATH)
    loader = OfflineLoader(context=served.json())
    inline = claims_document(claim_items, base_url=BASE)
    by_reference = {**inline, "@context": BASE + CONTEXT_PATH}
    assert _expand(by_reference, loader) == _expand(inline, OfflineLoader())
    assert loader.asked == [BASE + CONTEXT_PATH]


def test_a_remote_context_would_fail_here(claim_items: list[dict[str, Any]]) -> None:
    """The loader is a real guard: schema.org's own context cannot be fetched."""
    document = {**claims_document(claim_items[:1], base_url=BASE), "@context": SCHEMA}
    loader = OfflineLoader()
    with pytest.raises(jsonld.JsonLdError):
        jsonld.expand(document, {"documentLoader": loader})
    assert loader.asked == [SCHEMA]


def test_the_seed_report_is_a_news_article(report_items: list[dict[str, Any]]) -> None:
    loader = OfflineLoader()
    nodes = _nodes(_expand(reports_document(report_items, base_url=BASE + "/"), loader))
    assert loader.asked == []
    (item,) = report_items
    node = nodes[f"{BASE}/v1/reports/{REPORT_ID}"]
    assert node["@type"] == [f"{SCHEMA}NewsArticle"]
    assert _value(node, f"{SCHEMA}headline") == item["title"]
    assert _value(node, f"{SCHEMA}name") == "Afghanistan's last bastion against the Taliban"
    assert node[f"{SCHEMA}datePublished"] == [{"@value": "2021-08-24", "@type": f"{XSD}date"}]
    assert _value(node, f"{SCHEMA}inLanguage") == "en"
    publisher = _value(node, f"{SCHEMA}publisher")
    assert _value(publisher, f"{SCHEMA}name") == "MailOnline (Daily Mail)"
    assert f"{SCHEMA}author" not in node  # the seed names no author
    assert _value(node, f"{CR}verbatimText")["@id"] == f"{BASE}/v1/reports/{REPORT_ID}/text"


def test_a_report_detail_names_its_outlet_author_and_url(client: TestClient) -> None:
    detail = client.get(f"/v1/reports/{REPORT_ID}").json()
    detail |= {"author": "Jane Doe", "url": "https://example.org/article"}
    (node,) = _nodes(_expand(reports_document([detail], base_url=BASE), OfflineLoader())).values()
    assert _value(node, f"{SCHEMA}headline") == detail["headline"]
    assert _value(node, f"{SCHEMA}publisher")["@id"] == f"{BASE}/v1/actors/mailonline"
    author = _value(node, f"{SCHEMA}author")
    assert (author["@type"], _value(author, f"{SCHEMA}name")) == ([f"{SCHEMA}Person"], "Jane Doe")
    assert _value(node, f"{SCHEMA}url")["@id"] == "https://example.org/article"


def _one_claim(
    claim_items: list[dict[str, Any]], change: Callable[[dict[str, Any]], None]
) -> dict[str, Any]:
    item = copy.deepcopy(next(i for i in claim_items if i["stated_on_precision"] == "day"))
    change(item)
    (node,) = _nodes(_expand(claims_document([item], base_url=BASE), OfflineLoader())).values()
    return node


def test_year_and_decade_dates_do_not_pretend_to_a_day(claim_items: list[dict[str, Any]]) -> None:
    def year(item: dict[str, Any]) -> None:
        item |= {"stated_on": "2021-01-01", "stated_on_precision": "year", "stated_period": "2021"}

    def decade(item: dict[str, Any]) -> None:
        item |= {"stated_on": "1980-01-01", "stated_on_precision": "decade"}
        item["stated_period"] = "1980s"

    node = _one_claim(claim_items, year)
    assert node[f"{SCHEMA}datePublished"] == [{"@value": "2021", "@type": f"{XSD}gYear"}]
    node = _one_claim(claim_items, decade)
    assert f"{SCHEMA}datePublished" not in node
    assert _value(node, f"{CR}statedPeriod") == "1980s"
    assert _value(node, f"{CR}datePrecision") == "decade"


def test_items_with_extra_fields_and_service_dates_are_taken(
    claim_items: list[dict[str, Any]],
) -> None:
    def service_shaped(item: dict[str, Any]) -> None:
        item["stated_on"] = dt.date.fromisoformat(item["stated_on"])
        item["updated_at"] = "2026-12-01T10:00:00Z"
        item["some_future_field"] = {"nested": [1, 2]}
        item["claimant"]["kind"] = "a_kind_added_later"
        item["venue"] = {"id": "reuters", "name": "Reuters", "kind": "media_outlet"}

    node = _one_claim(claim_items, service_shaped)
    assert node[f"{SCHEMA}dateModified"] == [
        {"@value": "2026-12-01T10:00:00Z", "@type": f"{XSD}dateTime"}
    ]
    assert node[f"{SCHEMA}datePublished"][0]["@type"] == f"{XSD}date"
    assert _value(node, f"{SCHEMA}author")["@type"] == [f"{SCHEMA}Organization"]
    venue = _value(node, f"{CR}venue")
    assert (venue["@id"], venue["@type"]) == (
        f"{BASE}/v1/actors/reuters",
        [f"{SCHEMA}NewsMediaOrganization"],
    )
    assert not any("future" in key for key in node)


def test_ids_are_escaped_into_urls(claim_items: list[dict[str, Any]]) -> None:
    def odd_id(item: dict[str, Any]) -> None:
        item["id"] = "a claim/with é"

    node = _one_claim(claim_items, odd_id)
    assert node["@id"] == f"{BASE}/v1/claims/a%20claim%2Fwith%20%C3%A9"
    assert _value(node, f"{SCHEMA}identifier") == "a claim/with é"


def test_the_context_is_served_from_the_package(client: TestClient) -> None:
    response = client.get(CONTEXT_PATH)
    assert response.status_code == 200
    assert response.headers["content-type"] == MEDIA_TYPE
    assert response.content == files("app.linked_data").joinpath("context.jsonld").read_bytes()
    context = response.json()["@context"]
    assert context["schema"] == SCHEMA
    assert context["cr"] == CR
    assert context["text"] == "schema:text"
    assert "@vocab" not in context  # every term is mapped explicitly
    operation = client.get("/openapi.json").json()["paths"][CONTEXT_PATH]["get"]
    assert operation["tags"] == ["linked data"]
    assert MEDIA_TYPE in operation["responses"]["200"]["content"]


def test_the_context_takes_no_query_parameters(client: TestClient) -> None:
    body = assert_problem(client.get(f"{CONTEXT_PATH}?format=xml"), 400, parameter="format")
    assert body["errors"] == [
        {"in": "query", "name": "format", "detail": "unknown query parameter; this path takes none"}
    ]


def test_the_docs_map_every_term_of_the_context() -> None:
    page = (ROOT / "docs" / "api.md").read_text(encoding="utf-8")
    section = page.split("## JSON-LD (schema.org)", 1)[1].split("\n## ", 1)[0]
    context = _packaged_context()["@context"]
    terms = {term for term in context if not term.startswith("@")} - {"schema", "xsd", "cr"}
    assert {term for term in terms if f"`{term}`" not in section} == set()
