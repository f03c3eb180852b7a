"""Bulk export: `GET /v1/{collection}/export` and `conflict-reports export`, on the seed.

The export is the list's items, every page of them, in the list's order; its parameters are
the list's filters and sort; errors come before the stream starts; a failure after that cuts
the stream between whole lines; the command writes the same bytes."""

import csv
import io
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from typer.testing import CliRunner

import app.core.render.export as export_module
from app.catalog import BY_NAME
from app.claims import service as claims_service
from app.cli import cli
from app.core.http.errors import QueryTimeout
from app.main import create_app
from tests.helpers import assert_problem, in_thread

COLLECTIONS = ["claims", "actors", "locations", "events", "media", "reports"]
REPORT = "panjshir-last-bastion-2021-08-24"

# (collection, query): the same filters and sort on the list and on the export.
FILTERED = [
    ("claims", "claimant_id=taliban"),
    ("claims", "kind=casualties&kind=force_strength&sort=-stated_on"),
    ("claims", "location_id=panjshir-province&include_sublocations=true&sort=claimant"),
    ("claims", "stated_from=2021-08-01&stated_to=2021-08-31&date_match=within&sort=-kind"),
    ("claims", "q=helicopter"),
    ("claims", "contested=true&sort=status"),
    ("actors", "kind=person&sort=-name"),
    ("actors", "q=Massoud"),
    ("locations", "near=34.5553,69.2075,150"),
    ("locations", "bbox=69.0,35.0,70.5,36.0&sort=-latitude"),
    ("events", "actor_id=taliban&sort=-date"),
    ("media", "kind=video&kind=photo&sort=-posted_on"),
    ("reports", "language=en"),
]


def _list_items(client: TestClient, collection: str, query: str = "") -> list[dict[str, Any]]:
    """Every item of the list, walking its pages."""
    items: list[dict[str, Any]] = []
    cursor = ""
    while True:
        answer = client.get(f"/v1/{collection}?limit=500&{query}{cursor}")
        assert answer.status_code == 200, answer.text
        page = answer.json()
        items += page["items"]
        if page["next_cursor"] is None:
            return items
        cursor = f"&cursor={page['next_cursor']}"


def _lines(body: bytes) -> list[dict[str, Any]]:
    assert body == b"" or body.endswith(b"\n")
    return [json.loads(line) for line in body.splitlines()]


@pytest.mark.parametrize("collection", COLLECTIONS)
def test_the_ndjson_export_is_every_item_of_the_list(client: TestClient, collection: str) -> None:
    answer = client.get(f"/v1/{collection}/export")
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/x-ndjson"
    assert answer.headers["content-disposition"] == f'attachment; filename="{collection}.ndjson"'
    assert "content-length" not in answer.headers  # streamed
    exported = _lines(answer.content)
    assert exported
    assert exported == _list_items(client, collection)
    # Byte for byte the list's JSON items, one per line.
    listed = client.get(f"/v1/{collection}?limit=500").content
    for line in answer.content.splitlines():
        assert line in listed


def test_the_export_has_the_seed(client: TestClient) -> None:
    claims = _lines(client.get("/v1/claims/export").content)
    by_id = {claim["id"]: claim for claim in claims}
    surrounded = by_id["taliban-panjshir-surrounded"]
    assert surrounded["claimant"] == {"id": "taliban", "name": "Taliban", "kind": "armed_group"}
    assert surrounded["quote"] == "and said they had surrounded the Panjshir"
    assert surrounded["contradicts"] == ["massoud-no-fighter-has-dared", "na-efforts-rebuffed"]
    assert [claim["id"] for claim in claims] == sorted(by_id)  # default sort: id
    (report,) = _lines(client.get("/v1/reports/export").content)
    assert report["id"] == REPORT


@pytest.mark.parametrize(("collection", "query"), FILTERED)
def test_the_export_takes_the_lists_filters_and_sort(
    client: TestClient, collection: str, query: str
) -> None:
    exported = _lines(client.get(f"/v1/{collection}/export?{query}").content)
    assert exported
    assert exported == _list_items(client, collection, query)


