"""Actors, locations, media, events, reports and cross-collection search."""

from fastapi.testclient import TestClient

from app.actors.schemas import ActorDetail, ActorPage
from app.events.schemas import EventDetail, EventPage
from app.locations.schemas import LocationDetail, LocationPage
from app.media.schemas import MediaPage
from tests.conftest import REPORT_ID
from tests.helpers import get_json, id_set, ids

VALLEY_BOX = "69.0,35.0,70.5,36.0"


def test_actors_by_kind_report_and_relation(client: TestClient) -> None:
    ActorPage.model_validate(get_json(client, "/v1/actors", limit=500))
    states = id_set(client, "/v1/actors", kind="state")
    assert states == {"soviet-union", "france", "tajikistan", "united-states", "iran"}
    outlets = id_set(client, "/v1/actors", kind="media_outlet")
    assert outlets == {"mailonline", "reuters", "politico", "french-magazine"}
    assert len(id_set(client, "/v1/actors", report_id=REPORT_ID)) == 30
    assert id_set(client, "/v1/actors", related_to="ahmad-massoud") == {
        "ahmad-shah-massoud",
        "northern-alliance",
        "sandhurst",
        "kings-college-london",
        "amrullah-saleh",
        "bismillah-mohammadi",
        "afghan-army",
        "french-government",
        "bernard-henri-levy",
    }


def test_actor_search_covers_aliases_and_accents(client: TestClient) -> None:
    assert "ahmad-shah-massoud" in id_set(client, "/v1/actors", q="Afghan Napoleon")
    assert "bernard-henri-levy" in id_set(client, "/v1/actors", q="Levy")
    first = get_json(client, "/v1/actors", q="Lion of the Panjshir")["items"][0]
    assert first["id"] == "ahmad-shah-massoud"


def test_actor_detail_has_relations_both_ways_and_claims(client: TestClient) -> None:
    body = get_json(client, "/v1/actors/ahmad-massoud")
    ActorDetail.model_validate(body)
    relations = {(r["direction"], r["kind"], r["other"]["id"]) for r in body["relations"]}
    assert ("outgoing", "child_of", "ahmad-shah-massoud") in relations
    assert ("outgoing", "leads", "northern-alliance") in relations
    assert ("incoming", "allied_with", "amrullah-saleh") in relations
    assert len({c["id"] for c in body["claims"]}) == 9
    assert body["report_ids"] == [REPORT_ID]
    text = client.get(f"/v1/reports/{REPORT_ID}/text").text
    for relation in body["relations"]:
        assert text[relation["span"]["start"] : relation["span"]["end"]] == relation["quote"]


def test_locations_in_a_bbox_hold_panjshir_and_not_brussels(client: TestClient) -> None:
    LocationPage.model_validate(get_json(client, "/v1/locations", limit=500))
    inside = id_set(client, "/v1/locations", bbox=VALLEY_BOX)
    assert inside == {
        "panjshir-province",
        "panjshir-valley",
        "panjshir-valley-entrance",
        "andarab",
        "hindu-kush",
    }
    assert "brussels" not in inside
    assert "fuj-area" not in inside  # no coordinates: never in a box
    assert id_set(client, "/v1/locations", bbox="4.0,50.5,4.6,51.0") == {"brussels"}


def test_locations_near_a_point_are_sorted_by_distance(client: TestClient) -> None:
    items = get_json(client, "/v1/locations", near="34.5553,69.2075,150", limit=500)["items"]
    found = [item["id"] for item in items]
    assert found[0] == "kabul"
    assert items[0]["distance_km"] == 0.0
    assert {"kabul-sports-stadium", "panjshir-valley", "panjshir-province"} <= set(found)
    assert not {"brussels", "hindu-kush", "tajikistan-country"} & set(found)
    distances = [item["distance_km"] for item in items]
    assert distances == sorted(distances)
    assert all(d <= 150 for d in distances)
    valley = next(item for item in items if item["id"] == "panjshir-valley")
    assert 85 < valley["distance_km"] < 105


