"""API keys (issue 17, part 5): made, listed and revoked by the CLI; presented as a bearer
token or `X-API-Key`; 401 for no key where one is needed or a key that is malformed, unknown,
revoked or expired; 403 for a scope that does not cover the operation; only a hash stored,
never the key, which appears in no log and no metric."""

import datetime as dt
import logging
import re
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import Depends, FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text, update
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from app.cli import cli
from app.core.config import Settings, get_settings
from app.core.db.engine import get_engine
from app.core.http.auth import (
    KEY_LENGTH,
    Principal,
    Scope,
    access,
    key_hash,
    new_key,
    well_formed,
)
from app.main import create_app
from app.models import ApiKey
from tests.helpers import assert_problem

KEY_PATTERN = re.compile(r"crk_[0-9A-Za-z]{36}")
TALIBAN_CLAIMS = "/v1/claims?claimant_id=taliban"


@pytest.fixture
def database(
    make_database: Callable[..., Engine], monkeypatch: pytest.MonkeyPatch
) -> Iterator[Engine]:
    """A seeded database of its own, which the CLI uses too."""
    engine = make_database()
    monkeypatch.setenv("DATABASE_URL", engine.url.render_as_string(hide_password=False))
    get_settings.cache_clear()
    get_engine.cache_clear()
    try:
        yield engine
    finally:
        get_engine().dispose()
        get_engine.cache_clear()
        get_settings.cache_clear()


def _create(*options: str) -> str:
    result = CliRunner().invoke(cli, ["keys", "create", *options])
    assert result.exit_code == 0, result.output
    key = result.stdout.strip()
    assert KEY_PATTERN.fullmatch(key), result.stdout
    return key


def _app(engine: Engine, **settings: Any) -> FastAPI:
    app = create_app(engine, settings=Settings(**settings))

    async def write(principal: Principal | None = Depends(access(Scope.write))) -> dict[str, Any]:  # noqa: B008
        assert principal is not None
        return {"key": principal.name, "scope": principal.scope}

    app.add_api_route("/v1/test-write", write, methods=["POST"])
    return app


def _ids(response: Any) -> set[str]:
    assert response.status_code == 200, response.text
    return {item["id"] for item in response.json()["items"]}


def test_a_key_has_a_prefix_and_a_checksum() -> None:
    keys = {new_key() for _ in range(200)}
    assert len(keys) == 200
    for key in keys:
        assert len(key) == KEY_LENGTH
        assert KEY_PATTERN.fullmatch(key)
        assert well_formed(key)
    key = keys.pop()
    # One character changed, dropped or added: the checksum or the length says so.
    changed = key[:10] + ("a" if key[10] != "a" else "b") + key[11:]
    assert not well_formed(changed)
    assert not well_formed(key[:-1])
    assert not well_formed(key + "a")
    assert not well_formed("xyz_" + key[4:])


def test_the_cli_makes_lists_and_revokes_keys(database: Engine) -> None:
    key = _create(
        "--name", "analyst [bold]desk[/bold] :100:", "--scope", "write", "--expires", "30"
    )
    listed = CliRunner().invoke(cli, ["keys", "list"])
    assert listed.exit_code == 0, listed.output
    # The name is printed as it was given: no markup, no emoji codes.
    assert "analyst [bold]desk[/bold] :100:" in listed.stdout
    assert "write" in listed.stdout
    assert "active" in listed.stdout
    assert key[:8] in listed.stdout
    assert key not in listed.stdout
    again = CliRunner().invoke(cli, ["keys", "create", "--name", "analyst [bold]desk[/bold] :100:"])
    assert again.exit_code == 1
    assert "exists already" in again.output
    revoked = CliRunner().invoke(cli, ["keys", "revoke", "analyst [bold]desk[/bold] :100:"])
    assert revoked.exit_code == 0, revoked.output
    assert "revoked" in CliRunner().invoke(cli, ["keys", "list"]).stdout
    unknown = CliRunner().invoke(cli, ["keys", "revoke", "nobody"])
    assert unknown.exit_code == 1
    assert "no key named 'nobody'" in unknown.output
    with Session(database) as session:
        row = session.query(ApiKey).one()
        assert row.scope == "write"
        assert row.secret_hash == key_hash(key)
        assert row.revoked_at is not None
        assert row.expires_at is not None
        assert dt.timedelta(days=29) < row.expires_at - row.created_at <= dt.timedelta(days=30)


