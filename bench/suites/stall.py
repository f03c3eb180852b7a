"""The stall test: cheap requests (`/healthz`, a claim's detail), one at a time, first on an
idle server and then while a few clients run the heaviest queries of the mix."""

import random
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx

from bench.load import drain, run_load
from bench.mix import write_paths
from bench.processes import Server
from bench.reporting import Report, Settings, say, summary


def stall_test(
    settings: Settings,
    engine: str,
    size: int,
    server: Server,
    mix: dict[str, list[str]],
    values: dict[str, list[str]],
    report: Report,
) -> None:
    """Cheap requests (`/healthz`, a claim's detail), one at a time, first on an idle server
    and then while `stall_clients` clients run the heaviest queries of the mix (the four with
    the highest one-client p50 at this size): a request that waits for another's query shows
    here as a tail."""
    one_client = [
        x
        for x in report.loads
        if x["engine"] == engine and x["claims"] == size and x["connections"] == 1
    ]
    heaviest = [x["query"] for x in sorted(one_client, key=lambda x: -x["p50_ms"])[:4]]
    heavy_file = write_paths(
        settings.work, f"{engine}-{size}-heavy", [p for q in heaviest for p in mix[q]]
    )
    seconds = max(settings.seconds, 3.0)
    rng = random.Random(3)
    idle = cheap_latencies(server.url, values["claims"], rng, seconds=min(seconds, 5.0))
    with ThreadPoolExecutor(1) as pool:
        heavy = pool.submit(
            run_load,
            server.url,
            heavy_file,
            connections=settings.stall_clients,
            seconds=seconds,
        )
        time.sleep(min(1.0, seconds / 4))
        loaded = cheap_latencies(server.url, values["claims"], rng, seconds=seconds * 0.7)
        heavy_result = heavy.result()
    drain(server.url, heavy_file)
    for kind in ("healthz", "claim_detail"):
        entry = {
            "engine": engine,
            "claims": size,
            "request": kind,
            "heavy_queries": heaviest,
            "heavy_clients": settings.stall_clients,
            "idle": summary(idle[kind]),
            "loaded": summary(loaded[kind]),
            "errors": loaded[f"{kind}_errors"],
            "heavy_load": heavy_result.as_dict(),
        }
        report.stalls.append(entry)
        say(
            f"{engine} stall: {kind:<13} idle p95 {entry['idle']['p95_ms']:.1f} ms, while "
            f"{settings.stall_clients} clients run {', '.join(heaviest)}: p50 "
            f"{entry['loaded']['p50_ms']:.1f} ms, p95 {entry['loaded']['p95_ms']:.1f} ms, "
            f"max {entry['loaded']['max_ms']:.0f} ms, errors {entry['errors']}"
        )


def cheap_latencies(
    base_url: str, claims: list[str], rng: random.Random, *, seconds: float
) -> dict[str, Any]:
    """`/healthz` and a claim's detail in turn for `seconds`: latencies (ms) and errors."""
    latencies: dict[str, Any] = {
        "healthz": [],
        "claim_detail": [],
        "healthz_errors": 0,
        "claim_detail_errors": 0,
    }
    deadline = time.perf_counter() + seconds
    with httpx.Client(base_url=base_url, timeout=10) as client:
        while time.perf_counter() < deadline:
            for kind, path in (
                ("healthz", "/healthz"),
                ("claim_detail", f"/v1/claims/{rng.choice(claims)}"),
            ):
                started = time.perf_counter()
                try:
                    ok = client.get(path).status_code == 200
                except httpx.HTTPError:
                    ok = False
                latencies[kind].append((time.perf_counter() - started) * 1000)
                if not ok:
                    latencies[f"{kind}_errors"] += 1
            time.sleep(0.01)
    return latencies
