"""Users, login sessions and the audit log, kept in the store (both backends).

Passwords are stored as Argon2id hashes; a session cookie is a random token of which the store
keeps only the SHA-256, so a copy of the store does not log anyone in. Every write to users goes
to the audit log with what was before and after (the password hash never).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets
from dataclasses import dataclass
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import ColumnElement, Connection, func, select

from landrenewal.domain.access import AccessError, Role, User, role_of
from landrenewal.store import schema
from landrenewal.store.frames import plain

_HASHER = PasswordHasher()
MIN_PASSWORD = 8
# Verified against when the user name is unknown, so that a wrong name costs as long as a wrong password.
_DUMMY_HASH = _HASHER.hash("landrenewal-no-such-user")


class AccountError(ValueError):
    """A request about users that cannot be done: names the user and the reason."""


@dataclass(frozen=True)
class Session:
    token: str  # goes to the browser; the store keeps its hash
    csrf: str
    user: User
    expires_at: dt.datetime


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _user(row: Any) -> User:
    return User(row.username, row.display_name, Role(row.role), row.division_code)


def _public(row: Any) -> dict[str, Any]:
    return {
        "username": row.username,
        "display_name": row.display_name,
        "role": row.role,
        "division_code": row.division_code,
        "active": bool(row.active),
    }


def audit(
    conn: Connection, who: str, action: str, entity: str, key: str, before: Any = None, after: Any = None
) -> None:
    """One row of the audit log (written in the caller's transaction, so it stands or falls with the change)."""
    conn.execute(
        schema.audit_log.insert().values(
            at=_now(),
            username=who,
            action=action,
            entity=entity,
            entity_key=key,
            before=None if before is None else json.dumps(before, ensure_ascii=False, default=str),
            after=None if after is None else json.dumps(after, ensure_ascii=False, default=str),
        )
    )


def _check_division(conn: Connection, role: Role, division_code: str | None) -> None:
    if role is not Role.TOWN:
        return
    if not division_code:
        raise AccountError("镇街用户必须指定所属行政区划 (a town officer needs --division)")
    found = conn.execute(
        select(schema.divisions.c.level).where(schema.divisions.c.division_code == division_code)
    ).scalar()
    if found is None:
        raise AccountError(f"行政区划 {division_code} 不在库中 (no such division in the store)")


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"口令至少 {MIN_PASSWORD} 个字符 (a password needs at least {MIN_PASSWORD} characters)")


def create_user(
    conn: Connection,
    username: str,
    password: str,
    role: str,
    *,
    display_name: str | None = None,
    division_code: str | None = None,
    by: str = "system",
) -> dict[str, Any]:
    """A new user; AccountError if the name is taken or the definition is incomplete."""
    username = username.strip()
    if not username:
        raise AccountError("用户名不能为空 (user name is empty)")
    try:
        parsed = role_of(role)
    except AccessError as e:
        raise AccountError(str(e)) from None
    _check_division(conn, parsed, division_code)
    _check_password(password)
    users = schema.users
    if conn.execute(select(users.c.id).where(users.c.username == username)).first():
        raise AccountError(f"用户名 {username} 已存在 (user already exists)")
    values = {
        "username": username,
        "display_name": display_name or username,
        "role": parsed.value,
        "division_code": division_code if parsed is Role.TOWN else None,
        "active": 1,
    }
    conn.execute(users.insert().values(**values, password_hash=_HASHER.hash(password), created_at=_now()))
    after = {**values, "active": True}
    audit(conn, by, "user.create", "users", username, None, after)
    return after


def update_user(
    conn: Connection,
    username: str,
    *,
    by: str,
    display_name: str | None = None,
    role: str | None = None,
    division_code: str | None = None,
    password: str | None = None,
    active: bool | None = None,
) -> dict[str, Any]:
    """Change a user; the audit log gets the row before and after. A new password ends its sessions."""
    users = schema.users
    row = conn.execute(select(users).where(users.c.username == username)).first()
    if row is None:
        raise AccountError(f"没有用户 {username} (no such user)")
    before = _public(row)
    changes: dict[str, Any] = {}
    if display_name is not None:
        changes["display_name"] = display_name
    new_role = Role(row.role)
    if role is not None:
        try:
            new_role = role_of(role)
        except AccessError as e:
            raise AccountError(str(e)) from None
        changes["role"] = new_role.value
    division = division_code if division_code is not None else row.division_code
    _check_division(conn, new_role, division)
    changes["division_code"] = division if new_role is Role.TOWN else None
    if active is not None:
        changes["active"] = int(active)
    if password is not None:
        _check_password(password)
        changes["password_hash"] = _HASHER.hash(password)
    conn.execute(users.update().where(users.c.id == row.id).values(**changes))
    if password is not None or active is False:
        conn.execute(schema.sessions.delete().where(schema.sessions.c.user_id == row.id))
    after = _public(conn.execute(select(users).where(users.c.id == row.id)).one())
    audit(conn, by, "user.update", "users", username, before, {**after, "password_changed": password is not None})
    return after


