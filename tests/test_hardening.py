"""Hostile input, class by class, sent to every parameter of every operation the OpenAPI
document publishes: each is a 400 problem naming the parameter, never a 500 and never a
silent reinterpretation. Runs on SQLite and, with TEST_DATABASE_URL, on PostgreSQL (where a
NUL byte or an out-of-range integer used to reach the database and fail there)."""

import base64
import json
import socket
import time
from collections.abc import Iterator
from functools import cache
from typing import Any
from urllib.parse import quote

import pytest
import uvicorn
from fastapi.testclient import TestClient
from sqlalchemy import Engine, create_engine
from typer.testing import CliRunner

from app.cli import cli
from app.core.http.guard import MAX_QUERY_BYTES
from app.core.query.periods import PERIOD_PATTERN
from app.importer.bundle import RESERVED_IDS
from app.main import create_app
from app.serving.server import HeaderDeadlineProtocol
from tests.helpers import assert_problem, get_json, in_thread


@cache
def _operations() -> list[tuple[str, list[dict[str, Any]]]]:
    document = create_app(create_engine("sqlite://")).openapi()
    return [
        (path, operation.get("parameters", []))
        for path, methods in document["paths"].items()
        for method, operation in methods.items()
        if method == "get"
    ]


# A value each path parameter and required parameter can take, from the seed.
PATH_VALUES = {
    "claim_id": "taliban-panjshir-surrounded",
    "actor_id": "ahmad-massoud",
    "location_id": "panjshir-valley",
    "event_id": "fuj-ambush",
    "media_id": "video-humvees-rolling",
    "report_id": "panjshir-last-bastion-2021-08-24",
}


# A feature's id, by collection (OGC API - Features at /ogc).
FEATURE_IDS = {
    "locations": "kabul",
    "events": "fuj-ambush",
    "claims": "taliban-panjshir-surrounded%2Fpanjshir-valley",
    "media": "video-humvees-rolling%2Fpanjshir-valley",
}


def _url(path: str, query: str = "", *, path_values: dict[str, str] | None = None) -> str:
    feature = {"featureId": FEATURE_IDS[path.split("/")[3]]} if "{featureId}" in path else {}
    values = {**PATH_VALUES, **feature, **(path_values or {})}
    for name, value in values.items():
        path = path.replace("{" + name + "}", value)
    given = {part.partition("=")[0] for part in query.split("&")}
    required = "q=taliban" if path == "/v1/search" and "q" not in given else ""
    joined = "&".join(part for part in (required, query) if part)
    return f"{path}?{joined}" if joined else path


def _parameters(kind: str) -> list[tuple[str, str]]:
    """(path, parameter name) for every query parameter of a kind."""
    found = []
    for path, parameters in _operations():
        for parameter in parameters:
            schema = parameter["schema"]
            items = schema.get("items", {})
            is_text = schema.get("type") == "string" and "format" not in schema
            matches = {
                "text": parameter["in"] == "query" and (is_text or items.get("type") == "string"),
                "path": parameter["in"] == "path",
                "single": parameter["in"] == "query" and schema.get("type") != "array",
                # A plain date, or a range bound that also takes a month or a year.
                "date": schema.get("format") == "date" or schema.get("pattern") == PERIOD_PATTERN,
                "integer": schema.get("type") == "integer",
                "from": parameter["name"].endswith("_from"),
            }[kind]
            if matches:
                found.append((path, parameter["name"]))
    assert found, kind
    return found


def _id(case: tuple[str, str]) -> str:
    return f"{case[0]}:{case[1]}"


@pytest.mark.parametrize("case", _parameters("text"), ids=_id)
@pytest.mark.parametrize("value", ["%00", "a%00b", "%FF", "%C3%28", "%ED%A0%80"])
def test_nul_and_invalid_utf8_in_any_text_parameter_is_a_400(
    client: TestClient, case: tuple[str, str], value: str
) -> None:
    path, name = case
    assert_problem(client.get(_url(path, f"{name}={value}")), 400, parameter=name)


