"""The memory suite: the serving process's peak RSS after the query mix, and after a walk of
every claim in pages of 500."""

import time

import httpx

from bench.processes import Server
from bench.reporting import Report, say


def walk_everything(base_url: str) -> tuple[int, float]:
    """Every claim, in pages of 500 by cursor: how many, and in how many seconds."""
    walked = 0
    cursor = ""
    started = time.perf_counter()
    with httpx.Client(base_url=base_url, timeout=120) as client:
        while True:
            body = client.get(f"/v1/claims?limit=500&count=none{cursor}").json()
            walked += len(body["items"])
            if not body["next_cursor"]:
                return walked, time.perf_counter() - started
            cursor = f"&cursor={body['next_cursor']}"


def peak_memory(engine: str, size: int, server: Server, report: Report) -> None:
    report.memory.append(
        {
            "engine": engine,
            "claims": size,
            "phase": "query mix",
            "peak_rss_mb": round(server.rss_peak_mb(), 1),
        }
    )
    walked, seconds = walk_everything(server.url)
    report.memory.append(
        {
            "engine": engine,
            "claims": size,
            "phase": f"walk of all {walked:,} claims in pages of 500",
            "seconds": round(seconds, 1),
            "peak_rss_mb": round(server.rss_peak_mb(), 1),
        }
    )
    say(
        f"{engine}: walked {walked:,} claims in {seconds:.1f} s; peak RSS {server.rss_peak_mb():.0f} MB"
    )
