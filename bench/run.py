"""`make bench`: corpora of 10k and 1M claims on SQLite and PostgreSQL; every query of a fixed
mix at one client and at 64 connections; the stall test (cheap requests while four clients run
the heaviest queries); and, in alternating rounds, the API with one worker and with one per
core beside the framework floor, the raw-driver ceiling and Datasette.

    python -m bench.run                  # the full run (about 35 minutes here)
    python -m bench.run --smoke          # 10k claims, short loads: checks the harness (CI)

Writes bench/results/<date>.json and prints a markdown table of figures, ratios and targets.
PostgreSQL comes from BENCH_DATABASE_URL (default: the local server, user postgres); each
corpus gets a database of its own, dropped at the end.
"""

import argparse
import datetime as dt
import json
import os
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
from sqlalchemy import make_url, text

from app.core.db.engine import build_engine
from app.importer.bulk import insert_rows
from app.migrate import upgrade_to_head
from app.models import Base
from app.synth import COLUMNS, Corpus, synthesize
from bench.load import LoadResult, run_load

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
PYTHON = sys.executable
DATASETTE = Path(sys.prefix + "-datasette") / "bin" / "datasette"

QUERIES = (
    "claims_by_claimant",
    "claims_in_date_range",
    "locations_in_bbox",
    "full_text",
    "deep_page",
    "first_page",
    "facets",
    "item_detail",
    "page_of_500",
)


@dataclass
class Settings:
    sizes: list[int]
    engines: list[str]
    seconds: float
    warmup: float
    deep_pages: int
    rounds: int
    connections: int
    smoke: bool
    postgres_url: str
    work: Path
    workers: int = 2
    stall_clients: int = 4


@dataclass
class Server:
    name: str
    url: str
    process: subprocess.Popen[bytes]

    def rss_peak_mb(self) -> float:
        """Peak RSS of the serving process; with several workers, of the largest worker."""
        children = _children(self.process.pid)
        pids = children or [self.process.pid]
        return max(_peak_rss_mb(pid) for pid in pids)


def _children(pid: int) -> list[int]:
    try:
        listed = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return []
    return [int(child) for child in listed]


def _peak_rss_mb(pid: int) -> float:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return float("nan")
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


@dataclass
class Report:
    started: str
    machine: dict[str, Any]
    settings: dict[str, Any]
    imports: list[dict[str, Any]] = field(default_factory=list)
    loads: list[dict[str, Any]] = field(default_factory=list)
    comparisons: list[dict[str, Any]] = field(default_factory=list)
    memory: list[dict[str, Any]] = field(default_factory=list)
    stalls: list[dict[str, Any]] = field(default_factory=list)
    checks: list[str] = field(default_factory=list)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def say(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


@contextmanager
def serve(name: str, command: list[str], env: dict[str, str], port: int) -> Iterator[Server]:
    log = Path(tempfile.mkstemp(prefix=f"bench-{name}-", suffix=".log")[1])
    with log.open("wb") as errors:
        process = subprocess.Popen(
            command,
            env={**os.environ, **env},
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=errors,
            start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):
            if process.poll() is not None:
                error = log.read_text(errors="replace")
                raise RuntimeError(f"{name} exited at start: {error[-2000:]}")
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                    break
            except OSError:
                time.sleep(0.1)
        else:
            raise RuntimeError(f"{name} did not start listening on {port}")
        yield Server(name, url, process)
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
        log.unlink(missing_ok=True)


def uvicorn_command(app: str, port: int, *, factory: bool = False) -> list[str]:
    command = [PYTHON, "-m", "uvicorn", app, "--port", str(port), "--workers", "1"]
    command += ["--log-level", "warning", "--no-access-log"]
    return command + (["--factory"] if factory else [])


# ---------------------------------------------------------------------------- corpora


def database_url(settings: Settings, engine: str, size: int) -> str:
    if engine == "sqlite":
        return f"sqlite:///{settings.work / f'claims-{size}.db'}"
    server = make_url(settings.postgres_url).set(drivername="postgresql+psycopg")
    return server.set(database=f"cr_bench_{size}").render_as_string(hide_password=False)


def recreate_postgres(url: str) -> None:
    target = make_url(url)
    admin = build_engine(target.set(database="postgres").render_as_string(hide_password=False))
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{target.database}"'))
    admin.dispose()


def drop_postgres(url: str) -> None:
    target = make_url(url)
    admin = build_engine(target.set(database="postgres").render_as_string(hide_password=False))
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)'))
    admin.dispose()


