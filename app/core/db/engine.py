"""Engines, and where the queries of a request run. The driver choice lives here and nowhere
else.

Serving never calls the database on the event loop, and every request's queries run under a
time budget the database itself enforces (Datasette's `sql_time_limit_ms`, PostgreSQL's
`statement_timeout`):

- SQLite: a few reader threads, each with its own connection (WAL lets readers run side by
  side, and sqlite3 releases the GIL while SQLite works); a timer on the event loop interrupts
  the query once its request passes the budget. Writers (the importer) are serialised by SQLite's
  own lock and never block the readers.
- PostgreSQL: asyncpg through SQLAlchemy's asyncio extension, with a pool; each statement
  is cancelled by the server at the budget (`statement_timeout`), and none starts once its
  request has spent the budget. Services stay plain functions of a `Session`: they run in
  `run_sync`, whose greenlet hands each query to the event loop instead of blocking it.

When PostgreSQL cannot be reached (stopped, restarting, out of reach), a request is answered
503 (`limit: database_unreachable`) within the connect timeout instead of hanging, and once the
server is back the pool replaces its dead connections: the first statement on one fails, which
marks every connection of the pool made before it as dead, and the request runs once more on a
new connection (no ping before each checkout, which would cost a round trip on every request):
the same process serves again with no restart.

In front of both, an admission queue: at most `pool size` requests query at once, a bounded
number wait, and the rest are answered 503 at once instead of piling up. Lookups (health, an
item by id) have capacity of their own, so heavy list queries cannot starve them.
"""

import asyncio
import contextvars
import math
import sqlite3
import threading
import time
import uuid
from abc import ABC, abstractmethod
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any, Concatenate, ParamSpec, TypeVar

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import NullPool

from app.core import metrics
from app.core.config import Settings, get_settings, normalise_database_url
from app.core.db.replicas import Replica, Rotation
from app.core.http.errors import DatabaseBusy, DatabaseUnreachable, Overloaded, QueryTimeout
from app.core.query.sync import DataChanges

P = ParamSpec("P")
T = TypeVar("T")

MATH_FUNCTIONS: dict[str, Any] = {
    "radians": math.radians,
    "sin": math.sin,
    "cos": math.cos,
    "asin": math.asin,
    "sqrt": math.sqrt,
}

# Once a SQLite request's budget is spent, its statements are interrupted again this often
# (seconds) until its work returns: a statement started after an interruption is stopped too.
INTERRUPT_REPEAT_S = 0.01
# PostgreSQL's SQLSTATE for a statement cancelled by statement_timeout.
QUERY_CANCELED = "57014"
# SQLSTATE classes and codes meaning the server is gone or going: connection exceptions,
# and shutdown, crash or "starting up" (a restart).
UNREACHABLE_CLASSES = ("08",)
UNREACHABLE_STATES = {"57P01", "57P02", "57P03"}
# Seconds a new PostgreSQL connection may take before the request is answered 503 (the URL's
# connect_timeout overrides it): well inside the 2 s an outage must be reported in.
CONNECT_TIMEOUT = 1.0
# Capacity kept for lookups (health, an item by its id), which heavy queries cannot take.
LOOKUP_SLOTS = 2
# How long a SQLite connection waits for another one's lock before "database is locked".
SQLITE_BUSY_TIMEOUT_MS = 5000


def _prepare_sqlite_connection(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    try:
        cursor.execute("SELECT radians(1), sin(1), cos(1), asin(1), sqrt(1)")
    except sqlite3.OperationalError:
        # SQLite built without its math functions: distance queries need these five.
        for name, function in MATH_FUNCTIONS.items():
            dbapi_connection.create_function(name, 1, _null_safe(function), deterministic=True)
    cursor.close()


def _null_safe(function: Any) -> Any:
    def call(value: float | None) -> float | None:
        return None if value is None else float(function(value))

    return call


def build_engine(url: str, *, echo: bool = False, **options: Any) -> Engine:
    """A synchronous engine for `url` (migrations, imports, the CLI), with SQLite made to
    enforce foreign keys like PostgreSQL does."""
    url = normalise_database_url(url)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, echo=echo, connect_args={"check_same_thread": False}, **options)
        event.listen(engine, "connect", _prepare_sqlite_connection)
        return engine
    return create_engine(url, echo=echo, pool_size=5, max_overflow=10, pool_pre_ping=True)


