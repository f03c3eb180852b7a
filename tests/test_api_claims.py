"""Claims: every filter, with the exact claims the seed should answer."""

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from app.claims.schemas import ClaimDetail, ClaimFacets, ClaimPage
from app.models import ClaimLink
from app.models.vocab import ClaimChannel
from tests.helpers import assert_problem, get_json, id_set

TALIBAN = {
    "taliban-retook-three-districts",
    "taliban-panjshir-surrounded",
    "taliban-panjshir-surrounded-summary",
    "taliban-sending-hundreds",
}
ABOUT_THE_VALLEY = {
    "taliban-panjshir-surrounded",
    "taliban-panjshir-surrounded-summary",
    "taliban-sending-hundreds",
    "massoud-valley-will-not-fall",
    "massoud-fight-to-the-last",
    "massoud-people-want-to-resist",
    "massoud-refugees-standing-with-us",
    "na-efforts-rebuffed",
    "na-tajik-helicopter-photo",
    "na-tajik-helicopters-tweet",
    "report-tajikistan-sponsors-na",
    "report-soviet-offensives",
}
REPORTED = {
    "report-tajikistan-sponsors-na",
    "report-taliban-funding",
    "report-taliban-asked-officials-to-stay",
    "report-soviet-offensives",
    "report-massoud-assassinated",
}
AT_THE_ENTRANCE = {
    "massoud-no-fighter-will-pass",
    "massoud-no-fighter-has-dared",
    "na-valley-entrance-video",
}


def test_the_talibans_claims_include_the_three_districts_and_the_encirclement(
    client: TestClient,
) -> None:
    assert id_set(client, "/v1/claims", claimant_id="taliban") == TALIBAN
    page = get_json(client, "/v1/claims", claimant_id="taliban")
    by_id = {item["id"]: item for item in page["items"]}
    districts = by_id["taliban-retook-three-districts"]
    assert districts["quantities"] == [
        {
            "value": 3,
            "unit": "districts",
            "counted": "districts retaken",
            "qualifier": "exact",
            "text": "three districts",
        }
    ]
    assert districts["stated_on"] == "2021-08-23"
    assert by_id["taliban-panjshir-surrounded"]["claimant"] == {
        "id": "taliban",
        "name": "Taliban",
        "kind": "armed_group",
    }
    assert page["total"] == 4


def test_the_list_matches_its_documented_schema(client: TestClient) -> None:
    page = ClaimPage.model_validate(get_json(client, "/v1/claims", limit=500))
    assert len(page.items) == page.total == 30


def test_every_claim_has_a_claimant_the_report_its_outlet(client: TestClient) -> None:
    items = get_json(client, "/v1/claims", limit=500)["items"]
    assert all(item["claimant"] is not None for item in items)
    assert id_set(client, "/v1/claims", claimant_id="mailonline") == REPORTED
    reported = get_json(client, "/v1/claims/report-soviet-offensives")
    assert reported["claimant"] == {
        "id": "mailonline",
        "name": "MailOnline",
        "kind": "media_outlet",
    }
    assert reported["channel"] == "reporting"


def test_venues_are_actors(client: TestClient) -> None:
    by_id = {item["id"]: item for item in get_json(client, "/v1/claims", limit=500)["items"]}
    venues = {i: item["venue"]["id"] for i, item in by_id.items() if item["venue"] is not None}
    assert venues == {
        "massoud-people-want-to-resist": "reuters",
        "massoud-refugees-standing-with-us": "reuters",
        "massoud-negotiation-only-way": "reuters",
        "levy-france-should-help": "politico",
        "massoud-appeal-to-the-french": "french-magazine",
    }
    assert by_id["levy-france-should-help"]["venue"] == {
        "id": "politico",
        "name": "Politico",
        "kind": "media_outlet",
    }
    assert {item["channel"] for item in by_id.values()} <= set(ClaimChannel)


def test_month_precision_dates_are_served_as_their_period(client: TestClient) -> None:
    appeal = get_json(client, "/v1/claims/massoud-appeal-to-the-french")
    assert (appeal["stated_on"], appeal["stated_on_precision"], appeal["stated_period"]) == (
        "2021-08-01",
        "month",
        "2021-08",
    )
    undated = get_json(client, "/v1/claims/na-morale-high")
    assert undated["stated_period"] is None
    briefs = get_json(client, "/v1/actors/bernard-henri-levy")["claims"]
    assert {c["id"]: c["stated_period"] for c in briefs} == {
        "levy-massoud-only-one-who-resists": None,
        "levy-france-should-help": "2020-10",
    }


