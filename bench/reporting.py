"""What a benchmark run reports: its settings, the figures of every suite, the targets of the
serving-core issue met or missed, the markdown table, and the results files."""

import datetime as dt
import json
import statistics
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.load import LoadResult
from bench.mix import QUERIES

RESULTS = Path(__file__).resolve().parent / "results"


def say(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


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

    def recorded(self) -> dict[str, Any]:
        """As the results file keeps them (no server address, no scratch folder)."""
        return {k: v for k, v in self.__dict__.items() if k not in {"postgres_url", "work"}}


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


def now_utc() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")


def summary(samples: list[float]) -> dict[str, float]:
    """Count, p50, p95 and the slowest of latencies in ms."""
    ordered = sorted(samples) or [float("nan")]

    def at(share: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(len(ordered) * share))], 2)

    return {
        "count": len(samples),
        "p50_ms": at(0.5),
        "p95_ms": at(0.95),
        "max_ms": round(ordered[-1], 2),
    }


def rounds_summary(runs: list[LoadResult]) -> dict[str, Any]:
    """Loads of the same thing in several rounds: medians of the rate and latencies, the
    slowest request, errors and timeouts summed, and every round."""
    return {
        "requests_per_s": round(statistics.median(r.requests_per_s for r in runs), 1),
        "p50_ms": round(statistics.median(r.p50_ms for r in runs), 2),
        "p99_ms": round(statistics.median(r.p99_ms for r in runs), 2),
        "max_ms": round(max(r.max_ms for r in runs), 1),
        "errors": sum(r.errors for r in runs),
        "timeouts": sum(r.timeouts for r in runs),
        "rounds": [r.as_dict() for r in runs],
    }


def find(rows: list[dict[str, Any]], **match: Any) -> dict[str, Any] | None:
    return next((x for x in rows if all(x.get(k) == v for k, v in match.items())), None)


def targets(report: Report, settings: Settings) -> list[tuple[str, str, str]]:
    """(target, figure, met?) for every target of the speed issue (hot paths, search at
    scale, import), plus figures kept for information."""
    rows: list[tuple[str, str, str]] = []
    largest = max(settings.sizes)
    smallest = min(settings.sizes)

    def comparison(
        engine: str, prefix: str, query: str = "claims_by_claimant"
    ) -> dict[str, Any] | None:
        for entry in report.comparisons:
            if (
                entry["engine"] == engine
                and entry.get("query", "claims_by_claimant") == query
                and entry["contender"].startswith(prefix)
            ):
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
        page = comparison(engine, "conflict-reports API (1 worker)", "page_of_500")
        raw_page = comparison(engine, "raw-driver", "page_of_500")
        if page and raw_page and raw_page["requests_per_s"]:
            ratio = page["requests_per_s"] / raw_page["requests_per_s"]
            rows.append(
                (
                    f"{engine}: a page of 500, 1 worker, {settings.connections} connections "
                    "≥ 60% of the raw-driver ceiling",
                    f"{page['requests_per_s']:.0f} vs {raw_page['requests_per_s']:.0f} req/s = "
                    f"{ratio:.0%}",
                    met(ratio >= 0.6),
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
            stall = find(report.stalls, engine=engine, request=kind)
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
                    "no request over 1 s, zero errors (a 503 is one) and zero timeouts",
                    f"slowest {worst['max_ms']:.0f} ms ({worst['query']}); {timeouts} timeouts, "
                    f"{errors} errors"
                    + (
                        f" ({', '.join(x['query'] for x in loaded if x['errors'])})"
                        if errors
                        else ""
                    ),
                    met(worst["max_ms"] <= 1000 and timeouts == 0 and errors == 0),
                )
            )
        growth = []
        for query in QUERIES:
            small = find(loads, query=query, claims=smallest, connections=1)
            large = find(loads, query=query, claims=largest, connections=1)
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
        imported = find(report.imports, engine=engine, claims=largest)
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
                    target = shape == "array shape"
                    rows.append(
                        (
                            f"sqlite: ≥ 3x Datasette's {shape}"
                            if target
                            else f"sqlite: vs Datasette {shape} (information)",
                            f"{api['requests_per_s']:.0f} vs {datasette['requests_per_s']:.0f} req/s = {ratio:.1f}x",
                            met(ratio >= 3) if target else "-",
                        )
                    )
        deep = find(loads, query="deep_page", claims=largest, connections=1)
        first = find(loads, query="first_page", claims=largest, connections=1)
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
        f"Claims by claimant (50 per page, exact totals) and a page of 500, {settings.connections} "
        f"connections, side by side (medians of {settings.rounds} alternating rounds):",
        "",
        "| engine | claims | query | contender | req/s | p50 ms | p99 ms | max ms | errors | timeouts |",
        "| --- | ---: | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for x in report.comparisons:
        lines.append(
            f"| {x['engine']} | {x['claims']:,} | {x.get('query', 'claims_by_claimant')} | "
            f"{x['contender']} | {x['requests_per_s']:.0f} | "
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


def write_results(name: str, document: dict[str, Any], table: str | None = None) -> Path:
    """bench/results/<name>.json (and .md with the table); returns the JSON file."""
    target = RESULTS / f"{name}.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(document, indent=2, default=str) + "\n", encoding="utf-8")
    if table is not None:
        target.with_suffix(".md").write_text(table + "\n", encoding="utf-8")
    return target
