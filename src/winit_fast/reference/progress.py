"""A progress bar for the CLI, on a terminal only: rich's if it is installed, else one plain
line per 10 %. Redirected output (a log file, a pipe) gets no bar."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from winit_fast._interface import byte_size

__all__ = ["progress_bar"]


@contextmanager
def progress_bar(
    enabled: bool = True, unit: str = "steps"
) -> Iterator[Callable[[str, int, int], None]]:
    """Yields ``update(label, done, total)``; the bar is shown on stderr when stderr is a
    terminal (rich's own test, ``Console.is_terminal``, which also honours ``FORCE_COLOR``
    and ``TTY_COMPATIBLE``). ``unit="bytes"`` shows ``done`` and ``total`` as sizes (KiB,
    MiB, ...).

    Examples
    --------
    >>> from winit_fast.reference.progress import progress_bar
    >>> with progress_bar(enabled=False) as update:
    ...     update("he_normal", 1, 10)
    """
    if not enabled:
        yield lambda label, done, total: None
        return
    try:
        from rich.console import Console
        from rich.progress import DownloadColumn, Progress
    except ImportError:
        yield _plain_update(unit) if sys.stderr.isatty() else (lambda label, done, total: None)
        return
    console = Console(stderr=True)
    if not console.is_terminal:
        yield lambda label, done, total: None
        return
    tasks: dict[str, Any] = {}  # label -> rich TaskID
    columns = Progress.get_default_columns()
    if unit == "bytes":
        columns = (*columns, DownloadColumn(binary_units=True))
    with Progress(*columns, console=console) as bar:

        def update(label: str, done: int, total: int) -> None:
            if label not in tasks:
                tasks[label] = bar.add_task(label, total=total)
            bar.update(tasks[label], completed=done)

        yield update


def _plain_update(unit: str) -> Callable[[str, int, int], None]:
    last: dict[str, int] = {}

    def update(label: str, done: int, total: int) -> None:
        tenth = 10 * done // max(total, 1)
        if last.get(label) != tenth:
            last[label] = tenth
            if unit == "bytes":
                amount = f"{byte_size(done)} of {byte_size(total)}"
            else:
                amount = f"{done}/{total} {unit}"
            print(f"{label}: {amount}", file=sys.stderr, flush=True)

    return update
