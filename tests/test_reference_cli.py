"""Smoke runs of ``winit-fast train``, ``compare-inits`` and ``activations`` (tiny settings)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
import pytest
from reference_support import write_toy_npz
from support import needs_core

from winit_fast.cli import main


@pytest.fixture
def npz(tmp_path):
    return write_toy_npz(tmp_path / "toy.npz")


def read(path):
    with open(path) as handle:
        return json.load(handle)


def test_train_on_digits_writes_json(tmp_path, capsys):
    pytest.importorskip("sklearn", reason="needs scikit-learn (the bundled digits)")
    out = tmp_path / "run.json"
    argv = ["train", "--epochs", "1", "--train-size", "96", "--json", str(out), "--quiet"]
    assert main(argv) == 0
    result = read(out)
    assert result["command"] == "train" and result["init"] == "he_normal"
    assert result["data"] == {
        "train_rows": 96,
        "validation_rows": 359,
        "features": 784,
        "classes": 10,
    }
    assert {k: len(v) for k, v in result["history"].items()} == {
        "loss": 1,
        "accuracy": 1,
        "val_loss": 1,
        "val_accuracy": 1,
    }
    assert 0 <= result["history"]["val_accuracy"][0] <= 1
    assert len(result["initial_weights_sha256"]) == 64
    assert "val accuracy" in capsys.readouterr().out


@needs_core
def test_train_backends_give_identical_json(npz, tmp_path):
    results = []
    for backend in ("c", "python"):
        out = tmp_path / f"{backend}.json"
        argv = ["train", "--data", npz, "--epochs", "2", "--hidden", "8", "--backend", backend]
        assert main([*argv, "--json", str(out), "--quiet"]) == 0
        results.append(read(out))
    c, python = results
    assert (c["backend"], python["backend"]) == ("c", "python")
    assert c["history"] == python["history"]
    assert c["initial_weights_sha256"] == python["initial_weights_sha256"]
    assert c["final_weights_sha256"] == python["final_weights_sha256"]


def test_train_with_progress_bar_and_plot(npz, tmp_path, capsys):
    pytest.importorskip("matplotlib", reason="needs matplotlib for --plot")
    png = tmp_path / "loss.png"
    argv = ["train", "--data", npz, "--epochs", "2", "--init", "numpy:glorot_normal"]
    assert main([*argv, "--activation", "tanh", "--optimizer", "sgd", "--plot", str(png)]) == 0
    assert png.read_bytes().startswith(b"\x89PNG")
    assert "numpy:glorot_normal" in capsys.readouterr().out


def test_compare_inits(npz, tmp_path, capsys):
    out = tmp_path / "compare.json"
    argv = ["compare-inits", "--data", npz, "--epochs", "2", "--hidden", "8", "--quiet"]
    argv += ["--inits", "zeros,he_normal,numpy:he_normal", "--seeds", "0,1", "--json", str(out)]
    assert main(argv) == 0
    table = capsys.readouterr().out
    for label in ("zeros", "he_normal", "numpy:he_normal", "epoch >= 90%"):
        assert label in table
    result = read(out)
    assert list(result["results"]) == ["zeros", "he_normal", "numpy:he_normal"]
    assert [run["seed"] for run in result["results"]["he_normal"]] == [0, 1]
    assert result["results"]["zeros"][0]["hidden_unit_spread"] == 0.0


def test_activations(tmp_path, capsys):
    out, png = tmp_path / "act.json", tmp_path / "act.png"
    argv = ["activations", "--depth", "4", "--width", "16", "--batch-size", "8"]
    argv += ["--activation", "tanh", "--inits", "glorot_normal,random_normal:1.0"]
    argv += ["--json", str(out)]
    if _has_matplotlib():  # the table and JSON do not need it; the PNG does
        argv += ["--plot", str(png)]
    assert main(argv) == 0
    assert "act std L4" in capsys.readouterr().out
    result = read(out)
    assert len(result["results"]["glorot_normal"]["gradient_std"]) == 4
    if _has_matplotlib():
        assert png.read_bytes().startswith(b"\x89PNG")


def _has_matplotlib() -> bool:
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return False
    return True


def test_cli_rejects_bad_values(capsys):
    with pytest.raises(SystemExit):
        main(["train", "--backend", "gpu"])
    assert "invalid choice: 'gpu'" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["compare-inits", "--seeds", "a,b"])
    assert "expected comma-separated ints" in capsys.readouterr().err


def test_train_size_or_batch_size_beyond_the_data_is_a_usage_error(npz, capsys):
    rows = int(np.load(npz)["X"].shape[0])
    for option in ("--train-size", "--batch-size"):
        with pytest.raises(SystemExit) as stop:
            main(["train", "--data", npz, "--epochs", "1", "--quiet", option, "100000"])
        assert stop.value.code == 2
        error = capsys.readouterr().err
        assert f"{option} 100000 is more than the {rows}" in error and f"at most {rows}" in error
    argv = ["train", "--data", npz, "--epochs", "1", "--quiet", "--train-size", "40"]
    with pytest.raises(SystemExit):  # the batch is checked against the rows actually used
        main([*argv, "--batch-size", "41"])
    assert "more than the 40 training rows used" in capsys.readouterr().err
    assert main([*argv, "--batch-size", "40"]) == 0


def test_init_error_lists_only_what_the_command_line_takes(capsys):
    with pytest.raises(SystemExit):
        main(["train", "--init", "kaiming"])
    error = capsys.readouterr().err
    assert "unknown init 'kaiming'" in error and "'random_normal:STD'" in error
    assert "'lsuv'" in error and "numpy:NAME" in error
    for python_only in ("config dict", "callable", "Initializer"):
        assert python_only not in error


def train_stderr(npz, **env):
    """stderr of `winit-fast train` run with stderr redirected to a pipe (not a terminal)."""
    environment = {
        k: v for k, v in os.environ.items() if k not in ("FORCE_COLOR", "TTY_COMPATIBLE")
    }
    result = subprocess.run(
        [sys.executable, "-m", "winit_fast", "train", "--data", npz, "--epochs", "2"],
        capture_output=True,
        text=True,
        env={**environment, **env},
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    return result.stderr


def test_train_progress_bar_goes_to_a_terminal_only(npz):
    pytest.importorskip("rich", reason="needs rich (its terminal test decides)")
    assert train_stderr(npz) == ""  # redirected: no bar in the log
    assert "━" in train_stderr(npz, TTY_COMPATIBLE="1")  # what rich takes for a terminal: a bar


def test_train_plot_has_a_title_naming_the_run(npz, tmp_path, monkeypatch):
    pytest.importorskip("matplotlib", reason="needs matplotlib for --plot")
    from winit_fast.reference import plots

    titles = []
    real = plots.plot_histories

    def recording(histories, path, title=""):
        titles.append(title)
        real(histories, path, title)

    monkeypatch.setattr(plots, "plot_histories", recording)
    png = tmp_path / "loss.png"
    argv = ["train", "--data", npz, "--epochs", "1", "--quiet", "--seed", "3"]
    assert main([*argv, "--plot", str(png)]) == 0
    assert png.read_bytes().startswith(b"\x89PNG")
    (title,) = titles
    assert "he_normal" in title and "seed 3" in title and "adam" in title
