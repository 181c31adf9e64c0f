"""Printing the benchmark: a table (rich when installed) and a progress display."""

from __future__ import annotations

import sys
from collections.abc import Callable

from winit_fast.bench.run import Row

HEADERS = ("method", "library", "dtype", "size", "threads", "M samples/s", "x baseline")


def _cells(row: Row) -> tuple[str, ...]:
    ratio = f"{row.ratio:.2f}x" if row.ratio is not None else ""
    return (
        row.method,
        row.library,
        row.dtype,
        f"{row.size:,}",
        str(row.threads),
        f"{row.msamples_per_s:,.1f}",
        ratio,
    )


def format_table(rows: list[Row]) -> str:
    """A plain-text table (also what the README shows)."""
    cells = [HEADERS, *(_cells(r) for r in rows)]
    widths = [max(len(c[i]) for c in cells) for i in range(len(HEADERS))]
    lines = [
        "  ".join(
            c.rjust(w) if i >= 3 else c.ljust(w)
            for i, (c, w) in enumerate(zip(line, widths, strict=False))
        )
        for line in cells
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def print_table(rows: list[Row]) -> None:
    try:
        from rich.console import Console
        from rich.table import Table
    except ImportError:
        Console = None
    if Console is None or not sys.stdout.isatty():  # plain text for logs and pipes
        print(format_table(rows))
        return
    table = Table(*HEADERS, title="winit_fast vs anchors (median of repeats, same run)")
    for row in rows:
        table.add_row(*_cells(row), style="bold" if row.library == "winit_fast" else None)
    Console().print(table)


def progress_printer() -> tuple[Callable[[int, int, str], None], Callable[[], None]]:
    """A progress callback and a closer: a rich bar when available, else lines on stderr."""
    try:
        from rich.progress import Progress
    except ImportError:
        if not sys.stderr.isatty():  # a log file gets the table only
            return (lambda done, total, label: None), lambda: None

        def plain(done: int, total: int, label: str) -> None:
            print(f"\r[{done}/{total}] {label:<60}", end="", file=sys.stderr, flush=True)

        return plain, lambda: print(file=sys.stderr)
    bar = Progress(transient=True)
    bar.start()
    task = bar.add_task("benchmark", total=None)

    def update(done: int, total: int, label: str) -> None:
        bar.update(task, completed=done, total=total, description=label)

    return update, bar.stop
