"""``landrenewal serve`` and ``landrenewal users``: the web app and the people who log in to it."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer
from rich.table import Table

from landrenewal.cli.common import DEFAULT_DB, App, DbOption, Exit, JsonOption, console, fail, os_user, word
from landrenewal.domain.language import say

users_app = App(
    help=say(
        "网页用户：角色为 admin（系统管理员）、city（市级）、town（镇街）、viewer（只读）。",
        "Users of the web app: roles admin | city | town | viewer.",
    ),
    no_args_is_help=True,
)

# The demo city's logins, one per role, printed by `make demo`. The town officer works in the first town.
# The passwords follow the password rules like any other: none contains its user name.
DEMO_USERS = (
    ("admin", "信息中心", "admin", "xinxi-demo-2026"),
    ("city", "市整治办", "city", "zhengzhi-demo-2026"),
    ("town", "镇街专班", "town", "zhuanban-demo-2026"),
    ("viewer", "领导小组办公室", "viewer", "lingdao-demo-2026"),
)


def _store(db: str) -> Any:
    from landrenewal.store.engine import StoreError, open_store

    try:
        return open_store(db, create=False)
    except StoreError as e:
        fail(str(e), Exit.UNUSABLE, False)


@users_app.command("add", help=say("新建用户。", "Add a user."))
def add(
    username: Annotated[str, typer.Argument(help=say("登录名", "the login name"))],
    role: Annotated[str, typer.Option(help="admin | city | town | viewer")],
    password: Annotated[
        str,
        typer.Option(
            prompt=say("口令", "Password"),
            hide_input=True,
            confirmation_prompt=True,
            help=say(
                "口令：至少 8 个字符，不能是常见口令、连续或重复的字符，不能包含用户名",
                "the password: at least 8 characters, not a common password, not a run or repeat of one "
                "character, not containing the user name",
            ),
        ),
    ],
    division: Annotated[
        str | None, typer.Option(help=say("镇街用户的行政区划代码", "a town officer's division code"))
    ] = None,
    name: Annotated[str | None, typer.Option(help=say("姓名", "the name shown"))] = None,
    db: DbOption = DEFAULT_DB,
    as_json: JsonOption = False,
) -> None:
    """Add a user."""
    from landrenewal import accounts

    store = _store(db)
    try:
        with store.write() as conn:
            created = accounts.create_user(
                conn, username, password, role, display_name=name, division_code=division, by=os_user()
            )
    except accounts.AccountError as e:
        fail(str(e), Exit.USAGE, as_json)
    if as_json:
        print(json.dumps(created, ensure_ascii=False))
    else:
        console.print(say(f"已新建用户 {username}（{word('role', role)}）", f"added the user {username} ({role})"))


@users_app.command("list", help=say("用户列表。", "List the users."))
def list_(db: DbOption = DEFAULT_DB, as_json: JsonOption = False) -> None:
    """List users."""
    from landrenewal import accounts

    with _store(db).engine.connect() as conn:
        rows = accounts.list_users(conn)
    if as_json:
        print(json.dumps(rows, ensure_ascii=False))
        return
    table = Table(
        say("登录名", "login"),
        say("姓名", "name"),
        say("角色", "role"),
        say("行政区划", "division"),
        say("启用", "active"),
    )
    yes, no = say("是", "yes"), say("否", "no")
    for r in rows:
        table.add_row(
            r["username"],
            r["display_name"],
            word("role", r["role"]),
            r["division_code"] or "",
            yes if r["active"] else no,
        )
    console.print(table)


@users_app.command(
    "password",
    help=say("重设口令（该用户已登录的会话随之结束）。", "Set a user's password (ends the user's sessions)."),
)
def password(
    username: Annotated[str, typer.Argument(help=say("登录名", "the login name"))],
    new: Annotated[
        str,
        typer.Option(
            "--password",
            prompt=say("新口令", "New password"),
            hide_input=True,
            confirmation_prompt=True,
            help=say("新口令", "the new password"),
        ),
    ],
    db: DbOption = DEFAULT_DB,
) -> None:
    """Set a user's password (ends the user's sessions)."""
    from landrenewal import accounts

    try:
        with _store(db).write() as conn:
            accounts.update_user(conn, username, by=os_user(), password=new)
    except accounts.AccountError as e:
        fail(str(e), Exit.USAGE, False)
    console.print(say(f"已重设 {username} 的口令", f"the password of {username} is set"))


@users_app.command(
    "demo",
    help=say(
        "示范城市的账号，每个角色一个（已有的账号保持不变）。",
        "The demo city's logins, one per role (those already there are kept as they are).",
    ),
)
def demo(db: DbOption = DEFAULT_DB, as_json: JsonOption = False) -> None:
    """The demo city's logins, one per role."""
    from sqlalchemy import select

    from landrenewal import accounts
    from landrenewal.store import schema

    store = _store(db)
    with store.write() as conn:
        divisions = schema.divisions
        town = conn.execute(
            select(divisions.c.division_code, divisions.c.name)
            .where(divisions.c.level == "town")
            .order_by(divisions.c.division_code)
        ).first()
        if town is None:
            fail(
                say(
                    "库中没有镇街，无法建立镇街账号", "the store has no towns, so there can be no town officer's login"
                ),
                Exit.UNUSABLE,
                as_json,
            )
        existing = {u["username"] for u in accounts.list_users(conn)}
        logins = []
        for username, name, role, secret in DEMO_USERS:
            division = town.division_code if role == "town" else None
            if username not in existing:
                accounts.create_user(
                    conn, username, secret, role, display_name=name, division_code=division, by=os_user()
                )
            where = f"{town.name}（{division}）" if division else say("全市", "the whole city")
            logins.append({"username": username, "password": secret, "role": role, "scope": where})
    if as_json:
        print(json.dumps(logins, ensure_ascii=False))
        return
    for login in logins:
        print(
            say(
                f"  {login['role']:<7} 用户名 {login['username']:<7} "
                f"口令 {login['password']:<17} 范围 {login['scope']}",
                f"  {login['role']:<7} user {login['username']:<7} password {login['password']:<17} "
                f"scope {login['scope']}",
            )
        )