def test_the_channel_filter_takes_only_the_vocabulary(client: TestClient) -> None:
    assert_problem(
        client.get("/v1/claims", params={"channel": "interview with Reuters"}),
        400,
        parameter="channel",
    )
    assert_problem(
        client.get("/v1/claims/facets", params={"channel": "report"}), 400, parameter="channel"
    )


def test_repeating_a_filter_means_or(client: TestClient) -> None:
    both = id_set(client, "/v1/claims", claimant_id=["taliban", "massoud-aide"])
    assert both == TALIBAN | {"aide-forces-over-6000"}


ENCIRCLEMENT = {
    "taliban-panjshir-surrounded",
    "taliban-sending-hundreds",
    "taliban-panjshir-surrounded-summary",
}


def test_contested_returns_the_encirclement_with_its_contradictions(client: TestClient) -> None:
    contested = get_json(client, "/v1/claims", contested="true")
    by_id = {item["id"]: item for item in contested["items"]}
    # The summary bullet restates the two body claims of the encirclement: all three are
    # contradicted by the same two claims.
    assert set(by_id) == ENCIRCLEMENT | {"massoud-no-fighter-has-dared", "na-efforts-rebuffed"}
    for claim_id in ENCIRCLEMENT:
        assert by_id[claim_id]["contradicts"] == [
            "massoud-no-fighter-has-dared",
            "na-efforts-rebuffed",
        ]
    assert by_id["na-efforts-rebuffed"]["contradicts"] == sorted(ENCIRCLEMENT)
    uncontested = id_set(client, "/v1/claims", contested="false")
    assert len(uncontested) == 25
    assert not uncontested & set(by_id)


def test_restatements_are_linked_and_agree(client: TestClient, engine: Engine) -> None:
    summary = get_json(client, "/v1/claims/taliban-panjshir-surrounded-summary")
    assert summary["restates"] == ["taliban-panjshir-surrounded", "taliban-sending-hundreds"]
    assert summary["restated_by"] == []
    body = get_json(client, "/v1/claims/taliban-sending-hundreds")
    assert body["restated_by"] == ["taliban-panjshir-surrounded-summary"]
    # No two claims linked as restatements disagree on status or contradictions, anywhere.
    with engine.connect() as conn:
        pairs = conn.execute(
            select(ClaimLink.source_id, ClaimLink.target_id).where(ClaimLink.kind == "restates")
        ).all()
    assert len(pairs) == 2
    for source, target in pairs:
        one, other = (get_json(client, f"/v1/claims/{i}") for i in (source, target))
        assert one["status"] == other["status"] == "disputed"
        assert one["contradicts"] == other["contradicts"] != []
        assert [c["id"] for c in one["contradicting_claims"]] == other["contradicts"]


def test_claims_about_an_actor(client: TestClient) -> None:
    assert id_set(client, "/v1/claims", actor_id="tajikistan") == {
        "na-tajik-helicopter-photo",
        "na-tajik-helicopters-tweet",
        "na-morale-high",
        "report-tajikistan-sponsors-na",
    }


def test_claims_about_a_place_and_below_it(client: TestClient) -> None:
    assert id_set(client, "/v1/claims", location_id="panjshir-valley") == ABOUT_THE_VALLEY
    assert id_set(client, "/v1/claims", location_id="panjshir-province") == set()
    assert (
        id_set(client, "/v1/claims", location_id="panjshir-province", include_sublocations="true")
        == ABOUT_THE_VALLEY | AT_THE_ENTRANCE
    )


def test_every_claim_about_andarab_in_august_2021(client: TestClient) -> None:
    assert id_set(
        client,
        "/v1/claims",
        location_id="andarab",
        stated_from="2021-08-01",
        stated_to="2021-08-31",
    ) == {"na-andarab-clashes"}