def build_corpus(settings: Settings, engine_name: str, size: int, report: Report) -> str:
    url = database_url(settings, engine_name, size)
    if engine_name == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(url.split("///", 1)[1] + suffix).unlink(missing_ok=True)
    else:
        recreate_postgres(url)
    upgrade_to_head(url)
    engine = build_engine(url)
    started = time.perf_counter()
    summary = synthesize(engine, claims=size, seed=7)
    elapsed = time.perf_counter() - started
    rows = sum(summary.rows.values())
    claim_rate = raw_claim_rate(engine_name, engine, size)
    engine.dispose()
    entry = {
        "engine": engine_name,
        "claims": size,
        "rows": rows,
        "seconds": round(elapsed, 2),
        "rows_per_s": round(rows / elapsed),
        **claim_rate,
    }
    report.imports.append(entry)
    say(
        f"{engine_name} {size:,} claims: {rows:,} rows with indexes and search in "
        f"{elapsed:.1f} s; claim rows {claim_rate['api_claim_rows_per_s']:,}/s vs raw "
        f"{claim_rate['raw_claim_rows_per_s']:,}/s"
    )
    return url


def raw_claim_rate(engine_name: str, engine: Any, size: int) -> dict[str, Any]:
    """The claim rows alone, into an empty copy of the table: the bulk path vs the raw driver
    (a rate, so 200k rows are enough to measure it)."""
    corpus = Corpus(min(size, 200_000), seed=11)
    corpus.static_rows()
    # As synth writes them: with the run's time as `updated_at`.
    stamp = dt.datetime.now(dt.UTC)
    rows = [(*row, stamp) for chunk in corpus.chunks() for row in chunk["claim"]]
    table = Base.metadata.tables["claim"]
    columns = (*COLUMNS["claim"], "updated_at")
    rates: dict[str, Any] = {}
    for attempt in ("api", "raw"):
        with engine.begin() as conn:
            conn.exec_driver_sql("DROP TABLE IF EXISTS claim_load_probe")
            if engine_name == "sqlite":
                conn.exec_driver_sql("CREATE TABLE claim_load_probe AS SELECT * FROM claim WHERE 0")
            else:
                conn.exec_driver_sql(
                    "CREATE TABLE claim_load_probe (LIKE claim INCLUDING DEFAULTS)"
                )
        with engine.begin() as conn:
            started = time.perf_counter()
            if attempt == "api":
                probe = table.to_metadata(Base.metadata.__class__(), name="claim_load_probe")
                insert_rows(conn, probe, columns, rows)
            else:
                raw = conn.connection.driver_connection
                names = ", ".join(columns)
                if engine_name == "sqlite":
                    iso = [
                        tuple(v.isoformat() if isinstance(v, dt.date) else v for v in row)
                        for row in rows
                    ]
                    marks = ", ".join("?" * len(columns))
                    raw.executemany(f"INSERT INTO claim_load_probe ({names}) VALUES ({marks})", iso)
                else:
                    with raw.cursor() as cursor:
                        with cursor.copy(f"COPY claim_load_probe ({names}) FROM STDIN") as copy:
                            for row in rows:
                                copy.write_row(row)
            rates[f"{attempt}_claim_rows_per_s"] = round(
                len(rows) / (time.perf_counter() - started)
            )
        with engine.begin() as conn:
            conn.exec_driver_sql("DROP TABLE claim_load_probe")
    rates["claim_rows_ratio"] = round(
        rates["api_claim_rows_per_s"] / rates["raw_claim_rows_per_s"], 2
    )
    return rates


# ---------------------------------------------------------------------------- query mix


def sample_values(url: str) -> dict[str, list[str]]:
    engine = build_engine(url)
    with engine.connect() as conn:
        claimants = list(
            conn.execute(
                text("SELECT id FROM actor WHERE id LIKE :prefix ORDER BY id"),
                {"prefix": "synth-actor-%"},
            ).scalars()
        )
        claims = list(
            conn.execute(
                text("SELECT id FROM claim WHERE id LIKE :prefix ORDER BY id LIMIT 5000"),
                {"prefix": "synth-claim-%"},
            ).scalars()
        )
    engine.dispose()
    return {"claimants": claimants, "claims": claims}


