"""The ASGI app: the API routers, the one-page UI and its vendored assets, JSON errors everywhere."""

from __future__ import annotations

import logging
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match
from starlette.types import ASGIApp, Scope
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from landrenewal.domain.language import say
from landrenewal.store.engine import Store, StoreBusy, open_store
from landrenewal.web.api import admin, dashboard, dossiers, imports, lists, maps, projects, session, vocabulary
from landrenewal.web.city import LiveView
from landrenewal.web.deps import ApiError
from landrenewal.web.language import Speaking
from landrenewal.web.request_errors import described
from landrenewal.web.run_tables import RunTables
from landrenewal.web.schemas.common import ErrorOut
from landrenewal.web.schemas.session import Health
from landrenewal.web.security import SecurityHeaders, security_headers, trusted_proxies
from landrenewal.web.settings import Settings
from landrenewal.web.state import AppState, SessionCache

STATIC = Path(__file__).parent / "static"
log = logging.getLogger("landrenewal.web")


def _error(status: int, reason: str, detail: Any) -> JSONResponse:
    return JSONResponse({"detail": detail, "reason": reason}, status_code=status)


def _outermost(app: FastAPI, headers: list[tuple[bytes, bytes]]) -> None:
    """Wrap the whole stack, the last-resort error handler included (``add_middleware`` puts a
    middleware inside it, so a 500 answer would go out without the headers, or in Chinese to an
    English reader)."""
    build = app.build_middleware_stack

    def wrapped() -> ASGIApp:
        return SecurityHeaders(Speaking(build()), headers)

    app.build_middleware_stack = wrapped  # type: ignore[method-assign]


def app_from_env() -> FastAPI:
    """The app of a worker process, its settings from the environment (``serve --workers N``)."""
    return create_app(Settings.from_env())


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Start-up reads the city from the store (an empty store gives an empty city); shut-down
    closes the store's connections."""
    state: AppState = app.state.landrenewal
    await run_in_threadpool(state.live.start)
    # The tile source (and the seeding of its low zooms) is made before anyone asks for a map.
    threading.Thread(target=state.tiles, name="tile-source", daemon=True).start()
    try:
        yield
    finally:
        state.store.dispose()


HTTP_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


def _methods_of(app: FastAPI, scope: Scope) -> list[str]:
    """Every method some route of the app takes at the scope's path (asked route by route: included
    routers match as a whole, so their routes are not listed one by one)."""
    return [
        method
        for method in HTTP_METHODS
        if any(route.matches({**scope, "method": method})[0] is Match.FULL for route in app.router.routes)
    ]


def create_app(settings: Settings, store: Store | None = None) -> FastAPI:
    """The app over ``store`` (opened from ``settings.db`` when not given); the app disposes it on shut-down."""
    proxies = trusted_proxies(settings)  # a bad setting fails here, before the store is opened
    store = store or open_store(settings.db, create=False)
    app = FastAPI(
        lifespan=lifespan,
        title="低效工业用地整治平台 landrenewal",
        version="0.1.0",
        description="REST API: divisions, parcels, enterprises, evaluation, findings, zones, policies; "
        "GeoJSON features and MVT tiles; exports; imports with a validation report.",
        # FastAPI's /docs and /redoc pages load their scripts from a CDN; an intranet has none.
        # The document itself stays at /openapi.json.
        docs_url=None,
        redoc_url=None,
        # every refusal answers the same JSON (the handlers below); FastAPI's own 422 shape is never sent
        responses={"4XX": {"model": ErrorOut, "description": "请求被拒绝：未登录、无权、没有、参数有误等"}},
    )
    app.state.landrenewal = AppState(
        settings=settings,
        store=store,
        live=LiveView(store, settings.refresh_s),
        run_tables=RunTables(store),
        sessions=SessionCache(settings.session_check_s),
    )
    for module in (session, lists, maps, dossiers, dashboard, imports, admin, vocabulary, projects):
        app.include_router(module.router)
    if proxies:
        # Only these peers may say who the client is (X-Forwarded-For) and that it came by HTTPS.
        # The server itself believes no one (`serve` starts uvicorn without its proxy headers).
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=proxies)
    _outermost(app, security_headers(settings))

    @app.exception_handler(ApiError)
    async def api_error(request: Request, exc: ApiError) -> JSONResponse:
        answer = _error(exc.status_code, exc.reason, exc.detail)
        answer.headers.update(exc.headers or {})
        return answer

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        reason = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        detail = say("没有这个地址", "no such path") if exc.status_code == 404 else str(exc.detail)
        answer = _error(exc.status_code, reason, detail)
        answer.headers.update(exc.headers or {})
        if exc.status_code == 405:  # Starlette names only the first route of the path; a path has several
            answer.headers["Allow"] = ", ".join(_methods_of(app, request.scope))
        return answer

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = described(exc.errors())
        return _error(422, "invalid", say(f"请求参数有误：{problems}", f"invalid request: {problems}"))

    @app.exception_handler(StoreBusy)
    async def busy(request: Request, exc: StoreBusy) -> JSONResponse:
        busy = say("库正被另一个写入占用，请稍后再试", "the store is busy with another write; try again shortly")
        return _error(503, "store_busy", busy)

    @app.exception_handler(Exception)
    async def crashed(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return _error(500, "server_error", say("服务器内部错误，已记录日志", "internal error; it has been logged"))

    app.mount("/static", StaticFiles(directory=STATIC, check_dir=False), name="static")

    @app.get("/api/health", summary="运行状态 Liveness and readiness (no login)", response_model=Health)
    async def health() -> dict[str, Any]:
        state: AppState = app.state.landrenewal
        return {"status": "ok", "tiles_ready": state.tiles_ready.is_set()}

    @app.get("/", include_in_schema=False)
    @app.get("/login", include_in_schema=False)
    def index() -> FileResponse:
        return FileResponse(STATIC / "index.html", headers={"Cache-Control": "no-cache"})

    return app