def test_reads_are_public_by_default_and_a_wrong_key_is_refused(database: Engine) -> None:
    key = _create("--name", "reader")
    with TestClient(_app(database)) as client:
        anonymous = _ids(client.get(TALIBAN_CLAIMS))
        assert "taliban-panjshir-surrounded" in anonymous
        with_key = client.get(TALIBAN_CLAIMS, headers={"Authorization": f"Bearer {key}"})
        assert _ids(with_key) == anonymous
        wrong = client.get(TALIBAN_CLAIMS, headers={"Authorization": f"Bearer {new_key()}"})
        body = assert_problem(wrong, 401)
        assert "not known" in body["detail"]
        assert 'error="invalid_token"' in wrong.headers["www-authenticate"]


def test_when_reads_need_a_key_each_kind_of_key_gets_its_answer(database: Engine) -> None:
    reader = _create("--name", "reader", "--scope", "read")
    revoked = _create("--name", 'gone "quoted" 名前')
    assert CliRunner().invoke(cli, ["keys", "revoke", 'gone "quoted" 名前']).exit_code == 0
    expired = _create("--name", "old", "--expires", "1")
    with Session(database) as session:
        session.execute(
            update(ApiKey)
            .where(ApiKey.name == "old")
            .values(expires_at=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1))
        )
        session.commit()
    with TestClient(_app(database, reads_need_key=True)) as client:
        none = client.get(TALIBAN_CLAIMS)
        assert_problem(none, 401)
        # No key at all: the challenge, without an error code (RFC 6750, 3.1).
        assert none.headers["www-authenticate"] == 'Bearer realm="conflict-reports"'
        assert "taliban-panjshir-surrounded" in _ids(
            client.get(TALIBAN_CLAIMS, headers={"Authorization": f"Bearer {reader}"})
        )
        by_header = client.get(TALIBAN_CLAIMS, headers={"X-API-Key": reader})
        assert "taliban-panjshir-surrounded" in _ids(by_header)
        # For the key's holder only: no shared cache may keep it.
        assert by_header.headers["cache-control"] == "private, no-cache"
        # The reading view is data too.
        assert client.get("/reports/panjshir-last-bastion-2021-08-24").status_code == 401
        # Health and the document stay public.
        assert client.get("/healthz").status_code == 200
        assert client.get("/openapi.json").status_code == 200
        for key, words in (
            (revoked, "'gone \"quoted\" 名前' was revoked"),
            (expired, "'old' has expired"),
            (new_key(), "not known"),
            (reader[:-1] + ("A" if reader[-1] != "A" else "B"), "malformed"),
            ("crk_short", "malformed"),
        ):
            refused = client.get(TALIBAN_CLAIMS, headers={"Authorization": f"Bearer {key}"})
            body = assert_problem(refused, 401)
            assert words in body["detail"], body
            assert 'error="invalid_token"' in refused.headers["www-authenticate"]
        # Another scheme (a proxy's Basic) is not a key: the X-API-Key beside it counts.
        basic = {"Authorization": "Basic dXNlcjpwYXNz"}
        assert "needed" in assert_problem(client.get(TALIBAN_CLAIMS, headers=basic), 401)["detail"]
        assert "taliban-panjshir-surrounded" in _ids(
            client.get(TALIBAN_CLAIMS, headers={**basic, "X-API-Key": reader})
        )
        empty = client.get(TALIBAN_CLAIMS, headers={"Authorization": "Bearer "})
        assert "no key" in assert_problem(empty, 401)["detail"]


