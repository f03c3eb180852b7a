"""Side by side, in alternating rounds: claims by claimant, 50 per page, exact totals, on the
API with one worker and with one per core, the framework floor, the raw-driver ceiling and (on
SQLite) Datasette; and a page of 500 claims of one kind, on the API with one worker and the
raw-driver ceiling."""

import sys
from contextlib import AbstractContextManager, ExitStack
from pathlib import Path

import httpx

from bench.databases import sqlite_path
from bench.load import LoadResult
from bench.mix import write_paths
from bench.processes import Server, api_server, free_port, serve, uvicorn_command
from bench.reporting import Report, Settings, rounds_summary, say
from bench.suites.loads import measure

DATASETTE = Path(sys.prefix + "-datasette") / "bin" / "datasette"


def compare(
    settings: Settings, engine: str, url: str, api: Server, paths: list[str], report: Report
) -> None:
    """Claims by claimant, 50 per page, exact totals: the API with one worker and with one
    per core, against the floor, the ceiling and Datasette, in alternating rounds
    (A B C … A B C …) so drift on this shared machine hits all alike."""
    paths = [f"{path}&count=exact" for path in paths]
    paths_file = write_paths(settings.work, f"{engine}-compare", paths)
    check_same_answers(api.url, url, paths[:20])
    floor_port, raw_port, workers_port = free_port(), free_port(), free_port()
    contenders: list[tuple[str, AbstractContextManager[Server]]] = [
        (
            f"conflict-reports API ({settings.workers} workers)",
            api_server(url, workers_port, workers=settings.workers),
        ),
        (
            "framework floor (FastAPI, from memory)",
            serve(
                "floor",
                uvicorn_command("bench.floor_app:app", floor_port),
                {"BENCH_API_URL": api.url, "BENCH_PATHS": str(paths_file)},
                floor_port,
            ),
        ),
        (
            "raw-driver ceiling ("
            + ("asyncpg" if engine == "postgresql" else "sqlite3")
            + " + orjson)",
            serve(
                "raw",
                uvicorn_command("bench.raw_app:app", raw_port),
                {"DATABASE_URL": url},
                raw_port,
            ),
        ),
    ]
    datasette_files: dict[str, Path] = {}
    if engine == "sqlite":
        if not DATASETTE.exists():
            raise RuntimeError(
                f"Datasette is missing at {DATASETTE}: run `make bench` (it installs it)"
            )
        db_path = sqlite_path(url)
        for shape, extra in (
            ("default JSON", []),
            ("array shape, no facet suggestions", ["--setting", "suggest_facets", "off"]),
        ):
            port = free_port()
            query = "&_size=50" + ("&_shape=array" if "array" in shape else "")
            datasette_files[shape] = write_paths(
                settings.work,
                f"datasette-{'array' if 'array' in shape else 'default'}",
                [
                    p.replace("/v1/claims?", f"/{db_path.stem}/claim.json?").replace(
                        "&limit=50", query
                    )
                    for p in paths
                ],
            )
            contenders.append(
                (
                    f"Datasette ({shape})",
                    serve(
                        "datasette",
                        [str(DATASETTE), "serve", str(db_path), "--port", str(port), *extra],
                        {},
                        port,
                    ),
                )
            )
    with ExitStack() as stack:
        servers = [("conflict-reports API (1 worker)", api, paths_file)]
        for label, context in contenders:
            server = stack.enter_context(context)
            file = paths_file
            for shape, shape_file in datasette_files.items():
                if shape in label:
                    file = shape_file
            servers.append((label, server, file))
        results: dict[str, list[LoadResult]] = {label: [] for label, _, _ in servers}
        for round_number in range(settings.rounds):
            for label, server, file in servers:
                results[label].append(measure(server, file, settings))
            say(f"{engine}: comparison round {round_number + 1}/{settings.rounds} done")
    for label, runs in results.items():
        _record(settings, engine, "claims_by_claimant", label, runs, report)


def compare_pages(
    settings: Settings, engine: str, url: str, api: Server, paths: list[str], report: Report
) -> None:
    """A page of 500 claims of one kind, no total: the API with one worker against the
    raw-driver ceiling, in alternating rounds."""
    paths_file = write_paths(settings.work, f"{engine}-compare-pages", paths)
    check_same_answers(api.url, url, paths[:5])
    port = free_port()
    raw_label = "raw-driver ceiling (" + ("asyncpg" if engine == "postgresql" else "sqlite3")
    raw_label += " + orjson)"
    with serve(
        "raw", uvicorn_command("bench.raw_app:app", port), {"DATABASE_URL": url}, port
    ) as raw:
        servers = [("conflict-reports API (1 worker)", api), (raw_label, raw)]
        results: dict[str, list[LoadResult]] = {label: [] for label, _ in servers}
        for round_number in range(settings.rounds):
            for label, server in servers:
                results[label].append(measure(server, paths_file, settings))
            say(f"{engine}: page-of-500 round {round_number + 1}/{settings.rounds} done")
    for label, runs in results.items():
        _record(settings, engine, "page_of_500", label, runs, report)


def _record(
    settings: Settings,
    engine: str,
    query: str,
    label: str,
    runs: list[LoadResult],
    report: Report,
) -> None:
    entry = {
        "engine": engine,
        "claims": max(settings.sizes),
        "query": query,
        "contender": label,
        **rounds_summary(runs),
    }
    report.comparisons.append(entry)
    say(
        f"{engine}: {query} {label:<48} {entry['requests_per_s']:8.0f} req/s  "
        f"p50 {entry['p50_ms']} ms  p99 {entry['p99_ms']} ms"
    )


def check_same_answers(api_url: str, url: str, paths: list[str]) -> None:
    """The ceiling must do the API's work: same items for the same requests."""
    port = free_port()
    with serve(
        "raw", uvicorn_command("bench.raw_app:app", port), {"DATABASE_URL": url}, port
    ) as raw:
        with httpx.Client(timeout=60) as client:
            for path in paths:
                ours = client.get(api_url + path).json()
                theirs = client.get(raw.url + path).json()
                assert ours["items"], f"{path} answers no claims: nothing to compare"
                assert ours["items"] == theirs["items"], f"the ceiling answers {path} differently"
                assert ours["total"] == theirs["total"]
                assert (ours["next_cursor"] is None) == (theirs["next_cursor"] is None)
