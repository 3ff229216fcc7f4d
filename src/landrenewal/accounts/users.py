"""Users in the store (both backends): who they are, their role and town, their password.

Passwords are stored as Argon2id hashes (the rules a new one must meet: ``passwords.py``). Every
write to users goes to the audit log with what was before and after (the password hash never).
A town officer is bound to a town, never its county; the last active administrator stays one.
"""

from __future__ import annotations

from typing import Any

from argon2 import PasswordHasher
from sqlalchemy import Connection, func, select

from landrenewal.accounts.audit import audit, now_utc
from landrenewal.accounts.passwords import password_problem
from landrenewal.domain.access import AccessError, Role, User, role_of
from landrenewal.domain.divisions import Level
from landrenewal.domain.language import say
from landrenewal.store import schema

HASHER = PasswordHasher()


# Verified against when the user name is unknown, so that a wrong name costs as long as a wrong password.
UNKNOWN_USER_HASH = HASHER.hash("landrenewal-no-such-user")


class AccountError(ValueError):
    """A request about users that cannot be done: names the user and the reason."""


def user_of(row: Any) -> User:
    return User(row.username, row.display_name, Role(row.role), row.division_code)


def _public(row: Any) -> dict[str, Any]:
    return {
        "username": row.username,
        "display_name": row.display_name,
        "role": row.role,
        "division_code": row.division_code,
        "active": bool(row.active),
    }


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
    conn.execute(users.insert().values(**values, password_hash=HASHER.hash(password), created_at=now_utc()))
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
        changes["password_hash"] = HASHER.hash(password)
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
