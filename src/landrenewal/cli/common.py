"""What every command shares: the store option, JSON output, exit codes and failing clearly."""

from __future__ import annotations

import datetime as dt
import getpass
import json
import os
from enum import IntEnum
from typing import Annotated, NoReturn

import typer
from rich.console import Console

console = Console(stderr=True)
DEFAULT_DB = "landrenewal.gpkg"

DbOption = Annotated[
    str,
    typer.Option(
        "--db",
        help="库：GeoPackage 文件路径或 postgresql:// URL (store: a .gpkg path or a PostgreSQL URL)",
        envvar="LANDRENEWAL_DB",
    ),
]
PolicyOption = Annotated[
    str | None,
    typer.Option(
        "--policy", help="政策 id 或 YAML 文件路径，默认用库设定的政策 (policy id or file; default: the store's)"
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="以 JSON 输出，便于脚本处理 (print JSON for scripts)")]


class Exit(IntEnum):
    OK = 0
    REFUSED = 1
    USAGE = 2
    UNUSABLE = 3


def fail(message: str, code: Exit, as_json: bool) -> NoReturn:
    if as_json:
        print(json.dumps({"error": message, "exit_code": int(code)}, ensure_ascii=False))
    else:
        console.print(f"[bold red]错误[/] {message}")
    raise typer.Exit(int(code))


def parse_date(text: str, as_json: bool) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        fail(f"日期应为 YYYY-MM-DD (a date like 2024-06-30): {text!r}", Exit.USAGE, as_json)


def os_user() -> str:
    """Who runs the command, for the audit log: ``os:<login name>`` (the uid when it has no name)."""
    try:
        return f"os:{getpass.getuser()}"
    except (OSError, KeyError):
        return f"os:uid-{os.getuid()}"
