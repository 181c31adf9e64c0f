"""PNG figures of the experiments (matplotlib, imported only here, with the Agg backend).

Every series keeps its colour and its legend entry, also when nothing of it can be drawn:
an init whose values are all zero (``zeros``; Fixup's gradients below its zero classifier)
cannot appear on a log axis, so its entry says so; a series equal to an earlier one hides
it, so its entry says "same as". Figures are small (about 90 dpi) so that the ones in
docs/img/ stay well under 200 KB.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from winit_fast._interface import atomic_output

__all__ = [
    "activation_figure",
    "history_figure",
    "plot_activation_statistics",
    "plot_histories",
    "series_notes",
]

# Cycled per line, so that curves that nearly coincide both show.
_STYLES = ("-", "--", "-.", ":")
NOT_DRAWN = "all zero: not drawn on log axis"
SOME_ZERO = "zeros not drawn"


def _pyplot() -> Any:
    try:
        import matplotlib
    except ImportError as exc:
        raise ImportError(
            'plotting needs matplotlib: pip install matplotlib, or "winit-fast[train]"'
        ) from exc
    matplotlib.use("Agg")  # files only: no display needed
    import matplotlib.pyplot as plt

    return plt


def _colours(labels: Sequence[str]) -> dict[str, Any]:
    """One colour per label, by its position among all the figure's labels (never shifted by
    a series that cannot be drawn)."""
    cycle = ["C0", "C1", "C2", "C3", "C4", "C5", "C6", "C7", "C8", "C9"]
    return {label: cycle[i % len(cycle)] for i, label in enumerate(labels)}


def series_notes(series: Mapping[str, Sequence[float]], log: bool = True) -> dict[str, str]:
    """The legend label of each series: its name, plus why it cannot be seen, if so.

    Examples
    --------
    >>> from winit_fast.reference.plots import series_notes
    >>> labels = series_notes({"he": [1.0, 0.5], "zeros": [0.0, 0.0], "lecun": [1.0, 0.5]})
    >>> labels["he"], labels["lecun"]
    ('he', 'lecun (same as he)')
    >>> labels["zeros"]
    'zeros (all zero: not drawn on log axis)'
    """
    labels: dict[str, str] = {}
    seen: list[tuple[str, np.ndarray]] = []
    for name, values in series.items():
        y = np.asarray(values, dtype=float)
        drawable = np.isfinite(y) & (y > 0) if log else np.isfinite(y)
        notes = []
        if not drawable.any():
            notes.append(NOT_DRAWN if log else "nothing finite to draw")
        else:
            if not drawable.all():
                notes.append(SOME_ZERO if log else "non-finite values not drawn")
            same = next((n for n, other in seen if np.array_equal(other, y, equal_nan=True)), None)
            if same is not None:
                notes.append(f"same as {same}")
            seen.append((name, y))
        labels[name] = f"{name} ({'; '.join(notes)})" if notes else name
    return labels


def history_figure(histories: dict[str, dict[str, list[float]]], title: str = "") -> Any:
    """Training loss (log scale) and validation accuracy per epoch, one line per label; a
    matplotlib ``Figure`` (close it with ``matplotlib.pyplot.close``).

    Examples
    --------
    >>> import pytest; _ = pytest.importorskip("matplotlib", reason="needs matplotlib")
    >>> import matplotlib.pyplot as plt
    >>> from winit_fast.reference.plots import history_figure
    >>> run = {"loss": [1.0, 0.5], "val_accuracy": [0.8, 0.9]}
    >>> figure = history_figure({"glorot": run, "lecun": run})
    >>> [t.get_text() for t in figure.axes[0].get_legend().get_texts()]
    ['glorot', 'lecun (same as glorot)']
    >>> plt.close(figure)
    """
    plt = _pyplot()
    figure, (loss_axes, accuracy_axes) = plt.subplots(1, 2, figsize=(10, 3.8), dpi=90)
    colours = _colours(list(histories))
    loss_labels = series_notes({k: h["loss"] for k, h in histories.items()})
    for i, (label, history) in enumerate(histories.items()):
        epochs = np.arange(1, len(history["loss"]) + 1)
        style = {"marker": ".", "linestyle": _STYLES[i % len(_STYLES)], "color": colours[label]}
        loss = np.asarray(history["loss"], dtype=float)
        loss_axes.plot(epochs, np.where(loss > 0, loss, np.nan), label=loss_labels[label], **style)
        if history.get("val_accuracy"):
            accuracy_axes.plot(epochs, history["val_accuracy"], label=label, **style)
    loss_axes.set(xlabel="epoch", ylabel="training loss (log scale)", yscale="log")
    loss_axes.set_title("training loss", fontsize=10)
    _readable_log_ticks(loss_axes, [v for h in histories.values() for v in h["loss"]])
    accuracy_axes.set(xlabel="epoch", ylabel="validation accuracy", ylim=(0, 1))
    accuracy_axes.set_title("validation accuracy", fontsize=10)
    accuracy_axes.axhline(0.9, color="grey", linewidth=0.8, linestyle=":", label="90% accuracy")
    loss_axes.legend(fontsize=8)
    accuracy_axes.legend(fontsize=8, loc="lower right")
    from matplotlib.ticker import MaxNLocator

    for axes in (loss_axes, accuracy_axes):
        axes.grid(alpha=0.3)
        axes.xaxis.set_major_locator(MaxNLocator(integer=True))  # epochs, not 0.98
    if title:
        figure.suptitle(title, fontsize=10)
    figure.tight_layout()
    return figure


def _readable_log_ticks(axes: Any, values: Sequence[float]) -> None:
    """Labelled ticks at 1, 2 and 5 times each power of ten when the values span at most two
    decades: matplotlib's default labels only the powers, which can leave one or two."""
    from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

    positive = [v for v in values if np.isfinite(v) and v > 0]
    if not positive or max(positive) / min(positive) > 100:
        return
    axes.yaxis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
    axes.yaxis.set_major_formatter(FuncFormatter(lambda y, _: f"{y:g}"))
    axes.yaxis.set_minor_formatter(NullFormatter())


