"""The benchmark's tables: one row per (method, dtype, size, threads), a column per library,
ratios of winit_fast to NumPy and torch measured in the same run; and the headline ratios."""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass

from winit_fast.bench.cases import BLOCK_METHODS, METHODS
from winit_fast.bench.run import SMALL_FILL, BenchConfig, Measurement, joint_doubts

MAX_LOAD_PER_CORE = 0.5  # 1-minute load average per core before the run; above: unreliable
BUSY = "busy machine"

OURS = "winit_fast"


def _single_threaded(library: str, results: list[Measurement]) -> bool:
    return all(m.threads == 1 for m in results if m.library == library)


def wide_rows(results: list[Measurement]) -> tuple[list[str], list[list[str]]]:
    """Header and rows: M samples/s per library, then winit_fast's ratios, then a note where a
    figure of the row is doubtful (see ``Measurement.doubts``)."""
    found = {(m.library, m.method, m.dtype, m.size, m.threads): m for m in results}
    libraries = list(dict.fromkeys(m.library for m in results))
    torch = next((lib for lib in libraries if lib.startswith("torch")), None)
    header = ["method", "dtype", "size", "threads", *libraries, "x numpy", "x torch", "note"]
    rows = []
    for m in results:
        if m.library != OURS or m.method not in METHODS:
            continue
        key = (m.method, m.dtype, m.size)
        cells = [m.method, m.dtype, f"{m.size:,}", str(m.threads)]
        row = [m]
        for library in libraries:
            threads = 1 if _single_threaded(library, results) else m.threads
            other = found.get((library, *key, threads))
            cells.append(f"{other.msamples_per_s:,.0f}" if other else "")
            row += [other] if other else []
        base = found.get(("numpy-pcg64", *key, 1)) or found.get(("ndarray.fill", *key, 1))
        versus_torch = found.get((torch, *key, m.threads)) if torch else None
        for anchor in (base, versus_torch):
            cells.append(f"{m.msamples_per_s / anchor.msamples_per_s:.1f}x" if anchor else "")
        doubtful = bool(joint_doubts(row))
        cells.append("unreliable" if doubtful else "")
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


TABLE_TITLE = (
    "M samples/s (median of repeats); ratios: winit_fast / anchor, same run; "
    "note: unreliable when a figure of the row is (spread, ticks, load)"
)


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
        print(TABLE_TITLE)
        print(format_table(header, rows))
        return
    table = Table(*header, title=TABLE_TITLE)
    for row in rows:
        table.add_row(*row)
    Console(width=max(160, Console().width)).print(table)


def size_text(size: int) -> str:
    """``2^26`` for powers of two, else the number with separators."""
    return f"2^{size.bit_length() - 1}" if size > 1 and size & (size - 1) == 0 else f"{size:,}"


@dataclass(frozen=True)
class Ratio:
    """One headline figure: ``mine`` against ``theirs``, each (library, method, size, threads)
    where size is "large" (the headline size), "small" (16 elements) or "block", and threads
    "all" or 1. ``time``: the figure is a ratio of times (goal: at most), else of speeds."""

    name: str
    mine: tuple[str, str, str, int | str]
    theirs: tuple[str, str, str, int | str]
    goal: float
    time: bool = False


HEADLINE = (
    Ratio("normal vs numpy standard_normal", (OURS, "normal", "large", "all"),
          ("numpy-pcg64", "normal", "large", 1), 16),
    Ratio("truncated_normal vs normal", (OURS, "truncated_normal", "large", "all"),
          (OURS, "normal", "large", "all"), 0.9),
    Ratio("he_normal (truncated) vs numpy standard_normal", (OURS, "he_normal", "large", "all"),
          ("numpy-pcg64", "normal", "large", 1), 12),
    Ratio("he_normal (truncated) vs torch kaiming_normal_", (OURS, "he_normal", "large", "all"),
          ("torch", "he_normal", "large", "all"), 5),
    Ratio("uniform vs numpy random", (OURS, "uniform", "large", "all"),
          ("numpy-pcg64", "uniform", "large", 1), 3),
    Ratio("16-element uniform(out=), time vs numpy random(out=)",
          (OURS, "uniform", "small", "all"), ("numpy-pcg64", "uniform", "small", 1), 1.5,
          time=True),
    Ratio("normal index=[:, :64], time vs a row block as large",
          (OURS, BLOCK_METHODS[0], "block", "all"), (OURS, BLOCK_METHODS[1], "block", "all"),
          1.5, time=True),
    Ratio("normal, all threads vs 1 thread", (OURS, "normal", "large", "all"),
          (OURS, "normal", "large", 1), 1.8),
)  # fmt: skip


