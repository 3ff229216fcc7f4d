"""Logging in and out: a session cookie (HttpOnly, SameSite=Strict; Secure behind HTTPS) and a CSRF
token for writes. Failed logins are limited per user name and client address (see accounts)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from pydantic import Field

from landrenewal import accounts
from landrenewal.domain.access import ROLE_NAMES_ZH, User
from landrenewal.domain.language import say
from landrenewal.web.deps import SESSION_COOKIE, ApiError, CurrentSession, State
from landrenewal.web.schemas.common import RequestBody
from landrenewal.web.schemas.session import SessionOut

router = APIRouter(prefix="/api/session", tags=["session"])


class Login(RequestBody):
    # Bounded: hashing a megabyte-long "password" would cost the server, not the guesser.
    username: str = Field(max_length=200)
    password: str = Field(max_length=1024)


def user_json(user: User, state: State) -> dict[str, Any]:
    names = state.view().divisions.set_index("division_code")["name"]
    return {
        "username": user.username,
        "display_name": user.display_name,
        "role": user.role.value,
        "role_name": ROLE_NAMES_ZH[user.role],
        "division_code": user.division_code,
        "division_name": names.get(user.division_code) if user.division_code else None,
    }


def limits(state: State) -> accounts.LoginLimits:
    settings = state.settings
    return accounts.LoginLimits(settings.login_attempts, settings.login_window_s, settings.login_block_max_s)


@router.post("", summary="登录 Log in", response_model=SessionOut)
def log_in(body: Login, request: Request, response: Response, state: State) -> dict[str, Any]:
    # The peer's address, or the one a configured proxy forwarded (see the app's proxy middleware).
    address = request.client.host if request.client else "unknown"
    limit = limits(state)
    # Its own transaction, committed before the password is checked: every parallel attempt sees it.
    with state.store.write() as conn:
        attempt = accounts.claim_attempt(conn, body.username, address, limit)
    if not attempt.allowed:
        wait = int(attempt.wait_s) + 1
        raise ApiError(
            429,
            "rate_limited",
            say(f"登录失败次数过多，请 {wait} 秒后再试", f"too many failed logins; try again in {wait} s"),
        ).retry_after(wait)
    with state.store.write() as conn:
        session = accounts.log_in(conn, body.username, body.password, state.settings.session_hours)
        accounts.settle_attempt(conn, attempt, session is not None, limit)
        where = {"address": address}
        if session is None:
            accounts.audit(conn, body.username, "login.failed", "login", body.username, None, where)
        else:
            accounts.audit(conn, session.user.username, "login", "login", session.user.username, None, where)
    if session is None:
        raise ApiError(401, "bad_credentials", say("用户名或口令错误", "wrong user name or password"))
    response.set_cookie(
        SESSION_COOKIE,
        session.token,
        max_age=int(state.settings.session_hours * 3600),
        httponly=True,
        samesite="strict",
        # Behind HTTPS (the setting, or a trusted proxy saying so) the cookie never travels in clear.
        secure=state.settings.cookie_secure or request.url.scheme == "https",
        path="/",
    )
    return {"user": user_json(session.user, state), "csrf": session.csrf}


@router.get("", summary="当前用户 Who is logged in", response_model=SessionOut)
def who(found: CurrentSession, state: State) -> dict[str, Any]:
    return {"user": user_json(found.user, state), "csrf": found.csrf}


@router.delete("", status_code=204, summary="退出 Log out")
def log_out(found: CurrentSession, response: Response, state: State) -> Response:
    with state.store.write() as conn:
        accounts.log_out(conn, found.token)
    state.sessions.drop(found.token)
    response.delete_cookie(SESSION_COOKIE, path="/")
    response.status_code = 204
    return response
