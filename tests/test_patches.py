"""Our two patches of other projects' internals still apply to the installed releases.

- app.serving.speedups replaces FastAPI's private `field_annotation_is_sequence` in
  `fastapi.dependencies.utils` with a memoised copy. When FastAPI moves or changes it, the
  patch silently does nothing (by design: requests are parsed as before, only slower); these
  tests are what notices.
- app.serving.server's HeaderDeadlineProtocol subclasses uvicorn's httptools protocol and
  overrides four of its methods; test_hardening checks the 408 it answers, these check that
  uvicorn still has what it overrides, still calls it, and that the server `serve` configures
  runs the subclass.

pyproject.toml bounds fastapi and uvicorn to the releases these tests passed on; raise a bound
only after they pass on the new release.
"""

import inspect
import socket
import threading
import time
from collections.abc import Callable, Iterator
from typing import Annotated, Any

import fastapi.dependencies.utils as dependency_utils
import pytest
import uvicorn
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from starlette.types import Receive, Scope, Send
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from app.cli import UVICORN_LIMITS
from app.main import create_app
from app.serving import server, speedups

PATCHED = "field_annotation_is_sequence"
OVERRIDDEN = {"connection_made", "connection_lost", "on_message_begin", "on_headers_complete"}

# Annotations of query parameters, with FastAPI's answer: is it a sequence?
ANNOTATIONS: list[tuple[Any, bool]] = [
    (str, False),
    (int | None, False),
    (list[str], True),
    (list[str] | None, True),
    (Annotated[list[int], "meta"], True),
    (tuple[int, ...], True),
    (set[str], True),
    (dict[str, int], False),
    # Unhashable metadata: the memoised copy cannot cache it and asks FastAPI itself.
    (Annotated[list[str], ["unhashable"]], True),
]


def _parameters(function: Callable[..., Any]) -> list[tuple[str, Any]]:
    return [(p.name, p.kind) for p in inspect.signature(function).parameters.values()]


# ---------------------------------------------------------------------------- speedups


def test_fastapi_still_has_the_function_speedups_replaces() -> None:
    original = speedups._ORIGINAL
    assert original is not None, f"fastapi.dependencies.utils.{PATCHED} is gone: nothing patched"
    assert callable(original)
    assert original.__name__ == PATCHED
    # One positional argument, the annotation, as the memoised copy takes it.
    (parameter,) = inspect.signature(original).parameters.values()
    assert parameter.kind in {parameter.POSITIONAL_ONLY, parameter.POSITIONAL_OR_KEYWORD}
    for annotation, expected in ANNOTATIONS:
        assert original(annotation) is expected, annotation
    # FastAPI's request parsing looks it up as a global of that module, where the patch goes.
    callers = [
        name
        for name, value in vars(dependency_utils).items()
        if inspect.isfunction(value) and PATCHED in value.__code__.co_names
    ]
    assert callers, f"nothing in fastapi.dependencies.utils calls {PATCHED} any more"


def test_create_app_installs_the_memoised_function(engine: Engine) -> None:
    create_app(engine)
    installed = vars(dependency_utils)[PATCHED]
    assert installed is not speedups._ORIGINAL
    assert installed.__module__ == speedups.__name__
    assert installed.__qualname__ == f"_memoised.<locals>.{PATCHED}"
    assert _parameters(installed) == [("annotation", inspect.Parameter.POSITIONAL_OR_KEYWORD)]
    for annotation, expected in ANNOTATIONS:
        assert installed(annotation) is expected, annotation
        assert installed(annotation) is expected, annotation  # from the cache this time


def test_requests_are_parsed_through_the_memoised_function(engine: Engine) -> None:
    with TestClient(create_app(engine)) as client:
        installed = vars(dependency_utils)[PATCHED]
        cache = inspect.getclosurevars(installed).nonlocals["cached"]
        before = cache.cache_info()
        response = client.get("/v1/claims?claimant_id=taliban&claimant_id=nobody&limit=5")
        assert response.status_code == 200, response.text
        after = cache.cache_info()
    assert vars(dependency_utils)[PATCHED] is installed
    # Every query parameter of the request asked the memoised copy, most from its cache.
    assert after.hits + after.misses > before.hits + before.misses
    assert after.hits > before.hits


