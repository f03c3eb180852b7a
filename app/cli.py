"""`conflict-reports`: migrate, seed, serve."""

import json
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from app.core.config import get_settings
from app.core.db import get_engine
from app.importer import ImportFailed, import_paths, prepare
from app.importer.bundle import bundle_json_schema
from app.importer.load import entity_count
from app.importer.lock import DEFAULT_LOCK_WAIT, ImportLocked
from app.migrate import upgrade_to_head

cli = typer.Typer(help="conflict-reports: structured, attributed conflict reports over HTTP.")
console = Console()
errors = Console(stderr=True)

# Above this many entities a run shows a progress bar.
PROGRESS_THRESHOLD = 5_000

LockWait = Annotated[
    float,
    typer.Option(
        min=0,
        help="Seconds to wait for another import (seed or synth) to finish before giving up.",
    ),
]


def _say_waiting() -> None:
    errors.print("another import is running: waiting for it to finish")


def _locked(exc: ImportLocked) -> typer.Exit:
    errors.print(f"[red]import failed:[/red] {exc}", soft_wrap=True)
    return typer.Exit(code=1)


@cli.command()
def migrate() -> None:
    """Bring the database (DATABASE_URL) to the newest schema, and say what that took."""
    result = upgrade_to_head(get_settings().database_url)
    console.print(f"[green]{result.message}[/green]")


@cli.command()
def seed(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(help="Bundle files or folders (default: everything under seed/)."),
    ] = None,
    lock_wait: LockWait = DEFAULT_LOCK_WAIT,
) -> None:
    """Validate and load report bundles in one transaction: all of them, or nothing (even if
    the process is killed). A second import waits for a running one."""
    targets = paths or [get_settings().seed_path]
    engine = get_engine()
    try:
        total = sum(entity_count(item.bundle) for item in prepare(targets))
        if total > PROGRESS_THRESHOLD:
            with Progress(
                TextColumn("loading"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=console,
            ) as bar:
                task = bar.add_task("load", total=total)
                summary = import_paths(
                    engine,
                    targets,
                    progress=lambda n: bar.advance(task, n),
                    lock_wait=lock_wait,
                    on_wait=_say_waiting,
                )
        else:
            summary = import_paths(engine, targets, lock_wait=lock_wait, on_wait=_say_waiting)
    except ImportFailed as failure:
        errors.print(
            f"[red]import failed, nothing was written ({len(failure.issues)} problems):[/red]"
        )
        for issue in failure.issues:
            errors.print(f"  {issue}", markup=False, highlight=False, soft_wrap=True)
        raise typer.Exit(code=1) from None
    except ImportLocked as exc:
        raise _locked(exc) from None
    table = Table(title=f"imported {len(summary.files)} bundle(s)")
    table.add_column("entity")
    for heading in ("inserted", "updated", "unchanged", "removed", "in the database"):
        table.add_column(heading, justify="right")
    for name, changes in summary.changes.items():
        table.add_row(
            name,
            str(changes.inserted),
            str(changes.updated),
            str(changes.unchanged),
            str(changes.removed),
            str(summary.totals.get(name, 0)),
        )
    console.print(table)


@cli.command()
def synth(
    claims: Annotated[int, typer.Option(min=1, help="How many claims to generate.")],
    seed: Annotated[int, typer.Option(help="Random seed: the same seed, the same corpus.")] = 1,
    lock_wait: LockWait = DEFAULT_LOCK_WAIT,
) -> None:
    """Generate a deterministic synthetic corpus with the real data's shape (for scale tests)."""
    from app.synth import synthesize

    started = time.perf_counter()
    try:
        with Progress(
            TextColumn("synthesizing"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            disable=claims < PROGRESS_THRESHOLD,
        ) as bar:
            task = bar.add_task("claims", total=claims)
            summary = synthesize(
                get_engine(),
                claims=claims,
                seed=seed,
                progress=lambda n: bar.advance(task, n),
                lock_wait=lock_wait,
                on_wait=_say_waiting,
            )
    except ValueError as exc:
        errors.print(f"[red]synth failed, nothing was written:[/red] {exc}")
        raise typer.Exit(code=1) from None
    except ImportLocked as exc:
        raise _locked(exc) from None
    elapsed = time.perf_counter() - started
    rows = sum(summary.rows.values())
    console.print(
        f"synthesized {claims:,} claims: {rows:,} rows in {elapsed:.1f} s "
        f"({rows / elapsed:,.0f} rows/s, indexes and search included)"
    )


@cli.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to bind.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[
        int | None,
        typer.Option(min=1, help="Worker processes (default: WORKERS, else one per core)."),
    ] = None,
    access_log: Annotated[bool, typer.Option(help="Log every request.")] = True,
    reload: Annotated[bool, typer.Option(help="Restart on code changes (one worker).")] = False,
) -> None:
    """Serve the API with uvicorn (Swagger UI at /docs)."""
    import uvicorn

    count = 1 if reload else (workers or get_settings().worker_count())
    console.print(f"serving on http://{host}:{port} with {count} worker(s)")
    uvicorn.run(
        "app.main:create_app",
        factory=True,
        host=host,
        port=port,
        workers=count,
        reload=reload,
        access_log=access_log,
    )


@cli.command()
def schema(
    output: Annotated[Path | None, typer.Option(help="Write here instead of stdout.")] = None,
) -> None:
    """Print the JSON Schema of the seed bundle format (published as seed/schema.json)."""
    text = render_bundle_schema()
    if output is None:
        typer.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")


def render_bundle_schema() -> str:
    return json.dumps(bundle_json_schema(), indent=2, ensure_ascii=False) + "\n"


def main() -> None:
    cli()
