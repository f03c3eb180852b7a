"""`make bench`: corpora of 10k and 1M claims on SQLite and PostgreSQL; every query of a fixed
mix at one client and at 64 connections; the stall test (cheap requests while four clients run
the heaviest queries); and, in alternating rounds, the API with one worker and with one per
core beside the framework floor, the raw-driver ceiling and Datasette; a page of 500 beside
the raw-driver ceiling.

    python -m bench.run                  # the full run (about 35 minutes here)
    python -m bench.run --smoke          # 10k claims, short loads: checks the harness (CI)

Writes bench/results/<date>.json and prints a markdown table of figures, ratios and targets.
PostgreSQL comes from BENCH_DATABASE_URL (default: the local server, user postgres); each
corpus gets a database of its own, dropped at the end.
"""

import argparse
import os
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

from bench.databases import drop_postgres, postgres_server
from bench.mix import query_paths, sample_values
from bench.processes import api_server, free_port
from bench.reporting import Report, Settings, markdown, now_utc, write_results
from bench.suites.compare import compare, compare_pages
from bench.suites.imports import build_corpus
from bench.suites.loads import every_query
from bench.suites.memory import peak_memory
from bench.suites.stall import stall_test


def run_corpus(settings: Settings, engine: str, size: int, url: str, report: Report) -> None:
    """Every query of the mix on one corpus; on the largest, the stall test, memory and the
    side-by-side comparison too."""
    rng = random.Random(size)
    with api_server(url, free_port()) as server:
        values = sample_values(url)
        mix = query_paths(server.url, values, rng, settings.deep_pages)
        every_query(settings, engine, size, server, mix, report)
        if size == max(settings.sizes):
            stall_test(settings, engine, size, server, mix, values, report)
            peak_memory(engine, size, server, report)
            compare(settings, engine, url, server, mix["claims_by_claimant"], report)
            compare_pages(settings, engine, url, server, mix["page_of_500"], report)


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
        postgres_url=postgres_server(),
        work=work,
        workers=args.workers,
    )
    report = Report(
        started=now_utc(),
        machine={"cpus": os.cpu_count(), "load_tool": "wrk" if shutil.which("wrk") else "httpx"},
        settings=settings.recorded(),
    )
    started = time.perf_counter()
    urls: list[tuple[str, str]] = []
    try:
        for engine in settings.engines:
            for size in settings.sizes:
                url = build_corpus(settings, engine, size, report)
                urls.append((engine, url))
                run_corpus(settings, engine, size, url, report)
    finally:
        for engine, url in urls:
            if engine == "postgresql":
                drop_postgres(url)
        shutil.rmtree(work, ignore_errors=True)
    table = markdown(report, settings)
    name = f"{time.strftime('%Y-%m-%d', time.gmtime())}{'-smoke' if settings.smoke else ''}"
    write_results(name, {**report.__dict__, "table": table}, table)
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