def plot_histories(
    histories: dict[str, dict[str, list[float]]], path: str | os.PathLike[str], title: str = ""
) -> None:
    """Saves :func:`history_figure` to ``path``.

    Examples
    --------
    >>> import os, tempfile
    >>> import pytest; _ = pytest.importorskip("matplotlib", reason="needs matplotlib")
    >>> from winit_fast.reference.plots import plot_histories
    >>> path = os.path.join(tempfile.mkdtemp(), "loss.png")
    >>> plot_histories({"he_normal": {"loss": [1.0, 0.5], "val_accuracy": [0.8, 0.9]}}, path)
    >>> os.path.getsize(path) > 0
    True
    """
    plt = _pyplot()
    figure = history_figure(histories, title)
    with atomic_output(path) as handle:  # written whole or not at all
        figure.savefig(handle, format="png")
    plt.close(figure)


def activation_figure(
    stats: Mapping[str, Mapping[str, Sequence[float]]],
    title: str = "",
    unit: str = "hidden layer",
) -> Any:
    """Per-``unit`` std of activations and of gradients (log scale), one line per init, each
    with the same colour in both panels and a legend entry in each (see :func:`series_notes`);
    a matplotlib ``Figure``.

    Examples
    --------
    >>> import pytest; _ = pytest.importorskip("matplotlib", reason="needs matplotlib")
    >>> import matplotlib.pyplot as plt
    >>> from winit_fast.reference.plots import activation_figure
    >>> stats = {"he_normal": {"activation_std": [1.0, 0.9], "gradient_std": [1e-3, 2e-3]},
    ...          "fixup": {"activation_std": [0.8, 0.8], "gradient_std": [0.0, 0.0]}}
    >>> figure = activation_figure(stats, unit="residual block")
    >>> [t.get_text() for t in figure.axes[1].get_legend().get_texts()]
    ['he_normal', 'fixup (all zero: not drawn on log axis)']
    >>> figure.axes[1].get_xlabel()
    'residual block'
    >>> plt.close(figure)
    """
    plt = _pyplot()
    from matplotlib.ticker import MaxNLocator

    figure, axes_pair = plt.subplots(1, 2, figsize=(10, 3.8), dpi=90)
    colours = _colours(list(stats))
    keys = (("activation_std", "std of activations"), ("gradient_std", "std of d loss / d act"))
    for axes, (key, ylabel) in zip(axes_pair, keys, strict=True):
        labels = series_notes({name: values[key] for name, values in stats.items()})
        for i, (name, values) in enumerate(stats.items()):
            y = np.asarray(values[key], dtype=float)
            y = np.where(np.isfinite(y) & (y > 0), y, np.nan)
            axes.plot(
                np.arange(1, len(y) + 1),
                y,
                linestyle=_STYLES[i % len(_STYLES)],
                color=colours[name],
                label=labels[name],
            )
        axes.set(xlabel=unit, ylabel=ylabel, yscale="log")
        axes.xaxis.set_major_locator(MaxNLocator(integer=True))
        axes.grid(alpha=0.3)
        axes.legend(fontsize=7)
    if title:
        figure.suptitle(title, fontsize=10)
    figure.tight_layout()
    return figure


def plot_activation_statistics(
    stats: Mapping[str, Mapping[str, Sequence[float]]],
    path: str | os.PathLike[str],
    title: str = "",
    unit: str = "hidden layer",
) -> None:
    """Saves :func:`activation_figure` to ``path``; ``unit``: what the x axis counts
    (``"residual block"`` for a residual network).

    Examples
    --------
    >>> import os, tempfile
    >>> import pytest; _ = pytest.importorskip("matplotlib", reason="needs matplotlib")
    >>> from winit_fast.reference.plots import plot_activation_statistics
    >>> path = os.path.join(tempfile.mkdtemp(), "act.png")
    >>> stats = {"fixup": {"activation_std": [1.0, 1.0], "gradient_std": [0.0, 0.0]}}
    >>> plot_activation_statistics(stats, path, title="fixup", unit="residual block")
    >>> os.path.getsize(path) > 0  # the all-zero gradients are noted in the legend, not drawn
    True
    """
    plt = _pyplot()
    figure = activation_figure(stats, title, unit)
    with atomic_output(path) as handle:  # written whole or not at all
        figure.savefig(handle, format="png")
    plt.close(figure)
