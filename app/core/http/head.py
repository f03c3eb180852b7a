"""HEAD answered for every GET, as one ASGI middleware."""

from starlette.types import ASGIApp, Message, Receive, Scope, Send


class _HeadAnswered(OSError):
    """Raised into a streamed answer's `send` once its HEAD is answered: the producer stops
    as it would for a client that went away."""


class HeadAsGet:
    """HEAD answered for every GET: the GET runs and its body is dropped (RFC 9110 9.3.2).

    Done here rather than by adding HEAD to each route, which would put a `head` operation
    beside every `get` in the OpenAPI document. A streamed answer (an export) is stopped at
    its first piece: its headers are known by then, and the rest would be read for nothing."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return
        answered = False

        async def without_body(message: Message) -> None:
            nonlocal answered
            if answered:
                raise _HeadAnswered("HEAD answered")
            if message["type"] == "http.response.body":
                streaming = message.get("more_body", False)
                await send({"type": "http.response.body", "body": b"", "more_body": False})
                answered = True
                if streaming:
                    raise _HeadAnswered("HEAD answered")
                return
            await send(message)

        try:
            await self.app({**scope, "method": "GET"}, receive, without_body)
        except Exception:
            if answered:
                return  # the producer's own stop after the answer is not an error
            raise
