"""The load suite: every query of the mix at the run's connections and at one client."""

from pathlib import Path

from bench.load import LoadResult, drain, run_load
from bench.mix import QUERIES, write_paths
from bench.processes import Server
from bench.reporting import Report, Settings, say


def measure(
    server: Server, paths_file: Path, settings: Settings, *, connections: int | None = None
) -> LoadResult:
    """One measured load (after a warm-up, when the settings have one)."""
    # Warm the database and the process first: this machine pages out untouched file data.
    connections = connections or settings.connections
    if settings.warmup:
        run_load(server.url, paths_file, connections=connections, seconds=settings.warmup)
        drain(server.url, paths_file)
    return run_load(server.url, paths_file, connections=connections, seconds=settings.seconds)


def every_query(
    settings: Settings,
    engine: str,
    size: int,
    server: Server,
    mix: dict[str, list[str]],
    report: Report,
) -> None:
    for name in QUERIES:
        paths_file = write_paths(settings.work, f"{engine}-{size}-{name}", mix[name])
        for connections in (settings.connections, 1):
            result = measure(server, paths_file, settings, connections=connections)
            report.loads.append(
                {"engine": engine, "claims": size, "query": name, **result.as_dict()}
            )
            say(
                f"{engine} {size:>9,} {name:<22} {connections:>3} conn "
                f"{result.requests_per_s:8.0f} req/s  p50 {result.p50_ms:7.1f} ms  "
                f"p99 {result.p99_ms:7.1f} ms  max {result.max_ms:6.0f} ms  "
                f"errors {result.errors}  timeouts {result.timeouts}"
            )
