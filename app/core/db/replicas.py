"""Reads spread over PostgreSQL streaming replicas, and which of them may serve a read.

`DATABASE_REPLICA_URLS` names replicas of `DATABASE_URL` (the primary). A `Rotation` checks,
at most once a second and on the way of a read (never in a loop of its own), where the primary's
WAL is and how far each replica has replayed it:

- a replica that answers and has replayed what the primary had written
  `DATABASE_REPLICA_MAX_LAG_S` seconds ago (as far as the checks saw it: one that falls
  behind is out within that time and two checks) is in rotation; reads go to those in turn;
- one that does not answer within `CHECK_TIMEOUT`, has fallen further behind, or is no longer
  in recovery (promoted) is out, until a check finds it fit again; with none in rotation,
  reads go to the primary;
- a read that fails on a replica because it went away (or replay cancelled it) is run again on
  the primary, and the replica is out at once: the client sees no error;
- a writer's next reads (`reading_after(lsn)`, the WAL position its write ended at) go to a
  replica that has replayed that position, else to the primary: it reads its own writes.

Checks run on connections of their own (no pool), so a busy pool can never make a healthy
replica look unreachable.
"""

import asyncio
import contextvars
import logging
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

CHECK_INTERVAL = 1.0
CHECK_TIMEOUT = 0.5
# Where a replica is: in recovery (not promoted), and what it has replayed. (The usual
# "seconds since the last replayed transaction" is not used: after a quiet spell it calls a
# replica that is replaying a moment's WAL minutes behind.)
REPLICA_POSITION = "SELECT pg_is_in_recovery(), pg_last_wal_replay_lsn()::text"

log = logging.getLogger("app.replicas")

_read_after: contextvars.ContextVar[int | None] = contextvars.ContextVar("read_after", default=None)


def lsn_value(text: str) -> int:
    """A WAL position (`16/B374D848`) as a number that orders like it."""
    high, low = text.split("/")
    return int(high, 16) << 32 | int(low, 16)


@contextmanager
def reading_after(lsn: int | None) -> Iterator[None]:
    """Reads in this block see at least the WAL position `lsn` (a writer's own write)."""
    token = _read_after.set(lsn)
    try:
        yield
    finally:
        _read_after.reset(token)


# A position no replica has replayed: reads after it go to the primary.
_PRIMARY_ONLY = 1 << 62


@contextmanager
def reading_from_primary() -> Iterator[None]:
    """Reads in this block go to the primary (what must never lag: an API key revoked or
    made a moment ago)."""
    with reading_after(_PRIMARY_ONLY):
        yield


@dataclass
class Replica:
    url: str
    engine: AsyncEngine | None = None  # the pool reads use, for the running event loop
    probe: AsyncEngine | None = None  # connections of its own for the checks
    replayed: int = -1
    in_rotation: bool = False
    state: str = "not checked yet"

    def take_out(self, state: str) -> None:
        if self.in_rotation or self.state != state:
            log.warning("replica out of rotation: %s", state, extra={"replica": self.url})
        self.in_rotation = False
        self.state = state

    def put_in(self, replayed: int) -> None:
        if not self.in_rotation:
            log.info("replica in rotation", extra={"replica": self.url})
        self.replayed = replayed
        self.in_rotation = True
        self.state = "in rotation"


@dataclass
class Rotation:
    """The replicas, the primary's recent WAL positions, and the choice of a replica."""

    replicas: list[Replica]
    max_lag: float
    primary_probe: Callable[[], AsyncEngine | None]
    positions: deque[tuple[float, int]] = field(default_factory=deque)
    checked_at: float = float("-inf")
    checked_once: bool = False
    checking: "asyncio.Task[None] | None" = None
    turn: int = 0

    async def choose(self) -> Replica | None:
        """The replica the next read goes to, or None for the primary."""
        if not self.replicas:
            return None
        now = time.monotonic()
        if now - self.checked_at >= CHECK_INTERVAL and (
            self.checking is None or self.checking.done()
        ):
            self.checked_at = now
            self.checking = asyncio.ensure_future(self.check())
        if not self.checked_once and self.checking is not None:
            await asyncio.shield(self.checking)  # the first reads already know the replicas
        after = _read_after.get()
        usable = [
            replica
            for replica in self.replicas
            if replica.in_rotation and (after is None or replica.replayed >= after)
        ]
        if not usable:
            return None
        self.turn += 1
        return usable[self.turn % len(usable)]

    async def check(self) -> None:
        try:
            now = time.monotonic()
            position = await self._primary_position()
            if position is not None:
                self.positions.append((now, position))
            # What the primary had written max_lag seconds ago: the newest position the checks
            # saw at least that long ago (none yet: no requirement). A replica that has not
            # replayed it is behind, whether its replay is slow, paused or cut off from the
            # primary.
            while len(self.positions) > 1 and self.positions[1][0] <= now - self.max_lag:
                self.positions.popleft()
            oldest = self.positions[0] if self.positions else None
            required = oldest[1] if oldest and oldest[0] <= now - self.max_lag else None
            found = await asyncio.gather(*(self._replayed(r) for r in self.replicas))
            behind = f"more than {self.max_lag:g} s behind the primary"
            for replica, (replayed, trouble) in zip(self.replicas, found, strict=True):
                if replayed is None:
                    replica.take_out(trouble)
                elif required is not None and replayed < required:
                    replica.take_out(behind)
                else:
                    replica.put_in(replayed)
        finally:
            self.checked_once = True

    async def _primary_position(self) -> int | None:
        probe = self.primary_probe()
        if probe is None:
            return None
        try:
            async with asyncio.timeout(CHECK_TIMEOUT), probe.connect() as connection:
                result = await connection.exec_driver_sql("SELECT pg_current_wal_lsn()::text")
                return lsn_value(str(result.scalar_one()))
        except Exception:
            return None

    async def _replayed(self, replica: Replica) -> tuple[int | None, str]:
        """What the replica has replayed, or None and why it cannot serve."""
        if replica.probe is None:
            return None, "not connected yet"
        try:
            async with asyncio.timeout(CHECK_TIMEOUT), replica.probe.connect() as connection:
                result = await connection.exec_driver_sql(REPLICA_POSITION)
                row: Any = result.one()
        except Exception as exc:  # any failure takes it out of rotation
            return None, f"unreachable ({type(exc).__name__})"
        recovering, replayed = row[0], row[1]
        if not recovering or replayed is None:
            return None, "not a streaming replica (not in recovery)"
        return lsn_value(str(replayed)), ""

    async def close(self) -> None:
        if self.checking is not None and not self.checking.done():
            self.checking.cancel()
        self.checking = None
