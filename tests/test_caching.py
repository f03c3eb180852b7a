"""HTTP caching (app.core.http.caching): strong ETags, 304s to If-None-Match and If-Modified-Since,
Cache-Control from the settings, no-store on errors and service endpoints, gzip over 1 KB
with its own tag, on the seeded API of each engine and on small apps that stream or set
Last-Modified themselves."""

import gzip
import json
import re
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, create_engine
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from app.core.config import Settings
from app.core.http.caching import (
    HttpCaching,
    accepts_gzip,
    body_etag,
    gzip_variant,
    merge_vary,
    none_match,
    not_modified_since,
    parse_if_none_match,
)
from app.importer import import_paths
from app.main import create_app
from tests.conftest import REPORT_ID
from tests.helpers import assert_problem, replace_in

IDENTITY = {"Accept-Encoding": "identity"}
GZIP = {"Accept-Encoding": "gzip"}
STRONG_TAG = re.compile(r'"[0-9a-f]{32}(-gzip)?"')

# One of each kind of answer: a list, an item, a report's text, facets, search, the document.
RESOURCES = [
    "/v1/claims?limit=500",
    "/v1/claims?claimant_id=taliban&limit=3",
    "/v1/claims/taliban-panjshir-surrounded",
    "/v1/actors/ahmad-massoud",
    f"/v1/reports/{REPORT_ID}/text",
    "/v1/claims/facets",
    "/v1/search?q=massoud",
    "/openapi.json",
]


def raw_get(client: TestClient, path: str, headers: dict[str, str]) -> tuple[Any, bytes]:
    """The answer and its body exactly as sent (not decompressed by the client)."""
    with client.stream("GET", path, headers=headers) as response:
        raw = b"".join(response.iter_raw())
    return response, raw


@pytest.mark.parametrize("path", RESOURCES)
@pytest.mark.parametrize("encoding", [IDENTITY, GZIP], ids=["identity", "gzip"])
def test_an_unchanged_resource_is_a_304_to_its_etag(
    client: TestClient, path: str, encoding: dict[str, str]
) -> None:
    first = client.get(path, headers=encoding)
    assert first.status_code == 200, first.text
    etag = first.headers["etag"]
    assert STRONG_TAG.fullmatch(etag), etag
    assert first.headers["cache-control"] == "no-cache"
    again = client.get(path, headers=encoding)
    assert again.headers["etag"] == etag
    assert again.content == first.content

    response, raw = raw_get(client, path, {**encoding, "If-None-Match": etag})
    assert response.status_code == 304
    assert raw == b""
    assert response.headers["etag"] == etag
    assert response.headers["cache-control"] == "no-cache"
    assert response.headers.get("vary") == first.headers.get("vary")
    assert "content-type" not in response.headers
    assert "content-encoding" not in response.headers
    assert "content-length" not in response.headers
    # HEAD: the GET's validators, no body; a 304 likewise.
    head = client.head(path, headers=encoding)
    assert head.status_code == 200
    assert head.content == b""
    assert head.headers["etag"] == etag
    assert head.headers["content-length"] == first.headers["content-length"]
    conditional_head = client.head(path, headers={**encoding, "If-None-Match": etag})
    assert conditional_head.status_code == 304
    assert conditional_head.headers["etag"] == etag


def test_the_tag_is_a_hash_of_the_identity_body(client: TestClient) -> None:
    path = "/v1/claims/taliban-panjshir-surrounded"
    plain = client.get(path, headers=IDENTITY)
    assert plain.headers["etag"] == body_etag(plain.content)
    zipped = client.get(path, headers=GZIP)
    assert zipped.headers["etag"] == gzip_variant(plain.headers["etag"])
    assert zipped.headers["etag"] == plain.headers["etag"][:-1] + '-gzip"'


