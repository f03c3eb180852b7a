"""Reports in over HTTP (issue 17, part 1, first step): `POST /v1/reports` loads a bundle
through the importer `conflict-reports seed` uses: the same rows, the same checks, one
transaction, a `write` key."""

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select

from app.core.config import Settings
from app.core.http.auth import Scope
from app.importer import import_paths
from app.importer.yaml_source import parse_yaml
from app.ingest import router as ingest
from app.keys.service import create_key
from app.main import create_app
from app.models import Base, Claim, Report
from tests.conftest import SEED_DIR
from tests.helpers import assert_problem

BUNDLE = SEED_DIR / "000_panjshir-last-bastion.yaml"
REPORT_ID = "panjshir-last-bastion-2021-08-24"
# Stamped by each import with its own time, or naming who wrote (a key, or the command line):
# the columns and tables allowed to differ.
STAMPS = {"updated_at", "deleted_at", "created_by_key_id"}
WHO_WROTE = {"audit_entry", "api_key", "idempotency_record"}


def _seed_bundle() -> dict[str, Any]:
    """The seed bundle with its text inline (its file still named, as where it came from)."""
    raw, _ = parse_yaml(BUNDLE.read_text(encoding="utf-8"))
    text_path = BUNDLE.parent / raw["report"]["text_file"]
    with text_path.open(encoding="utf-8", newline="") as handle:
        raw["report"]["text"] = handle.read()
    assert isinstance(raw, dict)
    return raw


def _as_yaml(bundle: dict[str, Any]) -> bytes:
    return yaml.safe_dump(bundle, allow_unicode=True, sort_keys=False).encode("utf-8")


