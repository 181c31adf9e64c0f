"""The benchmark's tables: one row per (method, dtype, size, threads), a column per library,
ratios of winit_fast to NumPy and torch measured in the same run; and the issue's targets."""

from __future__ import annotations

import sys
from collections.abc import Callable

from winit_fast.bench.run import Measurement

OURS = "winit_fast"


def _speeds(results: list[Measurement]) -> dict[tuple, float]:
    return {(m.library, m.method, m.dtype, m.size, m.threads): m.msamples_per_s for m in results}


def _single_threaded(library: str, results: list[Measurement]) -> bool:
    return all(m.threads == 1 for m in results if m.library == library)


def wide_rows(results: list[Measurement]) -> tuple[list[str], list[list[str]]]:
    """Header and rows: M samples/s per library, then winit_fast's ratios."""
    speed = _speeds(results)
    libraries = list(dict.fromkeys(m.library for m in results))
    torch = next((lib for lib in libraries if lib.startswith("torch")), None)
    header = ["method", "dtype", "size", "threads", *libraries, "x numpy", "x torch"]
    rows = []
    for m in results:
        if m.library != OURS:
            continue
        key = (m.method, m.dtype, m.size)
        cells = [m.method, m.dtype, f"{m.size:,}", str(m.threads)]
        for library in libraries:
            threads = 1 if _single_threaded(library, results) else m.threads
            value = speed.get((library, *key, threads))
            cells.append(f"{value:,.0f}" if value else "")
        base = speed.get(("numpy-pcg64", *key, 1)) or speed.get(("ndarray.fill", *key, 1))
        versus_torch = speed.get((torch, *key, m.threads)) if torch else None
        cells.append(f"{m.msamples_per_s / base:.1f}x" if base else "")
        cells.append(f"{m.msamples_per_s / versus_torch:.1f}x" if versus_torch else "")
        rows.append(cells)
    return header, rows


def format_table(header: list[str], rows: list[list[str]]) -> str:
    """Plain text, right-aligned numbers (what the README shows)."""
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    lines = []
    for row in [header, ["-" * w for w in widths], *rows]:
        cells = [
            c.ljust(w) if i < 2 else c.rjust(w)
            for i, (c, w) in enumerate(zip(row, widths, strict=True))
        ]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)


def print_table(results: list[Measurement]) -> None:
    header, rows = wide_rows(results)
    try:
        from rich.console import Console
        from rich.table import Table
    except ImportError:
        rich_available = False
    else:
        rich_available = True
    if not rich_available or not sys.stdout.isatty():  # plain text for logs and pipes
        print("M samples/s (median of repeats); ratios are winit_fast / anchor, same run")
        print(format_table(header, rows))
        return
    table = Table(*header, title="M samples/s (median of repeats); ratios: winit_fast / anchor")
    for row in rows:
        table.add_row(*row)
    Console(width=max(160, Console().width)).print(table)


def targets(results: list[Measurement], size: int = 1 << 26) -> list[tuple[str, str, bool | None]]:
    """The performance issue's targets at ``size`` float32, all threads: (target, figure, met)."""
    speed = _speeds(results)
    threads = max((m.threads for m in results if m.library == OURS), default=1)
    torch = next((m.library for m in results if m.library.startswith("torch")), None)

    def ours(method: str, t: int = threads) -> float | None:
        return speed.get((OURS, method, "float32", size, t))

    def anchor(library: str | None, method: str, t: int = 1) -> float | None:
        return speed.get((library, method, "float32", size, t)) if library else None

    checks = [
        (
            "normal >= 12x numpy standard_normal",
            ours("normal"),
            anchor("numpy-pcg64", "normal"),
            12,
        ),
        (
            "he_normal >= 12x numpy standard_normal",
            ours("he_normal"),
            anchor("numpy-pcg64", "normal"),
            12,
        ),
        (
            "normal >= 4x torch kaiming_normal_",
            ours("normal"),
            anchor(torch, "he_normal", threads),
            4,
        ),
        (
            "he_normal >= 4x torch kaiming_normal_",
            ours("he_normal"),
            anchor(torch, "he_normal", threads),
            4,
        ),
        ("uniform >= 4x numpy random", ours("uniform"), anchor("numpy-pcg64", "uniform"), 4),
        (
            "truncated_normal >= 50x torch trunc_normal_",
            ours("truncated_normal"),
            anchor(torch, "truncated_normal", threads),
            50,
        ),
        (
            f"zeros >= 0.9x a {threads}-thread memset",
            ours("zeros"),
            anchor("memset", "zeros", threads),
            0.9,
        ),
        (f"normal: {threads} threads >= 1.8x 1 thread", ours("normal"), ours("normal", 1), 1.8),
    ]
    report: list[tuple[str, str, bool | None]] = []
    for name, mine, theirs, goal in checks:
        if mine is None or theirs is None:
            report.append((name, "not measured", None))
        else:
            ratio = mine / theirs
            report.append((name, f"{ratio:.2f}x", ratio >= goal))
    return report


def format_targets(rows: list[tuple[str, str, bool | None]]) -> str:
    marks = {True: "met", False: "NOT met", None: "-"}
    width = max(len(r[0]) for r in rows)
    return "\n".join(f"{name:<{width}}  {figure:>12}  {marks[met]}" for name, figure, met in rows)


def progress_printer() -> tuple[Callable[[int, int, str], None], Callable[[], None]]:
    """A progress callback and a closer: a rich bar when available, else a line on stderr."""
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