@lru_cache
def get_engine() -> Engine:
    settings = get_settings()
    return build_engine(settings.database_url, echo=settings.sql_echo)


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False, autoflush=False)


class Admission:
    """At most `slots` requests at the database; at most `max_waiting` queued behind them,
    each for at most `wait_limit` seconds. Everything beyond is refused at once (503)."""

    def __init__(
        self, *, slots: int, max_waiting: int, wait_limit: float, lane: str = "query"
    ) -> None:
        self.slots = slots
        self.max_waiting = max_waiting
        self.wait_limit = wait_limit
        self.running = 0
        self.waiting = 0
        self._semaphore: asyncio.Semaphore | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        # Prometheus: this lane's requests at the database and in its queue.
        self._running_gauge = metrics.DB_IN_USE.labels(lane)
        self._waiting_gauge = metrics.DB_WAITING.labels(lane)
        metrics.DB_SLOTS.labels(lane).set(slots)

    def _semaphore_for(self, loop: asyncio.AbstractEventLoop) -> asyncio.Semaphore:
        if self._semaphore is None or self._loop is not loop:
            self._semaphore = asyncio.Semaphore(self.slots)
            self._loop = loop
            self.running = self.waiting = 0
        return self._semaphore

    @asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        semaphore = self._semaphore_for(asyncio.get_running_loop())
        if semaphore.locked():
            if self.waiting >= self.max_waiting:
                raise Overloaded(running=self.running, waiting=self.waiting)
            self.waiting += 1
            self._waiting_gauge.inc()
            try:
                await asyncio.wait_for(semaphore.acquire(), self.wait_limit)
            except TimeoutError:
                raise Overloaded(running=self.running, waiting=self.waiting) from None
            finally:
                self.waiting -= 1
                self._waiting_gauge.dec()
        else:
            await semaphore.acquire()
        self.running += 1
        self._running_gauge.inc()
        try:
            yield
        finally:
            self.running -= 1
            self._running_gauge.dec()
            semaphore.release()


class Database(ABC):
    """Runs a request's queries off the event loop, under the time budget."""

    dialect: str
    engine: Engine
    # Where the data's changes are written down (the catalog's): for `Last-Modified` and the
    # exports' validators.
    changes: DataChanges

    def __init__(self, engine: Engine, settings: Settings) -> None:
        self.engine = engine
        self.dialect = engine.dialect.name
        self.budget_ms = settings.query_time_limit_ms
        self.pool_size = settings.pool_size(self.dialect)
        self.admission = Admission(
            slots=self.pool_size,
            max_waiting=settings.max_queued_requests,
            wait_limit=self.budget_ms / 1000,
        )
        self.lookups = Admission(
            slots=LOOKUP_SLOTS,
            max_waiting=settings.max_queued_requests,
            wait_limit=self.budget_ms / 1000,
            lane="lookup",
        )

    async def run(
        self, work: Callable[Concatenate[Session, P], T], *args: P.args, **kwargs: P.kwargs
    ) -> T:
        """`work(session, *args, **kwargs)` with a session of its own, off the event loop."""
        async with self.admission.slot():
            return await self._counted("query", work, args, kwargs)

    async def lookup(
        self, work: Callable[Concatenate[Session, P], T], *args: P.args, **kwargs: P.kwargs
    ) -> T:
        """Like `run`, for a few cheap statements by key (an item by its id, the health
        check): on capacity of their own, so they never wait behind heavy list queries."""
        async with self.lookups.slot():
            return await self._counted("lookup", work, args, kwargs)

    async def _counted(self, lane: str, work: Callable[..., T], args: Any, kwargs: Any) -> T:
        try:
            return await self._run(lane, work, args, kwargs)
        except QueryTimeout:
            metrics.QUERY_TIMEOUTS.labels(lane).inc()
            raise

    @abstractmethod
    async def _run(self, lane: str, work: Callable[..., T], args: Any, kwargs: Any) -> T:
        """Run `work` on the engine's own executor for `lane` ("query" or "lookup")."""

    @abstractmethod
    async def close(self) -> None:
        """Release the threads or connections."""


