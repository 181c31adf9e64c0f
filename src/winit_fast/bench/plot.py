"""``--plot``: throughput against size, one panel per method, a line per library."""

from __future__ import annotations

from winit_fast.bench.run import Measurement


def plot_throughput(results: list[Measurement], path: str, dtype: str = "float32") -> None:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError as exc:
        raise SystemExit("--plot needs matplotlib (pip install 'winit-fast[plot]')") from exc
    methods = list(dict.fromkeys(m.method for m in results))
    columns = min(3, len(methods))
    rows = (len(methods) + columns - 1) // columns
    fig, axes = plt.subplots(rows, columns, figsize=(5 * columns, 3.6 * rows), squeeze=False)
    for ax, method in zip(axes.flat, methods, strict=False):
        lines: dict[tuple[str, int], list[Measurement]] = {}
        for m in results:
            if m.method == method and m.dtype == dtype:
                lines.setdefault((m.library, m.threads), []).append(m)
        for (library, threads), points in sorted(lines.items()):
            points.sort(key=lambda m: m.size)
            label = library if threads == 1 else f"{library} x{threads}"
            style = "-o" if library == "winit_fast" else "--."
            ax.plot(
                [p.size for p in points], [p.msamples_per_s for p in points], style, label=label
            )
        ax.set(
            xscale="log",
            yscale="log",
            title=f"{method} ({dtype})",
            xlabel="elements",
            ylabel="M samples/s",
        )
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=7)
    for ax in list(axes.flat)[len(methods) :]:
        ax.set_visible(False)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