def test_date_ranges_overlap_by_default_and_contain_with_within(client: TestClient) -> None:
    monday = {
        "taliban-retook-three-districts",
        "taliban-panjshir-surrounded",
        "taliban-panjshir-surrounded-summary",
        "na-tajik-helicopter-photo",
    }
    overlapping = id_set(client, "/v1/claims", stated_from="2021-08-23", stated_to="2021-08-23")
    # The appeal is known only to the month (August 2021): its month overlaps the day.
    assert overlapping == monday | {"massoud-appeal-to-the-french"}
    within = id_set(
        client, "/v1/claims", stated_from="2021-08-23", stated_to="2021-08-23", date_match="within"
    )
    assert within == monday
    assert id_set(client, "/v1/claims", stated_to="2020-12-31") == {"levy-france-should-help"}


def test_kind_status_channel_report_and_quantity_filters(client: TestClient) -> None:
    assert id_set(client, "/v1/claims", kind="casualties") == {"na-fuj-ambush-50-killed"}
    assert id_set(client, "/v1/claims", kind=["vow", "negotiation"]) == {
        "massoud-valley-will-not-fall",
        "massoud-no-fighter-will-pass",
        "massoud-fight-to-the-last",
        "massoud-negotiation-only-way",
    }
    assert id_set(client, "/v1/claims", status="disputed") == ENCIRCLEMENT
    assert id_set(client, "/v1/claims", channel="interview") == {
        "massoud-people-want-to-resist",
        "massoud-refugees-standing-with-us",
        "massoud-negotiation-only-way",
        "levy-france-should-help",
    }
    assert id_set(client, "/v1/claims", channel=["published_appeal", "social_media_post"]) == {
        "massoud-appeal-to-the-french",
        "na-tajik-helicopter-photo",
    }
    assert id_set(client, "/v1/claims", channel="reporting") == REPORTED
    assert len(id_set(client, "/v1/claims", report_id="panjshir-last-bastion-2021-08-24")) == 30
    assert id_set(client, "/v1/claims", report_id="no-such-report") == set()
    assert id_set(client, "/v1/claims", has_quantity="true") == {
        "taliban-retook-three-districts",
        "taliban-panjshir-surrounded-summary",
        "taliban-sending-hundreds",
        "massoud-fight-to-the-last",
        "aide-forces-over-6000",
        "na-fuj-ambush-50-killed",
        "report-soviet-offensives",
    }


def test_full_text_search_is_stemmed_and_ranked(client: TestClient) -> None:
    found = get_json(client, "/v1/claims", q="helicopters")
    assert {item["id"] for item in found["items"]} == {
        "na-tajik-helicopter-photo",
        "na-tajik-helicopters-tweet",
        "report-tajikistan-sponsors-na",
    }
    assert found["total"] == 3
    by_claimant = id_set(client, "/v1/claims", q="Tajikistan", claimant_id="northern-alliance")
    assert by_claimant == {
        "na-tajik-helicopter-photo",
        "na-tajik-helicopters-tweet",
        "na-morale-high",  # "grateful to Tajikistan for its support"
    }
    phrase = id_set(client, "/v1/claims", q='"three districts"')
    assert phrase == {"taliban-retook-three-districts"}


def test_filters_combine_with_and(client: TestClient) -> None:
    assert id_set(
        client, "/v1/claims", claimant_id="northern-alliance", channel="tweet", has_quantity="true"
    ) == {"na-fuj-ambush-50-killed"}


def test_sort_by_date_descending_puts_undated_claims_last(client: TestClient) -> None:
    items = get_json(client, "/v1/claims", sort="-stated_on", limit=500)["items"]
    dates = [item["stated_on"] for item in items]
    dated = [d for d in dates if d is not None]
    assert dates[: len(dated)] == sorted(dated, reverse=True)
    assert all(d is None for d in dates[len(dated) :])
    assert dates[-1] is None
    assert dated[-1] == "2020-10-01"


def test_claim_detail_embeds_everything_related(client: TestClient) -> None:
    body = get_json(client, "/v1/claims/taliban-panjshir-surrounded")
    ClaimDetail.model_validate(body)
    assert [c["id"] for c in body["contradicting_claims"]] == [
        "massoud-no-fighter-has-dared",
        "na-efforts-rebuffed",
    ]
    assert body["contradicting_claims"][1]["claimant"]["name"] == "Northern Alliance"
    assert body["supported_by"] == ["taliban-sending-hundreds"]
    assert body["restated_by"] == ["taliban-panjshir-surrounded-summary"]
    assert body["restates"] == []
    assert body["venue"] is None
    assert (body["stated_on"], body["stated_period"]) == ("2021-08-23", "2021-08-23")
    assert body["locations"] == [
        {"id": "panjshir-valley", "name": "Panjshir Valley", "kind": "valley", "role": "subject"}
    ]
    photo = get_json(client, "/v1/claims/na-tajik-helicopter-photo")
    assert [m["id"] for m in photo["media"]] == ["photo-tajik-helicopter-airdrop"]
    assert photo["event_ids"] == ["tajik-helicopter-supply"]
    assert photo["supported_by"] == ["na-tajik-helicopters-tweet", "report-tajikistan-sponsors-na"]


