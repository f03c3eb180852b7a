"""The OpenAPI document as a contract: its examples are the API's answers and valid against
their schemas, every request and answer of the parity list validates against it (openapi-core),
and a client generated from it (openapi-python-client) passes mypy."""

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
from fastapi.testclient import TestClient
from jsonschema import Draft202012Validator, FormatChecker
from openapi_core import Config, OpenAPI
from openapi_core.datatypes import RequestParameters
from openapi_core.testing import MockResponse
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012
from sqlalchemy import Engine
from werkzeug.datastructures import ImmutableMultiDict

from app.catalog import BY_NAME
from app.claims.schemas import ClaimFacetCounts
from app.events.schemas import EventFacetCounts
from app.examples import SOURCES, collect, render
from app.main import create_app
from app.media.schemas import MediaFacetCounts
from app.operations.examples import stored_examples
from tests.parity_requests import PARITY_REQUESTS

DOCUMENT_URI = "urn:conflict-reports:openapi"
# Example fields that depend on the engine answering: which one it is.
ENGINE_SPECIFIC = [("Health", "database")]


@pytest.fixture(scope="module")
def document(client: TestClient) -> dict[str, Any]:
    spec: dict[str, Any] = client.get("/openapi.json").json()
    return spec


def _schemas_with_examples(node: Any, pointer: str) -> Iterator[tuple[str, list[Any]]]:
    """(JSON pointer, examples) of every schema in `node` that has examples."""
    if isinstance(node, dict):
        if isinstance(node.get("examples"), list):
            yield pointer, node["examples"]
        for key, value in node.items():
            if key != "examples":
                escaped = str(key).replace("~", "~0").replace("/", "~1")
                yield from _schemas_with_examples(value, f"{pointer}/{escaped}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _schemas_with_examples(value, f"{pointer}/{index}")


def test_every_example_validates_against_its_schema(document: dict[str, Any]) -> None:
    registry: Registry[Any] = Registry().with_resource(
        DOCUMENT_URI, Resource.from_contents(document, default_specification=DRAFT202012)
    )
    found = list(_schemas_with_examples(document, ""))
    schemas_with_examples = {p for p, _ in found if p.startswith("/components/schemas/")}
    # The component examples the seed gives, and the parameters' and fields' own examples.
    assert {f"/components/schemas/{name}" for name in SOURCES} <= schemas_with_examples
    assert any(p.startswith("/paths/") for p, _ in found)
    invalid: list[str] = []
    for pointer, examples in found:
        validator = Draft202012Validator(
            {"$ref": f"{DOCUMENT_URI}#{pointer}"},
            registry=registry,
            format_checker=FormatChecker(),
        )
        for index, example in enumerate(examples):
            invalid.extend(
                f"{pointer} example {index}: {error.message} at {list(error.absolute_path)}"
                for error in validator.iter_errors(example)
            )
    assert invalid == []


def test_examples_are_the_api_answers_on_the_seed(client: TestClient, backend: str) -> None:
    """`app/operations/examples.json` is what the API answers; `make examples` rewrites it."""

    def get(path: str) -> Any:
        response = client.get(path)
        assert response.status_code in {200, 400, 404}, path
        return response.json()

    answered = collect(get)
    stored = stored_examples()
    if backend != "sqlite":  # written on SQLite: keep what each engine words its own way
        for name, key in ENGINE_SPECIFIC:
            for mine, written in zip(answered[name], stored[name], strict=True):
                mine[key] = written[key]
    assert render(answered) == render(stored), "examples.json is stale: make examples"
    detail = stored_examples()["ClaimDetail"][0]
    assert detail["id"] == "taliban-panjshir-surrounded"
    assert [c["id"] for c in detail["contradicting_claims"]] == detail["contradicts"]
    assert detail["contradicts"] == ["massoud-no-fighter-has-dared", "na-efforts-rebuffed"]


def test_facet_schemas_name_each_collections_facets(document: dict[str, Any]) -> None:
    for collection, counts in (
        ("claims", ClaimFacetCounts),
        ("media", MediaFacetCounts),
        ("events", EventFacetCounts),
    ):
        assert list(counts.model_fields) == list(_facets_of(collection))
        schema = document["paths"][f"/v1/{collection}/facets"]["get"]["responses"]["200"]
        name = schema["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
        facets = document["components"]["schemas"][name]["properties"]["facets"]
        counted = document["components"]["schemas"][facets["$ref"].rsplit("/", 1)[1]]
        assert counted["required"] == list(_facets_of(collection))
        assert "additionalProperties" not in counted


def _walk(node: Any, pointer: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    if isinstance(node, dict):
        yield pointer, node
        for key, value in node.items():
            yield from _walk(value, f"{pointer}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _walk(value, f"{pointer}/{index}")


def test_parameters_are_plain_and_enums_are_named_once(document: dict[str, Any]) -> None:
    parameters = [
        (f"{path} {parameter['name']}", parameter["schema"])
        for path, methods in document["paths"].items()
        for operation in methods.values()
        for parameter in operation.get("parameters", [])
    ]
    assert len(parameters) > 80
    nullable = [
        name
        for name, schema in parameters
        for _, node in _walk(schema)
        if "anyOf" in node or node.get("type") == "null" or node.get("default", "") is None
    ]
    assert nullable == []
    claims = {p["name"]: p["schema"] for p in document["paths"]["/v1/claims"]["get"]["parameters"]}
    assert claims["claimant_id"]["type"] == "array"
    assert claims["claimant_id"]["items"] == {"type": "string"}
    assert claims["kind"]["items"] == {"$ref": "#/components/schemas/ClaimKind"}
    assert claims["count"]["$ref"] == "#/components/schemas/CountMode"
    assert claims["date_match"]["$ref"] == "#/components/schemas/DateMatch"
    assert claims["contested"]["type"] == "boolean"
    # Every enum is a component of its own, so a generated client has one class for it.
    components = {f"/components/schemas/{name}" for name in document["components"]["schemas"]}
    inline = [p for p, node in _walk(document) if "enum" in node and p not in components]
    assert inline == []
    schemas = document["components"]["schemas"]
    assert schemas["ClaimOut"]["properties"]["status"] == {
        "$ref": "#/components/schemas/ClaimStatus"
    }
    assert schemas["RelationOut"]["properties"]["direction"]["$ref"] == (
        "#/components/schemas/RelationDirection"
    )
    assert schemas["QuantityOut"]["properties"]["qualifier"] == {
        "$ref": "#/components/schemas/QuantityQualifier"
    }


def test_healthz_servers_security_and_license_are_declared(document: dict[str, Any]) -> None:
    assert document["servers"][0]["url"] == "/"
    # Public reads, said explicitly (Redocly's recommended rules ask for it), and the licence.
    assert document["security"] == []
    assert document["info"]["license"] == {"name": "MIT", "identifier": "MIT"}
    ok = document["paths"]["/healthz"]["get"]["responses"]["200"]
    assert ok["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Health"}


@dataclass
class _Request:
    """An openapi-core request (its `Request` protocol) for a path with its query."""

    host_url: str
    path: str
    method: str
    parameters: RequestParameters = field(default_factory=RequestParameters)
    content_type: str = "application/json"
    body: bytes | None = None


def _text(body: bytes) -> str:
    return body.decode("utf-8")


def _openapi_request(target: str) -> _Request:
    parts = urlsplit(target)
    query: ImmutableMultiDict[str, str] = ImmutableMultiDict(
        parse_qsl(parts.query, keep_blank_values=True)
    )
    return _Request(
        host_url="http://testserver",
        path=parts.path,
        method="get",
        parameters=RequestParameters(query=query),
    )


def test_parity_requests_and_answers_validate_against_the_document(
    client: TestClient, document: dict[str, Any]
) -> None:
    assert len(PARITY_REQUESTS) >= 80
    # openapi-core reads media types by name: problem+json, geo+json, ld+json, schema+json
    # and OpenAPI's are JSON; CSV, NDJSON and HTML text (their schema is a string;
    # tests/test_formats.py reads them).
    config = Config(
        extra_media_type_deserializers={
            "application/problem+json": json.loads,
            "application/geo+json": json.loads,
            "application/ld+json": json.loads,
            "application/schema+json": json.loads,
            "application/vnd.oai.openapi+json": json.loads,
            "text/html": _text,
            "text/csv": _text,
            "application/x-ndjson": _text,
        }
    )
    openapi = OpenAPI.from_dict(document, config=config)
    failures: list[str] = []
    statuses: set[int] = set()
    for target in PARITY_REQUESTS:
        answer = client.get(target)
        statuses.add(answer.status_code)
        request = _openapi_request(target)
        if answer.status_code < 400:
            try:
                openapi.validate_request(request)
            except Exception as error:
                failures.append(f"request {target}: {error!r} {getattr(error, '__cause__', '')}")
        content_type = answer.headers["content-type"].split(";")[0]
        response = MockResponse(
            answer.content,
            status_code=answer.status_code,
            headers=dict(answer.headers),
            content_type=content_type,
        )
        try:
            openapi.validate_response(request, response)
        except Exception as error:
            cause = error.__cause__
            details = getattr(cause, "schema_errors", None) or cause
            failures.append(f"answer {answer.status_code} to {target}: {error!r} {details}")
    assert failures == [], "\n".join(failures)
    assert {200, 400, 404} <= statuses


@pytest.fixture(scope="module")
def unseeded_engine(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    from app.core.db.engine import build_engine

    return build_engine(f"sqlite:///{tmp_path_factory.mktemp('document') / 'empty.db'}")


def test_a_generated_client_passes_mypy(tmp_path: Path, unseeded_engine: Engine) -> None:
    """The document is the same on every engine: it is generated once, without a database."""
    bin_dir = Path(sys.executable).parent
    generator = shutil.which("openapi-python-client", path=str(bin_dir)) or shutil.which(
        "openapi-python-client"
    )
    if generator is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("openapi-python-client is missing (a dev dependency)")
        pytest.skip("openapi-python-client is not installed (pip install -e '.[dev]')")
    spec = tmp_path / "openapi.json"
    with TestClient(create_app(unseeded_engine)) as app_client:
        document = app_client.get("/openapi.json").json()
    # A bundle may be posted as YAML or JSON; the generator has no model for YAML and, given
    # two bodies, writes a client that does not type-check: its client posts JSON.
    yaml_bodies = 0
    for operations in document["paths"].values():
        for operation in operations.values():
            content = operation.get("requestBody", {}).get("content", {})
            yaml_bodies += content.pop("application/yaml", None) is not None
    assert yaml_bodies >= 1
    spec.write_text(json.dumps(document), encoding="utf-8")
    config = tmp_path / "config.json"
    config.write_text(json.dumps({"post_hooks": [], "project_name_override": "client"}))
    output = tmp_path / "client"
    generated = subprocess.run(
        [
            generator,
            "generate",
            "--path",
            str(spec),
            "--output-path",
            str(output),
            "--meta",
            "none",
            "--config",
            str(config),
            "--fail-on-warning",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert generated.returncode == 0, generated.stdout + generated.stderr
    assert (output / "api" / "claims" / "list_claims.py").is_file()
    assert (output / "models" / "claim_facets.py").is_file()
    checked = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--no-incremental",
            "--config-file",
            os.devnull,
            str(output),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=tmp_path,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    # Filters are plain optional lists in the client: `list[str] | Unset`, never `| None`.
    source = (output / "api" / "claims" / "list_claims.py").read_text(encoding="utf-8")
    assert "claimant_id: list[str] | Unset = UNSET" in source


def _facets_of(collection: str) -> list[str]:
    facet_set = BY_NAME[collection].facets
    assert facet_set is not None
    return list(facet_set.facets)