@pytest.mark.parametrize("case", _parameters("path"), ids=_id)
@pytest.mark.parametrize("value", ["%00", "x%00y", "%FF", "%ED%A0%80"])
def test_nul_and_invalid_utf8_in_any_path_id_is_a_400(
    client: TestClient, case: tuple[str, str], value: str
) -> None:
    path, name = case
    body = assert_problem(client.get(_url(path, path_values={name: value})), 400, parameter=name)
    assert body["errors"][0]["in"] == "path"


def test_invalid_utf8_in_a_parameter_name_is_a_400(client: TestClient) -> None:
    body = assert_problem(client.get("/v1/claims?kind%FF=x"), 400)
    assert "UTF-8" in body["detail"]


@pytest.mark.parametrize("case", _parameters("single"), ids=_id)
def test_a_single_valued_parameter_given_twice_is_a_400(
    client: TestClient, case: tuple[str, str]
) -> None:
    path, name = case
    body = assert_problem(client.get(_url(path, f"{name}=1&{name}=2")), 400, parameter=name)
    assert "given 2 times" in body["detail"]


def test_repeating_a_list_filter_still_means_or(client: TestClient) -> None:
    both = get_json(client, "/v1/claims", kind=["territorial_control", "casualties"], limit=500)
    kinds = {item["kind"] for item in both["items"]}
    assert kinds == {"territorial_control", "casualties"}


@pytest.mark.parametrize("case", _parameters("date"), ids=_id)
@pytest.mark.parametrize(
    "value",
    [
        "0",
        "1629763200",
        "2021-08-24T00:00:00",
        "2021-08-24T00:00:00%2B04:30",
        "2021-8-24",
        "20210824",
        "2021-02-30",
        "+2021-08-24",
        "%202021-08-24",
    ],
)
def test_a_date_that_is_not_yyyy_mm_dd_is_a_400(
    client: TestClient, case: tuple[str, str], value: str
) -> None:
    path, name = case
    body = assert_problem(client.get(_url(path, f"{name}={value}")), 400, parameter=name)
    assert "YYYY-MM-DD" in body["detail"] or "not a day of the calendar" in body["detail"]


@pytest.mark.parametrize("case", _parameters("date"), ids=_id)
@pytest.mark.parametrize("value", ["0001-01-01", "9999-12-31", "0001", "9999", "9999-12"])
def test_the_smallest_and_largest_dates_are_answered(
    client: TestClient, case: tuple[str, str], value: str
) -> None:
    path, name = case
    response = client.get(_url(path, f"{name}={value}"))
    assert response.status_code == 200, response.text


def test_the_smallest_date_keeps_every_claim_and_the_largest_none(client: TestClient) -> None:
    everything = get_json(client, "/v1/claims", count="exact")["total"]
    since_ever = get_json(client, "/v1/claims", stated_from="0001-01-01", count="exact")
    dated = since_ever["total"]
    assert 0 < dated <= everything
    assert "taliban-panjshir-surrounded" in {
        item["id"]
        for item in get_json(client, "/v1/claims", stated_from="0001-01-01", limit=500)["items"]
    }
    later = get_json(client, "/v1/claims", stated_from="9999-12-31", count="exact")
    assert later["total"] == 0


@pytest.mark.parametrize("case", _parameters("integer"), ids=_id)
@pytest.mark.parametrize(
    "value", ["2147483648", "-2147483649", "9223372036854775808", "1e3", "1.5", "0x10", "1_0"]
)
def test_an_integer_out_of_the_column_range_or_not_digits_is_a_400(
    client: TestClient, case: tuple[str, str], value: str
) -> None:
    path, name = case
    assert_problem(client.get(_url(path, f"{name}={value}")), 400, parameter=name)


def test_the_largest_integer_is_answered(client: TestClient) -> None:
    page = get_json(client, "/v1/events", min_fatalities=2**31 - 1)
    assert page["items"] == []
    assert get_json(client, "/v1/events", min_fatalities=0, count="exact")["total"] > 0


@pytest.mark.parametrize("case", _parameters("from"), ids=_id)
def test_every_range_is_checked_for_order(client: TestClient, case: tuple[str, str]) -> None:
    path, name = case
    upper = name.removesuffix("_from") + "_to"
    response = client.get(_url(path, f"{name}=2021-09-01&{upper}=2021-08-01"))
    assert_problem(response, 400, parameter=upper)
    same_day = client.get(_url(path, f"{name}=2021-08-24&{upper}=2021-08-24"))
    assert same_day.status_code == 200, same_day.text


