"""Security headers: every answer says `X-Content-Type-Options: nosniff`; an HTML page (the
reading view, the documentation pages) also gets a Content Security Policy that allows only
this server's own scripts, styles and images (no CDN, no inline script unless the page names
it by hash), may not be framed, and sends no referrer.

A route that needs more (Swagger UI's inline start-up script) sets its own policy with
`page_policy`, which this middleware keeps."""

import base64
import hashlib
import re

from starlette.types import ASGIApp, Message, Receive, Scope, Send

STRICT_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
PAGE_HEADERS = (
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
)
_INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.DOTALL)


def page_policy(html: str) -> str:
    """The policy of a page with inline scripts: each allowed by its SHA-256 hash, and inline
    styles allowed (Swagger UI and ReDoc set styles from their scripts)."""
    hashes = " ".join(
        "'sha256-" + base64.b64encode(hashlib.sha256(body.encode("utf-8")).digest()).decode() + "'"
        for body in _INLINE_SCRIPT.findall(html)
    )
    return (
        f"default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
        f"script-src 'self' {hashes}; worker-src 'self' blob:; object-src 'none'; "
        "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )


class SecurityHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                names = {name.lower() for name, _ in headers}
                added = [(b"x-content-type-options", b"nosniff")]
                content_type = next(
                    (value for name, value in headers if name.lower() == b"content-type"), b""
                )
                if content_type.startswith(b"text/html"):
                    if b"content-security-policy" not in names:
                        added.append((b"content-security-policy", STRICT_POLICY.encode()))
                    added.extend(PAGE_HEADERS)
                message["headers"] = headers + [h for h in added if h[0] not in names]
            await send(message)

        await self.app(scope, receive, send_with_headers)