def test_either_variant_s_tag_is_a_304_for_both_encodings(client: TestClient) -> None:
    path = "/v1/claims?limit=500"
    plain_tag = client.get(path, headers=IDENTITY).headers["etag"]
    gzip_tag = client.get(path, headers=GZIP).headers["etag"]
    assert plain_tag != gzip_tag
    for encoding, held, answered in (
        (IDENTITY, gzip_tag, plain_tag),
        (GZIP, plain_tag, gzip_tag),
    ):
        response = client.get(path, headers={**encoding, "If-None-Match": held})
        assert response.status_code == 304
        assert response.content == b""
        assert response.headers["etag"] == answered


@pytest.mark.parametrize(
    ("if_none_match", "status"),
    [
        ("*", 304),
        ("TAG", 304),
        ("W/TAG", 304),
        ('"elsewhere", TAG', 304),
        ('W/"x",W/TAG', 304),
        ('"elsewhere"', 200),
        ('"elsewhere", W/"other"', 200),
        ("not a tag", 200),
        ("", 200),
    ],
)
def test_if_none_match_lists_wildcard_and_weak_comparison(
    client: TestClient, if_none_match: str, status: int
) -> None:
    path = "/v1/actors/taliban"
    etag = client.get(path).headers["etag"]
    response = client.get(path, headers={"If-None-Match": if_none_match.replace("TAG", etag)})
    assert response.status_code == status
    if status == 200:
        assert response.json()["name"] == "Taliban"
    else:
        assert response.content == b""


def test_a_changed_resource_is_a_200_with_a_new_etag(
    make_database: Callable[..., Engine], seed_copy: Path
) -> None:
    engine = make_database()
    paths = [
        "/v1/claims/taliban-panjshir-surrounded",
        "/v1/claims?claimant_id=taliban",
        "/v1/claims/facets",
        "/v1/search?q=encircled",
        # A streamed export: its tag comes from the data version, not from its bytes.
        "/v1/claims/export?claimant_id=taliban",
        "/v1/claims?claimant_id=taliban&format=csv",
    ]
    with TestClient(create_app(engine)) as test_client:
        before = {path: test_client.get(path) for path in paths}
        unrelated = test_client.get("/v1/actors/ahmad-massoud").headers["etag"]
        for path, answer in before.items():
            assert test_client.get(path).headers["etag"] == answer.headers["etag"], path
            again = test_client.get(path, headers={"If-None-Match": answer.headers["etag"]})
            assert (again.status_code, again.content) == (304, b""), path
        assert before["/v1/search?q=encircled"].json()["items"] == []

        replace_in(
            seed_copy / "000_panjshir-last-bastion.yaml",
            "statement: The Taliban have surrounded the Panjshir.",
            "statement: The Taliban say they have encircled the Panjshir.",
        )
        import_paths(engine, [seed_copy])

        for path, old in before.items():
            if path == "/v1/claims/facets":
                continue  # counts only: a changed statement leaves them as they were
            response = test_client.get(path, headers={"If-None-Match": old.headers["etag"]})
            assert response.status_code == 200, path
            assert response.headers["etag"] != old.headers["etag"], path
            assert "encircled" in response.text, path
            assert test_client.get(
                path, headers={"If-None-Match": response.headers["etag"]}
            ).status_code == (304)
        facets = paths[2]
        assert (
            test_client.get(
                facets, headers={"If-None-Match": before[facets].headers["etag"]}
            ).status_code
            == 304
        )
        # What the edit did not touch keeps its tag.
        assert (
            test_client.get(
                "/v1/actors/ahmad-massoud", headers={"If-None-Match": unrelated}
            ).status_code
            == 304
        )


def test_a_large_body_is_gzip_and_decompresses_to_the_identity_body(client: TestClient) -> None:
    path = "/v1/claims?limit=500"
    plain, plain_raw = raw_get(client, path, IDENTITY)
    assert "content-encoding" not in plain.headers
    assert int(plain.headers["content-length"]) == len(plain_raw) > 1024
    assert plain.headers["vary"] == "Accept, Accept-Encoding"  # the list negotiates its format too

    zipped, zipped_raw = raw_get(client, path, GZIP)
    assert zipped.headers["content-encoding"] == "gzip"
    assert zipped.headers["vary"] == "Accept, Accept-Encoding"
    assert int(zipped.headers["content-length"]) == len(zipped_raw) < len(plain_raw) / 3
    assert gzip.decompress(zipped_raw) == plain_raw
    # The same bytes every time: the strong tag of the gzip variant holds.
    assert raw_get(client, path, GZIP)[1] == zipped_raw
    ids = [item["id"] for item in json.loads(gzip.decompress(zipped_raw))["items"]]
    assert "taliban-panjshir-surrounded" in ids


