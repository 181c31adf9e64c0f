"""winit-fast bench and config: the command runs end to end, and the ratio and target logic
is right on known numbers."""

from __future__ import annotations

import json

import winit_fast as wf
from winit_fast.bench.report import format_table, targets, wide_rows
from winit_fast.bench.run import Measurement
from winit_fast.bench.timing import median_seconds
from winit_fast.cli import main

SIZE = 1 << 26


def measurement(library, method, msps, threads=1, size=SIZE, dtype="float32"):
    return Measurement(library, method, dtype, size, threads, size / (msps * 1e6))


def test_bench_command_runs_and_writes_json(tmp_path, capsys):
    path = tmp_path / "bench.json"
    args = [
        "bench",
        "--quick",
        "--sizes",
        "4096",
        "--dtypes",
        "float32",
        "--methods",
        "normal,zeros",
        "--threads",
        "1,2",
        "--json",
        str(path),
    ]
    assert main(args) == 0
    printed = capsys.readouterr().out
    assert "winit_fast" in printed and "targets" in printed and "overlap" in printed
    data = json.loads(path.read_text())
    ours = [m for m in data["measurements"] if m["library"] == "winit_fast"]
    assert {(m["method"], m["threads"]) for m in ours if m["dtype"] == "float32"} >= {
        ("normal", 1),
        ("normal", 2),
        ("zeros", 1),
        ("zeros", 2),
    }
    assert all(m["msamples_per_s"] > 0 for m in data["measurements"])
    memory = data["extra_memory"]["normal"]  # a fill into a 4 MiB out= (--quick), alone
    assert memory["output_kib"] == 4096
    if wf.BACKEND == "c":  # the C core allocates nothing per element (the fallback ~25 MiB)
        assert memory["extra_kib"] < memory["output_kib"] // 4, memory


def test_config_command_prints_the_backend(capsys):
    assert main(["config"]) == 0
    assert "backend" in capsys.readouterr().out


def test_ratio_columns_divide_the_same_run():
    results = [
        measurement("winit_fast", "normal", 1600, threads=2),
        measurement("numpy-pcg64", "normal", 100),
        measurement("torch 2.13.0", "normal", 400, threads=2),
    ]
    header, rows = wide_rows(results)
    row = dict(zip(header, rows[0], strict=True))
    assert row["x numpy"] == "16.0x" and row["x torch"] == "4.0x"
    assert "16.0x" in format_table(header, rows)


def test_targets_are_judged_against_their_thresholds():
    results = [
        measurement("winit_fast", "normal", 1300, threads=2),
        measurement("winit_fast", "normal", 700, threads=1),
        measurement("numpy-pcg64", "normal", 100),
        measurement("winit_fast", "uniform", 300, threads=2),
        measurement("numpy-pcg64", "uniform", 100),
    ]
    verdicts = {name: met for name, _, met in targets(results, SIZE)}
    assert verdicts["normal >= 12x numpy standard_normal"] is True  # 13x
    assert verdicts["uniform >= 4x numpy random"] is False  # 3x
    assert verdicts["normal: 2 threads >= 1.8x 1 thread"] is True  # 1.86x
    assert verdicts["truncated_normal >= 50x torch trunc_normal_"] is None  # not measured


def test_median_seconds_times_the_call():
    calls = []
    seconds = median_seconds(lambda: calls.append(1), repeats=3, min_seconds=0.0)
    assert len(calls) >= 5 and 0 < seconds < 0.01
