"""Writes over HTTP beyond the first POST (issue 17): a report back as its bundle, `PUT` to
create or replace, `DELETE`, dry runs, `If-Match` / `If-None-Match` on the report's version,
write keys limited to their own reports, and the audit entry every write leaves."""

import datetime as dt
import json
import threading
from collections.abc import Callable
from typing import Any

import pytest
import yaml
from fastapi.testclient import TestClient
from sqlalchemy import Engine, insert, select, update

from app.core.config import Settings
from app.core.http.auth import Scope
from app.core.query.sync import utc_now
from app.ingest.idempotency import LEASE, fingerprint
from app.keys.service import create_key
from app.main import create_app
from app.models import ApiKey, AuditEntry, IdempotencyRecord
from tests.helpers import assert_problem
from tests.test_ingest import REPORT_ID, _as_yaml, _rows, _seed_bundle

SECOND_ID = "panjshir-denial-2021-08-25"
SECOND_TEXT = (
    "KABUL: A spokesman for the Northern Alliance denied on Tuesday that the Panjshir was "
    'surrounded. "The valley is open and our supply roads are free," Ali Example told the '
    "Test Wire. He said the resistance held every district."
)


def second_bundle() -> dict[str, Any]:
    """A report that refers to the seed's actors and contradicts one of its claims."""
    return {
        "format": "conflict-reports/1",
        "report": {
            "id": SECOND_ID,
            "title": "Resistance denies the valley is surrounded",
            "publisher": "Test Wire",
            "outlet": "test-wire",
            "published_on": "2021-08-25",
            "published_on_note": "Printed with the story.",
            "language": "en",
            "text": SECOND_TEXT,
        },
        "actors": [
            {"id": "test-wire", "name": "Test Wire", "kind": "media_outlet"},
            {"id": "ali-example", "name": "Ali Example", "kind": "person"},
        ],
        "claims": [
            {
                "id": "denial-valley-open",
                "claimant": "ali-example",
                "quote": "The valley is open and our supply roads are free",
                "statement": "The Panjshir valley is not surrounded.",
                "kind": "territorial_control",
                "channel": "interview",
                "venue": "test-wire",
                "stated_on": "2021-08-24",
                "actors": [{"id": "northern-alliance"}],
                "contradicts": ["taliban-panjshir-surrounded"],
            }
        ],
    }


def _keys(engine: Engine) -> dict[str, dict[str, str]]:
    made = {}
    for name, scope, own in (
        ("writer", Scope.write, False),
        ("own", Scope.write, True),
        ("reader", Scope.read, False),
    ):
        _, key = create_key(engine, name=name, scope=scope, own_reports_only=own)
        made[name] = {"Authorization": f"Bearer {key}"}
    return made


def _client(engine: Engine) -> TestClient:
    return TestClient(create_app(engine, settings=Settings()))


def _json(bundle: dict[str, Any]) -> bytes:
    return json.dumps(bundle, ensure_ascii=False).encode("utf-8")


JSON = {"Content-Type": "application/json"}
YAML = {"Content-Type": "application/yaml"}


@pytest.mark.parametrize("form", ["json", "yaml"])
def test_the_bundle_back_then_put_changes_nothing(
    make_database: Callable[..., Engine], form: str
) -> None:
    engine = make_database()
    keys = _keys(engine)
    before = _rows(engine)
    with _client(engine) as client:
        got = client.get(f"/v1/reports/{REPORT_ID}/bundle", params={"format": form})
        assert got.status_code == 200
        etag = got.headers["etag"]
        if form == "yaml":
            assert got.headers["content-type"].startswith("application/yaml")
            assert "-yaml" in etag
            bundle = yaml.safe_load(got.text)
        else:
            bundle = got.json()
        assert bundle["report"]["text"].startswith("Afghanistan")
        assert {claim["id"] for claim in bundle["claims"]} >= {"taliban-panjshir-surrounded"}
        put = client.put(
            f"/v1/reports/{REPORT_ID}",
            content=got.content,
            headers={**keys["writer"], **(YAML if form == "yaml" else JSON), "If-Match": etag},
        )
        assert put.status_code == 200, put.text
        changes = put.json()["changes"]
        assert all(c["inserted"] == c["updated"] == c["removed"] == 0 for c in changes.values())
        assert changes["claims"]["unchanged"] == 30
        # The version is the same: the bundle's ETag without its variants' suffixes (the
        # YAML form's, and gzip's where the client accepted it).
        assert put.headers["etag"] == etag.replace("-gzip", "").replace("-yaml", "")
    assert _rows(engine) == before


