"""Claims and reports as schema.org JSON-LD (`application/ld+json`), built from the API's items.

A claim is a schema.org `Claim`: its quote is the `text`, its claimant the `author`, the
report it appears in the `appearance` (a `NewsArticle`), the actors and places it is about
its `about`. A report is a `NewsArticle`. What schema.org has no term for (statement, kind,
status, channel, span, quantities, contradictions, roles, date precision) is said in our own
vocabulary, `urn:conflict-reports:vocab:` (prefix `cr`): a URN, stable whatever host serves
the API, and never dereferenced.

The context is a file of this package (`context.jsonld`), served at `CONTEXT_PATH` and
embedded inline in every document, so that a JSON-LD processor reading a document never
fetches anything: not schema.org's context (the terms are mapped explicitly to
`https://schema.org/`), not ours.

Every node's `@id` is its URL in this API (`{base_url}/v1/claims/{id}` ...). Dates keep their
precision: a day is an `xsd:date`, a month an `xsd:gYearMonth` (`2021-08`), a year an
`xsd:gYear`; a decade has no XML Schema type and no `datePublished`, only its
`statedPeriod` (`1980s`). Keys of the items this module does not know (fields added later)
are left out, never guessed at.
"""

import copy
import datetime as dt
import json
from functools import cache
from importlib.resources import files
from typing import Any
from urllib.parse import quote

MEDIA_TYPE = "application/ld+json"
CONTEXT_PATH = "/v1/context.jsonld"
CONTEXT_FILE = "context.jsonld"
VOCABULARY = "urn:conflict-reports:vocab:"

# schema.org type of an actor by its kind; every kind not listed is an Organization.
ACTOR_TYPES = {
    "person": "Person",
    "media_outlet": "NewsMediaOrganization",
    "government": "GovernmentOrganization",
    "university": "CollegeOrUniversity",
    "military_academy": "EducationalOrganization",
}
# XML Schema type of a date by its precision; a decade has none (ISO 8601 has no plain form).
DATE_TYPES = {"day": "xsd:date", "month": "xsd:gYearMonth", "year": "xsd:gYear"}


@cache
def context_bytes() -> bytes:
    """The packaged context document, as served at `CONTEXT_PATH`."""
    return files("app.linked_data").joinpath(CONTEXT_FILE).read_bytes()


@cache
def _context() -> dict[str, Any]:
    document: dict[str, Any] = json.loads(context_bytes())
    context: dict[str, Any] = document["@context"]
    return context


def _url(base_url: str, collection: str, item_id: str) -> str:
    return f"{base_url}/v1/{collection}/{quote(item_id, safe='')}"


def _base(base_url: str) -> str:
    return base_url.rstrip("/")


def _actor(base_url: str, actor: dict[str, Any]) -> dict[str, Any]:
    kind = actor.get("kind")
    node: dict[str, Any] = {
        "@id": _url(base_url, "actors", actor["id"]),
        "@type": "Thing" if kind is None else ACTOR_TYPES.get(kind, "Organization"),
        "identifier": actor["id"],
        "name": actor["name"],
    }
    if kind is not None:
        node["actorKind"] = kind
    return node


def _place(base_url: str, place: dict[str, Any]) -> dict[str, Any]:
    node: dict[str, Any] = {
        "@id": _url(base_url, "locations", place["id"]),
        "@type": "Place",
        "identifier": place["id"],
        "name": place["name"],
    }
    if place.get("kind") is not None:
        node["placeKind"] = place["kind"]
    return node


def _date(given: str | dt.date | None, precision: str | None) -> dict[str, str] | None:
    """The date at its precision as a typed literal: `2021-08-01` of month precision is
    `2021-08` (`xsd:gYearMonth`); None for no date or a decade. Takes the JSON's string or
    the service's `date`."""
    if given is None:
        return None
    value = given.isoformat() if isinstance(given, dt.date) else given
    precision = precision or "day"
    if precision == "day":
        return {"@value": value, "@type": DATE_TYPES["day"]}
    if precision == "month":
        return {"@value": value[:7], "@type": DATE_TYPES["month"]}
    if precision == "year":
        return {"@value": value[:4], "@type": DATE_TYPES["year"]}
    return None


def _modified(node: dict[str, Any], item: dict[str, Any]) -> None:
    updated = item.get("updated_at")
    if updated is not None:
        node["dateModified"] = updated.isoformat() if isinstance(updated, dt.date) else updated