def test_location_filters_by_kind_country_and_parent(client: TestClient) -> None:
    assert id_set(client, "/v1/locations", kind="country") == {
        "afghanistan",
        "tajikistan-country",
        "iran-country",
        "united-kingdom",
        "france-country",
        "belgium",
        "united-states-country",
    }
    assert id_set(client, "/v1/locations", country="gb") == {
        "united-kingdom",
        "london",
        "kings-college-london-campus",
        "sandhurst-academy",
    }
    assert id_set(client, "/v1/locations", parent_id="panjshir-province") == {"panjshir-valley"}


def test_location_detail_has_its_parent_chain_and_children(client: TestClient) -> None:
    body = get_json(client, "/v1/locations/panjshir-valley-entrance")
    LocationDetail.model_validate(body)
    assert [a["id"] for a in body["ancestors"]] == [
        "panjshir-valley",
        "panjshir-province",
        "afghanistan",
    ]
    province = get_json(client, "/v1/locations/panjshir-province")
    assert [c["id"] for c in province["children"]] == ["panjshir-valley"]
    assert get_json(client, "/v1/locations/afghanistan")["ancestors"] == []


def test_videos_the_northern_alliance_posted(client: TestClient) -> None:
    MediaPage.model_validate(get_json(client, "/v1/media", limit=500))
    assert id_set(client, "/v1/media", kind="video", posted_by="northern-alliance") == {
        "video-humvees-rolling",
        "video-valley-entrance",
    }
    assert id_set(client, "/v1/media", kind=["video", "map"]) == {
        "video-humvees-rolling",
        "video-valley-entrance",
        "map-panjshir-valley",
    }
    assert len(id_set(client, "/v1/media", posted_by="northern-alliance")) == 6


def test_media_by_actor_place_date_and_text(client: TestClient) -> None:
    assert id_set(client, "/v1/media", actor_id="ahmad-shah-massoud") == {
        "photo-massoud-and-father",
        "photo-massoud-remembrance-2003",
        "photo-louis-michel-brussels-2001",
    }
    assert id_set(client, "/v1/media", location_id="andarab") == {"tweet-fuj-ambush"}
    assert id_set(client, "/v1/media", posted_from="2021-08-22", posted_to="2021-08-22") == {
        "photo-na-prepare-to-defend",
        "photo-resistance-fighters-sunday",
        "photo-na-training",
    }
    assert id_set(client, "/v1/media", posted_to="2010-01-01") == {
        "photo-massoud-remembrance-2003",
        "photo-louis-michel-brussels-2001",
    }
    assert id_set(client, "/v1/media", q="Humvee") == {
        "video-humvees-rolling",
        "photo-humvee-afghan-flag",
    }
    assert id_set(
        client, "/v1/media", location_id="panjshir-province", include_sublocations="true"
    ) >= {"photo-na-training", "video-valley-entrance", "map-panjshir-valley"}


def test_media_item_and_facets(client: TestClient) -> None:
    body = get_json(client, "/v1/media/photo-tajik-helicopter-airdrop")
    assert body["claim_id"] == "na-tajik-helicopter-photo"
    assert body["posted_by"]["id"] == "northern-alliance"
    facets = get_json(client, "/v1/media/facets")
    assert facets["total"] == 17
    kinds = {e["value"]: e["count"] for e in facets["facets"]["kind"]}
    assert kinds == {"photo": 11, "video": 2, "map": 1, "tweet": 3}


def test_events_by_type_place_date_box_and_fatalities(client: TestClient) -> None:
    EventPage.model_validate(get_json(client, "/v1/events", limit=500))
    assert id_set(client, "/v1/events", event_type="Battles") == {
        "soviet-offensives-panjshir-1980s",
        "taliban-retake-three-districts",
        "fuj-ambush",
        "andarab-clashes",
    }
    assert id_set(client, "/v1/events", sub_event_type="Suicide bomb") == {
        "assassination-ahmad-shah-massoud"
    }
    assert id_set(client, "/v1/events", min_fatalities=10) == {"fuj-ambush"}
    assert id_set(client, "/v1/events", bbox=VALLEY_BOX) == {
        "soviet-offensives-panjshir-1980s",
        "tajik-helicopter-supply",
        "andarab-clashes",
    }
    assert id_set(client, "/v1/events", date_from="2021-08-01") == {
        "taliban-retake-three-districts",
        "fuj-ambush",
        "andarab-clashes",
        "tajik-helicopter-supply",
    }
    # The 1980s offensives overlap 1985, but do not lie within it.
    assert id_set(client, "/v1/events", date_from="1985-01-01", date_to="1985-12-31") == {
        "soviet-offensives-panjshir-1980s"
    }
    assert (
        id_set(
            client,
            "/v1/events",
            date_from="1985-01-01",
            date_to="1985-12-31",
            date_match="within",
        )
        == set()
    )
    assert id_set(client, "/v1/events", actor_id="tajikistan") == {"tajik-helicopter-supply"}
    assert id_set(client, "/v1/events", location_id="afghanistan", include_sublocations="true") == {
        "soviet-offensives-panjshir-1980s",
        "assassination-ahmad-shah-massoud",
        "andarab-clashes",
        "tajik-helicopter-supply",
        "fuj-ambush",
    }


