"""Requests covering the whole API on the seed: every collection, every filter, every sort
field in both directions, facets, item details, search with each operator, and errors.

Paths with their query. The contract test validates each request and its answer against the
OpenAPI document; an engine-parity test may compare the answers of SQLite and PostgreSQL.
"""

from urllib.parse import quote

REPORT = "panjshir-last-bastion-2021-08-24"

COLLECTIONS = [
    "/v1/reports",
    "/v1/actors",
    "/v1/locations",
    "/v1/claims",
    "/v1/media",
    "/v1/events",
]

SORTS = {
    "/v1/reports": ["id", "published_on", "title", "updated_at"],
    "/v1/actors": ["id", "name", "kind", "updated_at"],
    "/v1/locations": ["id", "name", "kind", "latitude", "longitude", "updated_at"],
    "/v1/claims": [
        "id",
        "stated_on",
        "kind",
        "status",
        "channel",
        "claimant",
        "report_id",
        "updated_at",
    ],
    "/v1/media": ["id", "posted_on", "kind", "report_id", "updated_at"],
    "/v1/events": ["id", "date", "event_type", "fatalities", "report_id", "updated_at"],
}

PAGING = [
    "/v1/claims?limit=5",
    "/v1/claims?limit=500&count=exact",
    "/v1/claims?limit=3&count=none",
    "/v1/claims?limit=3&count=estimated",
    "/v1/actors?limit=1&sort=-name",
]

FILTERS = [
    # reports
    "/v1/reports?language=en",
    "/v1/reports?published_from=2021-08-01&published_to=2021-08-31",
    "/v1/reports?q=Panjshir",
    # actors
    "/v1/actors?kind=person",
    "/v1/actors?kind=armed_group&kind=state",
    f"/v1/actors?report_id={REPORT}",
    "/v1/actors?related_to=ahmad-massoud",
    "/v1/actors?q=Massoud",
    # locations
    "/v1/locations?kind=valley",
    "/v1/locations?country=AF&kind=province",
    "/v1/locations?parent_id=panjshir-province",
    f"/v1/locations?report_id={REPORT}",
    "/v1/locations?bbox=69.0,35.0,70.5,36.0",
    "/v1/locations?near=34.5553,69.2075,150",
    "/v1/locations?near=34.5553,69.2075,150&sort=-name",
    "/v1/locations?q=valley",
    # claims
    "/v1/claims?claimant_id=taliban",
    "/v1/claims?claimant_id=taliban&claimant_id=ahmad-massoud",
    "/v1/claims?actor_id=northern-alliance",
    "/v1/claims?location_id=panjshir-valley",
    "/v1/claims?location_id=panjshir-province&include_sublocations=true",
    f"/v1/claims?report_id={REPORT}",
    "/v1/claims?kind=territorial_control",
    "/v1/claims?kind=casualties&kind=force_strength",
    "/v1/claims?status=disputed",
    "/v1/claims?channel=tweet",
    "/v1/claims?stated_from=2021-08-01&stated_to=2021-08-31",
    "/v1/claims?stated_from=2021-08-01&stated_to=2021-08-31&date_match=within",
    "/v1/claims?stated_to=2000-01-01&date_match=overlap",
    "/v1/claims?contested=true",
    "/v1/claims?contested=false",
    "/v1/claims?has_quantity=true",
    "/v1/claims?has_quantity=false&status=unverified",
    "/v1/claims?location_id=andarab&stated_from=2021-08-01&stated_to=2021-08-31",
    "/v1/claims?q=helicopter",
    "/v1/claims?q=helicopter&sort=-stated_on",
    # media
    "/v1/media?kind=video",
    "/v1/media?kind=photo&kind=tweet",
    "/v1/media?posted_by=northern-alliance",
    "/v1/media?actor_id=ahmad-massoud",
    "/v1/media?location_id=panjshir-valley",
    "/v1/media?location_id=panjshir-province&include_sublocations=true",
    f"/v1/media?report_id={REPORT}",
    "/v1/media?platform=Twitter",
    "/v1/media?posted_from=2021-08-22&posted_to=2021-08-24",
    "/v1/media?posted_from=2021-08-01&posted_to=2021-08-31&date_match=within",
    "/v1/media?kind=video&posted_by=northern-alliance",
    "/v1/media?q=Humvee",
    # events
    "/v1/events?event_type=Battles",
    "/v1/events?sub_event_type=Armed%20clash",
    "/v1/events?actor_id=taliban",
    "/v1/events?location_id=panjshir-valley",
    "/v1/events?location_id=panjshir-province&include_sublocations=true",
    f"/v1/events?report_id={REPORT}",
    "/v1/events?date_from=2021-08-01&date_to=2021-08-31",
    "/v1/events?date_from=1980-01-01&date_to=1989-12-31&date_match=within",
    "/v1/events?bbox=69.0,35.0,70.5,36.0",
    "/v1/events?min_fatalities=10",
    "/v1/events?q=ambush",
]

