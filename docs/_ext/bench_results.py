"""Benchmark tables generated at build time from the benchmark's own results files.

`make bench` writes `bench/results/<date>.json`. The performance page shows its figures with
two directives, so that no number in a table is copied by hand:

    ```{bench-results} loads
    ```

renders one table of the newest full run (smoke runs are left out): `summary` (one sentence:
when, where, how long each load ran), `loads`, `stalls`, `comparisons`, `imports`, `memory` or
`targets`. `:run: 2026-11-25` picks another run by its file name.

    ```{bench-history}
    ```

renders, for every run but the newest, its summary and its targets.

Every table is built from the JSON's structured lists (`loads`, `stalls`, `comparisons`,
`imports`, `memory`) except `targets`: the harness records its verdicts only in the markdown it
stores under `table` (computed by `bench.run.targets` from those same lists), and the rows are
taken from there rather than computed a second time here.

The markdown is parsed by MyST like the rest of the page; the page is rebuilt whenever a
results file changes or one is added.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from docutils import nodes
from docutils.parsers.rst import directives
from docutils.statemachine import StringList
from sphinx.application import Sphinx
from sphinx.util.docutils import SphinxDirective

Row = dict[str, Any]


@dataclass(frozen=True)
class Column:
    """One table column: its header, how a row gives its cell, and whether it is numeric."""

    header: str
    cell: Callable[[Row], str]
    numeric: bool = True
    needs: str = ""  # the column is shown only when the rows have this key
    unless: str = ""  # ... and not when they have this one


def _key(name: str, fmt: str = "{}") -> Callable[[Row], str]:
    def cell(row: Row) -> str:
        return fmt.format(row[name])

    return cell


def _nested(outer: str, inner: str, fmt: str) -> Callable[[Row], str]:
    def cell(row: Row) -> str:
        return fmt.format(row[outer][inner])

    return cell


def _heavy(row: Row) -> str:
    heavy = row["heavy_load"]
    return (
        f"{', '.join(row['heavy_queries'])} ({heavy['requests_per_s']:.0f}, "
        f"{heavy['errors']}, {heavy['timeouts']})"
    )


def _text(header: str, name: str) -> Column:
    return Column(header, _key(name), numeric=False)


ENGINE = _text("engine", "engine")
CLAIMS = Column("claims", _key("claims", "{:,}"))
COUNTS = [
    Column("errors", _key("errors"), needs="errors"),
    Column("timeouts", _key("timeouts"), needs="timeouts"),
    Column("failures", _key("failures"), needs="failures", unless="errors"),
]
LATENCIES = [
    Column("req/s", _key("requests_per_s", "{:.0f}")),
    Column("p50 ms", _key("p50_ms", "{:.1f}")),
    Column("p99 ms", _key("p99_ms", "{:.1f}")),
    Column("max ms", _key("max_ms", "{:.0f}")),
]

TABLES: dict[str, list[Column]] = {
    "loads": [
        ENGINE,
        CLAIMS,
        _text("query", "query"),
        Column("connections", _key("connections"), needs="connections"),
        *LATENCIES,
        *COUNTS,
    ],
    "stalls": [
        ENGINE,
        CLAIMS,
        _text("request", "request"),
        Column("idle p50 ms", _nested("idle", "p50_ms", "{:.1f}")),
        Column("idle p95 ms", _nested("idle", "p95_ms", "{:.1f}")),
        Column("loaded p50 ms", _nested("loaded", "p50_ms", "{:.1f}")),
        Column("loaded p95 ms", _nested("loaded", "p95_ms", "{:.1f}")),
        Column("loaded max ms", _nested("loaded", "max_ms", "{:.0f}")),
        Column("errors", _key("errors")),
        Column("heavy queries (req/s, errors, timeouts)", _heavy, numeric=False),
    ],
    "comparisons": [
        ENGINE,
        CLAIMS,
        Column("query", _key("query"), numeric=False, needs="query"),
        _text("contender", "contender"),
        *LATENCIES,
        *COUNTS,
    ],
    "imports": [
        ENGINE,
        CLAIMS,
        Column("import: rows", _key("rows", "{:,}")),
        Column("seconds", _key("seconds", "{:.1f}")),
        Column("rows/s", _key("rows_per_s", "{:,}")),
        Column("claim rows/s (API path)", _key("api_claim_rows_per_s", "{:,}")),
        Column("claim rows/s (raw driver)", _key("raw_claim_rows_per_s", "{:,}")),
    ],
    "memory": [
        ENGINE,
        CLAIMS,
        _text("phase", "phase"),
        Column("peak RSS MB", _key("peak_rss_mb", "{:.0f}")),
    ],
}
KINDS = ("summary", *TABLES, "targets")


def markdown_table(rows: list[Row], columns: Iterable[Column]) -> list[str]:
    """A GitHub-flavoured markdown table of `rows`, numeric columns aligned right."""
    shown = [
        c
        for c in columns
        if (not c.needs or all(c.needs in row for row in rows))
        and not (c.unless and all(c.unless in row for row in rows))
    ]
    lines = [
        "| " + " | ".join(c.header for c in shown) + " |",
        "| " + " | ".join("---:" if c.numeric else "---" for c in shown) + " |",
    ]
    lines += ["| " + " | ".join(c.cell(row) for c in shown) + " |" for row in rows]
    return lines


def target_rows(run: Row) -> list[str]:
    """The harness's verdicts, as it rendered them under `table` (header row included)."""
    lines = str(run.get("table", "")).splitlines()
    starts = [i for i, line in enumerate(lines) if line.startswith("| target |")]
    if not starts:
        return []
    found: list[str] = []
    for line in lines[starts[-1] :]:
        if not line.startswith("|"):
            break
        found.append(line)
    return found