def test_the_bundle_by_accept_and_its_conditional_get(make_database: Callable[..., Engine]) -> None:
    engine = make_database()
    with _client(engine) as client:
        as_yaml = client.get(
            f"/v1/reports/{REPORT_ID}/bundle", headers={"Accept": "application/yaml"}
        )
        assert as_yaml.headers["content-type"].startswith("application/yaml")
        assert "Afghanistan's last bastion" in as_yaml.text
        as_json = client.get(f"/v1/reports/{REPORT_ID}/bundle")
        assert as_json.json()["report"]["id"] == REPORT_ID
        again = client.get(
            f"/v1/reports/{REPORT_ID}/bundle", headers={"If-None-Match": as_json.headers["etag"]}
        )
        assert again.status_code == 304
        assert_problem(client.get("/v1/reports/no-such-report/bundle"), 404)
        assert_problem(
            client.get(f"/v1/reports/{REPORT_ID}/bundle", headers={"Accept": "text/csv"}), 406
        )
        assert_problem(client.get(f"/v1/reports/{REPORT_ID}/bundle?format=csv"), 400)


def test_put_creates_then_replaces_and_removes_what_is_no_longer_declared(
    make_database: Callable[..., Engine],
) -> None:
    engine = make_database()
    keys = _keys(engine)
    bundle = second_bundle()
    with _client(engine) as client:
        created = client.put(
            f"/v1/reports/{SECOND_ID}", content=_json(bundle), headers={**keys["writer"], **JSON}
        )
        assert created.status_code == 201, created.text
        assert created.headers["location"] == f"/v1/reports/{SECOND_ID}"
        assert created.json()["changes"]["claims"]["inserted"] == 1
        contested = client.get("/v1/claims/taliban-panjshir-surrounded").json()
        assert "denial-valley-open" in contested["contradicts"]

        bundle["claims"][0]["statement"] = "The valley is open."
        bundle["claims"].append(
            {
                "id": "denial-districts-held",
                "claimant": "ali-example",
                "quote": "the resistance held every district",
                "statement": "The resistance holds every district.",
                "kind": "territorial_control",
                "channel": "interview",
                "venue": "test-wire",
            }
        )
        replaced = client.put(
            f"/v1/reports/{SECOND_ID}",
            content=_json(bundle),
            headers={**keys["writer"], **JSON, "If-Match": created.headers["etag"]},
        )
        assert replaced.status_code == 200
        claims = replaced.json()["changes"]["claims"]
        assert (claims["inserted"], claims["updated"]) == (1, 1)

        del bundle["claims"][1]
        shrunk = client.put(
            f"/v1/reports/{SECOND_ID}", content=_json(bundle), headers={**keys["writer"], **JSON}
        )
        assert shrunk.json()["changes"]["claims"]["removed"] == 1
        deleted = client.get("/v1/deleted").json()["items"]
        assert [(i["entity_type"], i["id"]) for i in deleted] == [
            ("claims", "denial-districts-held")
        ]

        wrong = client.put(
            "/v1/reports/another-id", content=_json(bundle), headers={**keys["writer"], **JSON}
        )
        problem = assert_problem(wrong, 422)
        assert problem["errors"][0]["field"] == "id"
        assert "another-id" in problem["errors"][0]["detail"]


