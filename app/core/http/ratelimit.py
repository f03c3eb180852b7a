"""Rate limits per client, with the IETF RateLimit headers on every answer
(draft-ietf-httpapi-ratelimit-headers): `RateLimit-Policy: "reads";q=6000;w=60` names the
policy, its quota and window in seconds; `RateLimit: "reads";r=5999;t=60` what remains and in
how many seconds the window frees it.

- Two policies: reads (GET, HEAD, OPTIONS) and writes (every other method), each a rate or
  off (settings `RATE_LIMIT_READS`, `RATE_LIMIT_WRITES`).
- A client is its API key where it sends one this process has seen accepted (hashed: the
  key is never a counter's name), else its address: a key's budget follows it from any
  address, a made-up key buys no budget of its own, and anonymous readers share nothing
  with one another.
- Counted with the `limits` package's sliding window counter, through its async API: in this
  worker's memory by default, in Redis with `REDIS_URL` (every worker and host then shares a
  client's budget). A store that does not answer within `RATE_LIMIT_STORE_TIMEOUT_MS`
  (250 ms) lets the request through without headers (counted in
  `conflict_reports_rate_limit_store_errors_total`): the limiter never stalls or fails the
  API.
- Liveness, readiness and metrics are never limited (a probe must not be throttled).
"""

import asyncio
import logging
import math
import time
from dataclasses import dataclass

from limits import RateLimitItem, parse
from limits.aio.strategies import SlidingWindowCounterRateLimiter
from limits.storage import storage_from_string
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.core import metrics
from app.core.config import Settings
from app.core.http.auth import KeyStore, key_hash, mark_verified, verified, well_formed
from app.core.http.errors import problem

logger = logging.getLogger("conflict_reports.ratelimit")

READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
EXEMPT_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})


@dataclass(frozen=True, slots=True)
class Policy:
    name: str
    item: RateLimitItem

    @property
    def window_s(self) -> int:
        return int(self.item.get_expiry())

    @property
    def header(self) -> bytes:
        return f'"{self.name}";q={self.item.amount};w={self.window_s}'.encode("ascii")


def _policy(name: str, rate: str) -> Policy | None:
    return None if rate == "off" else Policy(name, parse(rate))


class RateLimits:
    """The two policies and the store that counts them."""

    def __init__(self, settings: Settings) -> None:
        self.timeout_s = settings.rate_limit_store_timeout_ms / 1000
        self.reads = _policy("reads", settings.rate_limit_reads)
        self.writes = _policy("writes", settings.rate_limit_writes)
        if settings.redis_url:
            url = settings.redis_url
            uri = url if url.startswith("async+") else f"async+{url}"
            storage = storage_from_string(uri, key_prefix=settings.rate_limit_namespace)
            self.store = "redis"
        else:
            storage = storage_from_string("async+memory://")
            self.store = "memory"
        self.limiter = SlidingWindowCounterRateLimiter(storage)

    @property
    def enabled(self) -> bool:
        return self.reads is not None or self.writes is not None

    def policy_for(self, method: str) -> Policy | None:
        return self.reads if method in READ_METHODS else self.writes

    async def take(self, policy: Policy, client: str) -> tuple[bool, int, int] | None:
        """Count one request of `client`: (allowed, remaining, seconds until reset), or None
        when the store did not answer in time."""
        try:
            async with asyncio.timeout(self.timeout_s):
                allowed = await self.limiter.hit(policy.item, policy.name, client)
                stats = await self.limiter.get_window_stats(policy.item, policy.name, client)
        except Exception as exc:
            metrics.RATE_LIMIT_STORE_ERRORS.labels(self.store).inc()
            logger.warning("rate-limit store %s did not answer: %s", self.store, type(exc).__name__)
            return None
        reset = max(0, math.ceil(stats.reset_time - time.time()))
        return allowed, max(0, stats.remaining), reset


async def client_of(scope: Scope, store: KeyStore | None = None) -> str:
    """A request's client: its API key (hashed) once the key is known to be real (accepted
    before by this process, or found now in `store`), else its address (a made-up key buys
    no budget of its own)."""
    key = None
    for name, value in scope["headers"]:
        if name == b"authorization":
            scheme, _, rest = value.decode("latin-1").strip().partition(" ")
            if scheme.lower() == "bearer":
                key = rest.strip()
        elif name == b"x-api-key" and key is None:
            key = value.decode("latin-1").strip()
    if key and well_formed(key):
        hashed = key_hash(key)
        if verified(hashed) or (store is not None and await _known(store, hashed)):
            return "key:" + hashed[:32]
    client = scope.get("client")
    return "addr:" + (client[0] if client else "unknown")


async def _known(store: KeyStore, hashed: str) -> bool:
    try:
        found = await store.principal(hashed) is not None
    except Exception:  # refused (revoked, expired), or the lookup failed: not a budget
        return False
    if found:
        mark_verified(hashed)
    return found


class RateLimiting:
    """The ASGI middleware that counts each request against its policy (see the module)."""

    def __init__(self, app: ASGIApp, limits: RateLimits) -> None:
        self.app = app
        self.limits = limits

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in EXEMPT_PATHS:
            await self.app(scope, receive, send)
            return
        policy = self.limits.policy_for(scope["method"])
        if policy is None:
            await self.app(scope, receive, send)
            return
        app = scope.get("app")
        store = getattr(getattr(app, "state", None), "keys", None)
        taken = await self.limits.take(policy, await client_of(scope, store))
        if taken is None:
            await self.app(scope, receive, send)
            return
        allowed, remaining, reset = taken
        headers = [
            (b"ratelimit-policy", policy.header),
            (b"ratelimit", f'"{policy.name}";r={remaining};t={reset}'.encode("ascii")),
        ]
        if not allowed:
            metrics.RATE_LIMITED.labels(policy.name).inc()
            response = problem(
                429,
                f"over the {policy.name} limit of {policy.item.amount} requests in "
                f"{policy.window_s} s for this client (an API key, or an address without "
                f"one); retry in {max(reset, 1)} s",
                title="Too Many Requests",
                headers={"Retry-After": str(max(reset, 1)), "Cache-Control": "no-store"},
                limit=policy.name,
            )
            response.raw_headers.extend(headers)
            await response(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *headers]
            await send(message)

        await self.app(scope, receive, send_with_headers)
