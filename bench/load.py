"""Load generation: wrk (Debian's package) when installed, else a built-in async generator.

Both send a fixed number of connections for a fixed duration, each request to a path drawn at
random from a file, and report requests/s, p50, p99, the slowest request and the failures.
"""

import asyncio
import os
import random
import re
import shutil
import subprocess
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import httpx

LUA = Path(__file__).with_name("paths.lua")


@dataclass
class LoadResult:
    requests_per_s: float
    p50_ms: float
    p99_ms: float
    max_ms: float
    requests: int
    errors: int  # answers other than 2xx/3xx, and connection errors
    timeouts: int  # requests with no answer within the load tool's timeout (10 s)
    tool: str
    connections: int = 0
    seconds: float = 0.0

    @property
    def failures(self) -> int:
        return self.errors + self.timeouts

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "failures": self.failures}


def _ms(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text.strip())
    if not match:
        raise ValueError(f"unreadable latency {text!r}")
    value, unit = float(match.group(1)), match.group(2)
    return value * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}[unit]


def run_wrk(base_url: str, paths_file: Path, *, connections: int, seconds: float) -> LoadResult:
    env = {**os.environ, "BENCH_PATHS": str(paths_file)}
    command = [
        "wrk",
        f"-t{min(2, connections)}",
        f"-c{connections}",
        f"-d{max(1, round(seconds))}s",
        "--timeout",
        "10s",
        "--latency",
        "-s",
        str(LUA),
        base_url,
    ]
    output = subprocess.run(command, capture_output=True, text=True, env=env, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    latency = re.search(r"Latency\s+(\S+)\s+(\S+)\s+(\S+)", output)
    assert latency, output
    p50 = re.search(r"^\s+50%\s+(\S+)", output, re.M)
    p99 = re.search(r"^\s+99%\s+(\S+)", output, re.M)
    assert p50, output
    assert p99, output
    total = int(re.search(r"(\d+) requests in", output).group(1))  # type: ignore[union-attr]
    errors = timeouts = 0
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    if non_2xx:
        errors += int(non_2xx.group(1))
    socket = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    if socket:
        connect, read, write, timed_out = (int(n) for n in socket.groups())
        errors += connect + read + write
        timeouts += timed_out
    return LoadResult(
        requests_per_s=rps,
        p50_ms=_ms(p50.group(1)),
        p99_ms=_ms(p99.group(1)),
        max_ms=_ms(latency.group(3)),
        requests=total,
        errors=errors,
        timeouts=timeouts,
        tool="wrk",
        connections=connections,
        seconds=seconds,
    )


async def _httpx_load(
    base_url: str, paths: list[str], connections: int, seconds: float
) -> LoadResult:
    latencies: list[float] = []
    errors = timeouts = 0
    deadline = time.perf_counter() + seconds
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    async with httpx.AsyncClient(base_url=base_url, limits=limits, timeout=10) as client:

        async def worker(seed: int) -> None:
            nonlocal errors, timeouts
            rng = random.Random(seed)
            while time.perf_counter() < deadline:
                started = time.perf_counter()
                try:
                    response = await client.get(rng.choice(paths))
                    if response.status_code >= 400:
                        errors += 1
                except httpx.TimeoutException:
                    timeouts += 1
                except httpx.HTTPError:
                    errors += 1
                latencies.append((time.perf_counter() - started) * 1000)

        started = time.perf_counter()
        await asyncio.gather(*(worker(n) for n in range(connections)))
        elapsed = time.perf_counter() - started
    latencies.sort()
    count = len(latencies)
    return LoadResult(
        requests_per_s=count / elapsed,
        p50_ms=latencies[count // 2] if count else 0.0,
        p99_ms=latencies[min(count - 1, int(count * 0.99))] if count else 0.0,
        max_ms=latencies[-1] if count else 0.0,
        requests=count,
        errors=errors,
        timeouts=timeouts,
        tool="httpx",
        connections=connections,
        seconds=seconds,
    )


def run_load(base_url: str, paths_file: Path, *, connections: int, seconds: float) -> LoadResult:
    if shutil.which("wrk"):
        return run_wrk(base_url, paths_file, connections=connections, seconds=seconds)
    paths = [line.strip() for line in paths_file.read_text().splitlines() if line.strip()]
    return asyncio.run(_httpx_load(base_url, paths, connections, seconds))


def drain(base_url: str, paths_file: Path) -> None:
    """Wait out the requests a finished load left queued in the server: one request, sent
    after them, returns only when they are done."""
    path = paths_file.read_text(encoding="utf-8").splitlines()[0]
    with httpx.Client(base_url=base_url, timeout=120) as client:
        client.get(path)
    time.sleep(0.2)
