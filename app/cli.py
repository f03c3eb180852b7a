"""`conflict-reports`: migrate, seed, serve, export."""

import datetime as dt
import json
import os
import shutil
import signal
import sys
import tempfile
import time
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from app.catalog import BY_NAME, CHANGES, NAMES
from app.core.config import get_settings
from app.core.db.engine import get_engine
from app.core.http.auth import Scope
from app.core.render.export import ExportFormat
from app.drafting.draft import (
    DraftRefused,
    Known,
    known,
    make_draft,
    read_article,
    read_names,
    to_yaml,
)
from app.importer import ImportFailed, import_paths, prepare
from app.importer.bundle import bundle_json_schema
from app.importer.load import entity_count
from app.importer.lock import DEFAULT_LOCK_WAIT, ImportLocked
from app.keys.service import (
    MAX_EXPIRY_DAYS,
    KeyCommandRefused,
    KeyInfo,
    create_key,
    list_keys,
    revoke_key,
)
from app.migrate import upgrade_to_head

cli = typer.Typer(help="conflict-reports: structured, attributed conflict reports over HTTP.")
# Emoji codes off: text from bundles and the database (":100:" of a file:line) prints as is.
console = Console(emoji=False)
errors = Console(stderr=True, emoji=False)


def counted(number: int, noun: str) -> str:
    """'1 problem', '2 problems': counts in proper English."""
    return f"{number:,} {noun}{'' if number == 1 else 's'}"


# Above this many entities a run shows a progress bar.
PROGRESS_THRESHOLD = 5_000

# uvicorn's limits. The app answers URLs up to MAX_URL_BYTES (app.core.http.guard) itself, with a
# problem document; the server's own limit on the request line and headers lies above it.
UVICORN_LIMITS = {
    "server_header": False,  # do not announce the server's make and version
    "timeout_keep_alive": 5,  # seconds an idle connection is kept
    "h11_max_incomplete_event_size": 64 * 1024,  # request line and headers, in bytes
    # Connections per worker beyond which uvicorn answers 503 before the app sees them;
    # far above MAX_QUEUED_REQUESTS, where the app answers a 503 problem itself.
    "limit_concurrency": 1024,
    # uvicorn's httptools protocol with a deadline for the request line and headers.
    "http": "app.serving.server:HeaderDeadlineProtocol",
}


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
        total = sum(entity_count(item.bundle) for item in prepare(targets, engine))
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
            "[red]import failed, nothing was written "
            f"({counted(len(failure.issues), 'problem')}):[/red]"
        )
        for issue in failure.issues:
            # User text, printed as it is: no markup, no emoji codes (":100:" stays).
            errors.print(f"  {issue}", markup=False, highlight=False, soft_wrap=True, emoji=False)
        raise typer.Exit(code=1) from None
    except ImportLocked as exc:
        raise _locked(exc) from None
    table = Table(title=f"imported {counted(len(summary.files), 'bundle')}")
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
    """Serve the API with uvicorn (Swagger UI at /docs). On SIGTERM (or Ctrl-C) it stops
    taking connections, lets the requests in flight finish (at most SHUTDOWN_TIMEOUT_S) and
    exits 0."""
    import uvicorn

    from app.core.logs import logging_config

    settings = get_settings()
    count = 1 if reload else (workers or settings.worker_count())
    # uvicorn shuts down gracefully on SIGTERM, then raises the signal again for the handler it
    # found: this one makes that a clean exit (0), as for a service asked to stop.
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    metrics_dir = _metrics_dir(several_processes=count > 1 or reload)
    console.print(f"serving on http://{host}:{port} with {counted(count, 'worker')}")
    try:
        uvicorn.run(
            "app.main:create_app",
            factory=True,
            host=host,
            port=port,
            workers=count,
            reload=reload,
            # The request middleware writes the access log (JSON, with the request id).
            access_log=False,
            log_config=logging_config(settings.log_level, access_log=access_log),
            timeout_graceful_shutdown=settings.shutdown_timeout_s,
            # uvicorn replaces a worker that does not answer its supervisor's ping within
            # this long; its default (5 s) kills workers still starting on a busy machine.
            timeout_worker_healthcheck=WORKER_HEALTHCHECK_S,
            **UVICORN_LIMITS,  # type: ignore[arg-type]
        )
    finally:
        if metrics_dir is not None:
            shutil.rmtree(metrics_dir, ignore_errors=True)


WORKER_HEALTHCHECK_S = 30


def _exit_on_sigterm(_signum: int, _frame: object) -> None:
    raise SystemExit(0)


