"""``winit-fast seed-checkpoint``: JSON and TOML specs, usage errors, parts."""

from __future__ import annotations

import json
import sys

import pytest

from winit_fast import cli
from winit_fast._validation import byte_size
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
        ('{"w.weight": {"shape": [4, 4], "dtype": null}}', "'w.weight': dtype must be a name"),
        ('{"w.weight": [4, 4], "w.weight": [2, 2]}', "spec names 'w.weight' twice"),
        ('{"w.weight": {"shape": [4], "shape": [2]}}', "spec names 'shape' twice"),
        ("[" * 100_000 + "]" * 100_000, "is not valid JSON: nested too deeply"),
        ('{"w\\ud800": [2, 2]}', "params names must be UTF-8 text"),
    ],
    ids=["not an int", "int8", "misspelled key", "not a shape", "not a table", "not JSON",
         "dtype null", "duplicate name", "duplicate key", "deep nesting", "lone surrogate"],
)  # fmt: skip
def test_bad_spec_is_a_one_line_usage_error(tmp_path, capsys, text, message):
    spec = tmp_path / "spec.json"
    spec.write_text(text)
    out = tmp_path / "out.safetensors"
    assert cli.main(["seed-checkpoint", str(spec), str(out), "--seed", "0"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err, err
    assert err.startswith("winit-fast seed-checkpoint: error:")
    assert not out.exists()


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--part", "2/2"], "--part: K/N needs 0 <= K < N (K counts from 0: 0/2 is the first"),
        (["--part", "x"], "--part: expected K/N, process K of N with K counting from 0"),
        (["--block-mb", "0"], "--block-mb: expected a number of MiB > 0"),
        (["--block-mb", "nan"], "--block-mb: expected a number of MiB > 0"),
        (["--seed", "-1"], "--seed: expected 0 <= seed < 2**64"),
        (["--seed", "0x1" + "0" * 16], "--seed: expected 0 <= seed < 2**64"),
    ],
)
def test_bad_options_are_usage_errors(tmp_path, capsys, extra, message):
    spec, out = json_spec(tmp_path)
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["seed-checkpoint", str(spec), str(out), "--seed", "0", *extra])
    assert exit_info.value.code == 2
    errors = [line for line in capsys.readouterr().err.splitlines() if "error:" in line]
    assert len(errors) == 1 and message in errors[0], errors
    assert not out.exists()


def test_unreadable_spec_is_a_usage_error(tmp_path, capsys):
    out = tmp_path / "out.safetensors"
    assert cli.main(["seed-checkpoint", str(tmp_path / "nope.json"), str(out), "--seed", "0"]) == 2
    assert "cannot read spec" in capsys.readouterr().err
    assert not out.exists()


def test_seed_takes_the_forms_every_command_takes(tmp_path):
    """--seed 0x10 is 16, as for `raw` (one parser for every --seed)."""
    spec, out = json_spec(tmp_path)
    assert seed_checkpoint(spec, out, "--seed", "0x10") == 0
    decimal = tmp_path / "decimal.safetensors"
    assert seed_checkpoint(spec, decimal, "--seed", "16") == 0
    assert out.read_bytes() == decimal.read_bytes()
    assert cli.build_parser().parse_args(["raw", "--seed", "0x10"]).seed == 16


def test_the_spec_is_never_overwritten(tmp_path, capsys):
    spec, _ = json_spec(tmp_path)
    before = spec.read_bytes()
    (tmp_path / "link.json").symlink_to(spec)
    for out in (spec, tmp_path / "link.json", tmp_path / "." / "spec.json"):
        assert cli.main(["seed-checkpoint", str(spec), str(out), "--seed", "0"]) == 2
        assert "is the spec itself" in capsys.readouterr().err
    assert spec.read_bytes() == before


@pytest.mark.parametrize(
    ("out", "message"),
    [
        ("missing/out.safetensors", "folder '{tmp}/missing' does not exist"),
        (".", "'.' is a folder; name a file in it"),
        ("sub/", "'sub/' is a folder; name a file in it"),
        ("", "expected a file name, got ''"),
    ],
)
def test_output_path_mistakes_are_usage_errors(tmp_path, monkeypatch, capsys, out, message):
    monkeypatch.chdir(tmp_path)
    spec, _ = json_spec(tmp_path)
    (tmp_path / "sub").mkdir()
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["seed-checkpoint", str(spec), out, "--seed", "0"])
    assert exit_info.value.code == 2
    errors = [line for line in capsys.readouterr().err.splitlines() if "error:" in line]
    assert len(errors) == 1 and message.format(tmp=tmp_path) in errors[0], errors


@pytest.mark.parametrize(
    ("when", "message"),
    [
        ("plan", "free some space or write elsewhere"),  # refused before the first byte
        ("write", "No space left on device"),
    ],
    ids=["refused by the plan", "met while writing"],
)
def test_a_full_disk_is_one_line_and_loses_nothing(
    small_disk, tmp_path, capsys, monkeypatch, when, message
):
    """A plan bigger than the free space is refused; with the plan's free-space check
    skipped, the write itself meets the kernel's own ENOSPC mid-file."""
    from winit_fast import safetensors as wst

    if when == "write":
        monkeypatch.setattr(wst, "_check_room", lambda checked: None)
    spec = tmp_path / "spec.json"
    spec.write_text(json.dumps({f"l{i}.weight": [512, 256] for i in range(4)}))  # 2 MiB
    out = small_disk / "model.safetensors"
    out.write_bytes(b"the old file")
    assert cli.main(["seed-checkpoint", str(spec), str(out), "--seed", "0", "--quiet"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err and message in err, err
    assert err.startswith("winit-fast seed-checkpoint: error: ")
    if when == "write":
        assert f"{out} is as it was" in err
    assert out.read_bytes() == b"the old file" and sorted(small_disk.iterdir()) == [out]


def test_progress_without_rich_counts_bytes(tmp_path, capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "rich", None)  # as if rich were not installed
    monkeypatch.setitem(sys.modules, "rich.progress", None)
    monkeypatch.setitem(sys.modules, "rich.console", None)
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)  # the bar goes to terminals only
    spec, out = json_spec(tmp_path)
    assert cli.main(["seed-checkpoint", str(spec), str(out), "--seed", "0"]) == 0
    lines = capsys.readouterr().err.splitlines()
    data = 50 * 16 * 4 + 32 * 16 * 2 + 32 * 4 + 16 * 4  # SPEC's tensors, in bytes
    assert lines[-2] == f"{out}: {byte_size(data)} of {byte_size(data)}", lines
    assert not any("steps" in line for line in lines)