def summary(name: str, run: Row) -> str:
    settings = run["settings"]
    machine = run["machine"]
    loads = run.get("loads", [])
    connections = sorted({row.get("connections", settings["connections"]) for row in loads})
    at = " and at ".join(
        "one client" if n == 1 else f"{n} connections" for n in sorted(connections, reverse=True)
    )
    sizes = " and ".join(f"{size:,}" for size in settings["sizes"])
    return (
        f"Run of {run['started']} (`bench/results/{name}.json`) on {machine['cpus']} cores "
        f"with {machine['load_tool']}: {sizes} claims on {' and '.join(settings['engines'])}, "
        f"{settings['seconds']:g} s per load, every query at {at}."
    )


def load_runs(folder: Path) -> dict[str, Row]:
    """Every full run in `folder` by its file name, oldest first (smoke runs left out)."""
    runs: dict[str, Row] = {}
    for path in sorted(folder.glob("*.json")):
        if path.stem.endswith("-smoke"):
            continue
        run = json.loads(path.read_text(encoding="utf-8"))
        if not run.get("settings", {}).get("smoke"):
            runs[path.stem] = run
    return dict(sorted(runs.items(), key=lambda item: (str(item[1]["started"]), item[0])))


def render(kind: str, name: str, run: Row) -> list[str]:
    if kind == "summary":
        return [summary(name, run)]
    if kind == "targets":
        return target_rows(run)
    return markdown_table(run.get(kind, []), TABLES[kind])


class _BenchDirective(SphinxDirective):
    def runs(self) -> dict[str, Row]:
        folder = Path(self.config.bench_results_dir)
        if not folder.is_absolute():
            folder = Path(self.env.srcdir) / folder
        # Rebuild the page when a results file changes, or one is added or removed.
        self.env.note_dependency(str(folder))
        for path in folder.glob("*.json"):
            self.env.note_dependency(str(path))
        runs = load_runs(folder)
        if not runs:
            raise self.error(f"no benchmark results in {self.config.bench_results_dir}")
        return runs

    def parse(self, lines: list[str]) -> list[nodes.Node]:
        container = nodes.container()
        self.state.nested_parse(StringList(lines, source=self.get_source_info()[0]), 0, container)
        return list(container.children)


class BenchResults(_BenchDirective):
    """```{bench-results} loads``` — one table of the newest full run (or of `:run:`)."""

    required_arguments = 1
    option_spec: ClassVar[dict[str, Callable[[str], Any]]] = {"run": directives.unchanged_required}

    def run(self) -> list[nodes.Node]:
        kind = self.arguments[0]
        if kind not in KINDS:
            raise self.error(f"bench-results: {kind!r} is none of {', '.join(KINDS)}")
        runs = self.runs()
        name = self.options.get("run", next(reversed(runs)))
        if name not in runs:
            raise self.error(f"bench-results: no run {name!r} (runs: {', '.join(runs)})")
        lines = render(kind, name, runs[name])
        if not lines:
            lines = [f"The run of {runs[name]['started']} recorded no {kind}."]
        return self.parse(lines)


class BenchHistory(_BenchDirective):
    """```{bench-history}``` — every run but the newest: its summary and its targets."""

    def run(self) -> list[nodes.Node]:
        runs = self.runs()
        lines: list[str] = []
        for name, run in reversed(list(runs.items())[:-1]):
            lines += [summary(name, run), ""]
            lines += target_rows(run) or ["It recorded no targets."]
            lines.append("")
        return self.parse(lines or ["There is no earlier run."])


class EvalDraft(SphinxDirective):
    """```{eval-draft} tuned``` — the table `make eval-draft` recorded last for one set of
    gold articles (`tuned` or `held_out`), from `bench/results/eval-draft/<date>.json`."""

    required_arguments = 1

    def run(self) -> list[nodes.Node]:
        folder = Path(self.config.bench_results_dir) / "eval-draft"
        if not folder.is_absolute():
            folder = Path(self.env.srcdir) / folder
        self.env.note_dependency(str(folder))
        paths = sorted(folder.glob("*.json"))
        for path in paths:
            self.env.note_dependency(str(path))
        if not paths:
            raise self.error(f"eval-draft: no results in {folder.name}")
        recorded = json.loads(paths[-1].read_text(encoding="utf-8"))
        which = self.arguments[0]
        sets = recorded.get("sets", {})
        if which not in sets:
            raise self.error(f"eval-draft: {which!r} is none of {', '.join(sets)}")
        lines = [
            f"Recorded on {recorded['date']} (`{paths[-1].name}`):",
            "",
            *sets[which]["table"].splitlines(),
        ]
        container = nodes.container()
        self.state.nested_parse(StringList(lines, source=self.get_source_info()[0]), 0, container)
        return list(container.children)


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_config_value("bench_results_dir", "../bench/results", "env", types=frozenset({str}))
    app.add_directive("bench-results", BenchResults)
    app.add_directive("bench-history", BenchHistory)
    app.add_directive("eval-draft", EvalDraft)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
