"""HTTP caching for every answer: validators, conditional requests, Cache-Control and gzip.

One pure ASGI middleware (no BaseHTTPMiddleware: no extra task per request), installed
inside `HeadAsGet` (app.core.http.head), so a HEAD is seen here as its GET and gets the same
headers.

- **ETag.** A 200 whose body comes in one piece gets a strong ETag, a BLAKE2b hash of the body
  bytes: the same data gives the same bytes on SQLite and PostgreSQL (tests/test_parity.py),
  so the same tag. A route may set its own ETag (a streamed export computes one from the data
  version): it is kept, and honoured by If-None-Match. A streamed body without one passes with
  no ETag.
- **Conditional requests.** `If-None-Match` (RFC 9110 13.1.2: weak comparison, lists, `*`)
  matching the answer's tag gives `304 Not Modified` with no body and the headers a 200 would
  have carried of ETag, Cache-Control, Vary, Last-Modified, Content-Location, Date, Expires
  (RFC 9110 15.4.5). `If-Modified-Since` is evaluated only without If-None-Match and when the
  answer has a `Last-Modified`. The answer is still computed, then compared: a 304 saves the
  bandwidth and the client's parsing, not the query.
- **Cache-Control.** Successful GETs get the configured value (`CACHE_CONTROL`) unless the
  route set its own; the service endpoints (liveness, readiness, metrics) get `no-store`, and
  so does every error (a 4xx/5xx problem is never stored, and carries no ETag).
- **gzip.** A body over 1 KB is gzip-compressed when the request's Accept-Encoding allows it
  (q-values honoured, `gzip;q=0` refuses), streamed bodies chunk by chunk as they stream.
  `Vary: Accept-Encoding` is merged into the answer's Vary. The gzip bytes are another
  representation, so their strong ETag is the identity one with `-gzip` appended to the
  opaque tag; If-None-Match accepts the tag of either variant.
"""

import hashlib
import re
import zlib
from collections.abc import Iterable
from datetime import datetime
from email.utils import parsedate_to_datetime

import anyio
import anyio.to_thread
from starlette.middleware.gzip import DEFAULT_EXCLUDED_CONTENT_TYPES
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# Bodies up to this size are sent as they are: gzip's header and trailer (18 bytes) and the
# CPU are not worth it for a problem document or a single small item.
MIN_GZIP_BYTES = 1024
# Level 1 (nginx's default too). On a 500-claim page of 392 KB (bench/caching.py): level 1
# makes 52 KB in about 3 ms, level 6 36 KB in 8 to 11 ms, level 9 35 KB in 11 to 38 ms. Most
# of the saving comes at level 1, and this service is bound by CPU, not by bandwidth.
GZIP_LEVEL = 1
# One-piece bodies larger than this are compressed in a worker thread, off the event loop.
THREAD_GZIP_BYTES = 256 * 1024
GZIP_SUFFIX = "-gzip"
# 16 bytes of BLAKE2b: 32 hex characters, collisions out of reach for a cache validator.
ETAG_DIGEST_BYTES = 16

NO_STORE = b"no-store"

# Headers a 304 carries over from the 200 it stands for (RFC 9110 15.4.5).
NOT_MODIFIED_HEADERS = frozenset(
    {b"cache-control", b"content-location", b"date", b"etag", b"expires", b"last-modified", b"vary"}
)

_ENTITY_TAG = re.compile(r'\s*(?:W/)?"([\x21\x23-\x7e\x80-\xff]*)"\s*(?:,|$)')
_EXCLUDED_TYPES = frozenset(DEFAULT_EXCLUDED_CONTENT_TYPES)
_gzip_limiter: anyio.CapacityLimiter | None = None


def body_etag(body: bytes) -> str:
    """The strong ETag of a body: its BLAKE2b hash, quoted."""
    return '"' + hashlib.blake2b(body, digest_size=ETAG_DIGEST_BYTES).hexdigest() + '"'


