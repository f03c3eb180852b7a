"""API keys: their format, how a request presents one, and the check of its scope.

A key is `crk_` + 30 random base62 characters (178 bits) + 6 base62 characters of the CRC32
of those 30: recognisable by its prefix (secret scanners, logs) and checkable without the
database, so a mistyped or truncated key is told apart from an unknown one. Only the
SHA-256 of a key is stored: the key has enough entropy that a fast hash is safe, and a slow
password hash on every request would cost more than the request.

A request presents a key as `Authorization: Bearer crk_…` or `X-API-Key: crk_…`. Scopes are
ordered: `read` < `write` < `admin` (a write key reads too). The kit knows no table: the app
gives `KeyStore` (the lookup by hash) as `app.state.keys`, and says in `app.state.reads_need_key`
whether reads need a key.
"""

import binascii
import hashlib
import secrets
import string
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated, Protocol

from fastapi import Request, Security
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from app.core.http.errors import AppError, Unauthorized

KEY_PREFIX = "crk_"
ALPHABET = string.digits + string.ascii_uppercase + string.ascii_lowercase
RANDOM_LENGTH = 30
CHECKSUM_LENGTH = 6
KEY_LENGTH = len(KEY_PREFIX) + RANDOM_LENGTH + CHECKSUM_LENGTH
# What a key list shows of a key, to recognise it: the prefix and 4 random characters.
HINT_LENGTH = len(KEY_PREFIX) + 4
REALM = "conflict-reports"


class Scope(StrEnum):
    read = "read"
    write = "write"
    admin = "admin"

    def covers(self, needed: "Scope") -> bool:
        return _RANK[self] >= _RANK[needed]


_RANK = {Scope.read: 0, Scope.write: 1, Scope.admin: 2}


def _base62(number: int, length: int) -> str:
    digits = []
    for _ in range(length):
        number, digit = divmod(number, 62)
        digits.append(ALPHABET[digit])
    return "".join(reversed(digits))


def _checksum(random_part: str) -> str:
    return _base62(binascii.crc32(random_part.encode("ascii")), CHECKSUM_LENGTH)


def new_key() -> str:
    """A fresh key (shown once to its owner, never stored)."""
    random_part = "".join(secrets.choice(ALPHABET) for _ in range(RANDOM_LENGTH))
    return KEY_PREFIX + random_part + _checksum(random_part)


def well_formed(key: str) -> bool:
    """The prefix, the length, the alphabet and the checksum are right (the key may still
    be unknown)."""
    if len(key) != KEY_LENGTH or not key.startswith(KEY_PREFIX):
        return False
    body = key[len(KEY_PREFIX) :]
    if any(character not in ALPHABET for character in body):
        return False
    random_part, checksum = body[:RANDOM_LENGTH], body[RANDOM_LENGTH:]
    return secrets.compare_digest(_checksum(random_part), checksum)


def key_hash(key: str) -> str:
    """What is stored of a key: its SHA-256, in hex."""
    return hashlib.sha256(key.encode("ascii")).hexdigest()


def key_hint(key: str) -> str:
    return key[:HINT_LENGTH]


@dataclass(frozen=True)
class Principal:
    """Who a request speaks for: the key's id, name and scope."""

    key_id: int
    name: str
    scope: Scope
    # A key limited to what it created itself (a write key for its own reports).
    own_only: bool = False