def test_if_match_lets_one_of_two_writers_through(make_database: Callable[..., Engine]) -> None:
    engine = make_database()
    keys = _keys(engine)
    with _client(engine) as client:
        got = client.get(f"/v1/reports/{REPORT_ID}/bundle")
        etag = got.headers["etag"]
        edits = []
        for statement in ("First writer's statement.", "Second writer's statement."):
            bundle = got.json()
            bundle["claims"][0]["statement"] = statement
            edits.append(_json(bundle))
        answers: list[int] = []

        def put(body: bytes) -> None:
            answer = client.put(
                f"/v1/reports/{REPORT_ID}",
                content=body,
                headers={**keys["writer"], **JSON, "If-Match": etag},
            )
            answers.append(answer.status_code)

        threads = [threading.Thread(target=put, args=(body,)) for body in edits]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(answers) == [200, 412]
        late = client.put(
            f"/v1/reports/{REPORT_ID}",
            content=edits[0],
            headers={**keys["writer"], **JSON, "If-Match": etag},
        )
        problem = assert_problem(late, 412)
        assert problem["current_etag"] != etag
        exists = client.put(
            f"/v1/reports/{REPORT_ID}",
            content=edits[0],
            headers={**keys["writer"], **JSON, "If-None-Match": "*"},
        )
        assert "exists already" in assert_problem(exists, 412)["detail"]
        new = client.put(
            f"/v1/reports/{SECOND_ID}",
            content=_json(second_bundle()),
            headers={**keys["writer"], **JSON, "If-None-Match": "*"},
        )
        assert new.status_code == 201
        broken = client.put(
            f"/v1/reports/{SECOND_ID}",
            content=_json(second_bundle()),
            headers={**keys["writer"], **JSON, "If-Match": "not quoted"},
        )
        assert "If-Match" in assert_problem(broken, 400)["detail"]


def test_delete_keeps_what_others_use_and_refuses_while_linked(
    make_database: Callable[..., Engine],
) -> None:
    engine = make_database()
    keys = _keys(engine)
    with _client(engine) as client:
        client.post(
            "/v1/reports", content=_json(second_bundle()), headers={**keys["writer"], **JSON}
        )
        before = _rows(engine)
        refused = client.delete(f"/v1/reports/{REPORT_ID}", headers=keys["writer"])
        problem = assert_problem(refused, 409)
        assert problem["links"] == [
            {
                "claim": "denial-valley-open",
                "report": SECOND_ID,
                "kind": "contradicts",
                "target": "taliban-panjshir-surrounded",
            }
        ]
        assert _rows(engine) == before

        dry = client.delete(
            f"/v1/reports/{SECOND_ID}", params={"dry_run": "true"}, headers=keys["writer"]
        )
        assert dry.json()["dry_run"] is True
        assert dry.json()["changes"]["claims"]["removed"] == 1
        assert _rows(engine) == before

        gone = client.delete(f"/v1/reports/{SECOND_ID}", headers=keys["writer"])
        assert gone.status_code == 200
        changes = gone.json()["changes"]
        assert changes["claims"]["removed"] == 1
        # Its own actors go; the seed's northern-alliance, which it also named, stays.
        assert changes["actors"]["removed"] == 2
        assert client.get("/v1/actors/northern-alliance").status_code == 200
        assert client.get("/v1/actors/ali-example").status_code == 404
        assert client.get(f"/v1/reports/{SECOND_ID}").status_code == 404
        deleted = {(i["entity_type"], i["id"]) for i in client.get("/v1/deleted").json()["items"]}
        assert {
            ("reports", SECOND_ID),
            ("claims", "denial-valley-open"),
            ("actors", "ali-example"),
            ("actors", "test-wire"),
        } <= deleted
        seed_claim = client.get("/v1/claims/taliban-panjshir-surrounded").json()
        assert "denial-valley-open" not in seed_claim["contradicts"]
        assert_problem(client.delete(f"/v1/reports/{SECOND_ID}", headers=keys["writer"]), 404)
        assert client.delete(f"/v1/reports/{REPORT_ID}", headers=keys["writer"]).status_code == 200
        assert client.get("/v1/claims").json()["items"] == []