FACETS = [
    "/v1/claims/facets",
    "/v1/claims/facets?claimant_id=taliban&facet_size=3",
    "/v1/claims/facets?location_id=panjshir-province&include_sublocations=true",
    "/v1/claims/facets?q=helicopter",
    "/v1/media/facets",
    "/v1/media/facets?kind=photo&facet_size=2",
    "/v1/events/facets",
    "/v1/events/facets?event_type=Battles",
]

# Incremental sync: the shared database is seeded at 2021-09-01T00:00:00Z (conftest).
SYNC = [
    *(f"{collection}?updated_since=2021-09-01T00:00:00Z" for collection in COLLECTIONS),
    *(f"{collection}?updated_since=2021-09-01T00:00:00.000001Z" for collection in COLLECTIONS),
    "/v1/claims?updated_since=2021-09-01T04:30:00%2B04:30&claimant_id=taliban",
    "/v1/claims?updated_since=2021-08-31T00:00:00Z&sort=-updated_at&limit=2",
    "/v1/claims?updated_since=2021-08-31T00:00:00Z&q=helicopter",
    "/v1/locations?updated_since=2021-08-31T00:00:00Z&near=34.5553,69.2075,150",
    "/v1/claims/facets?updated_since=2021-09-01T00:00:00Z",
    "/v1/claims/facets?updated_since=2021-09-02T00:00:00Z",
    "/v1/media/facets?updated_since=2021-09-01T00:00:00Z&kind=photo",
    "/v1/events/facets?updated_since=2021-09-02T00:00:00Z",
    "/v1/deleted",
    "/v1/deleted?since=2021-09-01T00:00:00Z",
    "/v1/deleted?since=2021-09-01T00:00:00Z&entity_type=claims&entity_type=media&limit=1",
    "/v1/deleted?count=exact",
    "/v1/claims?updated_since=2021-09-01T00:00:00",
    "/v1/claims?updated_since=yesterday",
    "/v1/deleted?since=2021-09-01",
    "/v1/deleted?entity_type=relations",
]

DETAILS = [
    f"/v1/reports/{REPORT}",
    f"/v1/reports/{REPORT}/text",
    "/v1/actors/ahmad-massoud",
    "/v1/actors/taliban",
    "/v1/locations/panjshir-valley",
    "/v1/locations/afghanistan",
    "/v1/claims/taliban-panjshir-surrounded",
    "/v1/claims/na-tajik-helicopter-photo",
    "/v1/claims/report-soviet-offensives",
    "/v1/media/video-humvees-rolling",
    "/v1/media/tweet-fuj-ambush",
    "/v1/events/fuj-ambush",
    "/v1/events/soviet-offensives-panjshir-1980s",
    "/healthz",
    "/v1/context.jsonld",
]

SEARCHES = [
    "/v1/search?q=helicopter",
    "/v1/search?q=Tajikistan%20helicopter",
    "/v1/search?q=%22last%20bastion%22",
    "/v1/search?q=Tajikistan%20OR%20Iran",
    "/v1/search?q=Panjshir%20-valley",
    "/v1/search?q=helicop*",
    "/v1/search?q=Massoud&type=actor",
    "/v1/search?q=Massoud&type=claim&type=media&limit=3",
    "/v1/search?q=Massoud&count=exact",
]