def _metrics_dir(*, several_processes: bool) -> Path | None:
    """Set up prometheus_client's multiprocess mode: the directory the workers write their
    samples to, emptied (a previous run's samples would be summed in). Returns the directory
    to remove at exit when it was made here."""
    from app.core.metrics import MULTIPROC_DIR_VARIABLE

    given = os.environ.get(MULTIPROC_DIR_VARIABLE)
    if given:
        for stale in Path(given).glob("*.db"):
            stale.unlink()
        return None
    if not several_processes:
        return None
    made = Path(tempfile.mkdtemp(prefix="conflict-reports-metrics-"))
    os.environ[MULTIPROC_DIR_VARIABLE] = str(made)
    return made


ExportCollection = StrEnum("ExportCollection", NAMES)  # type: ignore[misc]
ExportCollection.__doc__ = "The collections `export` takes."


class OptionError(ValueError):
    """Export options that cannot be read (exit code 2)."""


def export_option_pairs(args: list[str]) -> list[tuple[str, str]]:
    """`--name value` and `--name=value` as (name, value), `-` in names read as `_`; a name
    may repeat (a filter that takes several values)."""
    pairs: list[tuple[str, str]] = []
    position = 0
    while position < len(args):
        argument = args[position]
        if not argument.startswith("--") or argument == "--":
            raise OptionError(
                f"unexpected argument {argument!r}: give filters as --name value "
                "(--claimant-id taliban)"
            )
        name, equals, value = argument[2:].partition("=")
        if not equals:
            if position + 1 >= len(args) or args[position + 1].startswith("--"):
                raise OptionError(f"--{name} needs a value (--{name} VALUE)")
            position += 1
            value = args[position]
        pairs.append((name.replace("-", "_"), value))
        position += 1
    return pairs


def _option(name: str) -> str:
    return "--" + name.replace("_", "-")


def export_params_from_options(source: Any, output_format: ExportFormat, args: list[str]) -> Any:
    """The export's parameters from the command's options, read by the same model (and the
    same strict checks) as the HTTP export's query; OptionError says what is wrong."""
    from pydantic import ValidationError

    from app.core.http.errors import BadParameter
    from app.core.http.guard import check_query, model_query_fields

    model = source.export_params
    accepted = ", ".join(_option(name) for name in sorted(model.model_fields) if name != "format")
    try:
        values = check_query(model_query_fields(model), export_option_pairs(args))
        values.pop("format", None)
        return model.model_validate({**values, "format": output_format})
    except BadParameter as exc:
        raise OptionError(
            "; ".join(f"{_option(e['name'])}: {e['detail']}" for e in exc.extra["errors"])
        ) from None
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            name = _option(str(error["loc"][0])) if error["loc"] else "options"
            if error["type"] == "extra_forbidden":
                problems.append(f"{name}: unknown option for {source.name}; accepted: {accepted}")
            else:
                problems.append(f"{name}: {error['msg'].removeprefix('Value error, ')}")
        raise OptionError("; ".join(problems)) from None


@cli.command(
    context_settings={"allow_extra_args": True, "ignore_unknown_options": True},
    epilog="Filters: the collection's list filters as options, repeated for several values, "
    "with --sort and --q: e.g. `export claims --claimant-id taliban --kind territorial_control "
    "--sort -stated_on`. They are the query parameters of GET /v1/COLLECTION/export (see "
    "/docs), with - or _ in their names.",
)
def export(
    ctx: typer.Context,
    collection: Annotated[ExportCollection, typer.Argument(help="The collection to export.")],
    output_format: Annotated[
        ExportFormat,
        typer.Option(
            "--format",
            help="ndjson: one JSON item per line; csv: a header row, then a row per item.",
        ),
    ] = ExportFormat.ndjson,
) -> None:
    """Write every matching item of a collection to stdout, exactly as
    GET /v1/COLLECTION/export answers it (the same code): `> claims.ndjson`. Bad options exit
    with code 2, a database failure with 1 (part of the output may have been written)."""
    import asyncio

    source = BY_NAME[collection.value]
    try:
        params = export_params_from_options(source, output_format, list(ctx.args))
    except OptionError as exc:
        errors.print(f"[red]export: bad options:[/red] {exc}", markup=True, soft_wrap=True)
        raise typer.Exit(code=2) from None
    raise typer.Exit(code=asyncio.run(_export_to_stdout(source, params)))


async def _export_to_stdout(source: Any, params: Any) -> int:
    from sqlalchemy.exc import SQLAlchemyError

    from app.core.db.engine import open_database
    from app.core.http.errors import AppError, BadParameter
    from app.core.render.export import export_stream

    out = sys.stdout.buffer
    database = open_database(get_engine(), changes=CHANGES)
    started = False
    try:
        _renderer, stream = await export_stream(database, source, params)
        started = True
        async for data in stream:
            out.write(data)
        out.flush()
    except BadParameter as exc:
        problems = "; ".join(f"{_option(e['name'])}: {e['detail']}" for e in exc.extra["errors"])
        errors.print(f"export: bad options: {problems}", markup=False, soft_wrap=True)
        return 2
    except AppError as exc:
        cut = " (the output is incomplete)" if started else ""
        errors.print(f"export failed{cut}: {exc.detail}", markup=False, soft_wrap=True)
        return 1
    except SQLAlchemyError as exc:
        cut = " (the output is incomplete)" if started else ""
        first_line = str(exc).splitlines()[0]
        errors.print(f"export failed{cut}: {first_line}", markup=False, soft_wrap=True)
        return 1
    finally:
        await database.close()
    return 0


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