def test_a_small_body_is_not_compressed(client: TestClient) -> None:
    path = "/v1/locations/afghanistan"
    response, raw = raw_get(client, path, GZIP)
    assert response.status_code == 200
    assert len(raw) <= 1024
    assert "content-encoding" not in response.headers
    assert "vary" not in response.headers
    assert json.loads(raw)["name"] == "Afghanistan"
    assert response.headers["etag"] == body_etag(raw)


@pytest.mark.parametrize(
    ("accept_encoding", "compressed"),
    [
        ("gzip", True),
        ("GZIP", True),
        ("x-gzip", True),
        ("deflate, gzip;q=0.1", True),
        ("br, *;q=0.5", True),
        ("gzip;q=0", False),
        ("gzip;q=0.000, *", False),
        ("*;q=0", False),
        ("identity", False),
        ("br", False),
        ("gzip;q=nonsense", False),
    ],
)
def test_accept_encoding_q_values_choose_gzip(
    client: TestClient, accept_encoding: str, compressed: bool
) -> None:
    response, raw = raw_get(client, "/v1/claims?limit=50", {"Accept-Encoding": accept_encoding})
    assert response.status_code == 200
    assert (response.headers.get("content-encoding") == "gzip") is compressed
    assert response.headers["etag"].endswith('-gzip"') is compressed
    assert accepts_gzip([accept_encoding]) is compressed
    body = gzip.decompress(raw) if compressed else raw
    assert body == client.get("/v1/claims?limit=50", headers=IDENTITY).content


def test_cache_control_comes_from_the_settings(engine: Engine) -> None:
    settings = Settings(cache_control="public, max-age=60")
    with TestClient(create_app(engine, settings=settings)) as configured:
        claim = configured.get("/v1/claims/taliban-panjshir-surrounded")
        assert claim.headers["cache-control"] == "public, max-age=60"
        etag = claim.headers["etag"]
        not_modified = configured.get(
            "/v1/claims/taliban-panjshir-surrounded", headers={"If-None-Match": etag}
        )
        assert not_modified.status_code == 304
        assert not_modified.headers["cache-control"] == "public, max-age=60"
        for service in ("/healthz", "/readyz", "/metrics"):
            answer = configured.get(service, headers={"If-None-Match": "*"})
            assert answer.status_code == 200, service
            assert answer.headers["cache-control"] == "no-store", service
            assert "etag" not in answer.headers, service
        # A route's own Cache-Control is kept.
        script = configured.get("/static/redoc.standalone.js")
        assert script.headers["cache-control"] == "public, max-age=3600"


def test_a_cache_control_setting_must_be_one_printable_line() -> None:
    with pytest.raises(ValueError, match="cache_control"):
        Settings(cache_control="no-cache\r\nSet-Cookie: x=1")
    with pytest.raises(ValueError, match="cache_control"):
        Settings(cache_control="")


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/v1/claims/no-such-claim", 404),
        ("/v1/claims?limit=0", 400),
        ("/v1/claims?claimnt_id=taliban", 400),
        ("/v1/reports/no-such-report/text", 404),
    ],
)
def test_errors_carry_no_store_and_no_etag(client: TestClient, path: str, status: int) -> None:
    for headers in ({}, {"If-None-Match": "*"}, GZIP):
        response = client.get(path, headers=headers)
        assert_problem(response, status)
        assert response.headers["cache-control"] == "no-store"
        assert "etag" not in response.headers
        assert "last-modified" not in response.headers


def test_a_wrong_method_is_not_cached(client: TestClient) -> None:
    response = client.post("/v1/claims", headers={"If-None-Match": "*"})
    assert_problem(response, 405)
    assert response.headers["cache-control"] == "no-store"
    assert "etag" not in response.headers


