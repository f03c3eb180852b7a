"""Every kind of bad input is a problem document (RFC 9457) naming what is wrong."""

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from app.main import create_app
from tests.helpers import assert_problem, get_json

LISTS = [
    "/v1/reports",
    "/v1/actors",
    "/v1/locations",
    "/v1/claims",
    "/v1/media",
    "/v1/events",
    "/v1/claims/facets",
    "/v1/media/facets",
    "/v1/events/facets",
]

# (path, query, the parameter the problem must name)
BAD_PARAMETERS = [
    ("/v1/claims", "claimant=taliban", "claimant"),
    ("/v1/claims", "limit=0", "limit"),
    ("/v1/claims", "limit=501", "limit"),
    ("/v1/claims", "limit=ten", "limit"),
    ("/v1/claims", "cursor=not-a-cursor", "cursor"),
    ("/v1/claims", "sort=loudness", "sort"),
    ("/v1/claims", "sort=kind,kind", "sort"),
    ("/v1/claims", "sort=relevance", "sort"),
    ("/v1/claims", "count=some", "count"),
    ("/v1/claims", "kind=rumour", "kind"),
    ("/v1/claims", "status=true", "status"),
    ("/v1/claims", "contested=maybe", "contested"),
    ("/v1/claims", "stated_from=2021-02-30", "stated_from"),
    ("/v1/claims", "stated_from=2021-09-01&stated_to=2021-08-01", "stated_to"),
    ("/v1/claims", "date_match=inside", "date_match"),
    ("/v1/claims", "q=", "q"),
    ("/v1/claims", "q=%21%21%21", "q"),
    ("/v1/locations", "bbox=69,35,70", "bbox"),
    ("/v1/locations", "bbox=69,35,70,95", "bbox"),
    ("/v1/locations", "bbox=69,36,70,35", "bbox"),  # minLat above maxLat
    ("/v1/locations", "near=34.5,69.2", "near"),
    ("/v1/locations", "near=34.5,69.2,0", "near"),
    ("/v1/locations", "sort=distance", "sort"),
    ("/v1/events", "min_fatalities=-1", "min_fatalities"),
    ("/v1/events", "bbox=a,b,c,d", "bbox"),
    ("/v1/media", "kind=painting", "kind"),
    ("/v1/claims/facets", "facet_size=0", "facet_size"),
    ("/v1/search", "", "q"),
    ("/v1/search", "q=Massoud&type=person", "type"),
]


@pytest.mark.parametrize(("path", "query", "name"), BAD_PARAMETERS)
def test_bad_parameters_are_400_problems_naming_them(
    client: TestClient, path: str, query: str, name: str
) -> None:
    assert_problem(client.get(f"{path}?{query}"), 400, parameter=name)


@pytest.mark.parametrize("path", LISTS)
def test_an_unknown_parameter_never_silently_returns_everything(
    client: TestClient, path: str
) -> None:
    body = assert_problem(client.get(f"{path}?claimant_idd=taliban"), 400, parameter="claimant_idd")
    assert "unknown query parameter" in body["errors"][0]["detail"]


def test_the_unknown_parameter_problem_lists_the_accepted_ones(client: TestClient) -> None:
    body = assert_problem(client.get("/v1/claims?claimant=taliban"), 400, parameter="claimant")
    assert "claimant_id" in body["errors"][0]["detail"]


def test_a_cursor_belongs_to_its_sort(client: TestClient) -> None:
    cursor = get_json(client, "/v1/claims", limit=2, sort="kind")["next_cursor"]
    assert cursor
    assert get_json(client, "/v1/claims", limit=2, sort="kind", cursor=cursor)["items"]
    body = assert_problem(
        client.get("/v1/claims", params={"limit": 2, "sort": "-kind", "cursor": cursor}),
        400,
        parameter="cursor",
    )
    assert "keep the sort" in body["detail"]


@pytest.mark.parametrize(
    "path",
    [
        "/v1/claims/nope",
        "/v1/actors/nope",
        "/v1/locations/nope",
        "/v1/media/nope",
        "/v1/events/nope",
        "/v1/reports/nope",
        "/v1/reports/nope/text",
        "/v1/no-such-collection",
    ],
)
def test_missing_things_are_404_problems(client: TestClient, path: str) -> None:
    assert_problem(client.get(path), 404)


def test_wrong_method_is_a_405_problem(client: TestClient) -> None:
    assert_problem(client.post("/v1/claims"), 405)


def test_an_unexpected_failure_is_a_500_problem_without_internals(engine: Engine) -> None:
    app = create_app(engine)

    def explode() -> None:
        raise RuntimeError("secret internals")

    app.add_api_route("/explode", explode)
    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get("/explode")
    body = assert_problem(response, 500)
    assert "secret" not in response.text
    assert body["title"] == "Internal Server Error"


@pytest.mark.parametrize("value", [10**30, "Infinity", -(2**63) - 1])
def test_a_cursor_with_an_impossible_number_is_a_400(client: TestClient, value: object) -> None:
    import base64
    import json

    number = value if value != "Infinity" else float("inf")
    payload = json.dumps({"s": "stated_on", "v": [number, "2021-08-01", "x"]})
    cursor = base64.urlsafe_b64encode(payload.encode()).decode().rstrip("=")
    response = client.get("/v1/claims", params={"sort": "stated_on", "cursor": cursor})
    assert_problem(response, 400, parameter="cursor")
