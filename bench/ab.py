"""`make bench-ab`: is this change slower? Two checkouts of the app side by side on the JSON
hot paths: claims by claimant (`/v1/claims?claimant_id=…&limit=50`, rotating over the corpus's
claimants, as the benchmark's query mix does) and a page of 500 (`/v1/claims?limit=500`,
optionally rotating over the first pages by cursor).

    python -m bench.ab --base HEAD --head .          # the uncommitted changes (default)
    python -m bench.ab --base main --head .          # this branch against main
    python -m bench.ab --base ../other-checkout --head . --engine postgresql --save
    python -m bench.ab --base HEAD --head . --seconds 3 --rounds 1   # check the tool

--base is a directory holding a checkout, or a git revision, checked out for the run into a
temporary `git worktree` (removed at the end). Each checkout is served by its own process,
`conflict-reports serve --workers 1`, running ITS OWN code (the entry point its pyproject.toml
names, from the checkout's folder, with this environment's packages: the dependencies are
assumed the same), both against the same database: one corpus of synthetic claims (default
10,000 on SQLite; `--engine postgresql` for a database of its own on BENCH_DATABASE_URL's
server) built once by the head's `conflict-reports migrate` and `synth`.

Load by wrk when installed, else the built-in generator, at `--connections`; after a warm-up,
alternating rounds (base, head, base, head …, each query in turn), `--seconds` per load
(at least 15 s for figures to act on). Prints, per query and side, the medians over the rounds
of requests/s, p50 and p99, errors and timeouts beside them, and head/base ratios (by round as
well: their spread is the noise). `--save` writes the figures to bench/results/ab/. Exits 1
when a request failed (error or timeout): such figures are not comparable.
"""

import argparse
import datetime as dt
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
import tomllib
from collections.abc import Iterator
from contextlib import AbstractContextManager, ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy.engine import make_url

from bench.databases import drop_postgres, postgres_server, postgres_url, recreate_postgres
from bench.load import LoadResult, drain, run_load
from bench.mix import (
    claims_by_claimant,
    cursors,
    full_text_paths,
    sample_values,
    write_paths,
)
from bench.processes import PYTHON, Server, free_port, serve
from bench.reporting import rounds_summary, say, write_results

QUERIES = {
    "claims_by_claimant": "claims by claimant (50)",
    "page_of_500": "a page of 500",
    "full_text": "full text (50)",
}
DEFAULT_QUERIES = "claims_by_claimant,page_of_500"
PAGE_OF_500 = "/v1/claims?limit=500"
SIDES = ("base", "head")
SCRIPT = "conflict-reports"