def test_304s_are_counted_in_the_metrics(client: TestClient) -> None:
    path = "/v1/actors/taliban"
    etag = client.get(path).headers["etag"]
    for _ in range(3):
        assert client.get(path, headers={"If-None-Match": etag}).status_code == 304
    metrics = client.get("/metrics").text
    counted = re.search(
        r'conflict_reports_http_requests_total\{method="GET",route="/v1/actors/\{actor_id\}",'
        r'status="304"\} (\d+)',
        metrics,
    )
    assert counted is not None, metrics[:2000]
    assert float(counted.group(1)) >= 3


def test_the_document_declares_304_and_the_validators(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    gets = {path: methods["get"] for path, methods in document["paths"].items() if "get" in methods}
    assert len(gets) >= 15
    for path, operation in gets.items():
        responses = operation["responses"]
        headers = {p["name"] for p in operation.get("parameters", []) if p["in"] == "header"}
        if path in {"/healthz", "/readyz", "/metrics"}:
            assert "304" not in responses, path
            continue
        assert "304" in responses, path
        assert "content" not in responses["304"], path
        assert {"ETag", "Cache-Control", "Vary"} <= responses["304"]["headers"].keys()
        assert {"ETag", "Cache-Control", "Last-Modified"} <= responses["200"]["headers"].keys()
        assert headers == {"If-None-Match", "If-Modified-Since"}, path


# Small apps for what the seeded API does not do itself (yet): a route that sets
# Last-Modified, and streamed answers with and without their own ETag.

LAST_MODIFIED = "Tue, 24 Aug 2021 10:00:00 GMT"


class Produced:
    def __init__(self) -> None:
        self.pieces = 0


def _stream_app(produced: Produced) -> Starlette:
    async def pieces(count: int) -> AsyncIterator[bytes]:
        for number in range(count):
            produced.pieces += 1
            yield b'{"n": %d, "text": "%s"}\n' % (number, b"x" * 200)

    async def export(request: Request) -> StreamingResponse:
        tagged = request.query_params.get("tagged") == "1"
        return StreamingResponse(
            pieces(int(request.query_params.get("count", "1000"))),
            media_type="application/x-ndjson",
            headers={"ETag": '"v42"'} if tagged else None,
        )

    async def item(_request: Request) -> Response:
        return Response(
            b'{"id": "a"}', media_type="application/json", headers={"Last-Modified": LAST_MODIFIED}
        )

    async def untimed(_request: Request) -> Response:
        return Response(b'{"id": "b"}', media_type="application/json")

    return Starlette(
        routes=[Route("/export", export), Route("/item", item), Route("/untimed", untimed)]
    )


@pytest.fixture
def produced() -> Produced:
    return Produced()


@pytest.fixture
def small_app(produced: Produced) -> Iterator[TestClient]:
    with TestClient(HttpCaching(_stream_app(produced), cache_control="no-cache")) as test_client:
        yield test_client


@pytest.mark.parametrize(
    ("if_modified_since", "status"),
    [
        (LAST_MODIFIED, 304),
        ("Wed, 25 Aug 2021 00:00:00 GMT", 304),
        ("Tue, 24 Aug 2021 09:59:59 GMT", 200),
        ("yesterday", 200),
        ("Tue, 24 Aug 2021 10:00:00", 200),  # no zone: not an HTTP date
    ],
)
def test_if_modified_since_against_last_modified(
    small_app: TestClient, if_modified_since: str, status: int
) -> None:
    response = small_app.get("/item", headers={"If-Modified-Since": if_modified_since})
    assert response.status_code == status
    assert response.headers["last-modified"] == LAST_MODIFIED
    assert response.headers["etag"] == body_etag(b'{"id": "a"}')
    assert response.content == (b"" if status == 304 else b'{"id": "a"}')


def test_if_none_match_takes_precedence_over_if_modified_since(small_app: TestClient) -> None:
    # RFC 9110 13.2.2: with If-None-Match, If-Modified-Since is not evaluated.
    response = small_app.get(
        "/item", headers={"If-None-Match": '"other"', "If-Modified-Since": LAST_MODIFIED}
    )
    assert response.status_code == 200
    # Without a Last-Modified, If-Modified-Since has nothing to compare.
    untimed = small_app.get("/untimed", headers={"If-Modified-Since": LAST_MODIFIED})
    assert untimed.status_code == 200
    assert untimed.content == b'{"id": "b"}'


def test_a_stream_without_its_own_etag_passes_compressed_as_it_streams(
    small_app: TestClient, produced: Produced
) -> None:
    plain, plain_raw = raw_get(small_app, "/export", IDENTITY)
    assert "etag" not in plain.headers
    assert "content-encoding" not in plain.headers
    assert plain_raw.count(b"\n") == 1000
    zipped, zipped_raw = raw_get(small_app, "/export?", GZIP)
    assert "etag" not in zipped.headers
    assert zipped.headers["content-encoding"] == "gzip"
    assert "content-length" not in zipped.headers
    assert zipped.headers["vary"] == "Accept-Encoding"
    assert gzip.decompress(zipped_raw) == plain_raw
    assert len(zipped_raw) < len(plain_raw) / 5
    assert small_app.get("/export", headers={"If-None-Match": "*"}).status_code == 200
    assert produced.pieces == 3000


def test_a_stream_with_its_own_etag_is_a_304_that_stops_the_stream(
    small_app: TestClient, produced: Produced
) -> None:
    full = small_app.get("/export?tagged=1&count=10", headers=GZIP)
    assert full.headers["etag"] == '"v42-gzip"'
    assert small_app.get("/export?tagged=1", headers=IDENTITY).headers["etag"] == '"v42"'
    produced.pieces = 0
    for held, encoding in (('"v42"', GZIP), ('"v42-gzip"', IDENTITY), ('W/"v42"', GZIP)):
        response, raw = raw_get(
            small_app, "/export?tagged=1&count=100000", {**encoding, "If-None-Match": held}
        )
        assert response.status_code == 304
        assert raw == b""
        assert response.headers["etag"] in {'"v42"', '"v42-gzip"'}
    # The producer stopped at the first piece instead of making 100,000.
    assert produced.pieces <= 3 * 2


def test_header_parsers() -> None:
    assert parse_if_none_match(['"a", W/"b"', '"c"']) == {"a", "b", "c"}
    assert parse_if_none_match(["*"]) is None
    assert parse_if_none_match(['"a", junk, "b"']) == {"a"}
    assert parse_if_none_match(['"a" "b"']) == set()
    assert none_match({"a-gzip"}, '"a"')
    assert none_match({"a"}, 'W/"a-gzip"')
    assert not none_match({"b"}, '"a"')
    assert not none_match(set(), "unquoted")
    assert merge_vary(None, "Accept-Encoding") == "Accept-Encoding"
    assert merge_vary("Accept", "Accept-Encoding") == "Accept, Accept-Encoding"
    assert merge_vary("accept-encoding, Accept", "Accept-Encoding") == "accept-encoding, Accept"
    assert merge_vary("*", "Accept-Encoding") == "*"
    assert not_modified_since(LAST_MODIFIED, LAST_MODIFIED)
    assert not not_modified_since("garbage", LAST_MODIFIED)
    assert not accepts_gzip([])


def test_an_app_without_a_database_still_validates(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'empty.db'}")
    with TestClient(create_app(engine)) as bare:
        document = bare.get("/openapi.json")
        assert document.status_code == 200
        etag = document.headers["etag"]
        assert bare.get("/openapi.json", headers={"If-None-Match": etag}).status_code == 304


def test_a_500_is_no_store_with_no_etag(engine: Engine) -> None:
    app = create_app(engine)

    @app.get("/v1/boom", include_in_schema=False)
    async def boom() -> None:
        raise RuntimeError("boom")

    with TestClient(app, raise_server_exceptions=False) as failing:
        response = failing.get("/v1/boom", headers={"If-None-Match": "*"})
    assert_problem(response, 500)
    assert response.headers["cache-control"] == "no-store"
    assert "etag" not in response.headers
