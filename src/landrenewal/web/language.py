"""Each request's messages in the reader's language: the UI sends the language it shows in
``Accept-Language``; a client that sends none reads Chinese (docs/language.md)."""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from landrenewal.domain.language import from_accept_language, speaking


class Speaking:
    """ASGI middleware choosing the language for the whole request, error handlers included, and
    saying so in ``Content-Language`` (with ``Vary``, so a cache keeps the languages apart)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        header = next((v.decode("latin-1") for k, v in scope["headers"] if k == b"accept-language"), None)
        language = from_accept_language(header)
        tag = b"en" if language == "en" else b"zh-CN"

        async def labelled(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"content-language"]
                vary = [v for k, v in headers if k.lower() == b"vary"]
                if not any(b"accept-language" in v.lower() for v in vary):
                    headers.append((b"vary", b"Accept-Language"))
                message["headers"] = [*headers, (b"content-language", tag)]
            await send(message)

        with speaking(language):
            await self.app(scope, receive, labelled)