def write_paths(work: Path, name: str, paths: list[str]) -> Path:
    target = work / f"paths-{name}.txt"
    target.write_text("\n".join(paths) + "\n", encoding="utf-8")
    return target


def deep_cursor(base_url: str, pages: int) -> str:
    cursor = ""
    with httpx.Client(base_url=base_url, timeout=60) as client:
        for _ in range(pages):
            body = client.get(f"/v1/claims?limit=5&count=none{cursor}").json()
            if not body["next_cursor"]:
                break
            cursor = f"&cursor={body['next_cursor']}"
    return cursor


def query_paths(
    base_url: str, values: dict[str, list[str]], rng: random.Random, deep_pages: int
) -> dict[str, list[str]]:
    claimants, claims = values["claimants"], values["claims"]
    words = ["ambushed", "shelled", "surrounded", "captured", "besieged", "reinforced"]
    countries = ["Syria", "Yemen", "Sudan", "Mali", "Ukraine", "Iraq", "Libya", "Myanmar"]
    kinds = ["vow", "casualties", "appeal", "stance", "policy", "territorial_control"]
    paths: dict[str, list[str]] = {name: [] for name in QUERIES}
    for _ in range(500):
        year, month = rng.randrange(2000, 2025), rng.randrange(1, 13)
        last = 28
        lat, lon = rng.uniform(-5, 45), rng.uniform(-5, 95)
        paths["claims_by_claimant"].append(
            f"/v1/claims?claimant_id={rng.choice(claimants)}&limit=50"
        )
        paths["claims_in_date_range"].append(
            f"/v1/claims?stated_from={year}-{month:02d}-01&stated_to={year}-{month:02d}-{last}&limit=50"
        )
        paths["locations_in_bbox"].append(
            f"/v1/locations?bbox={lon:.2f},{lat:.2f},{lon + 3:.2f},{lat + 3:.2f}&limit=50"
        )
        paths["full_text"].append(
            f"/v1/claims?q={quote(rng.choice(words) + ' ' + rng.choice(countries))}&limit=50"
        )
        paths["facets"].append(f"/v1/claims/facets?claimant_id={rng.choice(claimants)}")
        paths["item_detail"].append(f"/v1/claims/{rng.choice(claims)}")
        paths["page_of_500"].append(f"/v1/claims?kind={rng.choice(kinds)}&limit=500&count=none")
    cursor = deep_cursor(base_url, deep_pages)
    paths["deep_page"] = [f"/v1/claims?limit=5&count=none{cursor}"]
    paths["first_page"] = ["/v1/claims?limit=5&count=none"]
    return paths


def measure(
    server: Server, paths_file: Path, settings: Settings, *, connections: int | None = None
) -> LoadResult:
    # Warm the database and the process first: this machine pages out untouched file data.
    connections = connections or settings.connections
    if settings.warmup:
        run_load(server.url, paths_file, connections=connections, seconds=settings.warmup)
        drain(server.url, paths_file)
    return run_load(server.url, paths_file, connections=connections, seconds=settings.seconds)


def drain(base_url: str, paths_file: Path) -> None:
    """Wait out the requests a finished load left queued in the server: one request, sent
    after them, returns only when they are done."""
    path = paths_file.read_text(encoding="utf-8").splitlines()[0]
    with httpx.Client(base_url=base_url, timeout=120) as client:
        client.get(path)
    time.sleep(0.2)


CLI = Path(sys.executable).with_name("conflict-reports")


def api_server(url: str, port: int, *, workers: int = 1) -> Any:
    """The API as users run it: `conflict-reports serve`."""
    command = [str(CLI), "serve", "--port", str(port), "--workers", str(workers)]
    return serve("api", [*command, "--no-access-log"], {"DATABASE_URL": url}, port)