ERRORS = [
    "/v1/claims?limit=1000",
    "/v1/claims?limit=0",
    "/v1/claims?kind=gossip",
    "/v1/claims?claimnt_id=taliban",
    "/v1/claims?stated_from=yesterday",
    "/v1/claims?sort=-nonsense",
    "/v1/claims?cursor=not-a-cursor",
    "/v1/locations?bbox=1,2,3",
    "/v1/locations?near=91,0,10",
    "/v1/events?min_fatalities=-1",
    "/v1/search",
    "/v1/claims/no-such-claim",
    "/v1/actors/no-such-actor",
    "/v1/reports/no-such-report/text",
    "/v1/context.jsonld?format=xml",
]

# Every collection in every format it offers (format=; Accept is tested apart), with
# filters, sort and paging, and the formats a collection does not offer.
FORMATS = [
    *(f"{collection}?format={name}" for collection in COLLECTIONS for name in ("csv", "ndjson")),
    "/v1/claims?format=json&limit=2",
    "/v1/claims?format=csv&claimant_id=taliban&sort=-stated_on",
    "/v1/claims?format=csv&limit=3&count=none",
    "/v1/claims?format=ndjson&q=helicopter",
    "/v1/claims?format=geojson",
    "/v1/claims?format=geojson&location_id=panjshir-province&include_sublocations=true",
    "/v1/claims?format=jsonld&limit=5",
    "/v1/locations?format=geojson",
    "/v1/locations?format=geojson&bbox=69.0,35.0,70.5,36.0",
    "/v1/locations?format=csv&near=34.5553,69.2075,150",
    "/v1/events?format=geojson",
    "/v1/events?format=csv&sort=-date",
    "/v1/media?format=geojson",
    "/v1/media?format=csv&kind=photo&kind=tweet",
    "/v1/reports?format=jsonld",
    "/v1/actors?format=csv&kind=person&sort=name",
    "/v1/actors?format=geojson",
    "/v1/reports?format=geojson",
    "/v1/events?format=jsonld",
    "/v1/claims?format=xml",
]

# Bulk exports (streamed NDJSON and CSV): every collection, filters and sort, errors.
EXPORTS = [
    *(f"{collection}/export" for collection in COLLECTIONS),
    *(f"{collection}/export?format=csv" for collection in COLLECTIONS),
    "/v1/claims/export?claimant_id=taliban&sort=-stated_on",
    "/v1/claims/export?kind=casualties&kind=force_strength&format=csv",
    "/v1/claims/export?q=helicopter",
    "/v1/claims/export?location_id=panjshir-province&include_sublocations=true&sort=claimant",
    "/v1/claims/export?stated_from=2021-08-01&stated_to=2021-08-31&date_match=within",
    "/v1/locations/export?near=34.5553,69.2075,150",
    "/v1/locations/export?bbox=69.0,35.0,70.5,36.0&format=csv",
    "/v1/events/export?date_from=2021-08-01&date_to=2021-08-31&sort=-date",
    "/v1/media/export?kind=video&format=csv&sort=-posted_on",
    "/v1/actors/export?q=Massoud",
    "/v1/reports/export?language=en&format=csv",
    "/v1/claims/export?limit=5",
    "/v1/claims/export?format=xml",
    "/v1/claims/export?q=the",
]

