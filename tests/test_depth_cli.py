"""Smoke runs: --init lsuv, activations --residual, depth-study (tiny settings)."""

from __future__ import annotations

import json

import pytest
from reference_support import write_toy_npz

from winit_fast.cli import main


@pytest.fixture
def npz(tmp_path):
    return write_toy_npz(tmp_path / "toy.npz")


def test_train_with_lsuv(npz, tmp_path):
    out = tmp_path / "lsuv.json"
    argv = ["train", "--data", npz, "--init", "lsuv", "--epochs", "2", "--hidden", "8,8"]
    assert main([*argv, "--json", str(out), "--quiet"]) == 0
    result = json.loads(out.read_text())
    assert result["init"] == "lsuv" and len(result["history"]["loss"]) == 2


def test_compare_inits_with_lsuv(npz, capsys):
    argv = ["compare-inits", "--data", npz, "--inits", "he_normal,lsuv", "--epochs", "1"]
    assert main([*argv, "--hidden", "8", "--quiet"]) == 0
    assert "lsuv" in capsys.readouterr().out


def test_activations_residual_writes_json_and_plot(tmp_path):
    pytest.importorskip("matplotlib", reason="needs matplotlib")
    out, png = tmp_path / "act.json", tmp_path / "act.png"
    argv = ["activations", "--residual", "--depth", "4", "--width", "8", "--batch-size", "16"]
    assert main([*argv, "--json", str(out), "--plot", str(png)]) == 0
    results = json.loads(out.read_text())["results"]
    assert sorted(results) == sorted(["glorot_normal", "he_normal", "lsuv", "fixup", "gpt2"])
    assert all(len(v["activation_std"]) == 4 for v in results.values())
    assert png.stat().st_size > 0


def test_activations_plain_with_lsuv(capsys):
    argv = ["activations", "--depth", "4", "--width", "8", "--batch-size", "16"]
    assert main([*argv, "--inits", "he_normal,lsuv"]) == 0
    assert "lsuv" in capsys.readouterr().out


@pytest.mark.parametrize("residual", [False, True])
def test_depth_study(npz, tmp_path, residual):
    out = tmp_path / "study.json"
    schemes = "he_normal,lsuv,fixup,gpt2" if residual else "glorot_normal,lsuv"
    argv = ["depth-study", "--data", npz, "--depth", "3", "--width", "8", "--epochs", "1"]
    argv += ["--schemes", schemes, "--json", str(out)] + (["--residual"] if residual else [])
    assert main(argv) == 0
    result = json.loads(out.read_text())
    assert list(result["results"]) == schemes.split(",")
    assert all(len(r["history"]["loss"]) == 1 for r in result["results"].values())
