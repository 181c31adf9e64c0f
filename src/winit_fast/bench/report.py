"""The benchmark's text: the headline ratios with their verdicts, then a table with one row
per (method, dtype, size, threads), a column per library and winit_fast's ratios to NumPy and
torch measured in the same run. Everything is formatted to a width (the terminal's, else
100 columns), and the terminal gets the same text as ``--save``'s file."""

from __future__ import annotations

import shutil
import sys
import textwrap
from collections.abc import Callable
from dataclasses import dataclass

from winit_fast.bench.cases import BLOCK_METHODS, METHODS
from winit_fast.bench.run import SMALL_FILL, BenchConfig, Measurement, doubtful, joint_doubts

MAX_LOAD_PER_CORE = 0.5  # 1-minute load average per core before the run; above: unreliable
BUSY = "busy machine"
DEFAULT_WIDTH = 100  # a file, a pipe, or a terminal that does not say its width
DOUBT_MARK = "?"  # after a figure the run could not trust, and after ratios drawn from one

OURS = "winit_fast"
TORCH_HINT = (
    "torch not installed; its CPU build: pip install torch "
    "--index-url https://download.pytorch.org/whl/cpu"
)


def output_width() -> int:
    """Columns to fit: ``COLUMNS`` if set, else the terminal's, else DEFAULT_WIDTH."""
    return shutil.get_terminal_size((DEFAULT_WIDTH, 24)).columns


def wrap(text: str, width: int, indent: str = "") -> str:
    """``text`` in lines of at most ``width`` columns, continuation lines indented."""
    return textwrap.fill(
        text, width, subsequent_indent=indent, break_long_words=False, break_on_hyphens=False
    )


def is_busy(load_per_core: float | None) -> bool:
    return load_per_core is not None and load_per_core > MAX_LOAD_PER_CORE


def _single_threaded(library: str, results: list[Measurement]) -> bool:
    return all(m.threads == 1 for m in results if m.library == library)


def wide_rows(
    results: list[Measurement], load_per_core: float | None = None
) -> tuple[list[str], list[list[str]]]:
    """Header and rows: M samples/s per library, then winit_fast's ratios, then a note.

    A figure the run could not trust (see ``Measurement.doubts``; every figure when the
    machine was busy before the run) ends with DOUBT_MARK, and so does a ratio drawn from
    one; the row's note then says ``unreliable``.
    """
    found = {(m.library, m.method, m.dtype, m.size, m.threads): m for m in results}
    libraries = list(dict.fromkeys(m.library for m in results))
    torch = next((lib for lib in libraries if lib.startswith("torch")), None)
    busy = is_busy(load_per_core)

    def mark(text: str, *measured: Measurement) -> str:
        return text + DOUBT_MARK if doubtful(list(measured), busy) else text

    header = ["method", "dtype", "size", "thr", *libraries, "x numpy", "x torch", "note"]
    rows = []
    for m in results:
        if m.library != OURS or m.method not in METHODS:
            continue
        key = (m.method, m.dtype, m.size)
        cells = [m.method, m.dtype, size_text(m.size), str(m.threads)]
        row = [m]
        for library in libraries:
            threads = 1 if _single_threaded(library, results) else m.threads
            other = found.get((library, *key, threads))
            cells.append(mark(f"{other.msamples_per_s:,.0f}", other) if other else "")
            row += [other] if other else []
        base = found.get(("numpy-pcg64", *key, 1)) or found.get(("ndarray.fill", *key, 1))
        versus_torch = found.get((torch, *key, m.threads)) if torch else None
        for anchor in (base, versus_torch):
            ratio = f"{m.msamples_per_s / anchor.msamples_per_s:.1f}x" if anchor else ""
            cells.append(mark(ratio, m, anchor) if anchor else "")
        cells.append("unreliable" if doubtful(row, busy) else "")
        rows.append(cells)
    return header, rows


KEY_COLUMNS = 4  # method, dtype, size, threads: repeated in each part of a split table


def _priority(name: str) -> int:
    """Which columns a narrow table keeps first: winit_fast and its ratios, then the anchors
    the ratios divide by, then the other anchors."""
    if name in (OURS, "x numpy", "x torch"):
        return 0
    return 1 if name.split()[0] in ("numpy-pcg64", "torch", "ndarray.fill") else 2


def _table_parts(header: list[str], widths: list[int], width: int) -> list[list[int]]:
    """Which value columns each part of the table shows: as many as fit in ``width`` beside
    the key columns and the note, in ``_priority`` order."""
    keys, note = list(range(KEY_COLUMNS)), len(header) - 1
    values = list(range(KEY_COLUMNS, note))
    left = sorted(values, key=lambda c: (_priority(header[c]), c))

    def fits(columns: list[int]) -> bool:
        shown = [*keys, *columns, note]
        return sum(widths[c] for c in shown) + 2 * (len(shown) - 1) <= width

    parts = []
    while left:
        chosen: list[int] = []
        for column in left:  # in priority order, up to the first that does not fit
            if chosen and not fits(sorted([*chosen, column])):
                break
            chosen.append(column)
        parts.append(sorted(chosen))
        left = [c for c in left if c not in chosen]
    return parts


def format_table(header: list[str], rows: list[list[str]], width: int | None = None) -> str:
    """Plain text, right-aligned numbers, at most ``width`` columns (default: the terminal's):
    a table too wide is cut into parts that repeat the key columns and the note."""
    width = output_width() if width is None else width
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    parts = _table_parts(header, widths, width)
    texts = []
    for number, part in enumerate(parts):
        shown = [*range(KEY_COLUMNS), *part, len(header) - 1]
        lines = [] if number == 0 else [f"(continued, {number + 1} of {len(parts)})"]
        left_aligned = {0, 1, len(header) - 1}  # method, dtype, note: the rest are numbers
        for row in [header, ["-" * w for w in widths], *rows]:
            cells = [
                row[c].ljust(widths[c]) if c in left_aligned else row[c].rjust(widths[c])
                for c in shown
            ]
            lines.append("  ".join(cells).rstrip())
        texts.append("\n".join(lines))
    return "\n\n".join(texts)


