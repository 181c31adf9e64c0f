"""The trainer's figures keep every series: a fixed colour per init in both panels, a legend
entry for each (saying when it is all zero on a log axis, or the same as another), and an x
axis that names what it counts. Read from the matplotlib Figure that is saved."""

from __future__ import annotations

import pytest

from winit_fast.reference.depth_study import DEPTH_SCHEMES, residual_statistics
from winit_fast.reference.experiments import ACTIVATION_INITS, activation_statistics

pytest.importorskip("matplotlib", reason="the plots need matplotlib")

from winit_fast.reference.plots import activation_figure, history_figure


def panels(figure):
    """Per panel: x label, legend labels, and {label: (colour, y values)} of its lines."""
    out = []
    for axes in figure.axes:
        legend = [text.get_text() for text in axes.get_legend().get_texts()]
        lines = {line.get_label(): (line.get_color(), list(line.get_ydata())) for line in
                 axes.get_lines()}  # fmt: skip
        out.append((axes.get_xlabel(), legend, lines))
    return out


@pytest.fixture
def close_figures():
    yield
    import matplotlib.pyplot as plt

    plt.close("all")


def test_residual_plot_keeps_fixup_and_names_blocks(close_figures):
    stats = residual_statistics(list(DEPTH_SCHEMES), depth=3, width=8, batch_size=16)
    assert all(v == 0.0 for v in stats["fixup"]["gradient_std"])  # the case that was dropped
    figure = activation_figure(stats, unit="residual block")
    (x_act, legend_act, lines_act), (x_grad, legend_grad, lines_grad) = panels(figure)
    assert x_act == x_grad == "residual block"
    assert len(legend_act) == len(legend_grad) == len(DEPTH_SCHEMES)
    assert "fixup (all zero: not drawn on log axis)" in legend_grad
    assert "fixup" in legend_act  # its activations are drawn
    colour_act = {label.split(" ")[0]: c for label, (c, _) in lines_act.items()}
    colour_grad = {label.split(" ")[0]: c for label, (c, _) in lines_grad.items()}
    assert colour_act == colour_grad  # no colour shift when a series cannot be drawn
    assert len(set(colour_act.values())) == len(DEPTH_SCHEMES)


def test_plain_plot_notes_zeros_and_coinciding_lines(close_figures):
    stats = activation_statistics(list(ACTIVATION_INITS), depth=3, width=8, batch_size=16)
    assert stats["lecun_normal"]["activation_std"] == stats["glorot_normal"]["activation_std"]
    figure = activation_figure(stats)
    (x_act, legend_act, lines_act), (_, legend_grad, _) = panels(figure)
    assert x_act == "hidden layer"
    assert len(legend_act) == len(ACTIVATION_INITS)
    assert "zeros (all zero: not drawn on log axis)" in legend_act
    assert "lecun_normal (same as glorot_normal)" in legend_act
    assert "lecun_normal" in legend_grad  # gradients differ: no note there
    drawn = lines_act["he_normal"][1]
    assert drawn == pytest.approx(stats["he_normal"]["activation_std"])


def test_history_plot_notes_identical_runs(close_figures):
    history = {"loss": [1.0, 0.5], "val_accuracy": [0.8, 0.9]}
    figure = history_figure({"glorot": history, "lecun": dict(history), "he": {
        "loss": [0.9, 0.4], "val_accuracy": [0.85, 0.92]}})  # fmt: skip
    legend = [text.get_text() for text in figure.axes[0].get_legend().get_texts()]
    assert legend == ["glorot", "lecun (same as glorot)", "he"]


def test_history_plot_labels_every_line_and_its_log_axis_has_readable_ticks(close_figures):
    history = {"loss": [2.3, 0.9, 0.4, 0.2], "val_accuracy": [0.5, 0.8, 0.9, 0.93]}
    figure = history_figure({"he_normal (c)": history}, title="winit-fast train: he_normal")
    loss_axes, accuracy_axes = figure.axes
    assert figure._suptitle.get_text() == "winit-fast train: he_normal"
    assert loss_axes.get_title() and accuracy_axes.get_title()
    legend = [text.get_text() for text in accuracy_axes.get_legend().get_texts()]
    assert "90% accuracy" in legend  # the dotted line says what it is
    assert all(not line.get_label().startswith("_") for line in accuracy_axes.get_lines())
    figure.canvas.draw()
    low, high = loss_axes.get_ylim()
    labelled = [
        tick.get_text()
        for tick, value in zip(loss_axes.get_yticklabels(), loss_axes.get_yticks(), strict=True)
        if low <= value <= high and tick.get_text()
    ]
    assert len(labelled) >= 4, labelled  # not just 10^-1 and 10^0