def test_filters_narrow_the_export(client: TestClient) -> None:
    taliban = _lines(client.get("/v1/claims/export?claimant_id=taliban").content)
    assert {claim["claimant"]["id"] for claim in taliban} == {"taliban"}
    assert "taliban-panjshir-surrounded" in {claim["id"] for claim in taliban}
    near = _lines(client.get("/v1/locations/export?near=34.5553,69.2075,150").content)
    assert [place["distance_km"] for place in near] == sorted(p["distance_km"] for p in near)


def test_a_walk_of_many_chunks_is_the_list_in_order(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Small chunks: the keyset walk crosses many chunk boundaries, on a nullable sort key
    (claims without a date sort last) and with a search's relevance order."""
    monkeypatch.setattr(export_module, "EXPORT_CHUNK", 4)
    for collection, query in [
        ("claims", "sort=-stated_on"),
        ("claims", "sort=stated_on,-claimant"),
        ("claims", "q=taliban"),
        ("media", "sort=posted_on"),
        ("locations", "near=34.5553,69.2075,150"),
    ]:
        exported = _lines(client.get(f"/v1/{collection}/export?{query}").content)
        listed = _list_items(client, collection, query)
        assert len(exported) > 4, (collection, query)  # more than one chunk
        assert exported == listed, (collection, query)
        ids = [item["id"] for item in exported]
        assert len(ids) == len(set(ids))


def test_the_csv_export_parses_with_one_row_per_item(client: TestClient) -> None:
    answer = client.get("/v1/claims/export?format=csv&claimant_id=taliban")
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "text/csv; charset=utf-8; header=present"
    assert answer.headers["content-disposition"] == 'attachment; filename="claims.csv"'
    rows = list(csv.DictReader(io.StringIO(answer.content.decode("utf-8"), newline="")))
    listed = _list_items(client, "claims", "claimant_id=taliban")
    assert [row["id"] for row in rows] == [claim["id"] for claim in listed]
    for row, claim in zip(rows, listed, strict=True):
        assert row["quote"] == claim["quote"]
        assert row["kind"] == claim["kind"]
        assert row["stated_on"] == (claim["stated_on"] or "")
    assert answer.content.endswith(b"\r\n")


@pytest.mark.parametrize("collection", COLLECTIONS)
def test_every_collection_exports_csv(client: TestClient, collection: str) -> None:
    answer = client.get(f"/v1/{collection}/export?format=csv")
    assert answer.status_code == 200
    header, *rows = list(csv.reader(io.StringIO(answer.content.decode("utf-8"), newline="")))
    assert header[0] == "id"
    assert [row[0] for row in rows] == [item["id"] for item in _list_items(client, collection)]


def test_an_empty_export_is_empty(client: TestClient) -> None:
    answer = client.get("/v1/claims/export?claimant_id=no-such-actor")
    assert answer.status_code == 200
    assert answer.content == b""
    answer = client.get("/v1/claims/export?claimant_id=no-such-actor&format=csv")
    assert answer.status_code == 200
    assert answer.content.decode("utf-8").splitlines()[0].startswith("id,")
    assert len(answer.content.splitlines()) == 1


@pytest.mark.parametrize(
    ("target", "parameter"),
    [
        ("/v1/claims/export?limit=5", "limit"),
        ("/v1/claims/export?cursor=abc", "cursor"),
        ("/v1/claims/export?count=exact", "count"),
        ("/v1/claims/export?format=xml", "format"),
        ("/v1/claims/export?format=json", "format"),
        ("/v1/claims/export?sort=bogus", "sort"),
        ("/v1/claims/export?kind=nope", "kind"),
        ("/v1/claims/export?stated_from=2021-8-1", "stated_from"),
        ("/v1/claims/export?stated_from=2021-09-01&stated_to=2021-08-01", "stated_to"),
        # Refused by the service itself, on the first chunk: before the answer starts.
        ("/v1/claims/export?q=the", "q"),
        ("/v1/locations/export?sort=distance", "sort"),
        ("/v1/locations/export?near=91,0,10", "near"),
        ("/v1/events/export?bbox=1,2,3", "bbox"),
    ],
)
def test_a_bad_parameter_is_a_problem_before_any_byte(
    client: TestClient, target: str, parameter: str
) -> None:
    assert_problem(client.get(target), 400, parameter=parameter)


def test_the_export_path_is_not_taken_for_an_id(client: TestClient) -> None:
    for collection in COLLECTIONS:
        answer = client.get(f"/v1/{collection}/export")
        assert answer.headers["content-type"] == "application/x-ndjson", collection
    assert client.get("/v1/claims/taliban-panjshir-surrounded").json()["id"] == (
        "taliban-panjshir-surrounded"
    )


def test_export_parameters_are_the_lists_without_paging(client: TestClient) -> None:
    """The same filters and sort as the list (so a filter added to a list without its export
    fails here), and `format`."""
    document = client.get("/openapi.json").json()
    for collection in COLLECTIONS:
        listed = {
            parameter["name"]: parameter["schema"]
            for parameter in document["paths"][f"/v1/{collection}"]["get"]["parameters"]
            if parameter["in"] == "query"
        }
        exported = {
            parameter["name"]: parameter["schema"]
            for parameter in document["paths"][f"/v1/{collection}/export"]["get"]["parameters"]
            if parameter["in"] == "query"
        }
        paging = {"limit", "cursor", "count"}
        assert set(exported) - {"format"} == set(listed) - paging - {"format"}, collection
        for name in set(listed) - paging - {"format"}:
            assert exported[name] == listed[name], (collection, name)
        assert exported["format"]["$ref"] == "#/components/schemas/ExportFormat"
        assert BY_NAME[collection].export_params.model_fields.keys() == exported.keys()


def test_the_document_declares_the_streamed_formats(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    operation = document["paths"]["/v1/claims/export"]["get"]
    ok = operation["responses"]["200"]
    assert set(ok["content"]) == {"application/x-ndjson", "text/csv"}
    assert "incomplete body" in ok["description"]
    assert "ClaimOut" in ok["description"]
    assert "Content-Disposition" in ok["headers"]
    assert operation["responses"]["400"]["content"]["application/problem+json"]
    assert document["components"]["schemas"]["ExportFormat"]["enum"] == ["ndjson", "csv"]


# --- a failure after the answer has started ---------------------------------------------


def _stand_in(monkeypatch: pytest.MonkeyPatch, collection: str, list_page: Any) -> None:
    """The collection's export with another list function, for this test only."""
    # The route holds the catalog's (frozen) collection: its field is swapped in place, and
    # restored afterwards.
    monkeypatch.setitem(vars(BY_NAME[collection]), "list_page", list_page)


@pytest.fixture
def live_server(engine: Engine) -> Iterator[str]:
    """The app under a real uvicorn (in a thread): what a client sees on the wire."""
    with in_thread(create_app(engine)) as base:
        yield base


def _read_into(answer: httpx.Response, received: bytearray) -> None:
    for data in answer.iter_raw():
        received += data


def test_a_chunk_that_fails_cuts_the_stream_between_lines(
    live_server: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The third chunk passes the time budget: the client has two chunks of whole lines and
    an incomplete body (no final chunk), never a 200 that looks complete."""
    monkeypatch.setattr(export_module, "EXPORT_CHUNK", 5)
    calls = {"n": 0}
    real = claims_service.list_claims

    def failing_third(*args: Any) -> dict[str, Any]:
        calls["n"] += 1
        if calls["n"] == 3:
            raise QueryTimeout(2000)
        return real(*args)

    _stand_in(monkeypatch, "claims", failing_third)
    received = bytearray()
    with httpx.Client(timeout=10) as client:
        # Uncompressed, to read the lines as sent (gzip flushes each chunk likewise).
        identity = {"Accept-Encoding": "identity"}
        with client.stream("GET", f"{live_server}/v1/claims/export", headers=identity) as answer:
            assert answer.status_code == 200
            assert answer.headers["transfer-encoding"] == "chunked"
            with pytest.raises(httpx.RemoteProtocolError, match="incomplete chunked read"):
                _read_into(answer, received)
        # The server is fine afterwards.
        assert client.get(f"{live_server}/v1/claims?limit=1").json()["items"][0]["id"]
    lines = _lines(bytes(received))
    assert len(lines) == 10
    assert [claim["id"] for claim in lines] == sorted(claim["id"] for claim in lines)


def test_a_failing_first_chunk_is_a_503_problem(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    def timing_out(*_args: Any) -> dict[str, Any]:
        raise QueryTimeout(2000)

    _stand_in(monkeypatch, "actors", timing_out)
    body = assert_problem(client.get("/v1/actors/export"), 503)
    assert body["limit"] == "query_time_limit"


# --- the command ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("arguments", "query"),
    [
        (["claims"], ""),
        (["claims", "--claimant-id", "taliban", "--kind", "territorial_control"], None),
        (["claims", "--kind=casualties", "--kind", "force_strength", "--sort", "-stated_on"], None),
        (["claims", "--format", "csv", "--contested", "true"], None),
        (["claims", "--q", "helicopter", "--stated-from", "2021-08-01"], None),
        (["claims", "--stated-from", "2021-08", "--stated-to", "2021"], None),
        (["locations", "--near", "34.5553,69.2075,150"], None),
        (["media", "--format", "csv", "--sort", "-posted_on"], None),
        (["events", "--bbox", "69.0,35.0,70.5,36.0"], None),
        (["actors", "--related_to", "ahmad-massoud"], None),
        (["reports", "--format", "csv"], None),
    ],
)
def test_the_command_writes_the_http_exports_bytes(
    client: TestClient, cli_database: str, arguments: list[str], query: str | None
) -> None:
    collection, options = arguments[0], arguments[1:]
    if query is None:
        pairs: list[tuple[str, str | int | float | bool | None]] = []
        position = 0
        while position < len(options):
            name, equals, value = options[position][2:].partition("=")
            if not equals:
                position += 1
                value = options[position]
            pairs.append((name.replace("-", "_"), value))
            position += 1
        query = str(httpx.QueryParams(pairs))
    over_http = client.get(f"/v1/{collection}/export?{query}")
    assert over_http.status_code == 200, over_http.text
    result = CliRunner().invoke(cli, ["export", *arguments])
    assert result.exit_code == 0, result.output
    assert result.stdout_bytes == over_http.content
    assert len(over_http.content) > 100


def test_the_command_writes_a_file_as_a_process(
    client: TestClient, cli_database: str, tmp_path: Path
) -> None:
    """`conflict-reports export claims ... > file`: the same bytes as the HTTP export."""
    target = tmp_path / "claims.ndjson"
    with target.open("wb") as out:
        done = subprocess.run(
            [
                str(Path(sys.executable).parent / "conflict-reports"),
                "export",
                "claims",
                "--claimant-id",
                "taliban",
                "--claimant-id",
                "ahmad-massoud",
                "--sort",
                "-stated_on",
            ],
            stdout=out,
            stderr=subprocess.PIPE,
            timeout=120,
            check=False,
        )
    assert done.returncode == 0, done.stderr
    over_http = client.get(
        "/v1/claims/export?claimant_id=taliban&claimant_id=ahmad-massoud&sort=-stated_on"
    )
    assert target.read_bytes() == over_http.content
    claimants = {claim["claimant"]["id"] for claim in _lines(target.read_bytes())}
    assert claimants == {"taliban", "ahmad-massoud"}


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["claims", "--bogus", "1"], "--bogus: unknown option for claims; accepted: --actor-id"),
        (["claims", "--limit", "5"], "--limit: unknown option"),
        (["claims", "--stated-from", "2021-8-1"], "--stated-from: '2021-8-1' is not a date"),
        (["claims", "--kind", "nope"], "--kind: Input should be"),
        (["claims", "--contested"], "--contested needs a value"),
        (["claims", "--sort", "a", "--sort", "b"], "--sort: given 2 times"),
        (["claims", "taliban"], "unexpected argument 'taliban'"),
        (["claims", "--q", "the"], "--q: has no word to search for"),
        (["claims", "--stated-from", "2021-09-01", "--stated-to", "2021-08-01"], "--stated-to"),
        (["locations", "--near", "91,0,10"], "--near: latitude 91.0 is outside"),
    ],
)
def test_bad_options_exit_2_naming_the_option(
    cli_database: str, arguments: list[str], message: str
) -> None:
    result = CliRunner().invoke(cli, ["export", *arguments])
    assert result.exit_code == 2, result.output
    assert message in " ".join(result.stderr.split()), result.stderr
    assert result.stdout_bytes == b""


def test_an_unknown_collection_or_format_exits_2(cli_database: str) -> None:
    for arguments in (["export", "claimz"], ["export", "claims", "--format", "xml"]):
        result = CliRunner().invoke(cli, arguments)
        assert result.exit_code == 2
        assert result.stdout_bytes == b""


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        ("text/csv", "text/csv; charset=utf-8; header=present"),
        ("application/x-ndjson", "application/x-ndjson"),
        ("*/*", "application/x-ndjson"),
        ("text/csv;q=0.5, application/x-ndjson", "application/x-ndjson"),
        ("text/*", "text/csv; charset=utf-8; header=present"),
    ],
)
def test_the_export_is_negotiated_like_the_lists(
    client: TestClient, accept: str, expected: str
) -> None:
    answer = client.get("/v1/claims/export?claimant_id=taliban", headers={"Accept": accept})
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == expected
    assert "Accept" in answer.headers["vary"]
    taliban = client.get("/v1/claims?claimant_id=taliban&limit=500").json()["items"]
    if expected.startswith("text/csv"):
        rows = list(csv.DictReader(io.StringIO(answer.text)))
        assert [row["id"] for row in rows] == [claim["id"] for claim in taliban]
    else:
        assert [json.loads(line)["id"] for line in answer.text.splitlines()] == [
            claim["id"] for claim in taliban
        ]
    # format= wins over Accept, and the two formats have different tags.
    forced = client.get(
        "/v1/claims/export?claimant_id=taliban&format=ndjson", headers={"Accept": "text/csv"}
    )
    assert forced.headers["content-type"] == "application/x-ndjson"
    as_csv = client.get("/v1/claims/export?claimant_id=taliban&format=csv")
    assert forced.headers["etag"] != as_csv.headers["etag"]


def test_an_export_accept_naming_neither_format_is_a_406(client: TestClient) -> None:
    body = assert_problem(
        client.get("/v1/actors/export", headers={"Accept": "application/geo+json"}), 406
    )
    assert body["offered"] == ["application/x-ndjson", "text/csv; charset=utf-8; header=present"]
    assert "Accept" in body["detail"]


def test_head_on_an_export_stops_at_its_first_chunk(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """HEAD gets the GET's headers without reading the whole collection."""
    monkeypatch.setattr(export_module, "EXPORT_CHUNK", 2)
    calls = {"n": 0}
    real = claims_service.list_claims

    def counted(*args: Any) -> dict[str, Any]:
        calls["n"] += 1
        return real(*args)

    _stand_in(monkeypatch, "claims", counted)
    get = client.get("/v1/claims/export", headers={"Accept-Encoding": "identity"})
    assert get.text.count("\n") == 30
    walked, calls["n"] = calls["n"], 0
    assert walked == 15  # 30 claims, 2 at a time
    head = client.head("/v1/claims/export", headers={"Accept-Encoding": "identity"})
    assert head.status_code == 200
    assert head.content == b""
    assert head.headers["etag"] == get.headers["etag"]
    assert head.headers["content-disposition"] == get.headers["content-disposition"]
    assert calls["n"] <= 2
    # The server goes on answering.
    assert client.get("/v1/claims?limit=1").json()["items"]
