"""Running the ``landrenewal`` command as a user does: a real process."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping

# A wide terminal, so that no sentence is wrapped in the middle of a word.
WIDE = {"COLUMNS": "250", "TERMINAL_WIDTH": "250"}


def run(
    *args: str, check: bool = False, env: Mapping[str, str | None] | None = None
) -> subprocess.CompletedProcess[str]:
    """``landrenewal *args``; ``env`` sets variables for this run (``None`` unsets one)."""
    environment = dict(os.environ)
    for name, value in (env or {}).items():
        if value is None:
            environment.pop(name, None)
        else:
            environment[name] = value
    done = subprocess.run(
        [sys.executable, "-m", "landrenewal", *args], capture_output=True, text=True, timeout=300, env=environment
    )
    if check and done.returncode != 0:
        raise AssertionError(f"exit {done.returncode}\nstdout: {done.stdout}\nstderr: {done.stderr}")
    return done


def every_help(env: Mapping[str, str | None]) -> str:
    """The help of every command and group, as one text, drawn in one process with ``env``."""
    walk = (
        "import typer.main\n"
        "from typer.testing import CliRunner\n"
        "from landrenewal.cli.main import app\n"
        "def paths(command, path):\n"
        "    yield path\n"
        "    for name, sub in getattr(command, 'commands', {}).items():\n"
        "        yield from paths(sub, [*path, name])\n"
        "for path in paths(typer.main.get_command(app), []):\n"
        "    print(CliRunner().invoke(app, [*path, '--help']).output)\n"
    )
    environment = dict(os.environ) | WIDE
    for name, value in env.items():
        if value is None:
            environment.pop(name, None)
        else:
            environment[name] = value
    done = subprocess.run(
        [sys.executable, "-c", walk], capture_output=True, text=True, timeout=300, env=environment, check=True
    )
    return done.stdout