class _Deadline:
    """One SQLite request's budget: the event loop's timer interrupts the reader connection
    that runs the request's work, from the moment the budget is spent until the work returns.

    `sqlite3_interrupt` is the one SQLite call made for another thread. A timer costs nothing
    while the query runs; a progress handler would take the GIL every few thousand steps of
    every query (30% of the throughput of claims by claimant at 64 connections). An
    interruption reaches only the statements running at that moment (SQLite forgets it once
    none is), so the connection is released under the lock and is never interrupted after
    its request."""

    __slots__ = ("connection", "expired", "finished", "lock")

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.connection: sqlite3.Connection | None = None
        self.expired = False
        self.finished = False

    def hold(self, connection: sqlite3.Connection) -> None:
        """The reader thread starts the work on `connection` (refused once expired)."""
        with self.lock:
            if self.expired:
                raise _Expired()
            self.connection = connection

    def release(self) -> None:
        with self.lock:
            self.connection = None
            self.finished = True

    def expire(self, loop: asyncio.AbstractEventLoop) -> None:
        """On the event loop, at the budget and every INTERRUPT_REPEAT_S after it."""
        with self.lock:
            if self.finished:
                return
            self.expired = True
            if self.connection is not None:
                self.connection.interrupt()
        loop.call_later(INTERRUPT_REPEAT_S, self.expire, loop)


class _Expired(Exception):
    """The budget was spent before a reader thread took the work up."""


class SQLiteDatabase(Database):
    def __init__(self, engine: Engine, settings: Settings) -> None:
        super().__init__(engine, settings)
        # The readers' connections come from an engine of their own: they keep a progress
        # handler for their whole life and must never be handed to other code by a pool
        # (and no pool may limit how many threads hold one).
        self._readers = build_engine(
            engine.url.render_as_string(hide_password=False), poolclass=NullPool
        )
        self._executors = {
            "query": ThreadPoolExecutor(self.pool_size, thread_name_prefix="sqlite-reader"),
            "lookup": ThreadPoolExecutor(LOOKUP_SLOTS, thread_name_prefix="sqlite-lookup"),
        }
        self._local = threading.local()

    def _connection(self) -> Connection:
        """This reader thread's own connection."""
        connection: Connection | None = getattr(self._local, "connection", None)
        if connection is None:
            connection = self._local.connection = self._readers.connect()
        return connection

    def _call(self, deadline: _Deadline, work: Callable[..., T], args: Any, kwargs: Any) -> T:
        connection = self._connection()
        try:
            deadline.hold(connection.connection.driver_connection)  # type: ignore[arg-type]
            with Session(bind=connection) as session:
                return work(session, *args, **kwargs)
        except _Expired:
            raise QueryTimeout(self.budget_ms) from None
        except DBAPIError as exc:
            if isinstance(exc.orig, sqlite3.OperationalError):
                if "interrupted" in str(exc.orig):
                    raise QueryTimeout(self.budget_ms) from None
                if "locked" in str(exc.orig) or "busy" in str(exc.orig):
                    raise DatabaseBusy() from None
            raise
        finally:
            deadline.release()
            self._end_transaction(connection)

    def _end_transaction(self, connection: Connection) -> None:
        if not connection.in_transaction():
            return
        try:
            connection.rollback()
        except DBAPIError:
            # A statement left running when the budget interrupted it can make the rollback
            # fail too: the connection is dropped and the thread's next request opens another.
            connection.invalidate()
            connection.close()
            self._local.connection = None

    async def _run(self, lane: str, work: Callable[..., T], args: Any, kwargs: Any) -> T:
        loop = asyncio.get_running_loop()
        deadline = _Deadline()
        timer = loop.call_later(self.budget_ms / 1000, deadline.expire, loop)
        # In the request's context, so what the work logs carries the request id.
        context = contextvars.copy_context()
        try:
            return await loop.run_in_executor(
                self._executors[lane], context.run, self._call, deadline, work, args, kwargs
            )
        finally:
            # A request cancelled while its work still runs (the client went away) keeps the
            # timer: the budget stops the work all the same.
            if deadline.finished:
                timer.cancel()

    async def close(self) -> None:
        for executor in self._executors.values():
            executor.shutdown(wait=False)
        self._readers.dispose(close=False)