def test_a_dry_run_counts_and_writes_nothing(make_database: Callable[..., Engine]) -> None:
    engine = make_database()
    keys = _keys(engine)
    bundle = _seed_bundle()
    bundle["claims"][0]["statement"] = "Changed in a dry run."
    before = _rows(engine)
    with _client(engine) as client:
        put = client.put(
            f"/v1/reports/{REPORT_ID}",
            params={"dry_run": "true"},
            content=_as_yaml(bundle),
            headers={**keys["writer"], **YAML},
        )
        assert put.status_code == 200
        assert put.json()["dry_run"] is True
        assert put.json()["changes"]["claims"]["updated"] == 1
        post = client.post(
            "/v1/reports",
            params={"dry_run": "true"},
            content=_json(second_bundle()),
            headers={**keys["writer"], **JSON},
        )
        assert post.status_code == 200
        assert post.json()["changes"]["reports"]["inserted"] == 1
    assert _rows(engine) == before
    with engine.connect() as conn:
        assert conn.execute(select(AuditEntry.id)).first() is not None  # the seed's own


def test_a_key_limited_to_its_own_reports(make_database: Callable[..., Engine]) -> None:
    engine = make_database()
    keys = _keys(engine)
    with _client(engine) as client:
        created = client.post(
            "/v1/reports", content=_json(second_bundle()), headers={**keys["own"], **JSON}
        )
        assert created.status_code == 201
        bundle = second_bundle()
        bundle["claims"][0]["statement"] = "Edited by its creator."
        mine = client.put(
            f"/v1/reports/{SECOND_ID}", content=_json(bundle), headers={**keys["own"], **JSON}
        )
        assert mine.status_code == 200
        seed = client.put(
            f"/v1/reports/{REPORT_ID}",
            content=_as_yaml(_seed_bundle()),
            headers={**keys["own"], **YAML},
        )
        assert "did not create" in assert_problem(seed, 403)["detail"]
        assert_problem(client.delete(f"/v1/reports/{REPORT_ID}", headers=keys["own"]), 403)
        reader = client.delete(f"/v1/reports/{SECOND_ID}", headers=keys["reader"])
        assert_problem(reader, 403)
        assert client.delete(f"/v1/reports/{SECOND_ID}", headers=keys["own"]).status_code == 200


def test_every_write_leaves_an_audit_entry(make_database: Callable[..., Engine]) -> None:
    engine = make_database()
    keys = _keys(engine)
    with _client(engine) as client:
        created = client.post(
            "/v1/reports",
            content=_json(second_bundle()),
            headers={**keys["writer"], **JSON, "Idempotency-Key": '"audit-1"'},
        )
        assert created.status_code == 201, created.text  # else the audit has nothing to say
        deleted = client.delete(f"/v1/reports/{SECOND_ID}", headers=keys["writer"])
        assert deleted.status_code == 200, deleted.text
    with engine.connect() as conn:
        rows = conn.execute(select(AuditEntry).order_by(AuditEntry.id)).mappings().all()
    assert [(row["action"], row["report_id"], row["key_name"]) for row in rows] == [
        ("create", REPORT_ID, "cli"),
        ("create", SECOND_ID, "writer"),
        ("delete", SECOND_ID, "writer"),
    ]
    create, delete = rows[1], rows[2]
    assert create["before_version"] is None
    assert create["after_version"] == delete["before_version"]
    assert delete["after_version"] is None
    assert create["idempotency_key"] == "audit-1"
    assert create["request_id"]
    assert create["changes"]["claims"]["inserted"] == 1