def list_users(conn: Connection) -> list[dict[str, Any]]:
    rows = conn.execute(select(schema.users).order_by(schema.users.c.username))
    return [_public(r) for r in rows]


def user_count(conn: Connection) -> int:
    return int(conn.execute(select(func.count()).select_from(schema.users)).scalar_one())


def log_in(conn: Connection, username: str, password: str, hours: float) -> Session | None:
    """A new session for the right name and password of an active user; None otherwise."""
    users = schema.users
    row = conn.execute(select(users).where(users.c.username == username)).first()
    try:
        _HASHER.verify(row.password_hash if row is not None else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return None
    if row is None or not row.active:
        return None
    if _HASHER.check_needs_rehash(row.password_hash):
        conn.execute(users.update().where(users.c.id == row.id).values(password_hash=_HASHER.hash(password)))
    now = _now()
    conn.execute(schema.sessions.delete().where(schema.sessions.c.expires_at < now))
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(24)
    expires = now + dt.timedelta(hours=hours)
    conn.execute(
        schema.sessions.insert().values(
            token_sha256=_digest(token), csrf=csrf, user_id=row.id, created_at=now, expires_at=expires
        )
    )
    return Session(token, csrf, _user(row), expires)


def session_of(conn: Connection, token: str) -> Session | None:
    """The live session of a cookie, or None (unknown, expired, or the user since deactivated)."""
    s, u = schema.sessions, schema.users
    row = conn.execute(
        select(s.c.csrf, s.c.expires_at, u.c.username, u.c.display_name, u.c.role, u.c.division_code, u.c.active)
        .join(u, u.c.id == s.c.user_id)
        .where(s.c.token_sha256 == _digest(token))
    ).first()
    if row is None or not row.active:
        return None
    expires = row.expires_at if row.expires_at.tzinfo else row.expires_at.replace(tzinfo=dt.UTC)
    if expires <= _now():
        return None
    return Session(token, row.csrf, _user(row), expires)


def log_out(conn: Connection, token: str) -> None:
    conn.execute(schema.sessions.delete().where(schema.sessions.c.token_sha256 == _digest(token)))


def login_wait(conn: Connection, limits: dict[str, int], window_s: float) -> float:
    """Seconds until another login may be tried for any key of ``limits`` (a user name, an address),
    each allowing that many failures within the window, counted since the key's last success. Kept in
    the store, so that every server process counts the same failures."""
    log = schema.audit_log
    now = _now()
    start = now - dt.timedelta(seconds=window_s)
    wait = 0.0
    for key, attempts in limits.items():
        last_ok = conn.execute(
            select(func.max(log.c.at)).where(
                (log.c.entity == "login") & (log.c.entity_key == key) & (log.c.action == "login")
            )
        ).scalar()
        since = max(start, _aware(last_ok)) if last_ok is not None else start
        failures = (
            conn.execute(
                select(log.c.at)
                .where((log.c.entity == "login") & (log.c.entity_key == key) & (log.c.action == "login.failed"))
                .where(log.c.at > since)
                .order_by(log.c.at.desc())
                .limit(attempts)
            )
            .scalars()
            .all()
        )
        if len(failures) >= attempts:
            oldest = _aware(failures[-1])
            wait = max(wait, window_s - (now - oldest).total_seconds())
    return wait


def _aware(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def about(entity: str, key: str, *, prefix: bool = False) -> ColumnElement[bool]:
    """Audit rows about one record (``prefix``: about every record whose key starts so, such as
    ``uscc/`` for all of an enterprise's yearly figures)."""
    log = schema.audit_log
    keyed = log.c.entity_key.startswith(key, autoescape=True) if prefix else log.c.entity_key == key
    return (log.c.entity == entity) & keyed


def audit_rows(
    conn: Connection, offset: int, limit: int, where: ColumnElement[bool] | None = None
) -> list[dict[str, Any]]:
    """The audit log, newest first; times as ISO text."""
    log = schema.audit_log
    query = select(log.c.at, log.c.username, log.c.action, log.c.entity, log.c.entity_key, log.c.before, log.c.after)
    if where is not None:
        query = query.where(where)
    rows = conn.execute(query.order_by(log.c.id.desc()).offset(offset).limit(limit))
    names = ("at", "username", "action", "entity", "key", "before", "after")
    return [{n: plain(v) for n, v in zip(names, row, strict=True)} for row in rows]