@dataclass
class Checkout:
    """A checkout of the project and how to run its own `conflict-reports`."""

    side: str
    given: str  # as named on the command line (a path's last part only)
    folder: Path
    commit: str
    dirty: bool
    subject: str
    # Settings for this side's server only (`--head-env`): the same code, configured apart.
    settings: dict[str, str] = field(default_factory=dict)

    @property
    def env(self) -> dict[str, str]:
        # Its folder first on the path: its `app`, not the one this environment installed.
        return {"PYTHONPATH": os.pathsep.join(filter(None, [str(self.folder), _pythonpath()]))}

    def command(self) -> list[str]:
        """`conflict-reports` as the checkout's pyproject.toml declares it."""
        project = tomllib.loads((self.folder / "pyproject.toml").read_text(encoding="utf-8"))
        module, _, function = project["project"]["scripts"][SCRIPT].partition(":")
        code = (
            f"import sys; sys.argv[0] = {SCRIPT!r}; "
            f"from {module} import {function}; sys.exit({function}())"
        )
        return [PYTHON, "-c", code]

    def run(self, *args: str, database_url: str) -> str:
        completed = subprocess.run(
            [*self.command(), *args],
            cwd=self.folder,
            env={**os.environ, **self.env, "DATABASE_URL": database_url},
            capture_output=True,
            text=True,
            check=False,
        )
        if completed.returncode:
            raise RuntimeError(
                f"{self.side}: `conflict-reports {' '.join(args)}` failed:\n"
                f"{completed.stdout[-2000:]}{completed.stderr[-2000:]}"
            )
        return completed.stdout

    def check_own_code(self) -> None:
        """The processes started for this side import the app from its folder."""
        project = tomllib.loads((self.folder / "pyproject.toml").read_text(encoding="utf-8"))
        package = project["project"]["scripts"][SCRIPT].split(".", 1)[0].split(":", 1)[0]
        found = subprocess.run(
            [PYTHON, "-c", f"import {package}; print({package}.__file__)"],
            cwd=self.folder,
            env={**os.environ, **self.env},
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        if not Path(found).resolve().is_relative_to(self.folder):
            raise RuntimeError(f"{self.side} would run {found}, not its own code")

    def serve(self, database_url: str) -> AbstractContextManager[Server]:
        port = free_port()
        command = [*self.command(), "serve", "--port", str(port), "--workers", "1"]
        env = {**self.env, **self.settings, "DATABASE_URL": database_url}
        return serve(self.side, [*command, "--no-access-log"], env, port, cwd=self.folder)

    def describe(self) -> str:
        state = " + uncommitted changes" if self.dirty else ""
        configured = "".join(f", {name}={value}" for name, value in self.settings.items())
        return f"{self.given} ({self.commit[:10]}{state}: {self.subject}){configured}"

    def as_dict(self) -> dict[str, Any]:
        return {
            "given": self.given,
            "commit": self.commit,
            "dirty": self.dirty,
            "subject": self.subject,
        }


def _pythonpath() -> str:
    return os.environ.get("PYTHONPATH", "")


def _corpus_name(url: str | None) -> str | None:
    if url is None:
        return None
    parsed = make_url(url)
    return f"{parsed.get_backend_name()}: {Path(parsed.database or '').name}"


def _git(folder: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(folder), *args], capture_output=True, text=True, check=True
    ).stdout.strip()


def _shown(given: str) -> str:
    """What the results keep of a name given on the command line: no machine paths."""
    return (Path(given).name or given) if Path(given).is_absolute() else given


def _shorter(text: str, length: int) -> str:
    return text if len(text) <= length else text[: length - 1] + "…"


def checkout_of(side: str, given: str, folder: Path) -> Checkout:
    folder = folder.resolve()
    if not (folder / "pyproject.toml").is_file():
        raise SystemExit(f"{side}: {given} is not a checkout of the project (no pyproject.toml)")
    dirty = bool(_git(folder, "status", "--porcelain", "--untracked-files=no"))
    return Checkout(
        side=side,
        given=_shown(given),
        folder=folder,
        commit=_git(folder, "rev-parse", "HEAD"),
        dirty=dirty,
        subject=_shorter(_git(folder, "log", "-1", "--format=%s"), 60),
    )


@contextmanager
def base_checkout(given: str, repository: Path, scratch: Path) -> Iterator[Checkout]:
    """The base: a directory as it is, or a revision checked out into a temporary worktree."""
    if Path(given).is_dir():
        yield checkout_of("base", given, Path(given))
        return
    try:
        commit = _git(repository, "rev-parse", "--verify", f"{given}^{{commit}}")
    except subprocess.CalledProcessError:
        raise SystemExit(f"base: {given!r} is neither a directory nor a git revision") from None
    folder = scratch / "base"
    _git(repository, "worktree", "add", "--detach", str(folder), commit)
    try:
        yield checkout_of("base", given, folder)
    finally:
        _git(repository, "worktree", "remove", "--force", str(folder))


@dataclass
class Settings:
    engine: str
    claims: int
    seconds: float
    warmup: float
    rounds: int
    connections: int
    pages: int
    queries: tuple[str, ...] = tuple(DEFAULT_QUERIES.split(","))
    corpus: str | None = None