def _facet(body: dict[str, Any], name: str) -> dict[str | None, int]:
    return {entry["value"]: entry["count"] for entry in body["facets"][name]}


def test_claim_facets_count_under_the_same_filters(client: TestClient) -> None:
    body = get_json(client, "/v1/claims/facets")
    ClaimFacets.model_validate(body)
    assert body["total"] == 30
    claimants = _facet(body, "claimant")
    assert claimants["ahmad-massoud"] == 9
    assert claimants["taliban"] == 4
    assert claimants["mailonline"] == 5  # asserted by the report itself
    assert None not in claimants
    assert body["facets"]["claimant"][0] == {
        "value": "ahmad-massoud",
        "label": "Ahmad Massoud",
        "count": 9,
    }
    assert _facet(body, "status") == {"unverified": 24, "disputed": 3, "corroborated": 3}
    assert _facet(body, "channel") == {
        "unspecified": 10,
        "tweet": 5,
        "reporting": 5,
        "interview": 4,
        "statement": 4,
        "published_appeal": 1,
        "social_media_post": 1,
    }
    assert _facet(body, "location")["panjshir-valley"] == 12
    months = _facet(body, "month")
    assert months == {"2021-08": 16, "2020-10": 1}
    labels = {
        name: {entry["value"]: entry["label"] for entry in entries}
        for name, entries in body["facets"].items()
    }
    assert labels["claimant"]["mailonline"] == "MailOnline"
    assert labels["channel"]["reporting"] == "The report's own reporting"
    assert labels["channel"]["unspecified"] == "Not stated"
    assert labels["kind"]["support_received"] == "Support received"
    assert labels["status"]["disputed"] == "Disputed"
    assert labels["location"]["panjshir-valley"] == "Panjshir Valley"
    assert labels["month"] == {"2021-08": "August 2021", "2020-10": "October 2020"}

    filtered = get_json(client, "/v1/claims/facets", claimant_id="taliban")
    assert filtered["total"] == 4
    assert _facet(filtered, "kind") == {"territorial_control": 3, "force_strength": 1}


@pytest.mark.parametrize(
    ("path", "name"),
    [
        ("/v1/claims/no-such-claim", "claim"),
        ("/v1/actors/no-such-actor", "actor"),
        ("/v1/locations/no-such-location", "location"),
        ("/v1/media/no-such-media", "media item"),
        ("/v1/events/no-such-event", "event"),
    ],
)
def test_missing_items_are_404_problems(client: TestClient, path: str, name: str) -> None:
    response = client.get(path)
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["detail"] == f"no {name} with id '{path.rsplit('/', 1)[1]}'"


def test_claims_and_media_about_a_place_inside_a_box(client: TestClient) -> None:
    """`bbox` on claims and media: items naming a place inside the box (any of their places)."""
    valley = "69.0,35.0,70.5,36.0"
    inside = id_set(client, "/v1/claims", bbox=valley)
    assert "taliban-panjshir-surrounded" in inside
    assert "taliban-panjshir-surrounded-summary" in inside  # the valley, and Kabul outside
    assert "levy-massoud-only-one-who-resists" not in inside  # France only
    about_places = id_set(client, "/v1/claims", location_id="panjshir-valley")
    assert about_places <= inside
    france = id_set(client, "/v1/claims", bbox="-5,42,8,51")
    assert "levy-massoud-only-one-who-resists" in france
    assert not france & {"taliban-panjshir-surrounded"}
    media = id_set(client, "/v1/media", bbox=valley)
    assert media
    assert media < id_set(client, "/v1/media")
    assert_problem(client.get("/v1/claims", params={"bbox": "69,36,70,35"}), 400, parameter="bbox")