@cli.command()
def draft(
    article: Annotated[Path, typer.Argument(help="The article's text (UTF-8).")],
    published: Annotated[
        str, typer.Option(help="The publication day, YYYY-MM-DD: relative dates resolve to it.")
    ],
    outlet: Annotated[str | None, typer.Option(help="The outlet that published it.")] = None,
    title: Annotated[str | None, typer.Option(help="Its title (default: its first line).")] = None,
) -> None:
    """Print a draft bundle of an article (YAML): who said what, with exact spans, for a
    person to check, correct and load. Nothing is written to the database."""
    try:
        text, day = read_article(article.read_bytes(), published)
        read_names(outlet, title)
    except OSError as exc:
        errors.print(f"{article}: {exc.strerror or exc}", markup=False, highlight=False)
        raise typer.Exit(2) from None
    except DraftRefused as exc:
        name = "article" if exc.field == "text" else f"--{exc.field}"
        errors.print(f"{name}: {exc.detail}", markup=False, highlight=False)
        raise typer.Exit(2) from None
    try:
        with Session(get_engine()) as session:
            found = known(session)
    except SQLAlchemyError:
        errors.print("no database to match speakers against: every speaker is proposed new")
        found = Known([], [])
    made = make_draft(
        text,
        published=day,
        actors=found.actors,
        places=found.places,
        outlet=outlet,
        title=title,
    )
    typer.echo(to_yaml(made), nl=False)


keys = typer.Typer(help="API keys: create, list and revoke them.", no_args_is_help=True)
cli.add_typer(keys, name="keys")


def _moment(value: dt.datetime | None) -> str:
    return "-" if value is None else value.strftime("%Y-%m-%d %H:%M UTC")


@keys.command("create")
def keys_create(
    name: Annotated[str, typer.Option(help="Who or what the key is for (unique).")],
    scope: Annotated[
        Scope, typer.Option(help="read; write (and read); admin (everything).")
    ] = Scope.read,
    expires: Annotated[
        int | None,
        typer.Option(
            min=1, max=MAX_EXPIRY_DAYS, help="Days until the key expires (default: never)."
        ),
    ] = None,
    own_reports_only: Annotated[
        bool,
        typer.Option(
            "--own-reports-only",
            help="A write key that may replace and delete only the reports it created.",
        ),
    ] = False,
) -> None:
    """Make a key and print it, once: only its hash is kept, so it cannot be shown again."""
    try:
        info, key = create_key(
            get_engine(),
            name=name,
            scope=scope,
            expires_days=expires,
            own_reports_only=own_reports_only,
        )
    except KeyCommandRefused as refused:
        errors.print(f"key not created: {refused}", markup=False, highlight=False)
        raise typer.Exit(code=1) from None
    typer.echo(key)
    until = "never expires" if info.expires_at is None else f"expires {_moment(info.expires_at)}"
    errors.print(
        f"key '{info.name}' (scope {info.scope}, {until}): store it now, it is not shown again",
        markup=False,
        highlight=False,
    )


@keys.command("list")
def keys_list() -> None:
    """Every key, one a line, tab-separated under a header: name, scope, the key's first
    characters, state, when made, last used and expiring (never the key)."""
    found = list_keys(get_engine())
    now = dt.datetime.now(dt.UTC)
    typer.echo("\t".join(("name", "scope", "key", "state", "created", "last used", "expires")))
    for info in found:
        typer.echo("\t".join(_key_row(info, now)))


def _key_row(info: KeyInfo, now: dt.datetime) -> list[str]:
    return [
        info.name,
        f"{info.scope} (own reports)" if info.own_reports_only else info.scope,
        f"{info.hint}…",
        info.state(now),
        _moment(info.created_at),
        _moment(info.last_used_at),
        _moment(info.expires_at),
    ]


@keys.command("revoke")
def keys_revoke(name: Annotated[str, typer.Argument(help="The key's name.")]) -> None:
    """Revoke a key: from the next request on, it is refused (401) by every worker."""
    try:
        info = revoke_key(get_engine(), name=name)
    except KeyCommandRefused as refused:
        errors.print(f"nothing revoked: {refused}", markup=False, highlight=False)
        raise typer.Exit(code=1) from None
    console.print(f"revoked '{info.name}' ({info.hint}…)", markup=False, highlight=False)


def render_bundle_schema() -> str:
    return json.dumps(bundle_json_schema(), indent=2, ensure_ascii=False) + "\n"


def main() -> None:
    cli()
