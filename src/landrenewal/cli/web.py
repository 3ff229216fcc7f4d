"""``landrenewal serve`` and ``landrenewal users``: the web app and the people who log in to it."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer
from rich.table import Table

from landrenewal.cli.common import DEFAULT_DB, DbOption, Exit, JsonOption, console, fail, os_user

users_app = typer.Typer(help="用户 Users of the web app: roles admin | city | town | viewer.", no_args_is_help=True)

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


@users_app.command("add")
def add(
    username: Annotated[str, typer.Argument(help="登录名")],
    role: Annotated[str, typer.Option(help="admin | city | town | viewer")],
    password: Annotated[
        str,
        typer.Option(
            prompt=True,
            hide_input=True,
            confirmation_prompt=True,
            help="口令：至少 8 个字符，不能是常见口令、连续或重复的字符，不能包含用户名",
        ),
    ],
    division: Annotated[str | None, typer.Option(help="镇街用户的行政区划代码 (a town officer's division)")] = None,
    name: Annotated[str | None, typer.Option(help="姓名 (display name)")] = None,
    db: DbOption = DEFAULT_DB,
    as_json: JsonOption = False,
) -> None:
    """新建用户 Add a user."""
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
        console.print(f"已新建用户 {username}（{role}）")


@users_app.command("list")
def list_(db: DbOption = DEFAULT_DB, as_json: JsonOption = False) -> None:
    """用户列表 List users."""
    from landrenewal import accounts

    with _store(db).engine.connect() as conn:
        rows = accounts.list_users(conn)
    if as_json:
        print(json.dumps(rows, ensure_ascii=False))
        return
    table = Table("登录名", "姓名", "角色", "行政区划", "启用")
    for r in rows:
        table.add_row(
            r["username"], r["display_name"], r["role"], r["division_code"] or "", "是" if r["active"] else "否"
        )
    console.print(table)


@users_app.command("password")
def password(
    username: Annotated[str, typer.Argument(help="登录名")],
    new: Annotated[str, typer.Option("--password", prompt=True, hide_input=True, confirmation_prompt=True)],
    db: DbOption = DEFAULT_DB,
) -> None:
    """重设口令 Set a user's password (ends the user's sessions)."""
    from landrenewal import accounts

    try:
        with _store(db).write() as conn:
            accounts.update_user(conn, username, by=os_user(), password=new)
    except accounts.AccountError as e:
        fail(str(e), Exit.USAGE, False)
    console.print(f"已重设 {username} 的口令")


@users_app.command("demo")
def demo(db: DbOption = DEFAULT_DB, as_json: JsonOption = False) -> None:
    """示范账号 The demo city's logins, one per role (those already there are kept as they are)."""
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
            fail("库中没有镇街，无法建立镇街账号 (no towns in the store)", Exit.UNUSABLE, as_json)
        existing = {u["username"] for u in accounts.list_users(conn)}
        logins = []
        for username, name, role, secret in DEMO_USERS:
            division = town.division_code if role == "town" else None
            if username not in existing:
                accounts.create_user(
                    conn, username, secret, role, display_name=name, division_code=division, by=os_user()
                )
            where = f"{town.name}（{division}）" if division else "全市"
            logins.append({"username": username, "password": secret, "role": role, "scope": where})
    if as_json:
        print(json.dumps(logins, ensure_ascii=False))
        return
    for login in logins:
        print(f"  {login['role']:<7} 用户名 {login['username']:<7} 口令 {login['password']:<17} 范围 {login['scope']}")


def serve(
    db: DbOption = DEFAULT_DB,
    host: Annotated[str | None, typer.Option(help="监听地址 (default 127.0.0.1)")] = None,
    port: Annotated[int | None, typer.Option(help="端口 (default 8000)")] = None,
    workers: Annotated[int | None, typer.Option(help="服务进程数，每核一个 (server processes; default 1)")] = None,
) -> None:
    """启动网页服务 Serve the web app (settings also from LANDRENEWAL_* environment variables)."""
    import os

    import uvicorn

    from landrenewal.web.app import create_app
    from landrenewal.web.settings import Settings, to_env

    settings = Settings.from_env(db=db, host=host, port=port, workers=workers)
    store = _store(settings.db)  # fails here, clearly, if the store cannot be opened
    print(f"低效工业用地整治平台: http://{settings.host}:{settings.port}/", flush=True)
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