def _rows(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every table's rows (without the import's time stamps), in primary-key order."""
    found: dict[str, list[tuple[Any, ...]]] = {}
    with engine.connect() as connection:
        for table in Base.metadata.sorted_tables:
            if table.name in WHO_WROTE:
                continue
            columns = [column for column in table.columns if column.name not in STAMPS]
            order = list(table.primary_key.columns) or columns
            found[table.name] = [
                tuple(row) for row in connection.execute(select(*columns).order_by(*order))
            ]
    return found


def _client(engine: Engine) -> tuple[TestClient, dict[str, str]]:
    """A client of the app on `engine`, and a header with a write key."""
    _, key = create_key(engine, name="loader", scope=Scope.write)
    return TestClient(create_app(engine, settings=Settings())), {"Authorization": f"Bearer {key}"}


@pytest.mark.parametrize("media_type", ["application/yaml", "application/json"])
def test_posting_the_seed_gives_the_rows_the_cli_gives(
    make_database: Callable[..., Engine], media_type: str
) -> None:
    by_cli = make_database()
    over_http = make_database(seed=False)
    bundle = _seed_bundle()
    body = (
        json.dumps(bundle, ensure_ascii=False).encode("utf-8")
        if media_type == "application/json"
        else _as_yaml(bundle)
    )
    client, auth = _client(over_http)
    with client:
        answer = client.post(
            "/v1/reports", content=body, headers={**auth, "Content-Type": media_type}
        )
        assert answer.status_code == 201, answer.text
        assert answer.headers["location"] == f"/v1/reports/{REPORT_ID}"
        created = answer.json()
        assert created["id"] == REPORT_ID
        assert created["changes"]["claims"]["inserted"] == created["totals"]["claims"] == 30
        assert created["changes"]["claims"]["updated"] == 0
        taliban = client.get("/v1/claims", params={"claimant_id": "taliban"}).json()
        assert "taliban-panjshir-surrounded" in {item["id"] for item in taliban["items"]}
    http_rows, cli_rows = _rows(over_http), _rows(by_cli)
    assert http_rows == cli_rows
    assert len(http_rows["claim"]) == 30


def test_a_report_that_exists_is_409_and_nothing_moves(
    make_database: Callable[..., Engine],
) -> None:
    engine = make_database()
    client, auth = _client(engine)
    before = _rows(engine)
    with client:
        answer = client.post(
            "/v1/reports",
            content=_as_yaml(_seed_bundle()),
            headers={**auth, "Content-Type": "application/yaml"},
        )
    body = assert_problem(answer, 409)
    assert REPORT_ID in body["detail"]
    after = _rows(engine)
    assert after == before


def test_every_problem_of_the_bundle_is_answered_and_nothing_is_written(
    make_database: Callable[..., Engine],
) -> None:
    engine = make_database(seed=False)
    bundle = _seed_bundle()
    bundle["report"]["id"] = "another-report"
    bundle["claims"][0]["kind"] = "rumour"
    bundle["claims"][1]["status"] = "maybe"
    client, auth = _client(engine)
    with client:
        answer = client.post(
            "/v1/reports", content=_as_yaml(bundle), headers={**auth, "Content-Type": "text/yaml"}
        )
        body = assert_problem(answer, 422)
        assert "nothing was written" in body["detail"]
        details = " | ".join(error["detail"] for error in body["errors"])
        assert len(body["errors"]) >= 2, body
        assert "rumour" in details or "kind" in json.dumps(body["errors"])
        assert all("line" in error for error in body["errors"])
        # A quote that is not in the text: found once the schema holds.
        bundle = _seed_bundle()
        bundle["report"]["id"] = "another-report"
        bundle["claims"][0]["quote"] = "words the article never printed"
        answer = client.post(
            "/v1/reports", content=_as_yaml(bundle), headers={**auth, "Content-Type": "text/yaml"}
        )
        body = assert_problem(answer, 422)
        assert "never printed" in json.dumps(body["errors"], ensure_ascii=False)
    with engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(Report)).scalar_one() == 0
        assert connection.execute(select(func.count()).select_from(Claim)).scalar_one() == 0


def test_a_write_needs_a_write_key_and_a_bundle(
    make_database: Callable[..., Engine], monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = make_database(seed=False)
    _, reader = create_key(engine, name="reader", scope=Scope.read)
    client, auth = _client(engine)
    yaml_type = {"Content-Type": "application/yaml"}
    body = _as_yaml(_seed_bundle())
    with client:
        assert_problem(client.post("/v1/reports", content=body, headers=yaml_type), 401)
        refused = client.post(
            "/v1/reports", content=body, headers={**yaml_type, "X-API-Key": reader}
        )
        assert assert_problem(refused, 403)["scope"] == "write"
        plain = client.post(
            "/v1/reports", content=body, headers={**auth, "Content-Type": "text/plain"}
        )
        assert "application/yaml" in assert_problem(plain, 415)["accepted"]
        no_text = _seed_bundle()
        del no_text["report"]["text"]
        answer = client.post(
            "/v1/reports", content=_as_yaml(no_text), headers={**auth, **yaml_type}
        )
        assert "report.text" in json.dumps(assert_problem(answer, 422)["errors"])
        broken = client.post(
            "/v1/reports",
            content=b'{"report": ',
            headers={**auth, "Content-Type": "application/json"},
        )
        assert "broken JSON" in json.dumps(assert_problem(broken, 422)["errors"])
        for hostile, media_type in (
            (b"n: " + b"1" * 5000, "application/yaml"),
            (b"[" * 5000, "application/json"),
            (b"[" * 5000, "application/yaml"),
        ):
            answer = client.post(
                "/v1/reports", content=hostile, headers={**auth, "Content-Type": media_type}
            )
            assert_problem(answer, 422)
        long_file = _seed_bundle()
        long_file["report"]["text_file"] = "x" * 400
        answer = client.post(
            "/v1/reports", content=_as_yaml(long_file), headers={**auth, **yaml_type}
        )
        assert answer.status_code in (201, 422), answer.text  # SQLite keeps long text
        latin1 = client.post(
            "/v1/reports", content="caf\xe9".encode("latin-1"), headers={**auth, **yaml_type}
        )
        assert "UTF-8" in assert_problem(latin1, 422)["detail"]
        monkeypatch.setattr(ingest, "MAX_BUNDLE_BYTES", 1000)
        too_large = client.post("/v1/reports", content=body, headers={**auth, **yaml_type})
        assert "1,000 bytes" in assert_problem(too_large, 413)["detail"]
    with engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(Report)).scalar_one() == 0


def test_the_cli_reads_an_inline_text_too(
    tmp_path: Path, make_database: Callable[..., Engine]
) -> None:
    engine = make_database(seed=False)
    bundle = _seed_bundle()
    del bundle["report"]["text_file"]
    (tmp_path / "bundle.yaml").write_bytes(_as_yaml(bundle))
    summary = import_paths(engine, [tmp_path / "bundle.yaml"])
    assert summary.reports == [REPORT_ID]
    with engine.connect() as connection:
        source = connection.execute(select(Report.source_file)).scalar_one()
    assert source == "(inline)"


def test_a_parent_loop_through_the_database_is_refused(
    make_database: Callable[..., Engine],
) -> None:
    """A new report may declare a known place again, but not under one of its own
    descendants in the database: the hierarchy would loop (and every walk of it would run
    until its time budget)."""
    engine = make_database()
    seed = _seed_bundle()
    country = next(place for place in seed["locations"] if place["id"] == "afghanistan")
    bundle = {
        "report": {
            **{key: seed["report"][key] for key in ("title", "publisher", "language")},
            "id": "a-later-report",
            "published_on": "2021-09-01",
            "published_on_note": "the date line",
            "text": "Afghanistan, again.",
        },
        "locations": [{**country, "parent": "panjshir-province"}],
    }
    client, auth = _client(engine)
    with client:
        answer = client.post(
            "/v1/reports",
            content=_as_yaml(bundle),
            headers={**auth, "Content-Type": "application/yaml"},
        )
        details = json.dumps(assert_problem(answer, 422)["errors"])
        assert "loops back" in details
        assert "afghanistan > panjshir-province > afghanistan" in details
        # The country's place in the hierarchy is as it was.
        kept = client.get("/v1/locations/afghanistan").json()
        assert kept["parent_id"] is None