def build_corpus(settings: Settings, head: Checkout, scratch: Path) -> str:
    """The corpus both sides read, made by the head's own `migrate` and `synth` (or the
    database `--corpus` names, migrated by the head)."""
    if settings.corpus:
        head.run("migrate", database_url=settings.corpus)
        return settings.corpus
    if settings.engine == "sqlite":
        url = f"sqlite:///{scratch / f'claims-{settings.claims}.db'}"
    else:
        url = postgres_url(postgres_server(), f"cr_ab_{os.getpid()}")
        recreate_postgres(url)
    started = time.perf_counter()
    head.run("migrate", database_url=url)
    head.run("synth", "--claims", str(settings.claims), "--seed", "7", database_url=url)
    say(
        f"{settings.engine} corpus of {settings.claims:,} claims by the head's code in "
        f"{time.perf_counter() - started:.0f} s"
    )
    return url


def paths_files(
    settings: Settings, url: str, servers: dict[str, Server], scratch: Path
) -> dict[tuple[str, str], Path]:
    """The paths each side is loaded with, per query: the same claimants for both; the pages
    of 500 by each side's own cursors (their format may differ between the two)."""
    rng = random.Random(1)
    claimants = sample_values(url)["claimants"]
    by_claimant = [claims_by_claimant(rng.choice(claimants)) for _ in range(500)]
    files: dict[tuple[str, str], Path] = {}
    claims_file = write_paths(scratch, "claims-by-claimant", by_claimant)
    words = full_text_paths(rng)
    text_file = write_paths(scratch, "full-text", words)
    for side, server in servers.items():
        pages = cursors(server.url, PAGE_OF_500, settings.pages - 1)
        files[side, "claims_by_claimant"] = claims_file
        files[side, "full_text"] = text_file
        files[side, "page_of_500"] = write_paths(
            scratch, f"{side}-pages", [f"{PAGE_OF_500}{cursor}" for cursor in pages]
        )
    files = {key: file for key, file in files.items() if key[1] in settings.queries}
    for (side, query), file in files.items():
        path = file.read_text(encoding="utf-8").splitlines()[0]
        answer = httpx.get(servers[side].url + path, timeout=60)
        if answer.status_code != 200:
            raise RuntimeError(f"{side} answers {path} with {answer.status_code}: {answer.text}")
        if query == "page_of_500" and len(answer.json()["items"]) == 0:
            raise RuntimeError(f"{side}: the page of 500 is empty")
    return files


def measure(
    settings: Settings, servers: dict[str, Server], files: dict[tuple[str, str], Path]
) -> dict[tuple[str, str], list[LoadResult]]:
    """A warm-up of each side on each query, then the alternating rounds."""
    for (side, _query), file in files.items():
        if settings.warmup:
            run_load(
                servers[side].url,
                file,
                connections=settings.connections,
                seconds=settings.warmup,
            )
            drain(servers[side].url, file)
    results: dict[tuple[str, str], list[LoadResult]] = {key: [] for key in files}
    for number in range(1, settings.rounds + 1):
        for query in settings.queries:
            for side in SIDES:
                url, file = servers[side].url, files[side, query]
                result = run_load(
                    url, file, connections=settings.connections, seconds=settings.seconds
                )
                drain(url, file)
                results[side, query].append(result)
                say(
                    f"round {number}/{settings.rounds} {query:<18} {side}: "
                    f"{result.requests_per_s:7.1f} req/s  p50 {result.p50_ms:7.1f} ms  "
                    f"p99 {result.p99_ms:7.1f} ms  errors {result.errors}  "
                    f"timeouts {result.timeouts}"
                )
    return results


def _ratio(head: float, base: float) -> float | None:
    return round(head / base, 3) if base else None