def run_mix(settings: Settings, engine: str, size: int, url: str, report: Report) -> None:
    port = _free_port()
    rng = random.Random(size)
    with api_server(url, port) as server:
        values = sample_values(url)
        mix = query_paths(server.url, values, rng, settings.deep_pages)
        files: dict[str, Path] = {}
        for name in QUERIES:
            files[name] = write_paths(settings.work, f"{engine}-{size}-{name}", mix[name])
            for connections in (settings.connections, 1):
                result = measure(server, files[name], settings, connections=connections)
                report.loads.append(
                    {"engine": engine, "claims": size, "query": name, **result.as_dict()}
                )
                say(
                    f"{engine} {size:>9,} {name:<22} {connections:>3} conn "
                    f"{result.requests_per_s:8.0f} req/s  p50 {result.p50_ms:7.1f} ms  "
                    f"p99 {result.p99_ms:7.1f} ms  max {result.max_ms:6.0f} ms  "
                    f"errors {result.errors}  timeouts {result.timeouts}"
                )
        if size == max(settings.sizes):
            stall_test(settings, engine, size, server, mix, values, report)
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
            compare(settings, engine, url, server, mix["claims_by_claimant"], report)


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
    idle = _cheap_latencies(server.url, values["claims"], rng, seconds=min(seconds, 5.0))
    with ThreadPoolExecutor(1) as pool:
        heavy = pool.submit(
            run_load,
            server.url,
            heavy_file,
            connections=settings.stall_clients,
            seconds=seconds,
        )
        time.sleep(min(1.0, seconds / 4))
        loaded = _cheap_latencies(server.url, values["claims"], rng, seconds=seconds * 0.7)
        heavy_result = heavy.result()
    drain(server.url, heavy_file)
    for kind in ("healthz", "claim_detail"):
        entry = {
            "engine": engine,
            "claims": size,
            "request": kind,
            "heavy_queries": heaviest,
            "heavy_clients": settings.stall_clients,
            "idle": _summary(idle[kind]),
            "loaded": _summary(loaded[kind]),
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


def _cheap_latencies(
    base_url: str, claims: list[str], rng: random.Random, *, seconds: float
) -> dict[str, Any]:
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


def _summary(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples) or [float("nan")]

    def at(share: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(len(ordered) * share))], 2)

    return {
        "count": len(samples),
        "p50_ms": at(0.5),
        "p95_ms": at(0.95),
        "max_ms": round(ordered[-1], 2),
    }


def walk_everything(base_url: str) -> tuple[int, float]:
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


# ---------------------------------------------------------------------------- side by side


