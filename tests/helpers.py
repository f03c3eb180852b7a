"""Small helpers for API tests."""

import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from fastapi.testclient import TestClient
from sqlalchemy import Engine, event

from app.cli import UVICORN_LIMITS


def get_json(client: TestClient, path: str, **params: Any) -> Any:
    response = client.get(path, params=params)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/json")
    return response.json()


def ids(client: TestClient, path: str, **params: Any) -> list[str]:
    """Every id the collection answers, walking all pages."""
    found: list[str] = []
    cursor = None
    for _ in range(1000):
        page = get_json(client, path, limit=500, **params, **({"cursor": cursor} if cursor else {}))
        found.extend(item["id"] for item in page["items"])
        cursor = page["next_cursor"]
        if cursor is None:
            return found
    raise AssertionError("pagination did not end")


def id_set(client: TestClient, path: str, **params: Any) -> set[str]:
    found = ids(client, path, **params)
    assert len(found) == len(set(found)), "an item came twice"
    return set(found)


def assert_problem(response: Any, status: int, *, parameter: str | None = None) -> dict[str, Any]:
    """The response is an RFC 9457 problem document, naming `parameter` where given."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert {"type", "title", "status", "detail"} <= body.keys()
    assert body["status"] == status
    assert isinstance(body["detail"], str)
    assert body["detail"]
    if parameter is not None:
        names = [error["name"] for error in body["errors"]]
        assert parameter in names, body
        assert parameter in body["detail"]
    return body


@contextmanager
def command_line_on(engine: Engine, monkeypatch: Any) -> Iterator[None]:
    """The command line's database is `engine`'s for the block (`DATABASE_URL`), its cached
    settings and engine cleared before and after (the `cli_database` fixture, for a database
    a test made itself)."""
    from app.core.config import get_settings
    from app.core.db.engine import get_engine

    monkeypatch.setenv("DATABASE_URL", engine.url.render_as_string(hide_password=False))
    get_settings.cache_clear()
    get_engine.cache_clear()
    try:
        yield
    finally:
        get_engine().dispose()
        get_engine.cache_clear()
        get_settings.cache_clear()


@contextmanager
def captured_statements() -> Iterator[list[tuple[str, Any]]]:
    """(SQL, parameters) of every statement any engine sends meanwhile, the serving engines
    (SQLite readers, the asyncpg pool) included."""
    captured: list[tuple[str, Any]] = []

    def record(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        captured.append((statement, parameters))

    event.listen(Engine, "before_cursor_execute", record)
    try:
        yield captured
    finally:
        event.remove(Engine, "before_cursor_execute", record)


def replace_in(path: Path, old: str, new: str, *, count: int = 1) -> None:
    """Edit a bundle in place: the first `count` occurrences of `old` (which must be there)."""
    text = path.read_text(encoding="utf-8")
    assert text.count(old) >= count, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new, count), encoding="utf-8")


CLI = str(Path(sys.executable).with_name("conflict-reports"))


@contextmanager
def served(
    arguments: list[str], env: dict[str, str], log: Path, *, ready: str
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """`conflict-reports serve --port P ARGUMENTS…` as users run it, until `ready` (a path)
    answers 200: its base URL and process; stopped (SIGTERM) when the block ends."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with log.open("wb") as output:
        process = subprocess.Popen(
            [CLI, "serve", "--port", str(port), *arguments],
            env=env,
            stdout=output,
            stderr=output,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    if httpx.get(base + ready, timeout=5).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                assert process.poll() is None, log.read_text()
                assert time.monotonic() < deadline, "the API did not start"
                time.sleep(0.1)
            yield base, process
        finally:
            process.terminate()
            process.wait(timeout=30)


@contextmanager
def in_thread(app: Any, **options: Any) -> Iterator[str]:
    """`app` under a real uvicorn in a thread of the test's process (its engine, its data),
    with the limits `serve` sets and `options` (uvicorn's): what a client sees on the wire.
    Its base URL; stopped when the block ends."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    server = uvicorn.Server(
        uvicorn.Config(
            app, host="127.0.0.1", port=port, log_level="critical", **{**UVICORN_LIMITS, **options}
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(200):
        if server.started:
            break
        time.sleep(0.05)
    assert server.started
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)