def _quantity(quantity: dict[str, Any]) -> dict[str, Any]:
    node: dict[str, Any] = {
        "@type": "QuantitativeValue",
        "value": quantity["value"],
        "unitText": quantity["unit"],
        "counted": quantity["counted"],
        "qualifier": quantity["qualifier"],
    }
    if quantity.get("text") is not None:
        node["quantityText"] = quantity["text"]
    return node


def _claim(base_url: str, item: dict[str, Any]) -> dict[str, Any]:
    node: dict[str, Any] = {
        "@id": _url(base_url, "claims", item["id"]),
        "@type": "Claim",
        "identifier": item["id"],
        "text": item["quote"],
        "author": _actor(base_url, item["claimant"]),
        "appearance": {
            "@id": _url(base_url, "reports", item["report_id"]),
            "@type": "NewsArticle",
            "identifier": item["report_id"],
        },
        "statement": item["statement"],
        "claimKind": item["kind"],
        "claimStatus": item["status"],
        "channel": item["channel"],
    }
    if item.get("venue") is not None:
        node["venue"] = _actor(base_url, item["venue"])
    published = _date(item.get("stated_on"), item.get("stated_on_precision"))
    if published is not None:
        node["datePublished"] = published
    for key, term in (
        ("stated_on_precision", "datePrecision"),
        ("stated_period", "statedPeriod"),
        ("stated_on_text", "statedOnText"),
    ):
        if item.get(key) is not None:
            node[term] = item[key]
    span = item.get("span")
    if span is not None:
        node["span"] = {"start": span["start"], "end": span["end"]}
    actors = item.get("actors") or []
    places = item.get("locations") or []
    node["about"] = [_actor(base_url, actor) for actor in actors] + [
        _place(base_url, place) for place in places
    ]
    # The role is the actor's (or place's) in this claim: said on a Role node of the claim,
    # not on the actor, whose node is shared by every claim about it.
    node["actorRole"] = [
        {
            "@type": "Role",
            "roleName": actor["role"],
            "actor": _url(base_url, "actors", actor["id"]),
        }
        for actor in actors
        if actor.get("role") is not None
    ]
    node["placeRole"] = [
        {
            "@type": "Role",
            "roleName": place["role"],
            "place": _url(base_url, "locations", place["id"]),
        }
        for place in places
        if place.get("role") is not None
    ]
    node["quantity"] = [_quantity(quantity) for quantity in item.get("quantities") or []]
    node["contradicts"] = [
        _url(base_url, "claims", claim_id) for claim_id in item.get("contradicts") or []
    ]
    _modified(node, item)
    return node


def _report(base_url: str, item: dict[str, Any]) -> dict[str, Any]:
    node: dict[str, Any] = {
        "@id": _url(base_url, "reports", item["id"]),
        "@type": "NewsArticle",
        "identifier": item["id"],
        "name": item["title"],
        "headline": item.get("headline") or item["title"],
        "publisher": {"@type": "NewsMediaOrganization", "name": item["publisher"]},
        "inLanguage": item["language"],
        "verbatimText": _url(base_url, "reports", item["id"]) + "/text",
    }
    outlet = item.get("outlet")
    if outlet is not None:  # a report's detail names its publisher as an actor
        node["publisher"] = _actor(base_url, outlet)
    if item.get("author") is not None:
        node["author"] = {"@type": "Person", "name": item["author"]}
    published = _date(item.get("published_on"), "day")
    if published is not None:
        node["datePublished"] = published
    if item.get("url") is not None:
        node["url"] = item["url"]
    _modified(node, item)
    return node


def _document(graph: list[dict[str, Any]]) -> dict[str, Any]:
    # A copy: a caller changing its document must not change the next one's context.
    return {"@context": copy.deepcopy(_context()), "@graph": graph}


def claims_document(items: list[dict[str, Any]], *, base_url: str) -> dict[str, Any]:
    """Claims (the API's JSON items) as a JSON-LD document of schema.org `Claim`s; `base_url`
    is the API's root (`https://host/`), the `@id`s are its URLs."""
    base = _base(base_url)
    return _document([_claim(base, item) for item in items])


def reports_document(items: list[dict[str, Any]], *, base_url: str) -> dict[str, Any]:
    """Reports (the API's JSON items) as a JSON-LD document of schema.org `NewsArticle`s."""
    base = _base(base_url)
    return _document([_report(base, item) for item in items])