def test_published_from_after_published_to_is_refused_on_reports(client: TestClient) -> None:
    response = client.get("/v1/reports?published_from=2021-09-01&published_to=2021-08-01")
    body = assert_problem(response, 400, parameter="published_to")
    assert "published_from" in body["detail"]


# Cursors: bound to their collection, filters and sort; tampered values never reach SQL.


def _payload(cursor: str) -> dict[str, Any]:
    padded = cursor + "=" * (-len(cursor) % 4)
    payload: dict[str, Any] = json.loads(base64.urlsafe_b64decode(padded))
    return payload


def _cursor(payload: dict[str, Any], *, ascii_only: bool = True) -> str:
    raw = json.dumps(payload, ensure_ascii=ascii_only).encode("utf-8", "surrogatepass")
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def test_a_cursor_is_refused_on_another_collection(client: TestClient) -> None:
    cursor = get_json(client, "/v1/claims", limit=2)["next_cursor"]
    assert cursor
    for other in ("/v1/events", "/v1/media", "/v1/actors", "/v1/locations", "/v1/reports"):
        body = assert_problem(
            client.get(other, params={"cursor": cursor, "sort": "id"}), 400, parameter="cursor"
        )
        assert "another collection or other filters" in body["detail"]


def test_a_cursor_is_refused_with_other_filters_but_not_another_limit(
    client: TestClient,
) -> None:
    first = get_json(client, "/v1/claims", limit=2, claimant_id="taliban")
    cursor = first["next_cursor"]
    assert cursor
    assert [item["claimant"]["id"] for item in first["items"]] == ["taliban", "taliban"]
    second = get_json(client, "/v1/claims", limit=3, claimant_id="taliban", cursor=cursor)
    assert second["items"]
    assert {item["claimant"]["id"] for item in second["items"]} == {"taliban"}
    assert not {item["id"] for item in first["items"]} & {item["id"] for item in second["items"]}
    for filters in (
        {"claimant_id": "northern-alliance"},
        {},
        {"claimant_id": "taliban", "contested": "true"},
    ):
        assert_problem(
            client.get("/v1/claims", params={"limit": 2, "cursor": cursor, **filters}),
            400,
            parameter="cursor",
        )


def test_a_search_cursor_is_refused_for_another_search(client: TestClient) -> None:
    cursor = get_json(client, "/v1/search", q="taliban", limit=1)["next_cursor"]
    assert cursor
    assert get_json(client, "/v1/search", q="taliban", limit=1, cursor=cursor)["items"]
    assert_problem(
        client.get("/v1/search", params={"q": "massoud", "limit": 1, "cursor": cursor}),
        400,
        parameter="cursor",
    )


@pytest.mark.parametrize(
    "tamper",
    [
        "huge",
        "beyond_int64",
        "infinite",
        "nan",
        "float_for_int",
        "bool_for_int",
        "lone_surrogate",
        "nul",
        "number_for_text",
        "list_for_text",
    ],
)
def test_a_tampered_cursor_is_a_400(client: TestClient, tamper: str) -> None:
    # sort=fatalities: terms (is null, fatalities_best, id): int, int, text.
    cursor = get_json(client, "/v1/events", sort="fatalities", limit=1)["next_cursor"]
    payload = _payload(cursor)
    values = payload["v"]
    assert isinstance(values[1], int)
    assert isinstance(values[2], str)
    raw_json = None
    if tamper == "huge":
        values[1] = 2**31
    elif tamper == "beyond_int64":
        values[1] = 2**63
    elif tamper == "infinite":
        raw_json = json.dumps(payload).replace(json.dumps(values[1]), "Infinity", 1)
    elif tamper == "nan":
        values[1] = float("nan")
    elif tamper == "float_for_int":
        values[1] = 1.5
    elif tamper == "bool_for_int":
        values[1] = True
    elif tamper == "lone_surrogate":
        values[2] = "\ud800"
    elif tamper == "nul":
        values[2] = "fuj\x00ambush"
    elif tamper == "number_for_text":
        values[2] = 7
    elif tamper == "list_for_text":
        values[2] = ["fuj-ambush"]
    if raw_json is not None:
        forged = base64.urlsafe_b64encode(raw_json.encode()).decode().rstrip("=")
    else:
        forged = _cursor(payload)
    response = client.get("/v1/events", params={"sort": "fatalities", "cursor": forged})
    assert_problem(response, 400, parameter="cursor")