class KeyRefused(Exception):
    """A key the store knows but refuses: revoked or expired (`reason` says which)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class KeyStore(Protocol):
    async def principal(self, hashed: str) -> Principal | None:
        """The key with this hash (None when unknown); KeyRefused when revoked or expired."""
        ...


class Unauthenticated(Unauthorized):
    """No usable key (RFC 6750): none sent where one is needed, or one that is malformed,
    unknown, revoked or expired."""

    def __init__(self, detail: str, *, invalid: bool) -> None:
        # The detail (which may name a key) stays in the body: a header is ASCII only.
        challenge = f'Bearer realm="{REALM}"'
        if invalid:
            challenge += ', error="invalid_token"'
        super().__init__(detail, headers={"WWW-Authenticate": challenge})


class InsufficientScope(AppError):
    status = 403
    title = "Forbidden"

    def __init__(self, principal: Principal, needed: Scope) -> None:
        detail = (
            f"the key '{principal.name}' has the scope '{principal.scope}'; this needs '{needed}'"
        )
        super().__init__(
            detail,
            extra={"scope": needed.value},
            headers={
                "WWW-Authenticate": f'Bearer realm="{REALM}", error="insufficient_scope", '
                f'scope="{needed}"'
            },
        )


# Declared for the OpenAPI document (Swagger UI's Authorize button); the key is read from the
# headers by `_key_of`, the same way for every route.
_bearer = HTTPBearer(
    auto_error=False,
    scheme_name="bearer",
    bearerFormat="crk_…",
    description="An API key (`conflict-reports keys create`), as `Authorization: Bearer crk_…`.",
)
_header = APIKeyHeader(
    name="X-API-Key",
    auto_error=False,
    scheme_name="apiKey",
    description="The same key in the `X-API-Key` header.",
)
SECURITY_SCHEMES = ("bearer", "apiKey")


def _key_of(request: Request) -> str | None:
    """The key the request presents (None: none). `Authorization` with another scheme
    (`Basic`, from a proxy in front) is not ours and is left alone; `Bearer` with nothing
    after it is a 401."""
    authorization = request.headers.get("authorization")
    if authorization is not None:
        scheme, _, key = authorization.strip().partition(" ")
        if scheme.lower() == "bearer":
            if not key.strip():
                raise Unauthenticated(
                    "the Authorization header has Bearer but no key", invalid=True
                )
            return key.strip()
    header_key = request.headers.get("x-api-key")
    return None if header_key is None else header_key.strip()


# Hashes of keys this process has seen accepted (at most VERIFIED_LIMIT, the oldest dropped):
# the rate limits count a key's requests by the key only once it is known to be real, so a
# client cannot escape its address's budget by inventing keys.
VERIFIED_LIMIT = 10_000
_verified: OrderedDict[str, None] = OrderedDict()


def verified(hashed: str) -> bool:
    return hashed in _verified


def mark_verified(hashed: str) -> None:
    _verified[hashed] = None
    _verified.move_to_end(hashed)
    while len(_verified) > VERIFIED_LIMIT:
        _verified.popitem(last=False)


async def authenticate(request: Request, key: str) -> Principal:
    """The principal of `key`, or the 401 that says what is wrong with it."""
    if not well_formed(key):
        raise Unauthenticated(
            "the API key is malformed (a key is 'crk_' and 36 letters and digits)",
            invalid=True,
        )
    store: KeyStore = request.app.state.keys
    hashed = key_hash(key)
    try:
        principal = await store.principal(hashed)
    except KeyRefused as refused:
        raise Unauthenticated(f"the API key {refused.reason}", invalid=True) from None
    if principal is None:
        raise Unauthenticated("the API key is not known", invalid=True)
    mark_verified(hashed)
    request.state.principal = principal
    return principal


async def _checked(request: Request, scope: Scope) -> Principal | None:
    key = _key_of(request)
    if key is None:
        if scope is Scope.read and not request.app.state.reads_need_key:
            return None
        raise Unauthenticated(f"an API key with the scope '{scope}' is needed", invalid=False)
    principal = await authenticate(request, key)
    if not principal.scope.covers(scope):
        raise InsufficientScope(principal, scope)
    return principal


async def read_access(request: Request) -> Principal | None:
    """The dependency of every read: no key needed unless the app says so (then a `read`
    key); a key sent all the same is checked (a wrong key is never silently ignored). The
    OpenAPI document declares it (`reads_security`) rather than the route, which keeps the
    hot paths free of two more dependencies per request."""
    return await _checked(request, Scope.read)


def access(scope: Scope) -> Callable[..., Awaitable[Principal | None]]:
    """The dependency of an operation that needs a key with `scope` (writes, admin)."""

    async def dependency(
        request: Request,
        _credentials: Annotated[
            HTTPAuthorizationCredentials | None, Security(_bearer, scopes=[scope.value])
        ],
        _header_key: Annotated[str | None, Security(_header, scopes=[scope.value])],
    ) -> Principal | None:
        return await _checked(request, scope)

    return dependency


def reads_security(*, reads_need_key: bool) -> list[dict[str, list[str]]]:
    """The OpenAPI security requirement of a read: either scheme with `read`, and (while
    reads are public) none at all."""
    schemes: list[dict[str, list[str]]] = [{name: ["read"]} for name in SECURITY_SCHEMES]
    return schemes if reads_need_key else [{}, *schemes]