def test_event_detail_and_facets(client: TestClient) -> None:
    body = get_json(client, "/v1/events/tajik-helicopter-supply")
    EventDetail.model_validate(body)
    assert body["location"]["id"] == "panjshir-valley"
    assert [c["id"] for c in body["claims"]] == [
        "na-tajik-helicopter-photo",
        "na-tajik-helicopters-tweet",
        "report-tajikistan-sponsors-na",
    ]
    assert {(a["id"], a["role"]) for a in body["actors"]} == {
        ("tajikistan", "supplier"),
        ("northern-alliance", "recipient"),
    }
    facets = get_json(client, "/v1/events/facets")
    types = {e["value"]: e["count"] for e in facets["facets"]["event_type"]}
    assert types == {"Battles": 4, "Explosions/Remote violence": 1, "Strategic developments": 1}


def test_reports_filters_and_search(client: TestClient) -> None:
    assert ids(client, "/v1/reports", language="en") == [REPORT_ID]
    assert ids(client, "/v1/reports", published_from="2021-09-01") == []
    assert ids(client, "/v1/reports", q="bastion") == [REPORT_ID]


def test_search_across_collections(client: TestClient) -> None:
    body = get_json(client, "/v1/search", q="Tajikistan")
    hits = {(hit["type"], hit["id"]) for hit in body["items"]}
    assert ("claim", "na-tajik-helicopter-photo") in hits
    assert ("actor", "tajikistan") in hits
    assert ("location", "tajikistan-country") in hits
    claim_hit = next(h for h in body["items"] if h["id"] == "na-tajik-helicopter-photo")
    assert "<mark>Tajikistan</mark>" in claim_hit["snippet"]
    assert claim_hit["link"] == "/v1/claims/na-tajik-helicopter-photo"
    assert claim_hit["title"].startswith("A helicopter from Tajikistan")
    assert client.get(claim_hit["link"]).status_code == 200
    only_media = get_json(client, "/v1/search", q="Humvee", type="media")
    assert {hit["type"] for hit in only_media["items"]} == {"media"}
    assert only_media["total"] == 2


def test_every_date_with_a_precision_is_served_with_its_period(client: TestClient) -> None:
    media = {item["id"]: item for item in get_json(client, "/v1/media", limit=500)["items"]}
    assert {
        media_id: (media[media_id]["posted_on"], media[media_id]["posted_period"])
        for media_id in ("photo-louis-michel-brussels-2001", "photo-massoud-graduation")
    } == {
        "photo-louis-michel-brussels-2001": ("2001-04-01", "2001-04"),
        "photo-massoud-graduation": ("2015-01-01", "2015"),
    }
    assert media["tweet-morale-high"]["posted_period"] is None
    soviet = get_json(client, "/v1/events/soviet-offensives-panjshir-1980s")
    assert (soviet["date"], soviet["date_precision"], soviet["date_period"]) == (
        "1980-01-01",
        "decade",
        "1980s",
    )
    assert soviet["claims"][0]["stated_period"] == "2021-08-24"
    ambush = get_json(client, "/v1/events/fuj-ambush")
    assert ambush["date_period"] == "2021-08-24"


def test_the_report_names_its_outlet(client: TestClient) -> None:
    report = get_json(client, f"/v1/reports/{REPORT_ID}")
    assert report["outlet"] == {"id": "mailonline", "name": "MailOnline", "kind": "media_outlet"}
    assert report["publisher"] == "MailOnline (Daily Mail)"