def compare(
    settings: Settings, engine: str, url: str, api: Server, paths: list[str], report: Report
) -> None:
    """Claims by claimant, 50 per page, exact totals: the API with one worker and with one
    per core, against the floor, the ceiling and Datasette, in alternating rounds
    (A B C … A B C …) so drift on this shared machine hits all alike."""
    paths = [f"{path}&count=exact" for path in paths]
    paths_file = write_paths(settings.work, f"{engine}-compare", paths)
    check_same_answers(api.url, url, paths[:20])
    floor_port, raw_port, workers_port = _free_port(), _free_port(), _free_port()
    contenders: list[tuple[str, Any]] = [
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
        db_path = url.split("///", 1)[1]
        for shape, extra in (
            ("default JSON", []),
            ("array shape, no facet suggestions", ["--setting", "suggest_facets", "off"]),
        ):
            port = _free_port()
            query = "&_size=50" + ("&_shape=array" if "array" in shape else "")
            datasette_files[shape] = write_paths(
                settings.work,
                f"datasette-{'array' if 'array' in shape else 'default'}",
                [
                    p.replace("/v1/claims?", f"/{Path(db_path).stem}/claim.json?").replace(
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
                        [str(DATASETTE), "serve", db_path, "--port", str(port), *extra],
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
        entry = {
            "engine": engine,
            "claims": max(settings.sizes),
            "contender": label,
            "requests_per_s": round(statistics.median(r.requests_per_s for r in runs), 1),
            "p50_ms": round(statistics.median(r.p50_ms for r in runs), 2),
            "p99_ms": round(statistics.median(r.p99_ms for r in runs), 2),
            "max_ms": round(max(r.max_ms for r in runs), 1),
            "errors": sum(r.errors for r in runs),
            "timeouts": sum(r.timeouts for r in runs),
            "rounds": [r.as_dict() for r in runs],
        }
        report.comparisons.append(entry)
        say(
            f"{engine}: {label:<48} {entry['requests_per_s']:8.0f} req/s  p50 {entry['p50_ms']} ms  p99 {entry['p99_ms']} ms"
        )


def check_same_answers(api_url: str, url: str, paths: list[str]) -> None:
    """The ceiling must do the API's work: same items for the same requests."""
    port = _free_port()
    with serve(
        "raw", uvicorn_command("bench.raw_app:app", port), {"DATABASE_URL": url}, port
    ) as raw:
        with httpx.Client(timeout=60) as client:
            for path in paths:
                ours = client.get(api_url + path).json()
                theirs = client.get(raw.url + path).json()
                assert ours["items"] == theirs["items"], f"the ceiling answers {path} differently"
                assert ours["total"] == theirs["total"]
                assert (ours["next_cursor"] is None) == (theirs["next_cursor"] is None)


# ---------------------------------------------------------------------------- table


def _find(rows: list[dict[str, Any]], **match: Any) -> dict[str, Any] | None:
    return next((x for x in rows if all(x.get(k) == v for k, v in match.items())), None)


def targets(report: Report, settings: Settings) -> list[tuple[str, str, str]]:
    """(target, figure, met?) for every target of the serving-core issue, plus figures kept
    for information."""
    rows: list[tuple[str, str, str]] = []
    largest = max(settings.sizes)
    smallest = min(settings.sizes)

    def comparison(engine: str, prefix: str) -> dict[str, Any] | None:
        for entry in report.comparisons:
            if entry["engine"] == engine and entry["contender"].startswith(prefix):
                return entry
        return None

    def met(ok: bool) -> str:
        return "met" if ok else "missed"

    for engine in settings.engines:
        api = comparison(engine, "conflict-reports API (1 worker)")
        many = comparison(engine, f"conflict-reports API ({settings.workers} workers)")
        raw = comparison(engine, "raw-driver")
        floor = comparison(engine, "framework floor")
        if api and raw and raw["requests_per_s"]:
            ratio = api["requests_per_s"] / raw["requests_per_s"]
            rows.append(
                (
                    f"{engine}: claims by claimant, 1 worker, {settings.connections} connections "
                    "≥ 70% of the raw-driver ceiling",
                    f"{api['requests_per_s']:.0f} vs {raw['requests_per_s']:.0f} req/s = {ratio:.0%}",
                    met(ratio >= 0.7),
                )
            )
        if api and many and api["requests_per_s"]:
            ratio = many["requests_per_s"] / api["requests_per_s"]
            rows.append(
                (
                    f"{engine}: --workers {settings.workers} ≥ 1.6x one worker",
                    f"{many['requests_per_s']:.0f} vs {api['requests_per_s']:.0f} req/s = {ratio:.2f}x",
                    met(ratio >= 1.6),
                )
            )
        for kind in ("healthz", "claim_detail"):
            stall = _find(report.stalls, engine=engine, request=kind)
            if stall:
                rows.append(
                    (
                        f"{engine}: {kind} p95 < 100 ms while {stall['heavy_clients']} clients run "
                        "the heaviest queries",
                        f"p95 {stall['loaded']['p95_ms']:.1f} ms (idle {stall['idle']['p95_ms']:.1f} ms; "
                        f"max {stall['loaded']['max_ms']:.0f} ms; {stall['errors']} errors)",
                        met(stall["loaded"]["p95_ms"] < 100 and stall["errors"] == 0),
                    )
                )
        loads = [x for x in report.loads if x["engine"] == engine]
        single = [x for x in loads if x["claims"] == largest and x["connections"] == 1]
        if single:
            worst = max(single, key=lambda x: x["p50_ms"])
            slow = [x["query"] for x in single if x["p50_ms"] >= 150]
            rows.append(
                (
                    f"{engine}: at {largest:,} claims every query p50 < 150 ms at one client",
                    f"worst {worst['p50_ms']:.1f} ms ({worst['query']})"
                    + (f"; over: {', '.join(slow)}" if slow else ""),
                    met(worst["p50_ms"] < 150),
                )
            )
        loaded = [
            x for x in loads if x["claims"] == largest and x["connections"] == settings.connections
        ]
        if loaded:
            worst = max(loaded, key=lambda x: x["max_ms"])
            timeouts = sum(x["timeouts"] for x in loaded)
            errors = sum(x["errors"] for x in loaded)
            rows.append(
                (
                    f"{engine}: at {largest:,} claims and {settings.connections} connections "
                    "no request over 1 s, zero timeouts",
                    f"slowest {worst['max_ms']:.0f} ms ({worst['query']}); {timeouts} timeouts, "
                    f"{errors} errors",
                    met(worst["max_ms"] <= 1000 and timeouts == 0),
                )
            )
        growth = []
        for query in QUERIES:
            small = _find(loads, query=query, claims=smallest, connections=1)
            large = _find(loads, query=query, claims=largest, connections=1)
            if small and large and small["p50_ms"]:
                growth.append((query, large["p50_ms"] / small["p50_ms"]))
        if growth and largest != smallest:
            query, worst_growth = max(growth, key=lambda g: g[1])
            over = [q for q, g in growth if g > 1.5]
            rows.append(
                (
                    f"{engine}: p50 at {largest:,} ≤ 1.5 x p50 at {smallest:,}, each query "
                    "(one client)",
                    f"worst {worst_growth:.2f}x ({query})"
                    + (f"; over: {', '.join(over)}" if over else ""),
                    met(worst_growth <= 1.5),
                )
            )
        imported = _find(report.imports, engine=engine, claims=largest)
        if imported:
            rows.append(
                (
                    f"{engine}: import {largest:,} claims with links and search < 30 s",
                    f"{imported['seconds']:.1f} s ({imported['rows']:,} rows)",
                    met(imported["seconds"] < 30 or largest < 1_000_000),
                )
            )
        for memory in (m for m in report.memory if m["engine"] == engine):
            rows.append(
                (
                    f"{engine}: RSS < 300 MB per worker ({memory['phase']})",
                    f"{memory['peak_rss_mb']:.0f} MB",
                    met(memory["peak_rss_mb"] < 300),
                )
            )
        # Kept for information: no target of the issue.
        if api and floor and floor["requests_per_s"]:
            rows.append(
                (
                    f"{engine}: share of the framework floor (information)",
                    f"{api['requests_per_s']:.0f} vs {floor['requests_per_s']:.0f} req/s = "
                    f"{api['requests_per_s'] / floor['requests_per_s']:.0%}",
                    "-",
                )
            )
        if engine == "sqlite" and api:
            for shape in ("default JSON", "array shape"):
                datasette = comparison(engine, f"Datasette ({shape}")
                if datasette and datasette["requests_per_s"]:
                    ratio = api["requests_per_s"] / datasette["requests_per_s"]
                    rows.append(
                        (
                            f"sqlite: vs Datasette {shape} (information)",
                            f"{api['requests_per_s']:.0f} vs {datasette['requests_per_s']:.0f} req/s = {ratio:.1f}x",
                            "-",
                        )
                    )
        deep = _find(loads, query="deep_page", claims=largest, connections=1)
        first = _find(loads, query="first_page", claims=largest, connections=1)
        if deep and first and first["p50_ms"]:
            rows.append(
                (
                    f"{engine}: page {settings.deep_pages:,} cursors deep vs the first page "
                    "(information)",
                    f"{deep['p50_ms']:.1f} vs {first['p50_ms']:.1f} ms = "
                    f"{deep['p50_ms'] / first['p50_ms']:.2f}x",
                    "-",
                )
            )
    return rows


def markdown(report: Report, settings: Settings) -> str:
    lines = [
        f"Benchmark of {report.started} on {report.machine['cpus']} cores with "
        f"{report.machine['load_tool']}: {settings.seconds:g} s per run, every query at "
        f"{settings.connections} connections and at one client, the API with one worker "
        f"unless said{' (smoke)' if settings.smoke else ''}.",
        "",
        "| engine | claims | query | connections | req/s | p50 ms | p99 ms | max ms | errors | timeouts |",
        "| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for x in report.loads:
        lines.append(
            f"| {x['engine']} | {x['claims']:,} | {x['query']} | {x['connections']} | "
            f"{x['requests_per_s']:.0f} | {x['p50_ms']:.1f} | {x['p99_ms']:.1f} | "
            f"{x['max_ms']:.0f} | {x['errors']} | {x['timeouts']} |"
        )
    lines += [
        "",
        f"Cheap requests one at a time, idle and while {settings.stall_clients} clients run the "
        "four heaviest queries of the mix (the stall test):",
        "",
        "| engine | claims | request | idle p50 ms | idle p95 ms | loaded p50 ms | loaded p95 ms | loaded max ms | errors | heavy queries (req/s, errors, timeouts) |",
        "| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for x in report.stalls:
        heavy = x["heavy_load"]
        lines.append(
            f"| {x['engine']} | {x['claims']:,} | {x['request']} | {x['idle']['p50_ms']:.1f} | "
            f"{x['idle']['p95_ms']:.1f} | {x['loaded']['p50_ms']:.1f} | "
            f"{x['loaded']['p95_ms']:.1f} | {x['loaded']['max_ms']:.0f} | {x['errors']} | "
            f"{', '.join(x['heavy_queries'])} ({heavy['requests_per_s']:.0f}, "
            f"{heavy['errors']}, {heavy['timeouts']}) |"
        )
    lines += [
        "",
        f"Claims by claimant, 50 per page, exact totals, {settings.connections} connections, side "
        f"by side (medians of {settings.rounds} alternating rounds):",
        "",
        "| engine | claims | contender | req/s | p50 ms | p99 ms | max ms | errors | timeouts |",
        "| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for x in report.comparisons:
        lines.append(
            f"| {x['engine']} | {x['claims']:,} | {x['contender']} | {x['requests_per_s']:.0f} | "
            f"{x['p50_ms']:.1f} | {x['p99_ms']:.1f} | {x['max_ms']:.0f} | {x['errors']} | "
            f"{x['timeouts']} |"
        )
    lines += [
        "",
        "| engine | claims | import: rows | seconds | rows/s | claim rows/s (API path) | claim rows/s (raw driver) |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for x in report.imports:
        lines.append(
            f"| {x['engine']} | {x['claims']:,} | {x['rows']:,} | {x['seconds']:.1f} | "
            f"{x['rows_per_s']:,} | {x['api_claim_rows_per_s']:,} | {x['raw_claim_rows_per_s']:,} |"
        )
    lines += ["", "| target | figure | |", "| --- | --- | --- |"]
    lines += [f"| {t} | {f} | {m} |" for t, f, m in targets(report, settings)]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--smoke", action="store_true", help="10k claims, 1 s loads: harness check")
    parser.add_argument("--sizes", default="10000,1000000")
    parser.add_argument("--engines", default="sqlite,postgresql")
    parser.add_argument(
        "--seconds", type=float, default=15.0, help="duration of each measured load"
    )
    parser.add_argument(
        "--workers", type=int, default=os.cpu_count() or 1, help="the many-workers contender"
    )
    parser.add_argument("--rounds", type=int, default=3, help="alternating comparison rounds")
    parser.add_argument("--connections", type=int, default=64)
    args = parser.parse_args(argv)
    postgres_url = os.environ.get(
        "BENCH_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
    )
    work = Path(tempfile.mkdtemp(prefix="conflict-reports-bench-"))
    settings = Settings(
        sizes=[10_000] if args.smoke else [int(s) for s in args.sizes.split(",")],
        engines=args.engines.split(","),
        seconds=1.0 if args.smoke else args.seconds,
        warmup=0.0 if args.smoke else 2.0,
        deep_pages=100 if args.smoke else 1000,
        rounds=1 if args.smoke else args.rounds,
        connections=args.connections,
        smoke=args.smoke,
        postgres_url=postgres_url,
        work=work,
        workers=args.workers,
    )
    report = Report(
        started=dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        machine={"cpus": os.cpu_count(), "load_tool": "wrk" if shutil.which("wrk") else "httpx"},
        settings={k: v for k, v in settings.__dict__.items() if k not in {"postgres_url", "work"}},
    )
    started = time.perf_counter()
    urls: list[tuple[str, str]] = []
    try:
        for engine in settings.engines:
            for size in settings.sizes:
                url = build_corpus(settings, engine, size, report)
                urls.append((engine, url))
                run_mix(settings, engine, size, url, report)
    finally:
        for engine, url in urls:
            if engine == "postgresql":
                drop_postgres(url)
        shutil.rmtree(work, ignore_errors=True)
    table = markdown(report, settings)
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d")
    name = f"{stamp}{'-smoke' if settings.smoke else ''}"
    (RESULTS / f"{name}.json").write_text(
        json.dumps({**report.__dict__, "table": table}, indent=2, default=str) + "\n",
        encoding="utf-8",
    )
    (RESULTS / f"{name}.md").write_text(table + "\n", encoding="utf-8")
    print()
    print(table)
    print(f"\n(total {time.perf_counter() - started:.0f} s; results in bench/results/{name}.json)")
    failures = sum(x["failures"] for x in report.loads)
    if failures:
        print(f"{failures} requests failed under load", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
