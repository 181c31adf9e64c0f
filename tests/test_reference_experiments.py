"""The experiments: activation statistics and the compare table (tiny settings)."""

from __future__ import annotations

import pytest
from reference_support import toy_data

from winit_fast.reference.experiments import (
    activation_statistics,
    compare_inits,
    format_activation_table,
    format_compare_table,
)


def growth(stats, init, key="activation_std"):
    values = stats[init][key]
    return values[-1] / values[0]


def test_relu_signal_vanishes_small_explodes_large_and_stays_with_he():
    stats = activation_statistics(
        ["random_normal:0.01", "random_normal:1.0", "he_normal"],
        depth=12,
        width=64,
        batch_size=64,
    )
    assert growth(stats, "random_normal:0.01") < 1e-6  # x 0.01 sqrt(32)
    assert growth(stats, "random_normal:1.0") > 1e6  # x sqrt(32) per layer
    assert 0.2 < growth(stats, "he_normal") < 5
    assert 0.2 < growth(stats, "he_normal", "gradient_std") < 5


def test_tanh_signal_stays_with_glorot_and_saturates_when_large():
    stats = activation_statistics(
        ["glorot_normal", "random_normal:1.0"], depth=12, width=64, activation="tanh"
    )
    assert 0.2 < growth(stats, "glorot_normal") < 5
    assert min(stats["random_normal:1.0"]["activation_std"]) > 0.9  # saturated at ±1


def test_activation_table_shows_first_middle_last_layers():
    stats = activation_statistics(["zeros", "he_normal"], depth=4, width=8, batch_size=8)
    table = format_activation_table(stats)
    assert "act std L1" in table and "act std L3" in table and "grad std L4" in table
    assert stats["zeros"]["activation_std"] == [0.0] * 4


def test_compare_inits_table_and_statistics():
    data = toy_data(n=200)
    summaries = compare_inits(
        data, ["zeros", "he_normal"], seeds=[0, 1], epochs=3, hidden=(8,), lr=1e-2
    )
    zeros, he = summaries
    assert [run.seed for run in he.runs] == [0, 1]
    assert all(run.hidden_unit_spread == 0.0 for run in zeros.runs)
    assert he.mean("val_accuracy") > zeros.mean("val_accuracy")
    assert he.std("val_accuracy") == pytest.approx(
        abs(he.finals("val_accuracy")[0] - he.finals("val_accuracy")[1]) / 2**0.5
    )
    table = format_compare_table(summaries)
    assert table.splitlines()[2].startswith("zeros") and " ± " in table
