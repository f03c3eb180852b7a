"""`make soak`: the API on PostgreSQL with its default workers, 64 connections for 60 s through
the benchmark's query mix (every query of `bench.run`, shuffled into one stream).

    python -m bench.soak              # warm-up, then 60 s; about 2 minutes with the corpus
    python -m bench.soak --smoke      # the same in a few seconds (CI)

Passes when no request failed (any answer other than 2xx/3xx, connection error or timeout)
and, in the full run, when the serving processes' resident memory at the end is within 10% of
what it was right after the warm-up: a leak shows as steady growth over a minute of load.
Prints the figures (requests, errors, p50/p99, RSS before and after). PostgreSQL comes from
BENCH_DATABASE_URL, like `make bench`; the corpus gets a database of its own, dropped at the
end.
"""

import argparse
import os
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

from bench.corpora import migrate, synthesize_corpus
from bench.databases import drop_postgres, postgres_server, postgres_url, recreate_postgres
from bench.load import drain, run_load
from bench.mix import QUERIES, query_paths, sample_values, write_paths
from bench.processes import CLI, free_port, rss_mb, serve, workers_of
from bench.reporting import say

RSS_GROWTH_LIMIT = 0.10


def mixed_paths(base_url: str, url: str, deep_pages: int) -> list[str]:
    """Every query of the benchmark's mix, interleaved, so each connection runs all of them."""
    mix = query_paths(base_url, sample_values(url), random.Random(9), deep_pages)
    paths = [path for name in QUERIES for path in mix[name]]
    random.Random(10).shuffle(paths)
    return paths


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--smoke", action="store_true", help="a few seconds (CI)")
    parser.add_argument("--claims", type=int, default=10_000, help="size of the corpus")
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--seconds", type=float, default=60.0, help="duration of the soak")
    parser.add_argument("--warmup", type=float, default=10.0)
    args = parser.parse_args(argv)
    seconds, warmup = (5.0, 2.0) if args.smoke else (args.seconds, args.warmup)
    url = postgres_url(postgres_server(), f"cr_soak_{os.getpid()}")
    work = Path(tempfile.mkdtemp(prefix="conflict-reports-soak-"))
    try:
        recreate_postgres(url)
        migrate(url)
        synthesize_corpus(url, args.claims)
        say(f"postgresql corpus of {args.claims:,} claims ready")
        port = free_port()
        # `serve` with no --workers: the default (WORKERS, else one per core).
        command = [str(CLI), "serve", "--port", str(port), "--no-access-log"]
        with serve("api", command, {"DATABASE_URL": url}, port) as server:
            paths_file = write_paths(
                work, "soak", mixed_paths(server.url, url, 20 if args.smoke else 200)
            )
            workers = len(workers_of(server.process.pid))
            warm = run_load(server.url, paths_file, connections=args.connections, seconds=warmup)
            drain(server.url, paths_file)
            before = rss_mb(server.process.pid)
            say(
                f"warm-up {warmup:g} s: {warm.requests:,} requests, {warm.failures} failures; "
                f"RSS of {workers} worker(s) {before:.1f} MB"
            )
            soak = run_load(server.url, paths_file, connections=args.connections, seconds=seconds)
            drain(server.url, paths_file)
            after = rss_mb(server.process.pid)
    finally:
        drop_postgres(url)
        shutil.rmtree(work, ignore_errors=True)
    growth = (after - before) / before
    print(
        f"soak: PostgreSQL, {args.claims:,} claims, {workers} worker(s), {args.connections} "
        f"connections, {seconds:g} s ({soak.tool}): {soak.requests:,} requests "
        f"({soak.requests_per_s:.0f}/s), {soak.errors} errors, {soak.timeouts} timeouts; "
        f"p50 {soak.p50_ms:.1f} ms, p99 {soak.p99_ms:.1f} ms, max {soak.max_ms:.0f} ms; "
        f"RSS {before:.1f} MB after warm-up, {after:.1f} MB at the end ({growth:+.1%})",
        flush=True,
    )
    failed = False
    if warm.failures or soak.failures:
        print(f"FAIL: {warm.failures + soak.failures} requests failed", file=sys.stderr)
        failed = True
    if not args.smoke and growth > RSS_GROWTH_LIMIT:
        print(f"FAIL: RSS grew {growth:.1%} (limit {RSS_GROWTH_LIMIT:.0%})", file=sys.stderr)
        failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    started = time.perf_counter()
    status = main()
    say(f"soak done in {time.perf_counter() - started:.0f} s")
    sys.exit(status)