def test_a_tampered_search_rank_holds_64_bits_but_not_more(client: TestClient) -> None:
    cursor = get_json(client, "/v1/search", q="taliban", limit=1)["next_cursor"]
    payload = _payload(cursor)
    payload["v"][0] = -(2**40)  # a rank the search could give: 64-bit
    response = client.get("/v1/search", params={"q": "taliban", "cursor": _cursor(payload)})
    assert response.status_code == 200, response.text
    payload["v"][0] = 2**63
    response = client.get("/v1/search", params={"q": "taliban", "cursor": _cursor(payload)})
    assert_problem(response, 400, parameter="cursor")


# HTTP details.


def test_errors_cap_the_input_they_echo(client: TestClient) -> None:
    query = "&".join(f"kind=not-a-kind-{index:04d}" for index in range(1000))
    response = client.get(f"/v1/claims?{query}")
    body = assert_problem(response, 400, parameter="kind")
    assert len(response.content) < 8_000
    assert len(body["errors"]) == 10
    assert "and 990 more errors" in body["detail"]
    long_sort = "x" * 5000
    response = client.get(f"/v1/claims?limit={long_sort}")
    assert_problem(response, 400, parameter="limit")
    assert len(response.content) < 2_000


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH"])
def test_a_wrong_method_is_a_405_with_allow(client: TestClient, method: str) -> None:
    for path in ("/v1/claims", "/v1/claims/taliban-panjshir-surrounded", "/healthz"):
        response = client.request(method, path)
        assert_problem(response, 405)
        assert response.headers["allow"] == "GET, HEAD"


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH"])
def test_a_405_lists_every_method_of_the_path(client: TestClient, method: str) -> None:
    """A path answered by several routes (the reports' list and their POST) lists them all:
    the router alone names only the first route of the path."""
    response = client.request(method, "/v1/reports")
    assert_problem(response, 405)
    assert response.headers["allow"] == "GET, HEAD, POST"


# GETs that need a key whatever the settings (an admin's).
KEY_ONLY = {"/v1/audit"}


def test_every_get_answers_head(client: TestClient) -> None:
    for path, _ in _operations():
        url = _url(path)
        got = client.get(url)
        head = client.head(url)
        expected = 401 if path in KEY_ONLY else 200
        assert head.status_code == got.status_code == expected, (url, head.status_code)
        if path in KEY_ONLY:
            continue
        assert head.content == b""
        assert head.headers["content-type"] == got.headers["content-type"]
        if path.endswith("/export"):  # streamed: no length, the same file name
            assert "content-length" not in got.headers
            assert "content-length" not in head.headers
            assert head.headers["content-disposition"] == got.headers["content-disposition"]
        elif path != "/metrics":  # its counters move between the two requests
            assert head.headers["content-length"] == got.headers["content-length"]
            # The GET's validators and caching headers (app.core.http.caching), body or not.
            for name in ("etag", "cache-control", "vary", "content-encoding"):
                assert head.headers.get(name) == got.headers.get(name), (url, name)
    assert client.head("/v1/claims/no-such-claim").status_code == 404
    assert client.head("/v1/claims?limit=0").status_code == 400
    assert client.head("/docs").status_code == 200