def gzip_variant(etag: str) -> str:
    """The tag of the gzip-encoded variant of the representation tagged `etag`."""
    if etag.endswith('"'):
        return etag[:-1] + GZIP_SUFFIX + '"'
    return etag


def _opaque(etag: str) -> str | None:
    """The opaque tag of an entity-tag (without `W/` and quotes), None if it is not one."""
    match = _ENTITY_TAG.fullmatch(etag)
    return match.group(1) if match else None


def parse_if_none_match(values: Iterable[str]) -> set[str] | None:
    """The opaque tags an If-None-Match lists, or None for `*` (any current representation).

    Tags are compared weakly (RFC 9110 8.8.3.2), so `W/` is dropped; a malformed list is
    read as far as it is well formed."""
    tags: set[str] = set()
    for value in values:
        if value.strip() == "*":
            return None
        position = 0
        while position < len(value):
            match = _ENTITY_TAG.match(value, position)
            if match is None or match.end() == position:
                break
            tags.add(match.group(1))
            position = match.end()
    return tags


def none_match(tags: set[str] | None, etag: str) -> bool:
    """Whether If-None-Match's tags match `etag` or its gzip variant (weak comparison)."""
    if tags is None:
        return True
    opaque = _opaque(etag)
    if opaque is None:
        return False
    identity = opaque.removesuffix(GZIP_SUFFIX)
    return identity in tags or identity + GZIP_SUFFIX in tags


def accepts_gzip(values: Iterable[str]) -> bool:
    """Whether Accept-Encoding allows gzip (RFC 9110 12.5.3): named with q > 0 (as `gzip` or
    `x-gzip`), or not named and `*` with q > 0. No Accept-Encoding: identity only."""
    named: float | None = None
    wildcard: float | None = None
    for value in values:
        for item in value.split(","):
            coding, _, parameters = item.partition(";")
            coding = coding.strip().lower()
            quality = 1.0
            parameter = parameters.strip().lower()
            if parameter:
                name, _, number = parameter.partition("=")
                if name.strip() != "q":
                    continue
                try:
                    quality = float(number.strip())
                except ValueError:
                    continue
                if not 0.0 <= quality <= 1.0:
                    continue
            if coding in {"gzip", "x-gzip"}:
                named = quality if named is None else max(named, quality)
            elif coding == "*":
                wildcard = quality
    if named is not None:
        return named > 0
    return wildcard is not None and wildcard > 0


def _http_date(value: str) -> datetime | None:
    try:
        parsed = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return parsed if parsed.tzinfo is not None else None


def not_modified_since(last_modified: str, if_modified_since: str) -> bool:
    """Whether Last-Modified is no later than If-Modified-Since; an invalid date is ignored."""
    modified = _http_date(last_modified)
    since = _http_date(if_modified_since)
    return modified is not None and since is not None and modified <= since


def merge_vary(existing: str | None, name: str) -> str:
    """`existing` Vary with `name` added once (case-insensitively); `*` stays `*`."""
    if existing is None or not existing.strip():
        return name
    fields = [field.strip() for field in existing.split(",") if field.strip()]
    if "*" in fields or name.lower() in {field.lower() for field in fields}:
        return ", ".join(fields)
    return ", ".join([*fields, name])


def _compressible(headers: list[tuple[bytes, bytes]], status: int) -> bool:
    if status in {204, 206, 304}:
        return False
    for name, value in headers:
        if name == b"content-encoding":
            return False
        if name == b"content-type":
            media_type = value.decode("latin-1").partition(";")[0].strip().lower()
            if media_type in _EXCLUDED_TYPES or media_type.partition("/")[0] + "/*" in (
                _EXCLUDED_TYPES
            ):
                return False
    return True