# ---------------------------------------------------------------------------- server


def test_uvicorn_still_has_the_methods_header_deadline_overrides() -> None:
    protocol = server.HeaderDeadlineProtocol
    assert protocol.__bases__ == (HttpToolsProtocol,)
    ours = {
        name
        for name, value in vars(protocol).items()
        if inspect.isfunction(value) and not name.startswith("_")
    }
    assert ours == OVERRIDDEN, "an override was added or removed: list it here and check it"
    for name in OVERRIDDEN:
        theirs = getattr(HttpToolsProtocol, name, None)
        assert inspect.isfunction(theirs), f"uvicorn's protocol no longer has {name}"
        assert _parameters(theirs) == _parameters(getattr(protocol, name)), name


def test_serve_options_resolve_to_the_subclass() -> None:
    """`serve` names the protocol by a string; uvicorn turns it into our class, one of its
    own httptools protocol's subclasses."""
    config = uvicorn.Config(_hello, **UVICORN_LIMITS)  # type: ignore[arg-type]
    config.load()
    assert config.http_protocol_class is server.HeaderDeadlineProtocol
    theirs = uvicorn.Config(_hello, http="httptools")
    theirs.load()
    assert theirs.http_protocol_class is HttpToolsProtocol


async def _hello(scope: Scope, receive: Receive, send: Send) -> None:
    assert scope["type"] == "http"
    await send(
        {"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"2")]}
    )
    await send({"type": "http.response.body", "body": b"ok"})


@pytest.fixture
def uvicorn_server() -> Iterator[uvicorn.Server]:
    """A real uvicorn server with the options `serve` gives it (the app does not matter)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    config = uvicorn.Config(
        _hello,
        host="127.0.0.1",
        port=port,
        log_level="warning",
        lifespan="off",
        **UVICORN_LIMITS,  # type: ignore[arg-type]
    )
    running = uvicorn.Server(config)
    thread = threading.Thread(target=running.run, daemon=True)
    thread.start()
    _wait_until(lambda: running.started, "the server to start")
    try:
        yield running
    finally:
        running.should_exit = True
        thread.join(timeout=10)


def _wait_until(condition: Callable[[], object], what: str) -> None:
    deadline = time.monotonic() + 5
    while not condition():
        assert time.monotonic() < deadline, f"waited 5 s for {what}"
        time.sleep(0.01)


def _answer(connection: socket.socket) -> bytes:
    received = b""
    while not received.endswith(b"\r\n\r\nok"):
        chunk = connection.recv(4096)
        assert chunk, received
        received += chunk
    return received


def test_the_server_runs_the_subclass_and_uvicorn_calls_its_overrides(
    uvicorn_server: uvicorn.Server,
) -> None:
    connections = uvicorn_server.server_state.connections
    address = uvicorn_server.config.host, uvicorn_server.config.port
    with socket.create_connection(address, timeout=5) as connection:
        _wait_until(lambda: len(connections) == 1, "the connection")
        (protocol,) = connections
        assert type(protocol) is server.HeaderDeadlineProtocol
        assert isinstance(protocol, server.HeaderDeadlineProtocol)
        # connection_made: the deadline runs from the connection's opening.
        assert protocol._deadline is not None
        # Half the headers: still running.
        connection.sendall(b"GET / HTTP/1.1\r\nHost: api\r\n")
        time.sleep(0.2)
        assert protocol._deadline is not None
        # on_headers_complete: the headers are in, the deadline is off.
        connection.sendall(b"\r\n")
        assert _answer(connection).startswith(b"HTTP/1.1 200 ")
        assert protocol._deadline is None
        # on_message_begin: the next request on the same connection runs a new deadline.
        connection.sendall(b"GET / HTTP/1.1\r\n")
        _wait_until(lambda: protocol._deadline is not None, "the next request's deadline")
        connection.sendall(b"Host: api\r\n\r\n")
        assert _answer(connection).startswith(b"HTTP/1.1 200 ")
        assert protocol._deadline is None
        connection.sendall(b"GET / HTTP/1.1\r\n")
        _wait_until(lambda: protocol._deadline is not None, "the third request's deadline")
    # connection_lost: the deadline is cancelled with the connection.
    _wait_until(lambda: not connections, "the connection to close")
    assert protocol._deadline is None
