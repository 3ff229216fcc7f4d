"""Logging in and out: a session cookie (HttpOnly, SameSite=Strict) and a CSRF token for writes."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel

from landrenewal import accounts
from landrenewal.domain.access import ROLE_NAMES_ZH, User
from landrenewal.web.deps import SESSION_COOKIE, ApiError, CurrentSession, State

router = APIRouter(prefix="/api/session", tags=["session"])
ADDRESS_FACTOR = 10


class Login(BaseModel):
    username: str
    password: str


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


@router.post("", summary="登录 Log in")
def log_in(body: Login, request: Request, response: Response, state: State) -> dict[str, Any]:
    client = request.client.host if request.client else "unknown"
    user_key, address_key = f"user:{body.username}", f"addr:{client}"
    settings = state.settings
    with state.store.write() as conn:
        # An office behind one NAT address shares the address's allowance: ten times a user's.
        limits = {user_key: settings.login_attempts, address_key: settings.login_attempts * ADDRESS_FACTOR}
        wait = accounts.login_wait(conn, limits, settings.login_window_s)
        if wait > 0:
            raise ApiError(
                429, "rate_limited", f"登录失败次数过多，请 {int(wait) + 1} 秒后再试 (too many failed logins; wait)"
            )
        session = accounts.log_in(conn, body.username, body.password, settings.session_hours)
        if session is None:
            for key in (user_key, address_key):
                accounts.audit(conn, body.username, "login.failed", "login", key)
        else:
            accounts.audit(conn, session.user.username, "login", "login", user_key)
    if session is None:
        raise ApiError(401, "bad_credentials", "用户名或口令错误 (wrong user name or password)")
    response.set_cookie(
        SESSION_COOKIE,
        session.token,
        max_age=int(state.settings.session_hours * 3600),
        httponly=True,
        samesite="strict",
        secure=state.settings.cookie_secure,
        path="/",
    )
    return {"user": user_json(session.user, state), "csrf": session.csrf}


@router.get("", summary="当前用户 Who is logged in")
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
