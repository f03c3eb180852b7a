"""The OpenAPI document: complete, with examples from the seed, errors declared."""

from typing import Any

from fastapi.testclient import TestClient

COLLECTION_TAGS = {"reports", "actors", "locations", "claims", "media", "events"}


def _operations(spec: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (path, method, operation)
        for path, methods in spec["paths"].items()
        for method, operation in methods.items()
    ]


def test_openapi_31_with_a_tag_per_collection(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    assert spec["openapi"].startswith("3.1")
    assert COLLECTION_TAGS | {"search"} <= {tag["name"] for tag in spec["tags"]}
    for collection in COLLECTION_TAGS:
        assert f"/v1/{collection}" in spec["paths"]
        assert spec["paths"][f"/v1/{collection}"]["get"]["tags"] == [collection]


def test_every_operation_and_parameter_is_documented(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    undocumented: list[str] = []
    for path, method, operation in _operations(spec):
        where = f"{method.upper()} {path}"
        if not operation.get("summary"):
            undocumented.append(f"{where}: summary")
        if not operation.get("description"):
            undocumented.append(f"{where}: description")
        for parameter in operation.get("parameters", []):
            if not parameter.get("description"):
                undocumented.append(f"{where}: parameter {parameter['name']}")
    assert undocumented == []


def test_errors_are_declared_as_problem_documents(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    for path, method, operation in _operations(spec):
        responses = operation["responses"]
        if method == "get":
            assert "422" not in responses, f"{method} {path}: bad parameters are answered 400"
        else:  # a write declares the 422 of a document that is not valid, as a problem
            assert "HTTPValidationError" not in str(responses.get("422", "")), (method, path)
        errors = {status: r for status, r in responses.items() if int(status) >= 400}
        assert {"500", "503"} <= errors.keys()
        assert "Retry-After" in errors["503"]["headers"]
        if path.startswith("/v1/") and "{" not in path:
            assert "400" in errors, f"{method} {path}"
        if "{" in path and method != "put":  # a PUT creates what is not there
            assert "404" in errors, f"{method} {path}"
        for status, response in errors.items():
            assert list(response["content"]) == ["application/problem+json"], (path, status)
    assert {"type", "title", "status", "detail"} <= spec["components"]["schemas"]["Problem"][
        "properties"
    ].keys()


def test_examples_come_from_the_seed(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    claims = spec["paths"]["/v1/claims"]["get"]
    params = {p["name"]: p for p in claims["parameters"]}
    assert params["claimant_id"]["schema"]["examples"] == [["taliban"]]
    example = spec["components"]["schemas"]["ClaimOut"]["examples"][0]
    assert example["id"] == "taliban-panjshir-surrounded"
    assert example["contradicts"] == ["massoud-no-fighter-has-dared", "na-efforts-rebuffed"]
    # The example is the real item, as the API serves it.
    served = client.get(f"/v1/claims/{example['id']}").json()
    assert {key: served[key] for key in example} == example


def test_docs_are_served_without_a_cdn(client: TestClient) -> None:
    for path in ("/docs", "/redoc"):
        html = client.get(path).text
        assert "cdn." not in html
        assert "fonts.googleapis" not in html
        assert "/static/docs/" in html
    for asset in ("swagger-ui-bundle.js", "swagger-ui.css", "redoc.standalone.js"):
        response = client.get(f"/static/docs/{asset}")
        assert response.status_code == 200
        assert len(response.content) > 100_000


def test_the_channel_vocabulary_is_an_enum_in_the_filter_and_the_response(
    client: TestClient,
) -> None:
    spec = client.get("/openapi.json").json()
    vocabulary = {
        "statement",
        "interview",
        "tweet",
        "social_media_post",
        "published_appeal",
        "reporting",
        "unspecified",
    }
    assert set(spec["components"]["schemas"]["ClaimChannel"]["enum"]) == vocabulary
    (channel,) = [
        p for p in spec["paths"]["/v1/claims"]["get"]["parameters"] if p["name"] == "channel"
    ]
    assert "ClaimChannel" in str(channel["schema"])
    assert "`reporting`: Asserted by the report itself" in channel["description"]
    claim = spec["components"]["schemas"]["ClaimOut"]["properties"]
    assert claim["channel"]["$ref"].endswith("/ClaimChannel")
    assert claim["claimant"]["$ref"].endswith("/ActorRef")
    assert "stated_period" in claim
    assert "venue" in claim