def test_a_scope_that_does_not_cover_the_operation_is_403(database: Engine) -> None:
    keys = {
        scope: _create("--name", scope, "--scope", scope) for scope in ("read", "write", "admin")
    }
    with TestClient(_app(database)) as client:
        assert_problem(client.post("/v1/test-write"), 401)
        refused = client.post("/v1/test-write", headers={"Authorization": f"Bearer {keys['read']}"})
        body = assert_problem(refused, 403)
        assert body["scope"] == "write"
        assert "'read'" in body["detail"]
        assert 'error="insufficient_scope"' in refused.headers["www-authenticate"]
        for scope in ("write", "admin"):
            answer = client.post("/v1/test-write", headers={"X-API-Key": keys[scope]})
            assert answer.json() == {"key": scope, "scope": scope}


def test_a_key_in_use_gets_its_last_use_written(database: Engine) -> None:
    key = _create("--name", "busy")
    with TestClient(_app(database)) as client:
        _ids(client.get(TALIBAN_CLAIMS, headers={"X-API-Key": key}))
        deadline = time.monotonic() + 5
        while True:
            with Session(database) as session:
                used = session.query(ApiKey.last_used_at).scalar()
            if used is not None or time.monotonic() > deadline:
                break
            time.sleep(0.05)
    assert used is not None
    assert dt.datetime.now(dt.UTC) - used < dt.timedelta(minutes=1)
    listed = CliRunner().invoke(cli, ["keys", "list"]).stdout
    assert used.strftime("%Y-%m-%d %H:%M UTC") in listed


def test_the_key_is_nowhere_but_with_its_owner(
    database: Engine, backend: str, caplog: pytest.LogCaptureFixture
) -> None:
    key = _create("--name", "secret-keeper", "--scope", "write")
    caplog.set_level(logging.DEBUG)
    with TestClient(_app(database)) as client:
        client.get(TALIBAN_CLAIMS, headers={"Authorization": f"Bearer {key}"})
        client.post("/v1/test-write", headers={"X-API-Key": key})
        client.get(TALIBAN_CLAIMS, headers={"Authorization": f"Bearer {key[:-1]}x"})
        metrics = client.get("/metrics").text
    assert key not in metrics
    assert key[4:] not in caplog.text
    if backend == "sqlite":
        path = Path(database.url.database or "")
        stored = path.read_bytes()
        wal = path.with_name(path.name + "-wal")
        if wal.exists():
            stored += wal.read_bytes()
    else:
        with database.connect() as connection:
            stored = "\n".join(
                str(row) for row in connection.execute(text("SELECT * FROM api_key"))
            ).encode()
    assert key_hash(key).encode() in stored
    assert key.encode() not in stored
    assert key[4:].encode() not in stored


def test_the_document_declares_the_key_schemes_and_who_may_read(database: Engine) -> None:
    public = TestClient(_app(database)).get("/openapi.json").json()
    private = TestClient(_app(database, reads_need_key=True)).get("/openapi.json").json()
    schemes = public["components"]["securitySchemes"]
    assert schemes["bearer"]["scheme"] == "bearer"
    assert schemes["apiKey"] == {**schemes["apiKey"], "in": "header", "name": "X-API-Key"}
    read = public["paths"]["/v1/claims"]["get"]
    assert read["security"] == [{}, {"bearer": ["read"]}, {"apiKey": ["read"]}]
    assert "401" in read["responses"]
    assert private["paths"]["/v1/claims"]["get"]["security"] == [
        {"bearer": ["read"]},
        {"apiKey": ["read"]},
    ]
    write = public["paths"]["/v1/test-write"]["post"]
    assert {"bearer": ["write"]} in write["security"]
    assert public["security"] == []
    assert "security" not in public["paths"]["/healthz"]["get"]
