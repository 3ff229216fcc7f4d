"""Users, login sessions, failed-login limits and the audit log, kept in the store (both backends).

Passwords are stored as Argon2id hashes; a session cookie is a random token of which the store
keeps only the SHA-256, so a copy of the store does not log anyone in. Every write to users goes
to the audit log with what was before and after (the password hash never).

Failed logins are limited per (user name, client address): a stranger elsewhere cannot lock a
user out, and an office behind one NAT address is not locked out by one of its people. Each
attempt first claims its place in the count with one atomic statement (an upsert), and only a
claimed attempt has its password checked, so parallel attempts cannot all read the same count.
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
from sqlalchemy import ColumnElement, Connection, DateTime, and_, case, func, literal, or_, select
from sqlalchemy.dialects import postgresql, sqlite

from landrenewal.domain.access import AccessError, Role, User, role_of
from landrenewal.domain.divisions import Level
from landrenewal.domain.language import say
from landrenewal.passwords import password_problem
from landrenewal.store import schema
from landrenewal.store.frames import plain, utc_iso

_HASHER = PasswordHasher()
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
        raise AccountError(say("镇街用户必须指定所属行政区划", "a town officer needs its division (--division)"))
    found = conn.execute(
        select(schema.divisions.c.level).where(schema.divisions.c.division_code == division_code)
    ).scalar()
    if found is None:
        raise AccountError(say(f"行政区划 {division_code} 不在库中", f"no division {division_code} in the store"))
    if found != Level.TOWN.value:
        # A town officer bound to its county would see every town's private figures.
        raise AccountError(
            say(
                f"镇街用户只能绑定到镇（街道）：{division_code} 不是 9 位的镇街代码",
                f"a town officer needs a town, a 9-digit division: {division_code} is not one",
            )
        )
    try:
        User("check", "check", Role.TOWN, division_code)
    except AccessError as e:
        raise AccountError(str(e)) from None


def _check_password(password: str, username: str) -> None:
    problem = password_problem(password, username)
    if problem is not None:
        raise AccountError(problem)


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
        raise AccountError(say("用户名不能为空", "the user name is empty"))
    try:
        parsed = role_of(role)
    except AccessError as e:
        raise AccountError(str(e)) from None
    _check_division(conn, parsed, division_code)
    _check_password(password, username)
    users = schema.users
    if conn.execute(select(users.c.id).where(users.c.username == username)).first():
        raise AccountError(say(f"用户名 {username} 已存在", f"the user {username} already exists"))
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


def _keep_an_admin(conn: Connection, leaving: int) -> None:
    """Refuse a change that would leave no active administrator: nobody could manage users again."""
    users = schema.users
    others = select(func.count()).where(
        (users.c.role == Role.ADMIN.value) & (users.c.active == 1) & (users.c.id != leaving)
    )
    if not conn.execute(others).scalar_one():
        raise AccountError(
            say(
                "这是最后一个在用的管理员，不能停用或改为其他角色",
                "this is the last active administrator: it can be neither stopped nor given another role",
            )
        )


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
        raise AccountError(say(f"没有用户 {username}", f"no such user: {username}"))
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
    if row.role == Role.ADMIN.value and row.active and (new_role is not Role.ADMIN or active is False):
        _keep_an_admin(conn, row.id)
    if password is not None:
        _check_password(password, username)
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
    try:
        user = _user(row)
    except AccessError:
        return None  # bound to something a town officer may not be (made before the rule); an admin fixes it
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
    return Session(token, csrf, user, expires)


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
    try:
        user = _user(row)
    except AccessError:
        return None
    expires = row.expires_at if row.expires_at.tzinfo else row.expires_at.replace(tzinfo=dt.UTC)
    if expires <= _now():
        return None
    return Session(token, row.csrf, user, expires)


def log_out(conn: Connection, token: str) -> None:
    conn.execute(schema.sessions.delete().where(schema.sessions.c.token_sha256 == _digest(token)))


@dataclass(frozen=True)
class LoginLimits:
    """``attempts`` failures per (user name, address) within ``window_s``; then that pair waits
    ``window_s``, twice as long after each further run of failures, at most ``block_max_s``."""

    attempts: int = 5
    window_s: float = 300.0
    block_max_s: float = 3600.0

    def block_s(self, strikes: int) -> float:
        return float(min(self.block_max_s, self.window_s * 2 ** min(strikes, 30)))


@dataclass(frozen=True)
class Attempt:
    """A login attempt's place in its (user name, address) count."""

    username: str
    address: str
    number: int  # this attempt's number in the current window
    strikes: int
    allowed: bool  # whether its password may be checked at all
    wait_s: float  # when not allowed: seconds until the pair may try again