def _gzip_whole(body: bytes) -> bytes:
    # wbits 31: a gzip container with a zero mtime, so the same body gives the same bytes
    # (the strong ETag of the gzip variant promises exactly that).
    compressor = zlib.compressobj(GZIP_LEVEL, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    return compressor.compress(body) + compressor.flush()


async def gzip_body(body: bytes) -> bytes:
    """The body gzip-compressed; large bodies in a worker thread, off the event loop."""
    global _gzip_limiter
    if len(body) < THREAD_GZIP_BYTES:
        return _gzip_whole(body)
    if _gzip_limiter is None:
        _gzip_limiter = anyio.CapacityLimiter(8)
    return await anyio.to_thread.run_sync(_gzip_whole, body, limiter=_gzip_limiter)


class _StreamStopped(OSError):
    """Raised into the app's `send` after a streamed answer was replaced by a 304: the
    producer stops as it would for a client that went away."""


class _Headers:
    """A response's raw header list, edited in place."""

    def __init__(self, raw: list[tuple[bytes, bytes]]) -> None:
        self.raw = raw

    def get(self, name: bytes) -> str | None:
        for key, value in self.raw:
            if key.lower() == name:
                return value.decode("latin-1")
        return None

    def set(self, name: bytes, value: str) -> None:
        self.remove(name)
        self.raw.append((name, value.encode("latin-1")))

    def remove(self, name: bytes) -> None:
        self.raw[:] = [(key, value) for key, value in self.raw if key.lower() != name]


class HttpCaching:
    """ETags, 304s, Cache-Control and gzip for every HTTP answer (see the module docstring)."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        cache_control: str,
        no_store_paths: frozenset[str] = frozenset(),
        min_gzip_bytes: int = MIN_GZIP_BYTES,
    ) -> None:
        self.app = app
        self.cache_control = cache_control
        self.no_store_paths = no_store_paths
        self.min_gzip_bytes = min_gzip_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        exchange = _Exchange(self, scope, send)
        try:
            await self.app(scope, receive, exchange.send)
        except Exception:
            if exchange.stopped_stream:
                return  # the 304 went out; the producer's own stop is not an error
            raise


class _Exchange:
    """One request's answer going through the middleware."""

    def __init__(self, middleware: HttpCaching, scope: Scope, send: Send) -> None:
        self.middleware = middleware
        self.downstream = send
        self.path: str = scope["path"]
        self.method: str = scope["method"]
        if_none_match: list[str] = []
        self.if_modified_since: str | None = None
        encodings: list[str] = []
        for name, value in scope["headers"]:
            if name == b"if-none-match":
                if_none_match.append(value.decode("latin-1"))
            elif name == b"if-modified-since":
                self.if_modified_since = value.decode("latin-1")
            elif name == b"accept-encoding":
                encodings.append(value.decode("latin-1"))
        self.has_if_none_match = bool(if_none_match)
        self.if_none_match = parse_if_none_match(if_none_match)
        self.gzip_accepted = accepts_gzip(encodings)
        self.start: Message | None = None
        self.headers = _Headers([])
        self.compressor: zlib._Compress | None = None
        self.streaming = False
        self.started = False
        self.stopped_stream = False

    @property
    def cacheable(self) -> bool:
        """A successful read this middleware validates: not a service endpoint."""
        return (
            self.method == "GET"
            and self.start is not None
            and self.start["status"] == 200
            and self.path not in self.middleware.no_store_paths
        )

    async def send(self, message: Message) -> None:
        kind = message["type"]
        if self.stopped_stream:
            raise _StreamStopped("answered 304 Not Modified")
        if kind == "http.response.start":
            self.start = message
            self.headers = _Headers(list(message.get("headers", [])))
            message["headers"] = self.headers.raw
            self._set_cache_control()
            return
        if kind != "http.response.body":
            # Trailers, early hints, pathsend: passed on, after the held start.
            await self._start_downstream()
            await self.downstream(message)
            return
        if self.streaming:
            await self._stream_on(message)
            return
        if message.get("more_body", False):
            self.streaming = True
            await self._stream_start(message)
        else:
            await self._whole(message)

    async def _start_downstream(self) -> None:
        if self.start is not None and not self.started:
            self.started = True
            await self.downstream(self.start)

    def _set_cache_control(self) -> None:
        assert self.start is not None
        status: int = self.start["status"]
        if status >= 400:
            self.headers.remove(b"etag")
            self.headers.set(b"cache-control", NO_STORE.decode())
        elif self.path in self.middleware.no_store_paths:
            self.headers.set(b"cache-control", NO_STORE.decode())
        elif self.method == "GET" and status == 200 and self.headers.get(b"cache-control") is None:
            self.headers.set(b"cache-control", self.middleware.cache_control)

    def _not_modified(self, etag: str | None) -> bool:
        if not self.cacheable:
            return False
        if self.has_if_none_match:
            return etag is not None and none_match(self.if_none_match, etag)
        last_modified = self.headers.get(b"last-modified")
        if self.if_modified_since is None or last_modified is None:
            return False
        return not_modified_since(last_modified, self.if_modified_since)

    async def _send_not_modified(self) -> None:
        assert self.start is not None
        kept = [
            (name, value)
            for name, value in self.headers.raw
            if name.lower() in NOT_MODIFIED_HEADERS
        ]
        self.started = True
        await self.downstream({**self.start, "status": 304, "headers": kept})
        await self.downstream({"type": "http.response.body", "body": b"", "more_body": False})

    async def _whole(self, message: Message) -> None:
        """A body in one piece: tagged, compared, compressed."""
        assert self.start is not None
        body: bytes = message.get("body", b"")
        status: int = self.start["status"]
        gzip = len(body) > self.middleware.min_gzip_bytes and _compressible(
            self.headers.raw, status
        )
        if gzip:
            self.headers.set(b"vary", merge_vary(self.headers.get(b"vary"), "Accept-Encoding"))
        gzip = gzip and self.gzip_accepted
        etag = self.headers.get(b"etag")
        if self.cacheable:
            if etag is None:
                etag = body_etag(body)
            if gzip:
                etag = gzip_variant(etag)
            self.headers.set(b"etag", etag)
        if self._not_modified(etag):
            await self._send_not_modified()
            return
        if gzip:
            body = await gzip_body(body)
            self.headers.set(b"content-encoding", "gzip")
            message = {**message, "body": body}
        if self.headers.get(b"content-length") is not None or gzip:
            self.headers.set(b"content-length", str(len(body)))
        await self._start_downstream()
        await self.downstream(message)

    async def _stream_start(self, message: Message) -> None:
        """The first piece of a streamed body: sent on as it comes, compressed if allowed;
        only a route's own ETag can make it a 304."""
        assert self.start is not None
        status: int = self.start["status"]
        gzip = _compressible(self.headers.raw, status)
        if gzip:
            self.headers.set(b"vary", merge_vary(self.headers.get(b"vary"), "Accept-Encoding"))
        gzip = gzip and self.gzip_accepted
        etag = self.headers.get(b"etag")
        if etag is not None and self.cacheable and gzip:
            etag = gzip_variant(etag)
            self.headers.set(b"etag", etag)
        if self._not_modified(etag):
            await self._send_not_modified()
            self.stopped_stream = True
            raise _StreamStopped("answered 304 Not Modified")
        if gzip:
            self.compressor = zlib.compressobj(GZIP_LEVEL, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
            self.headers.set(b"content-encoding", "gzip")
            self.headers.remove(b"content-length")
        await self._start_downstream()
        await self._stream_on(message)

    async def _stream_on(self, message: Message) -> None:
        if self.compressor is None:
            await self.downstream(message)
            return
        body: bytes = message.get("body", b"")
        more_body: bool = message.get("more_body", False)
        # A sync flush per piece: each piece the app sends can be decoded when it arrives
        # (a consumer of NDJSON reads line by line), at a few bytes per piece.
        compressed = self.compressor.compress(body) + self.compressor.flush(
            zlib.Z_SYNC_FLUSH if more_body else zlib.Z_FINISH
        )
        await self.downstream({**message, "body": compressed, "more_body": more_body})