def test_the_audit_feed_for_admin_keys(make_database: Callable[..., Engine]) -> None:
    engine = make_database()
    keys = _keys(engine)
    _, admin = create_key(engine, name="auditor", scope=Scope.admin)
    with _client(engine) as client:
        client.post(
            "/v1/reports", content=_json(second_bundle()), headers={**keys["writer"], **JSON}
        )
        client.delete(f"/v1/reports/{SECOND_ID}", headers=keys["writer"])
        assert_problem(client.get("/v1/audit"), 401)
        assert_problem(client.get("/v1/audit", headers=keys["writer"]), 403)
        auth = {"Authorization": f"Bearer {admin}"}
        feed = client.get("/v1/audit", headers=auth).json()
        assert [(e["action"], e["report_id"], e["key"]["name"]) for e in feed["items"]] == [
            ("delete", SECOND_ID, "writer"),
            ("create", SECOND_ID, "writer"),
            ("create", REPORT_ID, "cli"),
        ]
        writer_id = feed["items"][0]["key"]["id"]
        first = client.get(
            "/v1/audit", params={"report_id": SECOND_ID, "limit": 1}, headers=auth
        ).json()
        assert [e["action"] for e in first["items"]] == ["delete"]
        rest = client.get(
            "/v1/audit",
            params={"report_id": SECOND_ID, "limit": 1, "cursor": first["next_cursor"]},
            headers=auth,
        ).json()
        assert [e["action"] for e in rest["items"]] == ["create"]
        assert rest["next_cursor"] is None
        by_key = client.get("/v1/audit", params={"key_id": writer_id}, headers=auth).json()
        assert {e["key"]["name"] for e in by_key["items"]} == {"writer"}
        assert_problem(client.get("/v1/audit", params={"action": "rename"}, headers=auth), 400)
        # An admin's to read: never kept by a shared cache.
        assert client.get("/v1/audit", headers=auth).headers["cache-control"] == "private, no-store"


def test_a_retried_post_replays_its_first_answer(make_database: Callable[..., Engine]) -> None:
    engine = make_database()
    keys = _keys(engine)
    headers = {**keys["writer"], **JSON, "Idempotency-Key": '"3f1c7a52-retry"'}
    with _client(engine) as client:
        first = client.post("/v1/reports", content=_json(second_bundle()), headers=headers)
        assert first.status_code == 201
        rows = _rows(engine)
        again = client.post("/v1/reports", content=_json(second_bundle()), headers=headers)
        assert again.status_code == 201
        assert again.headers["idempotency-replayed"] == "true"
        assert again.json() == first.json()
        assert again.headers["location"] == first.headers["location"]
        assert again.headers["etag"] == first.headers["etag"]
        assert _rows(engine) == rows
        # Without the key the same body is a second write: 409, the report exists.
        assert_problem(
            client.post(
                "/v1/reports", content=_json(second_bundle()), headers=keys["writer"] | JSON
            ),
            409,
        )
        other = second_bundle()
        other["report"]["title"] = "Another title"
        reused = client.post("/v1/reports", content=_json(other), headers=headers)
        assert "another request" in assert_problem(reused, 422)["detail"]
        # The key is the sending API key's: another key's same idempotency key is its own.
        _, second_key = create_key(engine, name="second-writer", scope=Scope.write)
        theirs = client.post(
            "/v1/reports",
            content=_json(second_bundle()),
            headers={
                **JSON,
                "Authorization": f"Bearer {second_key}",
                "Idempotency-Key": "3f1c7a52-retry",
            },
        )
        assert theirs.status_code == 409
        assert "idempotency-replayed" not in theirs.headers
        # A refusal is kept too: a retry of a 422 is the same 422.
        bad = second_bundle()
        bad["claims"][0]["kind"] = "rumour"
        bad_headers = {**keys["writer"], **JSON, "Idempotency-Key": "bad-1"}
        refused = client.post("/v1/reports", content=_json(bad), headers=bad_headers)
        replay = client.post("/v1/reports", content=_json(bad), headers=bad_headers)
        assert refused.status_code == replay.status_code == 422
        assert replay.json() == refused.json()
        assert replay.headers["content-type"] == "application/problem+json"
        assert_problem(
            client.post(
                "/v1/reports",
                content=_json(bad),
                headers={**keys["writer"], **JSON, "Idempotency-Key": "x" * 300},
            ),
            400,
        )


