"""``winit-fast seed-checkpoint``: JSON and TOML specs, usage errors, parts."""

from __future__ import annotations

import json
import sys

import pytest

from winit_fast import cli
from winit_fast.safetensors import save_init

pytest.importorskip("safetensors", reason="needs safetensors")

SPEC = {
    "embed.weight": [50, 16],
    "layers.0.weight": {"shape": [32, 16], "dtype": "bfloat16"},
    "layers.0.bias": [32],
    "norm.weight": {"shape": [16]},
}
TOML = """\
"embed.weight" = [50, 16]
"layers.0.weight" = { shape = [32, 16], dtype = "bfloat16" }
"layers.0.bias" = [32]
"norm.weight" = { shape = [16] }
"""
MAPPING = {
    "embed.weight": ((50, 16), "float32"),
    "layers.0.weight": ((32, 16), "bfloat16"),
    "layers.0.bias": ((32,), "float32"),
    "norm.weight": ((16,), "float32"),
}


def reference(tmp_path, **options):
    path = tmp_path / "reference.safetensors"
    save_init(path, MAPPING, **{"scheme": "he_normal", "seed": 5, **options})
    return path.read_bytes()


@pytest.mark.parametrize("kind", ["json", "toml"])
def test_spec_file_gives_the_save_init_file(tmp_path, capsys, kind):
    if kind == "toml" and sys.version_info < (3, 11):
        pytest.importorskip("tomli", reason="needs Python >= 3.11 or tomli for TOML")
    spec = tmp_path / f"spec.{kind}"
    spec.write_text(json.dumps(SPEC) if kind == "json" else TOML)
    out = tmp_path / "out.safetensors"
    argv = ["seed-checkpoint", str(spec), str(out), "--seed", "5", "--block-mb", "0.001"]
    assert cli.main(argv) == 0
    assert out.read_bytes() == reference(tmp_path)
    err = capsys.readouterr().err
    assert "wrote" in err and "4 tensors" in err


def json_spec(tmp_path):
    """SPEC as a JSON file, and the output path next to it."""
    spec = tmp_path / "spec.json"
    spec.write_text(json.dumps(SPEC))
    return spec, tmp_path / "out.safetensors"


def seed_checkpoint(spec, out, *options):
    """The command's exit status for SPEC's file, seed 5, quiet, and ``options``."""
    return cli.main(["seed-checkpoint", str(spec), str(out), "--seed", "5", "--quiet", *options])


def test_options_reach_the_file(tmp_path):
    spec, out = json_spec(tmp_path)
    options = ["--scheme", "xavier_normal", "--bias", "0.5", "--norm", "2"]
    assert seed_checkpoint(spec, out, *options) == 0
    expected = reference(tmp_path, scheme="xavier_normal", bias=0.5, norm=2.0)
    assert out.read_bytes() == expected


def test_parts_complete_the_file(tmp_path):
    spec, out = json_spec(tmp_path)
    for k in range(2):
        assert seed_checkpoint(spec, out, "--block-mb", "0.001", "--part", f"{k}/2") == 0
    assert out.read_bytes() == reference(tmp_path)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"w.weight": [4, "x"]}', "params['w.weight']: shape must contain only ints"),
        ('{"w.weight": {"shape": [4, 4], "dtype": "int8"}}', "params['w.weight']"),
        ('{"w.weight": {"shape": [4, 4], "dtpye": "float32"}}', "spec entry 'w.weight'"),
        ('{"w.weight": 4}', "spec entry 'w.weight' must be a shape"),
        ("[1, 2]", "must be a non-empty table"),
        ("{", "is not valid JSON"),
    ],
)
def test_bad_spec_is_a_one_line_usage_error(tmp_path, capsys, text, message):
    spec = tmp_path / "spec.json"
    spec.write_text(text)
    out = tmp_path / "out.safetensors"
    assert cli.main(["seed-checkpoint", str(spec), str(out), "--seed", "0"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err, err
    assert err.startswith("winit-fast seed-checkpoint: error:")
    assert not out.exists()


def test_bad_options_are_usage_errors(tmp_path, capsys):
    spec, out = json_spec(tmp_path)
    for extra, message in [
        (["--part", "2/2"], "part"),
        (["--part", "x"], "--part must be K/N"),
        (["--block-mb", "0"], "--block-mb"),
        (["--seed", "-1"], "seed"),
    ]:
        assert cli.main(["seed-checkpoint", str(spec), str(out), "--seed", "0", *extra]) == 2
        assert message in capsys.readouterr().err
    assert cli.main(["seed-checkpoint", str(tmp_path / "nope.json"), str(out), "--seed", "0"]) == 2
    assert "cannot read spec" in capsys.readouterr().err
    assert not out.exists()
