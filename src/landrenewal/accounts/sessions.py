"""Log-in sessions and the failed-login limits.

A session cookie is a random token of which the store keeps only the SHA-256, so a copy of the
store does not log anyone in.

Failed logins are limited per (user name, client address): a stranger elsewhere cannot lock a
user out, and an office behind one NAT address is not locked out by one of its people. Each
attempt first claims its place in the count with one atomic statement (an upsert), and only a
claimed attempt has its password checked, so parallel attempts cannot all read the same count.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Connection, DateTime, and_, case, func, literal, or_, select
from sqlalchemy.dialects import postgresql, sqlite

from landrenewal.accounts.audit import now_utc
from landrenewal.accounts.users import HASHER, UNKNOWN_USER_HASH, user_of
from landrenewal.domain.access import AccessError, User
from landrenewal.store import schema


@dataclass(frozen=True)
class Session:
    token: str  # goes to the browser; the store keeps its hash
    csrf: str
    user: User
    expires_at: dt.datetime


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def log_in(conn: Connection, username: str, password: str, hours: float) -> Session | None:
    """A new session for the right name and password of an active user; None otherwise."""
    users = schema.users
    row = conn.execute(select(users).where(users.c.username == username)).first()
    try:
        HASHER.verify(row.password_hash if row is not None else UNKNOWN_USER_HASH, password)
    except (VerificationError, InvalidHashError):
        return None
    if row is None or not row.active:
        return None
    try:
        user = user_of(row)
    except AccessError:
        return None  # bound to something a town officer may not be (made before the rule); an admin fixes it
    if HASHER.check_needs_rehash(row.password_hash):
        conn.execute(users.update().where(users.c.id == row.id).values(password_hash=HASHER.hash(password)))
    now = now_utc()
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
        user = user_of(row)
    except AccessError:
        return None
    expires = row.expires_at if row.expires_at.tzinfo else row.expires_at.replace(tzinfo=dt.UTC)
    if expires <= now_utc():
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
    now = now_utc()
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
    now = now_utc()
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
