"""What every request needs: the app's state, the logged-in user, CSRF, and JSON errors with a reason."""

from __future__ import annotations

import datetime as dt
import re
import secrets
from typing import Annotated

from annotated_types import Ge, Le
from fastapi import Depends, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import BeforeValidator

from landrenewal import accounts
from landrenewal.domain.access import User
from landrenewal.domain.language import say
from landrenewal.web.state import AppState

SESSION_COOKIE = "lr_session"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
# Every whole number a request brings (ids, pages, years, tile numbers) fits the stores' 64-bit
# integers: a bigger one would overflow in SQLite, psycopg or numpy, and is answered 422 up front.
MAX_INT = 2**63 - 1
Int = Annotated[int, Ge(-MAX_INT - 1), Le(MAX_INT)]

_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _iso_day(raw: object) -> object:
    # pydantic would also take a number as seconds since 1970 (until=0 → 1970-01-01): a day a user
    # never meant. A day comes as the document says, YYYY-MM-DD.
    if isinstance(raw, str) and not _ISO_DAY.match(raw):
        raise ValueError(say("应为日期，格式 YYYY-MM-DD", "must be a day, YYYY-MM-DD"))
    return raw


Day = Annotated[dt.date, BeforeValidator(_iso_day)]


def whole_number(name: str, raw: object) -> int:
    """A whole number from a raw query value, in the stores' range; ValueError naming ``name`` otherwise."""
    try:
        value = int(str(raw))
    except ValueError:
        raise ValueError(
            say(f"{name}：应为整数，而不是 {raw!r}", f"{name}: must be a whole number, not {raw!r}")
        ) from None
    if not -MAX_INT - 1 <= value <= MAX_INT:
        raise ValueError(say(f"{name}：数值超出范围，最大 {MAX_INT}", f"{name}: out of range, at most {MAX_INT}"))
    return value


class ApiError(HTTPException):
    """An error the client is told about: a status, a reason code and a message in the reader's language."""

    def __init__(self, status: int, reason: str, detail: str) -> None:
        super().__init__(status_code=status, detail=detail)
        self.reason = reason

    def retry_after(self, seconds: int) -> ApiError:
        """The same error telling the client when to try again (429, 503)."""
        self.headers = {"Retry-After": str(seconds)}
        return self


def not_found(zh: str, en: str) -> ApiError:
    """404 naming what is missing (``宗地 GB00001``, ``parcel GB00001``)."""
    return ApiError(404, "not_found", say(f"没有找到{zh}", f"{en} not found"))


async def app_state(request: Request) -> AppState:
    state: AppState = request.app.state.landrenewal
    return state


State = Annotated[AppState, Depends(app_state)]


def _stored_session(state: AppState, token: str) -> accounts.Session | None:
    with state.store.engine.connect() as conn:
        return accounts.session_of(conn, token)


# Async (on the event loop), so that a request whose session is already known costs no thread hop;
# only a lookup in the store goes to a worker thread.
async def session(request: Request, state: State) -> accounts.Session:
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        raise ApiError(401, "unauthenticated", say("请先登录", "log in first"))
    found = state.sessions.get(token)
    if found is None:
        found = await run_in_threadpool(_stored_session, state, token)
        if found is not None:
            state.sessions.put(found)
    if found is None or found.expires_at <= dt.datetime.now(dt.UTC):
        raise ApiError(401, "unauthenticated", say("登录已失效，请重新登录", "the session has expired; log in again"))
    sent = request.headers.get(CSRF_HEADER, "")
    if request.method not in SAFE_METHODS and not secrets.compare_digest(sent.encode(), found.csrf.encode()):
        raise ApiError(403, "csrf", say("缺少或错误的 CSRF 令牌", "missing or wrong CSRF token"))
    return found


CurrentSession = Annotated[accounts.Session, Depends(session)]


async def current_user(found: CurrentSession) -> User:
    return found.user


CurrentUser = Annotated[User, Depends(current_user)]


async def importer(user: CurrentUser) -> User:
    if not user.may_import:
        raise ApiError(
            403, "forbidden", say("只有市级用户和管理员可以导入数据", "only city users and administrators import data")
        )
    return user


async def administrator(user: CurrentUser) -> User:
    if not user.may_administer:
        raise ApiError(403, "forbidden", say("只有管理员可以管理用户", "only administrators manage users"))
    return user


Importer = Annotated[User, Depends(importer)]
Administrator = Annotated[User, Depends(administrator)]