def claim_attempt(conn: Connection, username: str, address: str, limits: LoginLimits) -> Attempt:
    """Count one attempt for (``username``, ``address``) before its password is checked.

    One upsert both reads and raises the count, so that of many parallel attempts exactly
    ``limits.attempts`` are allowed. Run it as the first statement of its own transaction and commit
    before checking the password: SQLite then takes its write lock before reading the row, and
    PostgreSQL holds the row's lock for the statement.
    """
    t = schema.login_throttle
    now = _now()
    stamp = DateTime(timezone=True)
    window_over = t.c.window_start <= now - dt.timedelta(seconds=limits.window_s)
    block_over = t.c.blocked_until <= now
    # A new window starts once the old one has passed without a block, or once the block has.
    fresh = or_(and_(t.c.blocked_until.is_(None), window_over), and_(t.c.blocked_until.is_not(None), block_over))
    quiet = func.coalesce(t.c.blocked_until, t.c.window_start) <= now - dt.timedelta(seconds=limits.block_max_s)
    insert = (postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert)(t)
    statement = (
        insert.values(username=username, address=address, attempts=1, window_start=now, strikes=0, blocked_until=None)
        .on_conflict_do_update(
            index_elements=[t.c.username, t.c.address],
            set_={
                "attempts": case((fresh, 1), else_=t.c.attempts + 1),
                "window_start": case((fresh, literal(now, stamp)), else_=t.c.window_start),
                "blocked_until": case((fresh, literal(None, stamp)), else_=t.c.blocked_until),
                # A pair quiet for the longest wait starts again from the shortest.
                "strikes": case((and_(fresh, quiet), 0), else_=t.c.strikes),
            },
        )
        .returning(t.c.attempts, t.c.strikes, t.c.blocked_until)
    )
    number, strikes, blocked = conn.execute(statement).one()
    blocked_for = (_aware(blocked) - now).total_seconds() if blocked is not None else 0.0
    allowed = blocked_for <= 0 and number <= limits.attempts
    # Refused while the last allowed attempts are still being checked: the wait their failure would start.
    wait = 0.0 if allowed else blocked_for if blocked_for > 0 else limits.block_s(strikes)
    return Attempt(username, address, int(number), int(strikes), allowed, wait)


def settle_attempt(conn: Connection, attempt: Attempt, succeeded: bool, limits: LoginLimits) -> None:
    """After the password check: a success clears the pair's count; the failure that reaches the
    limit blocks the pair, each time longer. Rows nobody has used for the longest wait go."""
    t = schema.login_throttle
    now = _now()
    pair = (t.c.username == attempt.username) & (t.c.address == attempt.address)
    if succeeded:
        conn.execute(t.delete().where(pair))
    elif attempt.number >= limits.attempts:
        until = now + dt.timedelta(seconds=limits.block_s(attempt.strikes))
        conn.execute(
            t.update()
            .where(pair & t.c.blocked_until.is_(None) & (t.c.attempts >= limits.attempts))
            .values(blocked_until=until, strikes=t.c.strikes + 1)
        )
    stale = now - dt.timedelta(seconds=limits.window_s + limits.block_max_s)
    conn.execute(t.delete().where(func.coalesce(t.c.blocked_until, t.c.window_start) < stale))


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
    """The audit log, newest first; times as ISO text in UTC with the zone (``+00:00``)."""
    log = schema.audit_log
    query = select(log.c.at, log.c.username, log.c.action, log.c.entity, log.c.entity_key, log.c.before, log.c.after)
    if where is not None:
        query = query.where(where)
    rows = conn.execute(query.order_by(log.c.id.desc()).offset(offset).limit(limit))
    names = ("at", "username", "action", "entity", "key", "before", "after")
    return [{n: utc_iso(v) if n == "at" else plain(v) for n, v in zip(names, row, strict=True)} for row in rows]


def audit_count(conn: Connection, where: ColumnElement[bool] | None = None) -> int:
    log = schema.audit_log
    query = select(func.count()).select_from(log)
    return int(conn.execute(query if where is None else query.where(where)).scalar_one())