def summarise(
    results: dict[tuple[str, str], list[LoadResult]],
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    figures = [
        {"query": query, "side": side, **rounds_summary(results[side, query])}
        for query in QUERIES
        for side in SIDES
        if (side, query) in results
    ]
    ratios = []
    for query in (query for query in QUERIES if ("base", query) in results):
        base = next(f for f in figures if f["query"] == query and f["side"] == "base")
        head = next(f for f in figures if f["query"] == query and f["side"] == "head")
        by_round = [
            _ratio(h.requests_per_s, b.requests_per_s)
            for b, h in zip(results["base", query], results["head", query], strict=True)
        ]
        ratios.append(
            {
                "query": query,
                "requests_per_s": _ratio(head["requests_per_s"], base["requests_per_s"]),
                "p50_ms": _ratio(head["p50_ms"], base["p50_ms"]),
                "p99_ms": _ratio(head["p99_ms"], base["p99_ms"]),
                "requests_per_s_by_round": by_round,
            }
        )
    return figures, ratios


def _number(value: float | None, digits: int) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def markdown(
    settings: Settings,
    checkouts: dict[str, Checkout],
    figures: list[dict[str, Any]],
    ratios: list[dict[str, Any]],
    *,
    started: str,
    tool: str,
) -> str:
    lines = [
        f"A/B of {started} on {os.cpu_count()} cores with {tool}: {settings.engine}, "
        f"{settings.claims:,} claims, {settings.connections} connections, one worker each, "
        f"{settings.rounds} alternating round(s) of {settings.seconds:g} s per query and side "
        "(medians; head/base: above 1 is faster for req/s, slower for latencies).",
        "",
        f"- base: {checkouts['base'].describe()}",
        f"- head: {checkouts['head'].describe()}",
        "",
        "| query | side | req/s | p50 ms | p99 ms | max ms | errors | timeouts | req/s by round |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for query, label in QUERIES.items():
        if query not in settings.queries:
            continue
        for side in SIDES:
            x = next(f for f in figures if f["query"] == query and f["side"] == side)
            by_round = ", ".join(f"{r['requests_per_s']:.1f}" for r in x["rounds"])
            lines.append(
                f"| {label} | {side} | {x['requests_per_s']:.1f} | {x['p50_ms']:.1f} | "
                f"{x['p99_ms']:.1f} | {x['max_ms']:.0f} | {x['errors']} | {x['timeouts']} | "
                f"{by_round} |"
            )
        ratio = next(r for r in ratios if r["query"] == query)
        errors = sum(f["errors"] for f in figures if f["query"] == query)
        timeouts = sum(f["timeouts"] for f in figures if f["query"] == query)
        by_round = ", ".join(_number(r, 2) for r in ratio["requests_per_s_by_round"])
        lines.append(
            f"| {label} | **head/base** | **{_number(ratio['requests_per_s'], 2)}** | "
            f"{_number(ratio['p50_ms'], 2)} | {_number(ratio['p99_ms'], 2)} | | {errors} | "
            f"{timeouts} | {by_round} |"
        )
    base, head = checkouts["base"], checkouts["head"]
    if base.folder == head.folder or (
        base.commit == head.commit and not (base.dirty or head.dirty or head.settings)
    ):
        lines += ["", "Base and head are the same code: the ratios show this machine's noise."]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--base", default="HEAD", help="a checkout's directory, or a git revision (HEAD)"
    )
    parser.add_argument("--head", default=".", help="a checkout's directory (.)")
    parser.add_argument("--engine", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--claims", type=int, default=10_000, help="size of the corpus")
    parser.add_argument(
        "--seconds", type=float, default=15.0, help="each load, per query and side (15)"
    )
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds (3)")
    parser.add_argument(
        "--warmup", type=float, default=3.0, help="seconds of warm-up per query and side (3)"
    )
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument(
        "--pages",
        type=int,
        default=1,
        help="the page of 500 rotates over this many first pages, by cursor (1: the first)",
    )
    parser.add_argument(
        "--queries",
        default=DEFAULT_QUERIES,
        help=f"which of {', '.join(QUERIES)}, comma-separated ({DEFAULT_QUERIES})",
    )
    parser.add_argument(
        "--corpus",
        help="the database URL of a corpus to read instead of building one (it is migrated "
        "by the head; --claims then only labels it)",
    )
    parser.add_argument(
        "--head-env",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a setting for the head's server only, repeatable: with --base HEAD, what a "
        "setting costs (e.g. RATE_LIMIT_READS=6000/minute)",
    )
    parser.add_argument(
        "--save", action="store_true", help="write the figures to bench/results/ab/"
    )
    args = parser.parse_args(argv)
    head_settings = {}
    for pair in args.head_env:
        name, sep, value = pair.partition("=")
        if not sep or not name:
            parser.error(f"--head-env takes NAME=VALUE, not {pair!r}")
        head_settings[name] = value
    if args.rounds < 1 or args.pages < 1 or args.seconds <= 0:
        parser.error("--rounds and --pages must be at least 1, --seconds above 0")
    queries = tuple(q.strip() for q in args.queries.split(",") if q.strip())
    if not queries or set(queries) - set(QUERIES):
        parser.error(f"--queries takes some of {', '.join(QUERIES)}, not {args.queries!r}")
    settings = Settings(
        engine=args.engine,
        claims=args.claims,
        seconds=args.seconds,
        warmup=args.warmup,
        rounds=args.rounds,
        connections=args.connections,
        pages=args.pages,
        queries=queries,
        corpus=args.corpus,
    )
    if settings.seconds < 15:
        say(f"rounds of {settings.seconds:g} s: a check of the tool, not figures to act on")
    tool = "wrk" if shutil.which("wrk") else "httpx"
    started = dt.datetime.now(dt.UTC)
    clock = time.perf_counter()
    head = checkout_of("head", args.head, Path(args.head))
    head.settings = head_settings
    scratch = Path(tempfile.mkdtemp(prefix="conflict-reports-ab-"))
    url = ""
    try:
        with ExitStack() as stack:
            base = stack.enter_context(base_checkout(args.base, head.folder, scratch))
            checkouts = {"base": base, "head": head}
            for checkout in checkouts.values():
                checkout.check_own_code()
                say(f"{checkout.side}: {checkout.describe()}")
            url = build_corpus(settings, head, scratch)
            servers = {
                side: stack.enter_context(checkout.serve(url))
                for side, checkout in checkouts.items()
            }
            files = paths_files(settings, url, servers, scratch)
            results = measure(settings, servers, files)
    finally:
        if url and settings.engine == "postgresql" and not settings.corpus:
            drop_postgres(url)
        shutil.rmtree(scratch, ignore_errors=True)
    figures, ratios = summarise(results)
    stamp = started.strftime("%Y-%m-%d %H:%M UTC")
    table = markdown(settings, checkouts, figures, ratios, started=stamp, tool=tool)
    print()
    print(table)
    print(f"\n(total {time.perf_counter() - clock:.0f} s)")
    if args.save:
        name = f"ab/{started.strftime('%Y-%m-%d-%H%M')}"
        document = {
            "started": stamp,
            "machine": {"cpus": os.cpu_count(), "load_tool": tool},
            # A corpus given by URL is named by its database's last part: no path or
            # password of this machine goes into the results.
            "settings": {**settings.__dict__, "corpus": _corpus_name(settings.corpus)},
            "base": base.as_dict(),
            "head": head.as_dict(),
            "figures": figures,
            "ratios": ratios,
            "table": table,
        }
        write_results(name, document)
        print(f"results in bench/results/{name}.json")
    failures = sum(f["errors"] + f["timeouts"] for f in figures)
    if failures:
        print(f"{failures} requests failed: the figures are not comparable", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