def test_the_500_example_is_a_500(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    for methods in document["paths"].values():
        for operation in methods.values():
            problem = operation["responses"]["500"]["content"]["application/problem+json"]
            assert problem["example"]["status"] == 500
            assert problem["example"]["title"] == "Internal Server Error"


def test_a_path_id_with_spaces_and_unicode_is_an_ordinary_404(client: TestClient) -> None:
    response = client.get(f"/v1/actors/{quote('Ahmad Massoud é')}")
    assert_problem(response, 404)


def test_a_query_string_over_the_limit_is_a_414_problem(client: TestClient) -> None:
    ids = "&".join(f"claimant_id=someone-{index:05d}" for index in range(1200))
    response = client.get(f"/v1/claims?{ids}")
    assert len(ids) < MAX_QUERY_BYTES
    assert response.status_code == 200, response.text
    ids = "&".join(f"claimant_id=someone-{index:05d}" for index in range(2000))
    assert len(ids) > MAX_QUERY_BYTES
    body = assert_problem(client.get(f"/v1/claims?{ids}"), 414)
    assert str(MAX_QUERY_BYTES) in body["detail"]


def test_serve_sets_uvicorn_limits_and_no_server_header(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[dict[str, Any]] = []
    monkeypatch.setattr(uvicorn, "run", lambda *_args, **kwargs: calls.append(kwargs))
    result = CliRunner().invoke(cli, ["serve", "--workers", "1"])
    assert result.exit_code == 0, result.output
    (options,) = calls
    assert options["server_header"] is False
    assert options["timeout_keep_alive"] == 5
    assert options["h11_max_incomplete_event_size"] == 64 * 1024
    assert options["limit_concurrency"] == 1024

    assert options["http"] == "app.serving.server:HeaderDeadlineProtocol"


class QuickDeadline(HeaderDeadlineProtocol):
    header_timeout = 0.5


@pytest.fixture
def live_server(engine: Engine, backend: str) -> Iterator[tuple[str, int]]:
    if backend != "sqlite":
        pytest.skip("the server's protocol does not depend on the engine")
    with in_thread(create_app(engine), http=QuickDeadline) as base:
        host, _, port = base.removeprefix("http://").partition(":")
        yield host, int(port)


def _exchange(address: tuple[str, int], request: bytes, *, wait: float = 5) -> tuple[bytes, float]:
    started = time.monotonic()
    with socket.create_connection(address, timeout=wait) as connection:
        connection.sendall(request)
        received = b""
        while chunk := connection.recv(65536):
            received += chunk
            if b"\r\n\r\n" in received and b"connection: close" not in received.lower():
                head, _, body = received.partition(b"\r\n\r\n")
                length = next(
                    int(line.split(b":")[1])
                    for line in head.split(b"\r\n")
                    if line.lower().startswith(b"content-length:")
                )
                if len(body) >= length:
                    break
    return received, time.monotonic() - started


def test_a_real_server_announces_no_server_and_drops_stalled_headers(
    live_server: tuple[str, int],
) -> None:
    answer, _ = _exchange(live_server, b"GET /healthz HTTP/1.1\r\nHost: api\r\n\r\n")
    head = answer.partition(b"\r\n\r\n")[0].lower()
    assert head.startswith(b"http/1.1 200")
    assert b"\r\nserver:" not in head
    # Half a request: the headers never end. The server answers 408 and closes.
    answer, elapsed = _exchange(live_server, b"GET /healthz HTTP/1.1\r\nHost: api\r\n")
    assert answer.startswith(b"HTTP/1.1 408 ")
    assert b"application/problem+json" in answer
    assert json.loads(answer.partition(b"\r\n\r\n")[2])["status"] == 408
    assert 0.4 < elapsed < 3
    # A connection that sends nothing at all is closed as well.
    answer, elapsed = _exchange(live_server, b"")
    assert answer.startswith(b"HTTP/1.1 408 ")
    assert elapsed < 3


def test_no_item_id_can_be_a_literal_path() -> None:
    """A literal path beside `/v1/{collection}/{id}` (the exports) would hide an item of that
    id: such ids are refused by the bundle format, and the path answers its own methods."""
    document = create_app(create_engine("sqlite://")).openapi()
    literal = {
        path.rsplit("/", 1)[1]
        for path in document["paths"]
        if path.count("/") == 3 and path.startswith("/v1/") and "{" not in path
    }
    templated = {path.rsplit("/", 1)[0] for path in document["paths"] if path.endswith("_id}")}
    shadowing = {
        path.rsplit("/", 1)[1]
        for path in document["paths"]
        if "{" not in path and path.rsplit("/", 1)[0] in templated
    }
    assert "export" in shadowing
    assert shadowing <= RESERVED_IDS, literal


def test_a_literal_path_answers_its_own_methods(client: TestClient) -> None:
    for method in ("PUT", "DELETE"):
        answer = client.request(method, "/v1/reports/export")
        assert_problem(answer, 405)
        assert answer.headers["allow"] == "GET, HEAD"
    assert client.options("/v1/reports/export").headers["allow"] == "GET, HEAD"
