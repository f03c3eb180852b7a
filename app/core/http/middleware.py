"""The one middleware every request passes: its id, its metrics and its access log line.

Pure ASGI (no BaseHTTPMiddleware: no extra task or body buffering per request), and the
outermost layer of the app, outside Starlette's error middleware, so a 500 is counted, logged
with its request id and answered with the `X-Request-ID` header like every other response.
"""

import logging
import re
import time
import uuid

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.core.logs import ACCESS_LOGGER, REQUEST_ID
from app.core.metrics import RequestMetrics

REQUEST_ID_HEADER = b"x-request-id"
# A caller's id is kept when it is short and plain (a UUID, a trace id, a load balancer's
# token); anything else is replaced, never echoed into logs and headers.
ACCEPTED_REQUEST_ID = re.compile(rb"[A-Za-z0-9._:/+=@-]{1,128}")
# The access log shows at most this much of the path and query.
MAX_LOGGED_TARGET = 512

access_logger = logging.getLogger(ACCESS_LOGGER)
error_logger = logging.getLogger("app.error")


def _request_id(headers: list[tuple[bytes, bytes]]) -> str:
    for name, value in headers:
        if name == REQUEST_ID_HEADER:
            if ACCEPTED_REQUEST_ID.fullmatch(value):
                return value.decode("ascii")
            break
    return uuid.uuid4().hex


class RequestContext:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.metrics = RequestMetrics()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        request_id = _request_id(scope["headers"])
        token = REQUEST_ID.set(request_id)
        id_header = (REQUEST_ID_HEADER, request_id.encode("ascii"))
        status = 500
        responded = False

        async def send_with_id(message: Message) -> None:
            nonlocal status, responded
            if message["type"] == "http.response.start":
                status = message["status"]
                responded = True
                message["headers"] = [*message.get("headers", ()), id_header]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception:
            # Starlette has answered the 500 problem and re-raises for the server to log it:
            # logged here, with the request id, and the connection kept.
            error_logger.exception(
                "unhandled error", extra={"method": scope["method"], "path": scope["path"]}
            )
            if not responded:
                raise
        finally:
            elapsed = time.perf_counter() - started
            route = scope.get("route")
            template: str = getattr(route, "path", None) or "unmatched"
            self.metrics.observe(template, scope["method"], status, elapsed)
            if access_logger.isEnabledFor(logging.INFO):
                target = scope["path"]
                if scope.get("query_string"):
                    target += "?" + scope["query_string"].decode("latin-1")
                access_logger.info(
                    "%s %s %d",
                    scope["method"],
                    target[:MAX_LOGGED_TARGET],
                    status,
                    extra={
                        "method": scope["method"],
                        "path": target[:MAX_LOGGED_TARGET],
                        "route": template,
                        "status": status,
                        "duration_ms": round(elapsed * 1000, 2),
                        "client": (scope.get("client") or ("", 0))[0],
                    },
                )
            REQUEST_ID.reset(token)