# OGC API - Features (app.ogc): the same features from either engine, JSON and HTML.
OGC = [
    "/ogc",
    "/ogc/conformance",
    "/ogc/collections",
    "/ogc/collections?f=html",
    *(f"/ogc/collections/{name}" for name in ("locations", "claims", "media", "events")),
    *(f"/ogc/collections/{name}/items" for name in ("locations", "claims", "media", "events")),
    *(f"/ogc/collections/{name}/queryables" for name in ("locations", "claims")),
    "/ogc/collections/claims/items?limit=3&f=html",
    "/ogc/collections/claims/items?limit=4&bbox=69.0,35.0,70.5,36.0",
    "/ogc/collections/claims/items?datetime=2021-08-23/2021-08-24&limit=50",
    "/ogc/collections/claims/items?datetime=../2021-08-22",
    "/ogc/collections/events/items?datetime=2021",
    "/ogc/collections/media/items?datetime=2021-08-22/..&kind=video",
    "/ogc/collections/claims/items?filter=" + quote("claimant_id = 'taliban' OR kind = 'vow'"),
    "/ogc/collections/claims/items?filter="
    + quote("NOT (contested = true) AND stated_on BETWEEN '2021-08' AND '2021-08'"),
    "/ogc/collections/events/items?filter=" + quote("fatalities > 0"),
    "/ogc/collections/locations/items?filter=" + quote("kind IN ('valley', 'district')"),
    "/ogc/collections/claims/items/taliban-panjshir-surrounded%2Fpanjshir-valley",
    "/ogc/collections/locations/items/kabul?f=html",
    # Errors: the same problem from either.
    "/ogc/collections/claims/items?filter=" + quote("kind LIKE 'v%'"),
    "/ogc/collections/claims/items?datetime=2021-09-01/2021-08-01",
    "/ogc/collections/claims/items?bbox=1,2,3",
    "/ogc/collections/claims/items/no-such-claim%2Fkabul",
]

_LISTED: list[str] = [
    *COLLECTIONS,
    *OGC,
    *(
        f"{collection}?sort={direction}{field}"
        for collection, fields in SORTS.items()
        for field in fields
        for direction in ("", "-")
    ),
    *PAGING,
    *FILTERS,
    *FACETS,
    *SYNC,
    *DETAILS,
    *SEARCHES,
    *ERRORS,
    *FORMATS,
    *EXPORTS,
]

_SORTS = {
    "/v1/claims": [
        "id",
        "stated_on",
        "kind",
        "status",
        "channel",
        "claimant",
        "report_id",
        "updated_at",
    ],
    "/v1/actors": ["id", "name", "kind", "updated_at"],
    "/v1/locations": ["id", "name", "kind", "latitude", "longitude", "updated_at"],
    "/v1/events": ["id", "date", "event_type", "fatalities", "report_id", "updated_at"],
    "/v1/media": ["id", "posted_on", "kind", "report_id", "updated_at"],
    "/v1/reports": ["id", "published_on", "title", "updated_at"],
}