def serve(
    db: DbOption = DEFAULT_DB,
    host: Annotated[
        str | None, typer.Option(help=say("监听地址，默认 127.0.0.1", "the address to listen on; default 127.0.0.1"))
    ] = None,
    port: Annotated[int | None, typer.Option(help=say("端口，默认 8000", "the port; default 8000"))] = None,
    workers: Annotated[
        int | None,
        typer.Option(
            help=say(
                "服务进程数，默认 1，至多每核一个", "the number of server processes; default 1, at most one a core"
            )
        ),
    ] = None,
) -> None:
    """Serve the web app (settings also from LANDRENEWAL_* environment variables)."""
    import os

    import uvicorn

    from landrenewal.web.app import create_app
    from landrenewal.web.settings import Settings, to_env

    settings = Settings.from_env(db=db, host=host, port=port, workers=workers)
    store = _store(settings.db)  # fails here, clearly, if the store cannot be opened
    url = f"http://{settings.host}:{settings.port}/"
    print(say(f"低效工业用地整治平台：{url}", f"landrenewal: {url}"), flush=True)
    if settings.workers > 1:
        store.dispose()
        os.environ.update(to_env(settings))
        uvicorn.run(
            "landrenewal.web.app:app_from_env",
            factory=True,
            host=settings.host,
            port=settings.port,
            workers=settings.workers,
            log_level="warning",
            proxy_headers=False,  # the app believes forwarded headers from LANDRENEWAL_TRUSTED_PROXIES only
        )
        return
    app = create_app(settings, store)
    uvicorn.run(app, host=settings.host, port=settings.port, log_level="warning", proxy_headers=False)