TABLE_TITLE = (
    f"M samples/s (median of repeats); thr: threads; ratios: winit_fast / anchor, same run. "
    f"{DOUBT_MARK}: a "
    "figure this run could not trust (spread between repeats, scheduler ticks, other "
    "processes' load, a busy machine), or a ratio drawn from one; its row's note says "
    "unreliable."
)


def table_text(
    results: list[Measurement], load_per_core: float | None = None, width: int | None = None
) -> str:
    """The table with its title, at most ``width`` columns (default: the terminal's)."""
    width = output_width() if width is None else width
    header, rows = wide_rows(results, load_per_core)
    return f"{wrap(TABLE_TITLE, width)}\n{format_table(header, rows, width)}"


def size_text(size: int) -> str:
    """``2^26`` for powers of two, else the number with separators."""
    return f"2^{size.bit_length() - 1}" if size > 1 and size & (size - 1) == 0 else f"{size:,}"


@dataclass(frozen=True)
class Ratio:
    """One headline figure: ``mine`` against ``theirs``, each (library, method, size, threads)
    where size is "large" (the headline size), "small" (16 elements) or "block", and threads
    "all" or 1. ``time``: the figure is a ratio of times (goal: at most; the name says
    "time:"), else of speeds (goal: at least)."""

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
    Ratio("time: 16-element uniform(out=) vs numpy's",
          (OURS, "uniform", "small", "all"), ("numpy-pcg64", "uniform", "small", 1), 1.0,
          time=True),
    Ratio("time: normal index=[:, :64] vs a row block",
          (OURS, BLOCK_METHODS[0], "block", "all"), (OURS, BLOCK_METHODS[1], "block", "all"),
          1.5, time=True),
    Ratio("normal, all threads vs 1 thread", (OURS, "normal", "large", "all"),
          (OURS, "normal", "large", 1), 1.8),
)  # fmt: skip


@dataclass
class Verdict:
    name: str
    figure: str  # "14.83x", or "-" when not measured
    goal: str  # ">= 16x", or "<= 1.5x" for a ratio of times
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
        goal = f"<= {ratio.goal:g}x" if ratio.time else f">= {ratio.goal:g}x"
        if mine is None or theirs is None:
            missing = keyed[0][0] if mine is None else keyed[1][0]
            why = TORCH_HINT if missing == "torch" else f"{missing} not installed"
            verdicts.append(Verdict(name, "-", goal, f"not measured: {why}"))
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
    verdicts: list[Verdict],
    config: BenchConfig,
    load_per_core: float | None = None,
    width: int | None = None,
) -> str:
    """The headline as text of at most ``width`` columns (default: the terminal's): one line
    per ratio and, under a verdict too long for its line, the reasons, wrapped."""
    width = output_width() if width is None else width
    top = max(config.threads)
    title = (
        f"headline: float32, {size_text(config.headline_size)} elements, {top} thread"
        f"{'s' * (top > 1)} (blocks of {size_text(config.block_size)} elements); ratios of "
        "medians measured in this run"
    )
    lines = [wrap(title, width, "  ")]
    rows = [("ratio", "figure", "target", "verdict")]
    rows += [(v.name, v.figure, v.goal, v.verdict) for v in verdicts]
    name_width = max(len(name) for name, *_ in rows)
    goal_width = max(len(goal) for _, _, goal, _ in rows)
    for name, figure, goal, verdict in rows:
        line = f"  {name:<{name_width}}  {figure:>7}  {goal:<{goal_width}}  "
        if len(line) + len(verdict) <= width or ": " not in verdict:
            lines.append(line + verdict)
            continue
        head, why = verdict.split(": ", 1)  # "unreliable", then the reasons under it
        lines.append(line + head)
        lines.append(wrap(f"    ({why})", width, "     "))
    notes = []
    if any(BUSY in v.verdict for v in verdicts):
        notes.append(
            f"{BUSY}: the load average was {load_per_core:.1f} per core before the run "
            "(other processes compete for the cores)"
        )
    if any(v.verdict.startswith("unreliable") for v in verdicts):
        notes.append(
            "unreliable: no verdict, the figure may say more about the machine than about "
            "the code; rerun on an idle machine"
        )
    lines += [wrap(f"  {note}", width, "  ") for note in notes]
    return "\n".join(lines)


def progress_printer() -> tuple[Callable[[int, int, str], None], Callable[[], None]]:
    """A progress callback and a closer: on a terminal, a rich bar when available, else a line
    on stderr; redirected output (a log file, a pipe) gets none."""
    try:
        from rich.console import Console
        from rich.progress import Progress
    except ImportError:
        if not sys.stderr.isatty():  # a log file gets the table only
            return (lambda done, total, label: None), lambda: None

        def plain(done: int, total: int, label: str) -> None:
            print(f"\r[{done}/{total}] {label:<60}", end="", file=sys.stderr, flush=True)

        return plain, lambda: print(file=sys.stderr)
    console = Console(stderr=True)
    if not console.is_terminal:  # rich's own test
        return (lambda done, total, label: None), lambda: None
    bar = Progress(console=console, transient=True)
    bar.start()
    task = bar.add_task("benchmark", total=None)

    def update(done: int, total: int, label: str) -> None:
        bar.update(task, completed=done, total=total, description=label)

    return update, bar.stop