# libpq URL options (what users paste) as asyncpg's connect() arguments; asyncpg refuses
# unknown keywords, so an option it has no counterpart for is dropped, never passed on.
ASYNCPG_OPTIONS = {
    "sslmode": "ssl",
    "connect_timeout": "timeout",
}


def asyncpg_connection(url: str) -> tuple[str, dict[str, Any]]:
    """The asyncpg URL (no query options) and the connect arguments its options map to."""
    parsed = make_url(url)
    arguments: dict[str, Any] = {}
    server_settings: dict[str, str] = {}
    for name, value in parsed.query.items():
        text = value[-1] if isinstance(value, tuple) else value
        if name in ASYNCPG_OPTIONS:
            converted: Any = float(text) if name == "connect_timeout" else text
            arguments[ASYNCPG_OPTIONS[name]] = converted
        elif name == "application_name":
            server_settings[name] = text
    if server_settings:
        arguments["server_settings"] = server_settings
    bare = parsed.set(drivername="postgresql+asyncpg", query={})
    return bare.render_as_string(hide_password=False), arguments


# SQLSTATE of a statement a replica cancelled because replaying the primary's changes needed
# the rows it read.
RECOVERY_CONFLICT = "40001"


def _statement_name() -> str:
    return f"__asyncpg_{uuid.uuid4().hex}__"


