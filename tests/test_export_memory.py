"""A whole large collection exported by a real server without holding it in memory.

200,000 synthetic claims (`conflict-reports synth`), served by `conflict-reports serve` in a
process of its own, so its resident memory can be read from /proc while it streams
`/v1/claims/export?format=ndjson` to a client that reads at its own pace. The server's RSS
may grow by less than 50 MB over the whole stream, and a request made meanwhile is answered
at once. Figures are printed (`pytest -s` shows them).

It builds its corpus once per engine (about a minute on SQLite, a little more on PostgreSQL)
and streams some 200 MB: `SKIP_EXPORT_MEMORY_TEST=1` skips it locally, never under CI=true.
"""

import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
from sqlalchemy import Engine, func, select

from app.models import Claim
from app.synth import synthesize

CLAIMS = 200_000
MAX_GROWTH_MB = 50
# The client's pace: a pause after each read, so the server meets back-pressure.
READ_BYTES = 256 * 1024
READ_PAUSE_S = 0.002
# A request made during the stream is answered within this.
CONCURRENT_LIMIT_S = 2.0

pytestmark = pytest.mark.skipif(
    os.environ.get("SKIP_EXPORT_MEMORY_TEST") == "1" and os.environ.get("CI") != "true",
    reason="SKIP_EXPORT_MEMORY_TEST=1 (never skipped under CI=true)",
)


@pytest.fixture(scope="module")
def corpus(databases: Any) -> Engine:
    engine: Engine = databases.create(seed=False)
    started = time.monotonic()
    summary = synthesize(engine, claims=CLAIMS, seed=7)
    assert summary.rows["claim"] == CLAIMS
    print(f"\nsynthesized {CLAIMS:,} claims in {time.monotonic() - started:.1f} s")  # noqa: T201
    return engine


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def rss_mb(pid: int) -> float:
    """The process's resident set (VmRSS), in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError(f"no VmRSS for process {pid}")


@pytest.fixture(scope="module")
def server(corpus: Engine, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, int]]:
    """`conflict-reports serve` with one worker: uvicorn's server is the process itself."""
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    environment = {
        key: value for key, value in os.environ.items() if key != "PROMETHEUS_MULTIPROC_DIR"
    }
    environment["DATABASE_URL"] = corpus.url.render_as_string(hide_password=False)
    directory = tmp_path_factory.mktemp("export-server")
    log = (directory / "serve.log").open("w+")
    process = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "conflict-reports"),
            "serve",
            "--port",
            str(port),
            "--workers",
            "1",
            "--no-access-log",
        ],
        cwd=directory,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=log,
    )
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                if httpx.get(f"{base}/healthz", timeout=5).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert process.poll() is None, (directory / "serve.log").read_text()
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.1)
        yield base, process.pid
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


class Sampler(threading.Thread):
    """The server's RSS every few milliseconds, while the stream runs."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.peak = 0.0
        self.samples = 0
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.is_set():
            self.peak = max(self.peak, rss_mb(self.pid))
            self.samples += 1
            time.sleep(0.01)


def _concurrent(base: str, found: dict[str, Any]) -> None:
    """Requests made while the export streams, each timed."""
    with httpx.Client(timeout=30) as client:
        for name, path in (("list", "/v1/claims?limit=1"), ("healthz", "/healthz")):
            started = time.monotonic()
            answer = client.get(base + path)
            found[name] = (answer, time.monotonic() - started)
    found["done_at"] = time.monotonic()


def test_a_200000_claim_export_streams_in_bounded_memory(
    corpus: Engine, server: tuple[str, int], backend: str
) -> None:
    base, pid = server
    with corpus.connect() as connection:
        expected = int(connection.execute(select(func.count()).select_from(Claim)).scalar_one())
        first_id = connection.execute(select(func.min(Claim.id))).scalar_one()
    assert expected >= CLAIMS
    with httpx.Client(timeout=60) as client:
        # Warm up what any request loads (code, statement caches, pools), export included.
        for _ in range(3):
            assert client.get(f"{base}/v1/claims?limit=500").status_code == 200
        warm = client.get(f"{base}/v1/claims/export?claimant_id=synth-actor-0")
        assert warm.status_code == 200
        assert warm.content.count(b"\n") > 1_000  # the busiest actor: more than a chunk
        before = rss_mb(pid)
        sampler = Sampler(pid)
        sampler.start()
        concurrent: dict[str, Any] = {}
        asker: threading.Thread | None = None
        ids: set[str] = set()
        lines = 0
        received = 0
        pending = b""
        started = time.monotonic()
        with client.stream("GET", f"{base}/v1/claims/export?format=ndjson") as answer:
            assert answer.status_code == 200
            assert answer.headers["content-type"] == "application/x-ndjson"
            # Decoded: the stream comes gzip-compressed, as most clients ask for it.
            assert answer.headers["content-encoding"] == "gzip"
            for data in answer.iter_bytes(READ_BYTES):
                received += len(data)
                *complete, pending = (pending + data).split(b"\n")
                for line in complete:
                    item = orjson.loads(line)
                    ids.add(item["id"])
                    if lines == 0:
                        assert item["id"] == first_id
                    lines += 1
                if asker is None and lines >= expected // 4:
                    asker = threading.Thread(target=_concurrent, args=(base, concurrent))
                    asker.start()
                time.sleep(READ_PAUSE_S)
        finished = time.monotonic()
        sampler.stopped.set()
        sampler.join()
    seconds = finished - started
    growth = sampler.peak - before
    assert asker is not None
    asker.join(30)
    listed, list_seconds = concurrent["list"]
    health, health_seconds = concurrent["healthz"]
    print(  # noqa: T201  (the figures the issue asks for; shown with `pytest -s`)
        f"\n[{backend}] export of {lines:,} claims: {received / 1e6:,.1f} MB in {seconds:.1f} s "
        f"({received / 1e6 / seconds:,.1f} MB/s); server RSS before {before:.1f} MB, "
        f"peak {sampler.peak:.1f} MB, growth {growth:.1f} MB ({sampler.samples} samples); "
        f"concurrent GET /v1/claims?limit=1 {list_seconds * 1000:.0f} ms, "
        f"/healthz {health_seconds * 1000:.0f} ms"
    )
    assert pending == b"", "the stream ended inside a line"
    assert lines == expected
    assert len(ids) == lines, "an item came twice"
    assert growth < MAX_GROWTH_MB
    # The concurrent requests were answered, right, quickly, while the stream still ran.
    assert listed.status_code == 200
    assert [item["id"] for item in listed.json()["items"]] == [first_id]
    assert health.status_code == 200
    assert health.json()["status"] == "ok"
    assert list_seconds < CONCURRENT_LIMIT_S
    assert health_seconds < CONCURRENT_LIMIT_S
    assert concurrent["done_at"] < finished
