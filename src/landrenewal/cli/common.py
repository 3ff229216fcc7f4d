"""What every command shares: the store option, JSON output, exit codes, failing clearly, and help
in the reader's language.

Help texts are formed with ``say`` when the CLI's modules are imported. That is right here, and only
here: the command line is a fresh process for one reader, whose language ``LANDRENEWAL_LANG`` is
read from the environment when ``domain.language`` is imported, before any help text is formed.
"""

from __future__ import annotations

import datetime as dt
import getpass
import json
import os
from enum import IntEnum
from typing import Annotated, Any, NoReturn

import typer
import typer.rich_utils
from rich.console import Console
from typer.core import TyperCommand, TyperGroup

from landrenewal.domain.language import say

console = Console(stderr=True)
DEFAULT_DB = "landrenewal.gpkg"

DbOption = Annotated[
    str,
    typer.Option(
        "--db",
        help=say("库：GeoPackage 文件路径或 postgresql:// 地址", "the store: a .gpkg path or a postgresql:// URL"),
        envvar="LANDRENEWAL_DB",
    ),
]
PolicyOption = Annotated[
    str | None,
    typer.Option(
        "--policy",
        help=say(
            "政策 id 或 YAML 文件路径，默认用库设定的政策", "a policy id or YAML file; default: the store's policy"
        ),
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help=say("以 JSON 输出，便于脚本处理", "print JSON, for scripts"))]


class Exit(IntEnum):
    OK = 0
    REFUSED = 1
    USAGE = 2
    UNUSABLE = 3


def fail(message: str, code: Exit, as_json: bool) -> NoReturn:
    if as_json:
        print(json.dumps({"error": message, "exit_code": int(code)}, ensure_ascii=False))
    else:
        console.print(f"[bold red]{say('错误', 'Error')}[/] {message}")
    raise typer.Exit(int(code))


def parse_date(text: str, as_json: bool) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        fail(
            say(
                f"日期应为 YYYY-MM-DD 格式，如 2024-06-30：{text!r}",
                f"a date must be YYYY-MM-DD, like 2024-06-30: {text!r}",
            ),
            Exit.USAGE,
            as_json,
        )


def word(group: str, code: str) -> str:
    """A coded value's name in the reader's language (``word("list", "above")`` → 规上企业), else the code."""
    from landrenewal.domain.vocabulary import VALUES

    pair = VALUES.get(group, {}).get(code)
    return code if pair is None else say(*pair)


def os_user() -> str:
    """Who runs the command, for the audit log: ``os:<login name>`` (the uid when it has no name)."""
    try:
        return f"os:{getpass.getuser()}"
    except (OSError, KeyError):
        return f"os:uid-{os.getuid()}"


def _speak_help_framework() -> None:
    """The words typer itself puts around our help texts and usage errors, in the reader's language
    (typer reads these module settings each time it draws help)."""
    rich = typer.rich_utils
    rich.ARGUMENTS_PANEL_TITLE = say("参数", "Arguments")
    rich.OPTIONS_PANEL_TITLE = say("选项", "Options")
    rich.COMMANDS_PANEL_TITLE = say("命令", "Commands")
    rich.ERRORS_PANEL_TITLE = say("错误", "Error")
    rich.DEFAULT_STRING = say("[默认：{}]", "[default: {}]")
    rich.ENVVAR_STRING = say("[环境变量：{}]", "[env var: {}]")
    rich.REQUIRED_LONG_STRING = say("[必填]", "[required]")
    rich.DEPRECATED_STRING = say("（已弃用）", "(deprecated) ")
    rich.ABORTED_TEXT = say("已中止。", "Aborted.")
    rich.RICH_HELP = say("运行 [blue]'{command_path} {help_option}'[/] 查看帮助。", rich.RICH_HELP)


_speak_help_framework()


def _said_help(option: Any) -> Any:
    if option is not None:
        option.help = say("显示本帮助并退出。", "Show this message and exit.")
    return option


def _write_usage(command: TyperCommand | TyperGroup, ctx: Any, formatter: Any) -> None:
    pieces = command.collect_usage_pieces(ctx)
    formatter.write_usage(ctx.command_path, " ".join(pieces), prefix=say("用法：", "Usage: "))


class Command(TyperCommand):
    """A command whose help option and usage line speak the reader's language."""

    def get_help_option(self, ctx: Any) -> Any:
        return _said_help(super().get_help_option(ctx))

    def format_usage(self, ctx: Any, formatter: Any) -> None:
        _write_usage(self, ctx, formatter)


class Group(TyperGroup):
    """A group of commands whose help option and usage line speak the reader's language."""

    def get_help_option(self, ctx: Any) -> Any:
        return _said_help(super().get_help_option(ctx))

    def format_usage(self, ctx: Any, formatter: Any) -> None:
        _write_usage(self, ctx, formatter)


class App(typer.Typer):
    """A ``typer.Typer`` whose commands and sub-apps draw their help in the reader's language."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("cls", Group)
        kwargs.setdefault("options_metavar", say("[选项]", "[OPTIONS]"))
        kwargs.setdefault("subcommand_metavar", say("命令 [参数]...", "COMMAND [ARGS]..."))
        super().__init__(**kwargs)

    def command(self, *args: Any, **kwargs: Any) -> Any:
        kwargs.setdefault("cls", Command)
        return super().command(*args, **kwargs)
