"""PNG figures of the experiments (matplotlib, imported only here, with the Agg backend).

Figures are small (about 90 dpi) so that the ones in docs/img/ stay well under 200 KB.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

__all__ = ["plot_activation_statistics", "plot_histories"]

# Cycled per line, so that curves that coincide (Glorot and LeCun on square layers) both show.
_STYLES = ("-", "--", "-.", ":")


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


def plot_histories(
    histories: dict[str, dict[str, list[float]]], path: str | os.PathLike[str], title: str = ""
) -> None:
    """Training loss (log scale) and validation accuracy per epoch, one line per label.

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
    figure, (loss_axes, accuracy_axes) = plt.subplots(1, 2, figsize=(10, 3.8), dpi=90)
    for i, (label, history) in enumerate(histories.items()):
        epochs = np.arange(1, len(history["loss"]) + 1)
        style = {"marker": ".", "linestyle": _STYLES[i % len(_STYLES)], "label": label}
        loss_axes.plot(epochs, history["loss"], **style)
        if history.get("val_accuracy"):
            accuracy_axes.plot(epochs, history["val_accuracy"], **style)
    loss_axes.set(xlabel="epoch", ylabel="training loss", yscale="log")
    accuracy_axes.set(xlabel="epoch", ylabel="validation accuracy", ylim=(0, 1))
    accuracy_axes.axhline(0.9, color="grey", linewidth=0.8, linestyle=":")
    loss_axes.legend(fontsize=8)
    for axes in (loss_axes, accuracy_axes):
        axes.grid(alpha=0.3)
    if title:
        figure.suptitle(title, fontsize=10)
    figure.tight_layout()
    figure.savefig(path)
    plt.close(figure)


def plot_activation_statistics(
    stats: Mapping[str, Mapping[str, Sequence[float]]],
    path: str | os.PathLike[str],
    title: str = "",
) -> None:
    """Per-layer std of activations and of gradients (log scale), one line per init.

    Zeros and non-finite values cannot be drawn on a log scale and are left out (the table
    shows them).

    Examples
    --------
    >>> import os, tempfile
    >>> import pytest; _ = pytest.importorskip("matplotlib", reason="needs matplotlib")
    >>> from winit_fast.reference.plots import plot_activation_statistics
    >>> path = os.path.join(tempfile.mkdtemp(), "act.png")
    >>> stats = {"he_normal": {"activation_std": [1.0, 0.9], "gradient_std": [1e-3, 2e-3]}}
    >>> plot_activation_statistics(stats, path)
    >>> os.path.getsize(path) > 0
    True
    """
    plt = _pyplot()
    figure, axes_pair = plt.subplots(1, 2, figsize=(10, 3.8), dpi=90)
    keys = (("activation_std", "std of activations"), ("gradient_std", "std of d loss / d act"))
    for axes, (key, ylabel) in zip(axes_pair, keys, strict=True):
        for i, (label, values) in enumerate(stats.items()):
            y = np.asarray(values[key], dtype=float)
            y = np.where(np.isfinite(y) & (y > 0), y, np.nan)
            if np.isnan(y).all():
                continue
            style = _STYLES[i % len(_STYLES)]
            axes.plot(np.arange(1, len(y) + 1), y, linestyle=style, label=label)
        axes.set(xlabel="hidden layer", ylabel=ylabel, yscale="log")
        axes.grid(alpha=0.3)
    axes_pair[0].legend(fontsize=8)
    if title:
        figure.suptitle(title, fontsize=10)
    figure.tight_layout()
    figure.savefig(path)
    plt.close(figure)
