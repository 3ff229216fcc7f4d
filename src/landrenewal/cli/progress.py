"""Progress display for long work, on stderr so that ``--json`` output stays clean."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

_console = Console(stderr=True)


@contextmanager
def stages(title: str, *, quiet: bool = False) -> Iterator[None]:
    """A spinner with elapsed time while one long step runs."""
    if quiet:
        yield
        return
    with Progress(
        SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(), console=_console, transient=True
    ) as progress:
        progress.add_task(title, total=None)
        yield


def bar(*, quiet: bool = False) -> Progress:
    """A progress bar over a known number of steps."""
    return Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        console=_console,
        disable=quiet,
        transient=False,
    )
