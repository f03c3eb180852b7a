"""Conditional writes (RFC 9110 §13): `If-Match` and `If-None-Match` against a resource's
version, so that two clients editing the same thing never overwrite each other unknowingly.

A version is an opaque string; its entity tag is the version quoted. Representations of the
same version may carry a suffix (`-yaml`, and `-gzip` from the caching layer): a tag with a
known suffix matches its version. `If-Match` compares strongly (a weak tag `W/"…"` never
matches), as the RFC asks of a state-changing request.
"""

import re
from dataclasses import dataclass

from starlette.datastructures import Headers

from app.core.http.errors import BadRequest, PreconditionFailed

# Suffixes a representation adds to its version's tag (app.core.http.caching adds -gzip).
VARIANT_SUFFIXES = ("-gzip", "-yaml")
_TAG = re.compile(r'\s*(W/)?"([^"]*)"\s*')


def version_etag(version: str, variant: str = "") -> str:
    return f'"{version}{variant}"'


def _tags(header: str, name: str) -> list[tuple[bool, str]] | None:
    """The (weak, opaque) tags of a header, or None for `*`."""
    if header.strip() == "*":
        return None
    tags: list[tuple[bool, str]] = []
    for part in header.split(","):
        if not part.strip():
            continue
        match = _TAG.fullmatch(part)
        if match is None:
            raise BadRequest(
                f"{name} is '*' or a list of quoted entity tags, as an ETag gives them; "
                f"cannot read {part.strip()[:80]!r}"
            )
        tags.append((match.group(1) is not None, match.group(2)))
    return tags


def _version_of(opaque: str) -> str:
    for suffix in VARIANT_SUFFIXES:
        if opaque.endswith(suffix):
            opaque = opaque[: -len(suffix)]
    return opaque


@dataclass(frozen=True, slots=True)
class Preconditions:
    """A request's `If-Match` and `If-None-Match`, read once (a malformed one is a 400)."""

    if_match: str | None = None
    if_none_match: str | None = None

    @classmethod
    def of(cls, headers: Headers) -> "Preconditions":
        """Each header as one list, however many lines it was sent on (RFC 9110 §5.3)."""
        given = {
            name: ", ".join(headers.getlist(name)) or None for name in ("if-match", "if-none-match")
        }
        found = cls(if_match=given["if-match"], if_none_match=given["if-none-match"])
        for name, value in (("If-Match", found.if_match), ("If-None-Match", found.if_none_match)):
            if value is not None:
                _tags(value, name)
        return found

    @property
    def any(self) -> bool:
        return self.if_match is not None or self.if_none_match is not None

    def check(self, current: str | None, what: str) -> None:
        """Raise PreconditionFailed unless the resource's `current` version (None: it does
        not exist) passes both headers. `what` names the resource in the message."""
        if self.if_match is not None:
            tags = _tags(self.if_match, "If-Match")
            if current is None:
                raise PreconditionFailed(f"If-Match: {what} does not exist; nothing was written")
            if tags is not None and not any(
                not weak and _version_of(opaque) == current for weak, opaque in tags
            ):
                raise PreconditionFailed(
                    f"If-Match: {what} has changed since that version (it is now "
                    f"{version_etag(current)}); nothing was written: read it again",
                    extra={"current_etag": version_etag(current)},
                )
        if self.if_none_match is not None and current is not None:
            tags = _tags(self.if_none_match, "If-None-Match")
            if tags is None:
                raise PreconditionFailed(
                    f"If-None-Match: * asks to create {what}, which exists already; nothing "
                    "was written",
                    extra={"current_etag": version_etag(current)},
                )
            if any(_version_of(opaque) == current for _weak, opaque in tags):
                raise PreconditionFailed(
                    f"If-None-Match: {what} is still that version; nothing was written",
                    extra={"current_etag": version_etag(current)},
                )
