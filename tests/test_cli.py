"""The command line as a newcomer meets it: mistakes are one-line usage errors naming the valid
choices, every option says what it does and its default, `--version` exists, and the commands
that do not train never import the trainer."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys

import pytest

import winit_fast
from winit_fast.cli import build_parser, main

USAGE_ERRORS = [
    (["raw", "--seed", "-1"], "--seed: expected 0 <= seed < 2**64, got -1"),
    (["raw", "--seed", "2**64"], "--seed: expected an int"),
    (["raw", "--seed", "1", "--bytes", "-4"], "--bytes: expected an int >= 0"),
    (["raw", "--seed", "1", "--stream", "-1"], "--stream: expected 0 <= stream < 2**64 or a name"),
    (["bench", "--json", "/no/such/folder/b.json"], "--json: folder '/no/such/folder' does not"),
    (["bench", "--save", "/no/such/folder/b"], "--save: folder '/no/such/folder' does not exist"),
    (["train", "--data", "missing.npz"], "--data: expected 'digits' or an .npz file"),
    (["bench", "--threads", "0"], "--threads: expected comma-separated ints >= 1"),
    (["bench", "--threads", "two"], "--threads: expected comma-separated ints"),
    (["bench", "--methods", "foo"], "'foo' is not one of uniform, normal, truncated_normal"),
    (["bench", "--methods", "normall"], "(did you mean 'normal'?)"),
    (["bench", "--dtypes", "int8"], "'int8' is not one of float32, float64, float16, bfloat16"),
    (["bench", "--sizes", "0"], "--sizes: expected positive sizes"),
    pytest.param(
        ["bench", "--sizes", "2**50"],
        "GiB as float64; this machine has",
        marks=pytest.mark.skipif(not hasattr(os, "sysconf"), reason="needs os.sysconf (memory)"),
    ),
    (["bench", "--quick", "--full"], "not allowed with argument"),
    (["bench", "--sizes", "1e400"], "--sizes: expected sizes like 1000,2**20,1e6"),
    (["bench", "--sizes", "0**-1"], "--sizes: expected sizes like 1000,2**20,1e6"),
    (["bench", "--sizes", "10**10**10"], "--sizes: expected sizes like 1000,2**20,1e6"),
    (["bench", "--headline-size", "1e400"], "--headline-size: expected sizes like"),
    (["bench", "--threads", "100000"], "--threads: expected comma-separated ints <= 1024"),
    (["bench", "--json", "/"], "--json: '/' is a folder; name a file in it"),
    (["bench", "--plot", ""], "--plot: expected a file name, got ''"),
    (["activations", "--width", "10000000000"], "with --batch-size 256 needs about"),
    (["train", "--hidden", "100000000,100000000"], "--batch-size 32 needs about"),
    (["train", "--init", "he_normall"], "unknown init 'he_normall' (did you mean 'he_normal'?)"),
    (["train", "--epochs", "0"], "--epochs: expected an int >= 1, got 0"),
    (["train", "--lr", "-1"], "--lr: expected a finite number > 0"),
    (["train", "--init", "fixup"], "'fixup' scales residual branches"),
    (["compare-inits", "--inits", "zeros,glorot_unifrom"], "did you mean 'glorot_uniform'"),
    (["activations", "--depth", "0"], "--depth: expected an int >= 1"),
    (["activations", "--inits", "gpt2"], "'gpt2' scales residual branches: use it with --resid"),
    (["depth-study", "--schemes", "lsuvv"], "did you mean 'lsuv'"),
    (["depth-study", "--width", "-3"], "--width: expected an int >= 1"),
]


def _id(case) -> str:
    argv = case.values[0] if hasattr(case, "values") else case[0]
    return " ".join(argv)


@pytest.mark.parametrize(("argv", "message"), USAGE_ERRORS, ids=[_id(c) for c in USAGE_ERRORS])
def test_mistakes_are_one_line_usage_errors(argv, message, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    errors = [line for line in err.splitlines() if "error:" in line]
    assert len(errors) == 1 and message in errors[0], err
    assert "Traceback" not in err


def test_version(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0
    assert capsys.readouterr().out.strip() == f"winit-fast {winit_fast.__version__}"


def _subparsers(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(action.choices)


@pytest.mark.parametrize("command", ["bench", "raw", "train", "compare-inits", "activations",
                                     "depth-study"])  # fmt: skip
def test_every_option_has_a_description_and_its_default(command):
    parser = _subparsers(build_parser(command))[command]
    text = parser.format_help()
    for action in parser._actions:
        if isinstance(action, argparse._HelpAction):
            continue
        assert action.help, f"{command} {action.option_strings} has no description"
        if action.default is not None and action.default is not False:
            shown = action.default
            if isinstance(shown, list):
                shown = ",".join(map(str, shown))
            squeezed = "".join(text.split())  # help wraps long defaults anywhere
            assert f"(default:{shown})".replace(" ", "") in squeezed, (command, action.dest)


def test_named_options_show_their_defaults():
    helps = {name: " ".join(p.format_help().split()) for name, p in
             _subparsers(build_parser()).items()}  # fmt: skip
    assert "--seed SEED seeds the weights and shuffling (default: 0)" in helps["train"]
    assert "(default: 10)" in helps["train"] and "learning rate (default: 0.001)" in helps["train"]
    assert "(or residual blocks) (default: 50)" in helps["activations"]
    assert "units per layer (default: 256)" in helps["activations"]
    assert "(default:zeros,random_normal:0.01," in helps["compare-inits"].replace(" ", "")
    assert "(default:glorot_normal,he_normal,lsuv,fixup,gpt2)" in helps["depth-study"].replace(
        " ", ""
    )
    assert "passes over the data (default: 3)" in helps["depth-study"]


def test_config_and_raw_do_not_import_the_trainer(tmp_path):
    probe = (
        "import sys\n"
        "from winit_fast.cli import main\n"
        "main(['config'])\n"
        "main(['raw', '--seed', '1', '--bytes', '0'])\n"
        "print('reference imported:', 'winit_fast.reference' in sys.modules)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=tmp_path
    )
    assert "backend" in result.stdout
    assert "reference imported: False" in result.stdout


def test_top_level_help_lists_every_command(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    for command in ("bench", "raw", "config", "train", "compare-inits", "activations",
                    "depth-study"):  # fmt: skip
        assert command in out


@pytest.fixture
def files(tmp_path):
    """A text file, an .npy and an .npz lacking y, to pass as --data."""
    import numpy as np

    (tmp_path / "notes.txt").write_text("not data\n")
    np.save(tmp_path / "array.npy", np.zeros(3))
    np.savez(tmp_path / "x_only.npz", X=np.zeros((4, 2)))
    np.savez(tmp_path / "good.npz", X=np.zeros((4, 2)), y=np.arange(4) % 2)
    return tmp_path


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["train", "--data", "notes.txt"], "'notes.txt' is not an .npz file; save one with"),
        (["train", "--data", "array.npy"], "'array.npy' is not an .npz file"),
        (["compare-inits", "--data", "x_only.npz"], "'x_only.npz' lacks y; it holds ['X']"),
        (["train", "--data", "good.npz", "--json", "good.npz"], "'good.npz' is also 'good.npz'"),
        (["bench", "--json", "b.json", "--plot", "b.json"], "'b.json' is also 'b.json'"),
        (["bench", "--save", "b", "--json", "b.json"], "'b.json' is also 'b.json'"),
    ],
)
def test_file_mistakes_are_usage_errors(files, monkeypatch, capsys, argv, message):
    monkeypatch.chdir(files)
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 2
    errors = [line for line in capsys.readouterr().err.splitlines() if "error:" in line]
    assert len(errors) == 1 and message in errors[0], errors


def test_data_that_fails_to_load_is_a_one_line_error(tmp_path, capsys):
    import numpy as np

    path = tmp_path / "bad_labels.npz"
    np.savez(path, X=np.zeros((4, 2)), y=np.linspace(0, 1, 4))  # labels must be ints
    assert main(["train", "--data", str(path), "--quiet"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert err.startswith(f"winit-fast train: error: --data {path}: y must be a 1-D array")