class PostgresDatabase(Database):
    def __init__(self, engine: Engine, settings: Settings) -> None:
        super().__init__(engine, settings)
        self.transaction_pooler = settings.database_transaction_pooler
        self._async_engine: AsyncEngine | None = None
        self._primary_probe: AsyncEngine | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self.rotation = Rotation(
            replicas=[Replica(url) for url in settings.replica_urls()],
            max_lag=settings.database_replica_max_lag_s,
            primary_probe=lambda: self._primary_probe,
        )

    def async_engine(self) -> AsyncEngine:
        """The pool for the running event loop (asyncpg connections belong to one loop), and
        the replicas' pools and probes with it."""
        loop = asyncio.get_running_loop()
        if self._async_engine is None or self._loop is not loop:
            for old in (self._async_engine, self._primary_probe):
                if old is not None:
                    old.sync_engine.dispose(close=False)
            primary = self.engine.url.render_as_string(hide_password=False)
            self._async_engine = self._pool(primary)
            self._primary_probe = self._pool(primary, probe=True)
            for replica in self.rotation.replicas:
                for old in (replica.engine, replica.probe):
                    if old is not None:
                        old.sync_engine.dispose(close=False)
                replica.engine = self._pool(replica.url)
                replica.probe = self._pool(replica.url, probe=True)
            self._loop = loop
        return self._async_engine

    def _pool(self, database_url: str, *, probe: bool = False) -> AsyncEngine:
        url, arguments = asyncpg_connection(database_url)
        arguments.setdefault("timeout", CONNECT_TIMEOUT)
        # A backstop on the client's side for a server that stops answering without
        # closing the connection; the server's own statement_timeout comes first.
        arguments["command_timeout"] = self.budget_ms / 1000 + 1
        arguments["server_settings"] = {
            "application_name": "conflict-reports",
            **arguments.get("server_settings", {}),
        }
        if self.transaction_pooler:
            # A pooler in transaction mode hands each transaction to any server connection:
            # a statement prepared in one may be missing (or another's) in the next, so none
            # is kept, and each gets a name of its own; the budget is set per transaction
            # (`_call`), since PgBouncer refuses it as a startup parameter.
            arguments["statement_cache_size"] = 0
            arguments["prepared_statement_cache_size"] = 0
            arguments["prepared_statement_name_func"] = _statement_name
        else:
            arguments["server_settings"]["statement_timeout"] = str(self.budget_ms)
        if probe:  # the replicas' checks: a connection of their own each time, no pool
            return create_async_engine(url, poolclass=NullPool, connect_args=arguments)
        engine = create_async_engine(
            url,
            pool_size=self.pool_size + LOOKUP_SLOTS,
            max_overflow=0,
            # After the server restarts, pooled connections are dead: `_run_on` runs a
            # request again on a new one (a ping before every checkout would cost a round
            # trip on every request).
            pool_pre_ping=False,
            connect_args=arguments,
        )
        event.listen(engine.sync_engine, "before_cursor_execute", self._within_budget)
        return engine

    def _within_budget(self, connection: Connection, *_: Any) -> None:
        """Each statement is cancelled by the server at the budget; and once a request's
        budget is spent, none of its statements starts."""
        deadline = connection.info.get("deadline")
        if deadline is not None and time.monotonic() > deadline:
            raise QueryTimeout(self.budget_ms)

    def _call(
        self,
        connection: Connection,
        deadline: float,
        work: Callable[..., T],
        args: Any,
        kwargs: Any,
    ) -> T:
        connection.info["deadline"] = deadline
        if self.transaction_pooler:
            connection.exec_driver_sql(f"SET LOCAL statement_timeout = {int(self.budget_ms)}")
        try:
            with Session(bind=connection) as session:
                return work(session, *args, **kwargs)
        finally:
            connection.info.pop("deadline", None)

    async def _run(self, lane: str, work: Callable[..., T], args: Any, kwargs: Any) -> T:
        primary = self.async_engine()
        replica = await self.rotation.choose() if self.rotation.replicas else None
        if replica is not None and replica.engine is not None:
            try:
                return await self._run_on(replica.engine, work, args, kwargs)
            except DatabaseUnreachable:
                replica.take_out("unreachable during a read")
            except DBAPIError as exc:
                if _sqlstate(exc) != RECOVERY_CONFLICT:
                    raise
                replica.take_out("a read was cancelled by replay")
            # Read again from the primary: the client sees no error.
        return await self._run_on(primary, work, args, kwargs)

    async def _run_on(
        self, engine: AsyncEngine, work: Callable[..., T], args: Any, kwargs: Any
    ) -> T:
        deadline = time.monotonic() + self.budget_ms / 1000
        try:
            try:
                return await self._attempt(engine, deadline, work, args, kwargs)
            except DBAPIError as exc:
                if not exc.connection_invalidated:
                    raise
                # A pooled connection the server had closed (it restarted, or dropped idle
                # connections): the pool now discards every connection as old as it, and the
                # request runs once more, within what is left of its budget, on a new one.
                return await self._attempt(engine, deadline, work, args, kwargs)
        except DBAPIError as exc:
            state = _sqlstate(exc)
            if state == QUERY_CANCELED:
                raise QueryTimeout(self.budget_ms) from None
            if exc.connection_invalidated or _unreachable(state):
                raise DatabaseUnreachable() from None
            raise
        except (OSError, TimeoutError):
            # Connecting failed (refused, or no answer within the connect timeout), or the
            # client-side command timeout fired: asyncpg raises these unwrapped.
            raise DatabaseUnreachable() from None

    async def _attempt(
        self,
        engine: AsyncEngine,
        deadline: float,
        work: Callable[..., T],
        args: Any,
        kwargs: Any,
    ) -> T:
        async with engine.connect() as connection:
            return await connection.run_sync(self._call, deadline, work, args, kwargs)

    async def close(self) -> None:
        await self.rotation.close()
        engines = [self._async_engine, self._primary_probe]
        for replica in self.rotation.replicas:
            engines += [replica.engine, replica.probe]
            replica.engine = replica.probe = None
        for engine in engines:
            if engine is not None:
                await engine.dispose()
        self._async_engine = self._primary_probe = None


def _sqlstate(exc: DBAPIError) -> str | None:
    for candidate in (exc.orig, getattr(exc.orig, "__cause__", None)):
        code = getattr(candidate, "sqlstate", None) or getattr(candidate, "pgcode", None)
        if code:
            return str(code)
    return None


def _unreachable(state: str | None) -> bool:
    return state is not None and (state in UNREACHABLE_STATES or state[:2] in UNREACHABLE_CLASSES)


def open_database(
    engine: Engine, settings: Settings | None = None, *, changes: DataChanges
) -> Database:
    settings = settings or get_settings()
    database: Database
    if engine.dialect.name == "sqlite":
        if settings.replica_urls():
            raise ValueError("DATABASE_REPLICA_URLS needs a PostgreSQL DATABASE_URL")
        database = SQLiteDatabase(engine, settings)
    else:
        database = PostgresDatabase(engine, settings)
    database.changes = changes
    return database