@dataclass
class Verdict:
    name: str
    figure: str  # "14.83x", or "-" when not measured
    goal: str  # ">= 16x" or "<= 1.5x the time"
    verdict: str  # "met", "NOT met", "unreliable: ...", "not measured: ..."


def headline(
    results: list[Measurement],
    config: BenchConfig,
    load_per_core: float | None = None,
) -> list[Verdict]:
    """The headline ratios with a verdict each, or the reason no verdict can be given."""
    top = max(config.threads)
    sizes = {"large": config.headline_size, "small": SMALL_FILL, "block": config.block_size}
    found = {(m.library.split()[0], m.method, m.size, m.threads): m for m in results}
    busy = load_per_core is not None and load_per_core > MAX_LOAD_PER_CORE
    everywhere = [BUSY] if busy else []
    one = found.get((OURS, "normal", config.headline_size, 1))
    many = found.get((OURS, "normal", config.headline_size, top))
    threaded_doubt = (
        f"{top} threads slower than 1"
        if top > 1 and one is not None and many is not None and many.seconds > one.seconds
        else None
    )
    verdicts = []
    for ratio in HEADLINE:
        keyed = [
            (library, method, sizes[size], top if threads == "all" else int(threads))
            for library, method, size, threads in (ratio.mine, ratio.theirs)
        ]
        if keyed[0] == keyed[1]:
            continue  # "all threads vs 1 thread" on a one-thread machine
        name = ratio.name.replace("all threads", f"{top} threads")
        mine, theirs = (found.get(key) for key in keyed)
        goal = f"<= {ratio.goal:g}x the time" if ratio.time else f">= {ratio.goal:g}x"
        if mine is None or theirs is None:
            missing = keyed[0][0] if mine is None else keyed[1][0]
            verdicts.append(
                Verdict(
                    name,
                    "-",
                    goal,
                    f"not measured: {missing} not installed (pip install {missing})",
                )
            )
            continue
        if ratio.time:
            figure = mine.seconds / theirs.seconds
            met = figure <= ratio.goal
        else:
            figure = mine.msamples_per_s / theirs.msamples_per_s
            met = figure >= ratio.goal
        doubts = [*everywhere, *joint_doubts([mine, theirs])]
        if threaded_doubt and top in (mine.threads, theirs.threads) and top > 1:
            doubts.append(threaded_doubt)
        doubts = list(dict.fromkeys(doubts))
        verdict = f"unreliable: {'; '.join(doubts)}" if doubts else ("met" if met else "NOT met")
        verdicts.append(Verdict(name, f"{figure:.2f}x", goal, verdict))
    return verdicts


def format_headline(
    verdicts: list[Verdict], config: BenchConfig, load_per_core: float | None = None
) -> str:
    top = max(config.threads)
    lines = [
        f"headline: float32, {size_text(config.headline_size)} elements, {top} thread"
        f"{'s' * (top > 1)} (blocks {size_text(config.block_size)} elements); ratios of "
        "medians measured in this run"
    ]
    width = max(len(v.name) for v in verdicts)
    goal_width = max(len(v.goal) for v in verdicts)
    for v in verdicts:
        lines.append(
            f"  {v.name:<{width}}  {v.figure:>8}  target {v.goal:<{goal_width}}  {v.verdict}"
        )
    if any(BUSY in v.verdict for v in verdicts):
        lines.append(
            f"  {BUSY}: the load average was {load_per_core:.1f} per core before the run "
            "(other processes compete for the cores)"
        )
    if any(v.verdict.startswith("unreliable") for v in verdicts):
        lines.append(
            "  unreliable: no verdict, the figure may say more about the machine than about the "
            "code; rerun on an idle machine"
        )
    return "\n".join(lines)


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
    from rich.console import Console

    bar = Progress(console=Console(stderr=True), transient=True)
    bar.start()
    task = bar.add_task("benchmark", total=None)

    def update(done: int, total: int, label: str) -> None:
        bar.update(task, completed=done, total=total, description=label)

    return update, bar.stop
