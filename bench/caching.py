"""The cost of HTTP caching (app.core.http.caching) on a page of 500 claims.

Builds a synthetic SQLite corpus, renders `/v1/claims?limit=500` once through the app, then
times, in-process and without a network: the whole request through the app with
`Accept-Encoding: identity`, with `gzip`, and as a 304; the middleware alone around an app
that answers the same pre-rendered body (the ETag hash; hash and gzip; a 304); and gzip at
levels 1, 6 and 9. Alternating rounds, the median of each.

    python -m bench.caching [--claims 10000] [--rounds 7] [--repeat 50]
"""

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
import zlib
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.core.db.engine import build_engine
from app.core.http.caching import HttpCaching, body_etag
from app.main import create_app

PATH = "/v1/claims"
QUERY = b"limit=500"


def _scope(headers: dict[str, str]) -> Scope:
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": PATH,
        "raw_path": PATH.encode(),
        "root_path": "",
        "query_string": QUERY,
        "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()],
        "client": ("127.0.0.1", 1),
        "server": ("127.0.0.1", 8000),
    }


async def _call(app: ASGIApp, headers: dict[str, str]) -> tuple[int, dict[bytes, bytes], bytes]:
    sent: list[Message] = []

    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Message) -> None:
        sent.append(message)

    await app(_scope(headers), receive, send)
    start = sent[0]
    body = b"".join(m.get("body", b"") for m in sent[1:])
    return start["status"], dict(start["headers"]), body


def _fixed(body: bytes) -> ASGIApp:
    async def app(_scope: Scope, _receive: Receive, send: Send) -> None:
        headers = [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(body))]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    return app


async def _time(call: Callable[[], Awaitable[Any]], repeat: int) -> float:
    started = time.perf_counter()
    for _ in range(repeat):
        await call()
    return (time.perf_counter() - started) / repeat * 1000


async def measure(app: ASGIApp, rounds: int, repeat: int) -> dict[str, float]:
    _, _, body = await _call(app, {"accept-encoding": "identity"})
    status, headers, _ = await _call(app, {"accept-encoding": "identity"})
    assert status == 200
    etag = headers[b"etag"].decode()
    bare = _fixed(body)
    cached = HttpCaching(bare, cache_control="no-cache")
    cases: dict[str, Callable[[], Awaitable[Any]]] = {
        "request, identity": lambda: _call(app, {"accept-encoding": "identity"}),
        "request, gzip": lambda: _call(app, {"accept-encoding": "gzip"}),
        "request, 304": lambda: _call(app, {"accept-encoding": "gzip", "if-none-match": etag}),
        "fixed body, no middleware": lambda: _call(bare, {"accept-encoding": "gzip"}),
        "fixed body, middleware, identity": lambda: _call(cached, {"accept-encoding": "identity"}),
        "fixed body, middleware, gzip": lambda: _call(cached, {"accept-encoding": "gzip"}),
        "fixed body, middleware, 304": lambda: _call(
            cached, {"accept-encoding": "gzip", "if-none-match": etag}
        ),
    }
    timings: dict[str, list[float]] = {name: [] for name in cases}
    for _ in range(rounds):
        for name, call in cases.items():
            timings[name].append(await _time(call, repeat))
    figures = {name: statistics.median(values) for name, values in timings.items()}
    figures["body bytes"] = len(body)

    def pure(fn: Callable[[], Any]) -> float:
        started = time.perf_counter()
        for _ in range(repeat):
            fn()
        return (time.perf_counter() - started) / repeat * 1000

    figures["blake2b of the body"] = statistics.median(
        pure(lambda: body_etag(body)) for _ in range(rounds)
    )
    for level in (1, 6, 9):

        def compress(level: int = level) -> bytes:
            compressor = zlib.compressobj(level, zlib.DEFLATED, 31)
            return compressor.compress(body) + compressor.flush()

        figures[f"gzip level {level}"] = statistics.median(pure(compress) for _ in range(rounds))
        figures[f"gzip level {level} bytes"] = len(compress())
    return figures


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--claims", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=50)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        url = f"sqlite:///{Path(directory) / 'bench.db'}"
        program = str(Path(sys.executable).with_name("conflict-reports"))
        for command in (["migrate"], ["synth", "--claims", str(options.claims)]):
            subprocess.run(
                [program, *command],
                check=True,
                env={**os.environ, "DATABASE_URL": url},
                capture_output=True,
            )
        app = create_app(build_engine(url))

        async def run() -> dict[str, float]:
            async with app.router.lifespan_context(app):
                return await measure(app, options.rounds, options.repeat)

        figures = asyncio.run(run())
    width = max(map(len, figures))
    for name, value in figures.items():
        unit = "" if "bytes" in name else " ms"
        shown = f"{value:,.0f}" if "bytes" in name else f"{value:.3f}"
        print(f"{name:<{width}}  {shown}{unit}")


if __name__ == "__main__":
    main()
