"""What every response carries for the browser's protection, and whose forwarded headers are believed.

The page loads only its own scripts (no inline script, no eval), may not be framed, and sends no
referrer to other sites. The only other origin it may reach is the configured raster basemap's.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from landrenewal.domain.language import say
from landrenewal.web.settings import Settings


def basemap_origin(url: str | None) -> str | None:
    """The origin of a basemap URL template, for the policy; None when the basemap is on this server.
    A ``{s}``-style placeholder in the host's first label becomes the wildcard ``*.``."""
    if not url:
        return None
    parts = urlsplit(url)
    if not parts.scheme or not parts.netloc:
        return None
    host = parts.netloc
    if "{" in host:
        host = "*." + host.split(".", 1)[1] if "." in host else host
    return f"{parts.scheme}://{host}"


def content_security_policy(settings: Settings) -> str:
    outside = basemap_origin(settings.basemap_url)
    extra = f" {outside}" if outside else ""
    directives = {
        "default-src": "'self'",
        "script-src": "'self'",
        # MapLibre starts its worker from its own module file; blob: for builds that inline it.
        "worker-src": "'self' blob:",
        # Style sheets only from here; style attributes allowed, because ECharts writes its tooltips
        # as HTML with style="…" (measured in chromium: dozens of refusals on the dashboard without).
        "style-src": "'self'",
        "style-src-attr": "'unsafe-inline'",
        "img-src": f"'self' data: blob:{extra}",
        "connect-src": f"'self'{extra}",
        "font-src": "'self'",
        "object-src": "'none'",
        "base-uri": "'none'",
        "form-action": "'self'",
        "frame-ancestors": "'none'",
    }
    return "; ".join(f"{name} {value}" for name, value in directives.items())


def security_headers(settings: Settings) -> list[tuple[bytes, bytes]]:
    headers = {
        "Content-Security-Policy": content_security_policy(settings),
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",
        "Referrer-Policy": "same-origin",
        "Cross-Origin-Opener-Policy": "same-origin",
    }
    return [(k.lower().encode(), v.encode()) for k, v in headers.items()]


class SecurityHeaders:
    """ASGI middleware adding the headers to every HTTP response, errors included (outermost, so
    that even the answer of the last-resort error handler has them)."""

    def __init__(self, app: ASGIApp, headers: list[tuple[bytes, bytes]]) -> None:
        self.app = app
        self.headers = headers
        self.names = {name for name, _ in headers}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                kept = [(k, v) for k, v in message.get("headers", []) if k.lower() not in self.names]
                message["headers"] = kept + self.headers
            await send(message)

        await self.app(scope, receive, with_headers)


def trusted_proxies(settings: Settings) -> list[str]:
    """The configured proxies as addresses or networks; ValueError naming the setting for a bad one."""
    found = []
    for item in (part.strip() for part in settings.trusted_proxies.split(",")):
        if not item:
            continue
        try:
            ipaddress.ip_network(item, strict=False)
        except ValueError:
            raise ValueError(
                say(
                    f"LANDRENEWAL_TRUSTED_PROXIES：{item!r} 不是 IP 地址或网段",
                    f"LANDRENEWAL_TRUSTED_PROXIES: {item!r} is not an IP address or network",
                )
            ) from None
        found.append(item)
    return found
