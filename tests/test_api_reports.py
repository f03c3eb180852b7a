"""The first API: health, reports, the verbatim text, errors as problem documents."""

import hashlib
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from app.models import Claim
from tests.conftest import REPORT_ID, SEED_DIR


def test_healthz_names_the_database(client: TestClient, backend: str) -> None:
    response = client.get("/healthz")
    assert response.json() == {"status": "ok", "database": backend}


def test_reports_list_envelope(client: TestClient) -> None:
    body = client.get("/v1/reports").json()
    assert body["next_cursor"] is None
    assert body["items"] == [
        {
            "id": REPORT_ID,
            "title": "Afghanistan's last bastion against the Taliban",
            "publisher": "MailOnline (Daily Mail)",
            "author": None,
            "published_on": "2021-08-24",
            "language": "en",
            "updated_at": "2021-09-01T00:00:00.000000Z",
        }
    ]


def test_report_detail(client: TestClient) -> None:
    body = client.get(f"/v1/reports/{REPORT_ID}").json()
    raw = (SEED_DIR / "texts" / "000_54838b346df77719.txt").read_bytes()
    assert body["published_on"] == "2021-08-24"
    assert "Reuters" in body["published_on_note"]
    # Verbatim: the article has a no-break space after "But".
    assert (
        body["summary"][1]
        == "But\u00a0Ahmad Massoud of the Northern Alliance has vowed it will not fall"
    )
    assert body["body_sha256"] == hashlib.sha256(raw).hexdigest()
    assert body["body_length"] == len(raw.decode("utf-8"))
    assert body["text_url"] == f"/v1/reports/{REPORT_ID}/text"


def test_report_text_is_byte_for_byte_the_source(client: TestClient) -> None:
    response = client.get(f"/v1/reports/{REPORT_ID}/text")
    raw = (SEED_DIR / "texts" / "000_54838b346df77719.txt").read_bytes()
    assert response.headers["content-type"] == "text/plain; charset=utf-8"
    assert response.content == raw


def test_spans_index_the_served_text(client: TestClient, engine: Engine) -> None:
    text = client.get(f"/v1/reports/{REPORT_ID}/text").text
    with Session(engine) as session:
        appeal = session.get(Claim, "massoud-appeal-to-the-french")
    assert appeal is not None
    assert text[appeal.span_start : appeal.span_end] == (
        "\u2018Join us in spirit, or with direct support.\u2019"
    )


def _assert_problem(response: Any, status: int, detail_part: str) -> dict[str, Any]:
    body: dict[str, Any] = response.json()
    assert response.status_code == status
    assert response.headers["content-type"] == "application/problem+json"
    assert {"type", "title", "status", "detail"} <= body.keys()
    assert body["status"] == status
    assert detail_part in str(body["detail"])
    return body


def test_missing_report_is_a_404_problem(client: TestClient) -> None:
    for path in ("/v1/reports/no-such-report", "/v1/reports/no-such-report/text"):
        _assert_problem(client.get(path), 404, "no report with id 'no-such-report'")


def test_unknown_path_is_a_404_problem(client: TestClient) -> None:
    _assert_problem(client.get("/v1/nothing-here"), 404, "Not Found")


def test_wrong_method_is_a_405_problem(client: TestClient) -> None:
    answer = client.patch(f"/v1/reports/{REPORT_ID}")
    _assert_problem(answer, 405, "Method Not Allowed")
    assert answer.headers["allow"] == "GET, HEAD, PUT, DELETE"