_FILTERS = [
    # claims
    "/v1/claims",
    "/v1/claims?claimant_id=taliban",
    "/v1/claims?claimant_id=taliban&claimant_id=ahmad-massoud",
    "/v1/claims?actor_id=northern-alliance",
    "/v1/claims?location_id=panjshir-valley",
    "/v1/claims?location_id=panjshir-province&include_sublocations=true",
    f"/v1/claims?report_id={REPORT}",
    "/v1/claims?kind=territorial_control&kind=casualties",
    "/v1/claims?status=disputed",
    "/v1/claims?channel=tweet",
    "/v1/claims?stated_from=2021-08-01&stated_to=2021-08-31",
    "/v1/claims?stated_from=2021-08-22&stated_to=2021-08-23&date_match=within",
    "/v1/claims?contested=true",
    "/v1/claims?contested=false",
    "/v1/claims?has_quantity=true",
    "/v1/claims?has_quantity=false&limit=5",
    "/v1/claims?limit=3",
    "/v1/claims?count=exact&limit=2",
    "/v1/claims?count=none",
    # actors
    "/v1/actors",
    "/v1/actors?kind=person",
    "/v1/actors?kind=media_outlet&kind=state",
    f"/v1/actors?report_id={REPORT}&limit=7",
    "/v1/actors?related_to=ahmad-massoud",
    # locations
    "/v1/locations",
    "/v1/locations?bbox=69.0,35.0,70.5,36.0",
    "/v1/locations?near=35.3,69.5,60",
    "/v1/locations?near=35.3,69.5,60&sort=distance",
    "/v1/locations?kind=province",
    "/v1/locations?country=AF",
    "/v1/locations?parent_id=afghanistan",
    f"/v1/locations?report_id={REPORT}&limit=4",
    # events
    "/v1/events",
    "/v1/events?bbox=69.0,35.0,70.5,36.0",
    "/v1/events?event_type=Battles",
    "/v1/events?sub_event_type=Armed%20clash",
    "/v1/events?actor_id=taliban",
    "/v1/events?location_id=baghlan-province&include_sublocations=true",
    f"/v1/events?report_id={REPORT}",
    "/v1/events?date_from=2021-08-01&date_to=2021-08-31",
    "/v1/events?date_from=1980-01-01&date_to=1989-12-31&date_match=within",
    "/v1/events?min_fatalities=1",
    # media
    "/v1/media",
    "/v1/media?kind=video&kind=tweet",
    "/v1/media?posted_by=northern-alliance",
    "/v1/media?actor_id=ahmad-massoud",
    "/v1/media?location_id=panjshir-valley&include_sublocations=true",
    f"/v1/media?report_id={REPORT}",
    "/v1/media?platform=Twitter",
    "/v1/media?posted_from=2021-08-22&posted_to=2021-08-24",
    "/v1/media?posted_from=2001-01-01&posted_to=2001-12-31&date_match=within",
    # reports
    "/v1/reports",
    "/v1/reports?language=en",
    "/v1/reports?published_from=2021-08-01&published_to=2021-08-31",
    # facets
    "/v1/claims/facets",
    "/v1/claims/facets?claimant_id=taliban",
    "/v1/claims/facets?location_id=panjshir-province&include_sublocations=true",
    "/v1/claims/facets?q=taliban&facet_size=3",
    "/v1/media/facets",
    "/v1/media/facets?kind=photo",
    "/v1/events/facets",
    "/v1/events/facets?event_type=Battles",
    # details
    "/v1/claims/taliban-panjshir-surrounded",
    "/v1/claims/taliban-panjshir-surrounded-summary",
    "/v1/claims/na-fuj-ambush-50-killed",
    "/v1/claims/report-soviet-offensives",
    "/v1/actors/ahmad-massoud",
    "/v1/actors/taliban",
    "/v1/locations/panjshir-valley",
    "/v1/locations/afghanistan",
    "/v1/events/fuj-ambush",
    "/v1/events/soviet-offensives-panjshir-1980s",
    "/v1/media/video-humvees-rolling",
    "/v1/media/photo-louis-michel-brussels-2001",
    f"/v1/reports/{REPORT}",
    f"/v1/reports/{REPORT}/text",
    "/healthz",
]

_SEARCHES = [
    "taliban",
    "Taliban surrounded",
    '"narrow gorge"',
    "taliban OR massoud",
    "taliban -massoud",
    "NOT taliban",
    "talib*",
    "talibán",
    "taliban's",
    "Lévy",
    "surrounding",
    "helicopter",
    '"unbalanced',
]

_ERRORS = [
    "/v1/claims?limit=0",
    "/v1/claims?limit=501",
    "/v1/claims?sort=nope",
    "/v1/claims?kind=nope",
    "/v1/claims?stated_from=2021-08-31&stated_to=2021-08-01",
    "/v1/claims?unknown=1",
    "/v1/claims?cursor=garbage",
    "/v1/locations?bbox=1,2,3",
    "/v1/claims/no-such-claim",
    "/v1/actors/no-such-actor",
    "/v1/search?q=" + quote("x" * 501),
]


def _build() -> list[str]:
    requests = list(_FILTERS)
    for path, fields in _SORTS.items():
        for field in fields:
            extra = "&near=35.3,69.5,60" if path == "/v1/locations" and field == "distance" else ""
            requests.append(f"{path}?sort={field}{extra}")
            requests.append(f"{path}?sort=-{field}{extra}")
    for words in _SEARCHES:
        requests.append(f"/v1/search?q={quote(words)}")
        requests.append(f"/v1/claims?q={quote(words)}")
    requests += [
        "/v1/search?q=taliban&type=claim&limit=3",
        "/v1/actors?q=massoud",
        "/v1/locations?q=panjshir",
        "/v1/events?q=ambush",
        "/v1/media?q=helicopter",
        "/v1/reports?q=bastion",
        "/v1/claims?q=taliban&sort=-stated_on",
    ]
    requests += _ERRORS
    return requests


# Both lists, each request once, in order.
PARITY_REQUESTS: list[str] = list(dict.fromkeys([*_LISTED, *_build()]))
