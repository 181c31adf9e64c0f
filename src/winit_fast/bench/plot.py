"""``--plot``: throughput against size for float32 (one panel per method), and bars for the
16-bit dtypes at the one size they are timed. A library has one colour in every panel; the
line style (or the hatch) tells the thread counts apart; one legend, outside the panels.

Lines join the size sweep only (the table's sizes); the headline's own sizes (16 elements,
the headline size when the sweep does not have it) are lone star markers. A figure the run
could not trust (see ``Measurement.doubts``; all of them on a busy machine) carries a red x.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from winit_fast._interface import atomic_output
from winit_fast.bench.cases import METHODS
from winit_fast.bench.run import SIXTEEN_BIT, Measurement, doubtful

# Fixed, so that a colour means the same library in every figure, whatever was installed.
COLOURS = {
    "winit_fast": "tab:blue",
    "numpy-pcg64": "tab:orange",
    "numpy-philox": "tab:brown",
    "torch": "tab:red",
    "mkl_random": "tab:purple",
    "ndarray.fill": "tab:gray",
    "memset": "black",
}


def colour(library: str) -> str:
    return COLOURS.get(library.split()[0], "tab:olive")


def _order(series: tuple[str, int]) -> tuple[int, str, int]:
    """Legend and bar order: libraries as in COLOURS (winit_fast first), then threads."""
    library, threads = series
    names = list(COLOURS)
    base = library.split()[0]
    return (names.index(base) if base in names else len(names), library, threads)


UNRELIABLE = {"marker": "x", "color": "red", "markersize": 9, "linestyle": "none", "zorder": 5}
UNRELIABLE_LABEL = "x: unreliable figure"
HEADLINE_LABEL = "star: headline size, outside the sweep"


def series_label(library: str, threads: int) -> str:
    return f"{library}, {threads} thread{'s' * (threads > 1)}"


def _pyplot() -> Any:
    try:
        import matplotlib
    except ImportError as exc:
        raise SystemExit('--plot needs matplotlib (pip install "winit-fast[plot]")') from exc
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def throughput_figure(
    results: list[Measurement],
    title: str = "",
    sweep_sizes: Collection[int] | None = None,
    busy: bool = False,
) -> Any:
    """The figure (matplotlib ``Figure``); ``plot_throughput`` saves it. ``sweep_sizes``: the
    sizes lines join (None: all); ``busy``: the machine was busy, no figure is reliable."""
    plt = _pyplot()
    methods = [m for m in METHODS if any(r.method == m for r in results)]
    sixteen = [d for d in SIXTEEN_BIT if any(r.dtype == d for r in results)]
    panels = len(methods) + len(sixteen)
    columns = min(3, max(panels, 1))
    rows = (panels + columns - 1) // columns
    figure, axes = plt.subplots(
        rows, columns, figsize=(4.6 * columns + 2.6, 3.4 * rows + 0.6), squeeze=False,
        layout="constrained",
    )  # fmt: skip
    flat = list(axes.flat)
    top = max((r.threads for r in results), default=1)
    for ax, method in zip(flat, methods, strict=False):
        lines: dict[tuple[str, int], list[Measurement]] = {}
        for m in results:
            if m.method == method and m.dtype == "float32":
                lines.setdefault((m.library, m.threads), []).append(m)
        for (library, threads), points in sorted(lines.items(), key=lambda item: _order(item[0])):
            points.sort(key=lambda m: m.size)
            swept = [p for p in points if sweep_sizes is None or p.size in sweep_sizes]
            alone = [p for p in points if p not in swept]
            style = {"color": colour(library), "label": series_label(library, threads)}
            ax.plot(
                [p.size for p in swept],
                [p.msamples_per_s for p in swept],
                linestyle="-" if threads == top else "--",
                marker="o" if library == "winit_fast" else ".",
                **style,
            )
            if alone:
                style["label"] = _first_label(ax, HEADLINE_LABEL)
                ax.plot([p.size for p in alone], [p.msamples_per_s for p in alone],
                        marker="*", markersize=10, linestyle="none", **style)  # fmt: skip
            _mark_unreliable(
                ax, [(p.size, p.msamples_per_s) for p in points if doubtful([p], busy)]
            )
        ax.set(xscale="log", yscale="log", title=f"{method}, float32", xlabel="elements")
        ax.set_ylabel("M samples/s")
        ax.grid(True, which="both", alpha=0.3)
    for ax, dtype in zip(flat[len(methods) :], sixteen, strict=False):
        _sixteen_bit_panel(ax, results, dtype, top, busy)
    for ax in flat[panels:]:
        ax.set_visible(False)
    handles: dict[str, Any] = {}
    for ax in flat[:panels]:
        for handle, label in zip(*ax.get_legend_handles_labels(), strict=True):
            handles.setdefault(label, handle)
    for marker in (HEADLINE_LABEL, UNRELIABLE_LABEL):  # the markers' keys after the series
        if marker in handles:
            handles[marker] = handles.pop(marker)
    figure.legend(list(handles.values()), list(handles), loc="outside right upper", fontsize=8)
    if title:
        figure.suptitle(title, fontsize=9)
    return figure


def _mark_unreliable(ax: Any, points: list[tuple[float, float]]) -> None:
    """A red x on each point, with one legend entry for all."""
    if points:
        ax.plot(*zip(*points, strict=True), label=_first_label(ax, UNRELIABLE_LABEL), **UNRELIABLE)


def _first_label(ax: Any, label: str) -> str:
    """``label`` for the panel's first artist with it; "_label" (no legend entry) after."""
    taken = any(line.get_label() == label for line in ax.get_lines())
    return "_" + label if taken else label


def _sixteen_bit_panel(
    ax: Any, results: list[Measurement], dtype: str, top: int, busy: bool
) -> None:
    """Bars: M samples/s per method, one bar per (library, threads), at the one 16-bit size."""
    chosen = [m for m in results if m.dtype == dtype and m.method in METHODS]
    methods = [m for m in METHODS if any(r.method == m for r in chosen)]
    series = sorted({(m.library, m.threads) for m in chosen}, key=_order)
    width = 0.8 / max(len(series), 1)
    for i, (library, threads) in enumerate(series):
        bars = {  # method -> measurement, in METHODS order
            m.method: m for m in chosen if (m.library, m.threads) == (library, threads)
        }
        placed = [
            (j + i * width, bars[method]) for j, method in enumerate(methods) if method in bars
        ]
        ax.bar(
            [position for position, _ in placed],
            [m.msamples_per_s for _, m in placed],
            width,
            color=colour(library),
            hatch="" if threads == top else "//",
            edgecolor="white",
            label=series_label(library, threads),
        )
        doubts = [(position, m.msamples_per_s) for position, m in placed if doubtful([m], busy)]
        _mark_unreliable(ax, doubts)
    size = max((m.size for m in chosen), default=0)
    ax.set_xticks([j + 0.4 - width / 2 for j in range(len(methods))], methods, rotation=30)
    ax.set(yscale="log", title=f"{dtype}, {size:,} elements (hatched: 1 thread)")
    ax.set_ylabel("M samples/s")
    ax.grid(True, axis="y", which="both", alpha=0.3)


def plot_throughput(
    results: list[Measurement],
    path: str,
    title: str = "",
    sweep_sizes: Collection[int] | None = None,
    busy: bool = False,
) -> None:
    plt = _pyplot()
    figure = throughput_figure(results, title, sweep_sizes, busy)
    with atomic_output(path) as handle:  # written whole or not at all
        figure.savefig(handle, format="png", dpi=100)
    plt.close(figure)