def test_a_retry_while_the_first_runs_is_a_409(make_database: Callable[..., Engine]) -> None:
    engine = make_database()
    keys = _keys(engine)
    body = _json(second_bundle())
    # The first request, recorded as running (as it is while its import runs).
    with engine.begin() as conn:
        key_id = conn.execute(select(ApiKey.id).where(ApiKey.name == "writer")).scalar_one()
        conn.execute(
            insert(IdempotencyRecord).values(
                key_id=key_id,
                idempotency_key="running-1",
                fingerprint=fingerprint(
                    "POST", "/v1/reports", "", "application/json", body.decode("utf-8")
                ),
                state="running",
                created_at=utc_now(),
                expires_at=utc_now() + dt.timedelta(hours=24),
            )
        )
    with _client(engine) as client:
        answer = client.post(
            "/v1/reports",
            content=body,
            headers={**keys["writer"], **JSON, "Idempotency-Key": "running-1"},
        )
        problem = assert_problem(answer, 409)
        assert "still being processed" in problem["detail"]
        assert answer.headers["retry-after"] == "1"
        assert client.get(f"/v1/reports/{SECOND_ID}").status_code == 404
        # A request that died unanswered (its record older than the lease) frees its key.
        with engine.begin() as conn:
            conn.execute(
                update(IdempotencyRecord).values(
                    created_at=utc_now() - LEASE - dt.timedelta(seconds=1)
                )
            )
        taken_over = client.post(
            "/v1/reports",
            content=body,
            headers={**keys["writer"], **JSON, "Idempotency-Key": "running-1"},
        )
        assert taken_over.status_code == 201
        replayed = client.post(
            "/v1/reports",
            content=body,
            headers={**keys["writer"], **JSON, "Idempotency-Key": "running-1"},
        )
        assert replayed.headers["idempotency-replayed"] == "true"


def test_an_actor_another_report_declares_is_its_to_change(
    make_database: Callable[..., Engine],
) -> None:
    engine = make_database()
    keys = _keys(engine)
    taliban = {"id": "taliban", "name": "The Taliban movement", "kind": "armed_group"}
    with _client(engine) as client:
        seed_taliban = client.get("/v1/actors/taliban").json()
        bundle = second_bundle()
        bundle["actors"].append(taliban)
        refused = client.post(
            "/v1/reports", content=_json(bundle), headers={**keys["writer"], **JSON}
        )
        problem = assert_problem(refused, 422)
        assert [(e["pointer"], e["detail"]) for e in problem["errors"]] == [
            (
                "/actors/2/id",
                "'taliban' is declared by report 'panjshir-last-bastion-2021-08-24', with other "
                "values (name, aliases, description, nationality): declare it as it stands "
                "there, or leave "
                "it out and refer to it by its id (changing it is that report's to do)",
            )
        ]
        assert client.get("/v1/actors/taliban").json() == seed_taliban
        # Declared as it stands (as a report's bundle gives it back), it is accepted.
        seed = client.get(f"/v1/reports/{REPORT_ID}/bundle").json()
        bundle["actors"][2] = next(a for a in seed["actors"] if a["id"] == "taliban")
        created = client.post(
            "/v1/reports", content=_json(bundle), headers={**keys["writer"], **JSON}
        )
        assert created.status_code == 201, created.text
        now = client.get("/v1/actors/taliban").json()
        assert now.pop("report_ids") == [SECOND_ID, REPORT_ID]
        assert now == {k: v for k, v in seed_taliban.items() if k != "report_ids"}
        # The seed's own bundle still changes it.
        own = client.get(f"/v1/reports/{REPORT_ID}/bundle")
        edited = own.json()
        next(a for a in edited["actors"] if a["id"] == "taliban")["description"] = "Edited."
        changed = client.put(
            f"/v1/reports/{REPORT_ID}",
            content=_json(edited),
            headers={**keys["writer"], **JSON, "If-Match": own.headers["etag"]},
        )
        assert changed.status_code == 200, changed.text
        assert changed.json()["changes"]["actors"]["updated"] == 1
        assert client.get("/v1/actors/taliban").json()["description"] == "Edited."
