"""winit-fast bench: the command runs end to end (headline first), the ratio and verdict logic
is right on known numbers, doubtful timings get no verdict, and the plot keeps one colour per
library."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from winit_fast.bench.cases import BLOCK_METHODS
from winit_fast.bench.report import (
    format_headline,
    format_table,
    headline,
    table_text,
    wide_rows,
)
from winit_fast.bench.run import BenchConfig, Measurement
from winit_fast.bench.timing import (
    SHARED_WINDOW_S,
    CpuMark,
    Timing,
    _quantized,
    load_around,
    time_fill,
)
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
        "--headline-size",
        "2**16",
        "--json",
        str(path),
    ]
    assert main(args) == 0
    printed = capsys.readouterr().out
    assert printed.index("headline:") < printed.index("M samples/s")  # the summary first
    assert "normal vs numpy standard_normal" in printed and ">= 16x" in printed
    data = json.loads(path.read_text())
    ours = [m for m in data["measurements"] if m["library"] == "winit_fast"]
    assert {(m["method"], m["threads"]) for m in ours if m["dtype"] == "float32"} >= {
        ("normal", 1),
        ("normal", 2),
        ("zeros", 1),
        ("zeros", 2),
    }
    assert all(m["msamples_per_s"] > 0 for m in data["measurements"])
    assert "spread" in data["measurements"][0] and "load_per_core_before" in data


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
    assert row["x numpy"] == "16.0x" and row["x torch"] == "4.0x" and row["note"] == ""
    assert "16.0x" in format_table(header, rows)
    results[1].spread = 0.6  # a noisy anchor makes the row's ratios doubtful
    assert dict(zip(header, wide_rows(results)[1][0], strict=True))["note"] == "unreliable"


def test_each_doubtful_figure_and_the_ratios_drawn_from_it_are_marked():
    results = [
        measurement("winit_fast", "normal", 1600, threads=2),
        measurement("numpy-pcg64", "normal", 100),
        measurement("torch 2.13.0", "normal", 400, threads=2),
    ]
    results[1].spread = 0.6  # numpy's timing is noisy, torch's and ours are not
    header, rows = wide_rows(results)
    row = dict(zip(header, rows[0], strict=True))
    assert (row["winit_fast"], row["numpy-pcg64"], row["torch 2.13.0"]) == ("1,600", "100?", "400")
    assert (row["x numpy"], row["x torch"], row["note"]) == ("16.0x?", "4.0x", "unreliable")
    # a busy machine before the run: no figure of the table is reliable
    header, rows = wide_rows(results, load_per_core=1.5)
    row = dict(zip(header, rows[0], strict=True))
    assert row["winit_fast"] == "1,600?" and row["x torch"] == "4.0x?" and row["note"]


def many_libraries():
    """A --full run's table: every anchor, wider than 100 columns unsplit."""
    results = []
    for size in (4096, 1 << 26):
        for threads in (1, 2):
            results.append(measurement("winit_fast", "truncated_normal", 1203, threads, size))
            results.append(measurement("torch 2.13.0", "truncated_normal", 16, threads, size))
            results.append(measurement("winit_fast", "zeros", 41959, threads, size))
            results.append(measurement("torch 2.13.0", "zeros", 12385, threads, size))
            results.append(measurement("memset", "zeros", 19760, threads, size))
        for library in ("numpy-pcg64", "numpy-philox", "mkl_random"):
            results.append(measurement(library, "truncated_normal", 115, 1, size))
        results.append(measurement("ndarray.fill", "zeros", 7902, 1, size))
    results[0].spread = 0.5
    return results


@pytest.mark.parametrize("width", [100, 80])
def test_the_table_is_cut_into_parts_that_fit_the_width(width):
    results = many_libraries()
    header, rows = wide_rows(results)
    assert len(format_table(header, rows, width=1000).splitlines()[0]) > 100  # too wide whole
    text = table_text(results, width=width)
    assert max(len(line) for line in text.splitlines()) <= width
    parts = format_table(header, rows, width=width).split("\n\n")
    assert len(parts) >= 2
    headers = [part.splitlines()[1 if i else 0].split() for i, part in enumerate(parts)]
    for words in headers:  # each part repeats the key columns and the note
        assert words[:4] == ["method", "dtype", "size", "thr"] and words[-1] == "note"
    first = parts[0].splitlines()[0]
    assert all(name in first for name in ("winit_fast", "x numpy", "x torch"))  # ours first
    shown = " ".join(" ".join(words) for words in headers)
    for name in ("numpy-pcg64", "numpy-philox", "mkl_random", "ndarray.fill", "memset"):
        assert name in shown  # every column is somewhere
    for part in parts:  # every part carries the row's note
        assert sum("unreliable" in line for line in part.splitlines()) == 1


@pytest.mark.parametrize("width", [100, 80])
def test_the_headline_fits_the_width_with_its_reasons_wrapped(width):
    results = quiet_run()
    for m in results:
        m.spread, m.other_load = 0.53, 1.5
    found = headline(results, CONFIG, 1.4)
    assert all(v.verdict.startswith("unreliable: busy machine; 53% spread") for v in found)
    text = format_headline(found, CONFIG, 1.4, width=width)
    lines = text.splitlines()
    assert max(len(line) for line in lines) <= width
    assert "other processes used 1.5 cores" in " ".join(text.split())  # the reasons are kept
    missing = headline([m for m in quiet_run() if not m.library.startswith("torch")], CONFIG)
    text = format_headline(missing, CONFIG, width=width)
    assert max(len(line) for line in text.splitlines()) <= width


def test_a_timing_too_short_for_its_own_load_shares_the_window_before_it():
    marks = [CpuMark(wall=t, busy=2 * t, own=t) for t in (0.0, 0.1, 0.2, 0.3)]
    end = CpuMark(wall=0.32, busy=0.64, own=0.32)  # 20 ms: too short alone
    # the window starts at the latest mark at least SHARED_WINDOW_S before the end
    assert SHARED_WINDOW_S == 0.2
    assert load_around(marks, end) == pytest.approx(1.0)  # others used one core
    assert load_around([CpuMark(0.3, None, 0.3)], end) is None  # no /proc/stat


CONFIG = BenchConfig(threads=(1, 2), headline_size=SIZE, block_size=1 << 20)


def quiet_run(**speeds):
    """Measurements of a clean run at the headline's sizes, M samples/s given by name."""
    base = {
        "normal_2": 1800, "normal_1": 900, "truncated_2": 1700, "he_2": 1300, "uniform_2": 2600,
        "np_normal": 100, "np_uniform": 500, "torch_he": 250, "small_ours": 1.0,
        "small_numpy": 1.0, "column": 900, "row": 1000,
    }  # fmt: skip
    base.update(speeds)
    small, block = 16, 1 << 20
    return [
        measurement("winit_fast", "normal", base["normal_2"], threads=2),
        measurement("winit_fast", "normal", base["normal_1"], threads=1),
        measurement("winit_fast", "truncated_normal", base["truncated_2"], threads=2),
        measurement("winit_fast", "he_normal", base["he_2"], threads=2),
        measurement("winit_fast", "uniform", base["uniform_2"], threads=2),
        measurement("numpy-pcg64", "normal", base["np_normal"]),
        measurement("numpy-pcg64", "uniform", base["np_uniform"]),
        measurement("torch 2.13.0", "he_normal", base["torch_he"], threads=2),
        measurement("winit_fast", "uniform", base["small_ours"], threads=2, size=small),
        measurement("numpy-pcg64", "uniform", base["small_numpy"], size=small),
        measurement("winit_fast", BLOCK_METHODS[0], base["column"], threads=2, size=block),
        measurement("winit_fast", BLOCK_METHODS[1], base["row"], threads=2, size=block),
    ]


def verdicts(results, load=0.0):
    return {v.name: v for v in headline(results, CONFIG, load)}


def test_headline_judges_each_ratio_against_its_target():
    found = verdicts(quiet_run())
    assert found["normal vs numpy standard_normal"].figure == "18.00x"
    assert found["normal vs numpy standard_normal"].verdict == "met"
    assert found["he_normal (truncated) vs numpy standard_normal"].verdict == "met"  # 13x
    assert found["he_normal (truncated) vs torch kaiming_normal_"].verdict == "met"  # 5.2x
    assert found["uniform vs numpy random"].verdict == "met"  # 5.2x
    assert found["truncated_normal vs normal"].figure == "0.94x"
    slow = verdicts(quiet_run(uniform_2=1000))["uniform vs numpy random"]
    assert (slow.figure, slow.verdict) == ("2.00x", "NOT met")


def test_headline_time_ratios_are_at_most_their_goal():
    found = verdicts(quiet_run(small_ours=0.5, column=500))  # twice the time of numpy / rows
    small = found["time: 16-element uniform(out=) vs numpy's"]
    assert (small.figure, small.goal, small.verdict) == ("2.00x", "<= 1x", "NOT met")
    block = found["time: normal index=[:, :64] vs a row block"]
    assert block.figure == "2.00x" and block.verdict == "NOT met"
    assert verdicts(quiet_run())["normal, 2 threads vs 1 thread"].verdict == "met"  # 2.0x


def test_two_threads_slower_than_one_gives_no_verdict():
    found = verdicts(quiet_run(normal_2=500, normal_1=900))
    threads = found["normal, 2 threads vs 1 thread"]
    assert threads.verdict == "unreliable: 2 threads slower than 1"
    assert found["normal vs numpy standard_normal"].verdict.startswith("unreliable")
    # every 2-thread figure is then in doubt, the 1-thread numpy anchor does not save it
    assert found["uniform vs numpy random"].verdict == "unreliable: 2 threads slower than 1"


def test_a_busy_machine_or_a_noisy_timing_gives_no_verdict():
    busy = verdicts(quiet_run(), load=1.5)
    assert all(v.verdict == "unreliable: busy machine" for v in busy.values())
    text = format_headline(list(busy.values()), CONFIG, 1.5, width=200)
    assert "load average was 1.5 per core" in text and "rerun on an idle machine" in text
    results = quiet_run()
    results[5].spread = 0.4  # numpy's normal
    results[6].quantized = True  # numpy's uniform
    results[7].other_load = 1.2  # torch
    found = verdicts(results)
    assert found["normal vs numpy standard_normal"].verdict == (
        "unreliable: 40% spread between repeats"
    )
    assert found["uniform vs numpy random"].verdict == (
        "unreliable: repeats quantized to scheduler ticks"
    )
    assert found["he_normal (truncated) vs torch kaiming_normal_"].verdict == (
        "unreliable: other processes used 1.2 cores"
    )
    assert found["truncated_normal vs normal"].verdict == "met"


def test_a_missing_anchor_is_named():
    results = [m for m in quiet_run() if not m.library.startswith("torch")]
    found = verdicts(results)["he_normal (truncated) vs torch kaiming_normal_"]
    assert found.figure == "-" and found.verdict.startswith("not measured: torch not installed")
    # the CPU build's index, never a bare `pip install torch` (PyPI's multi-GB CUDA build)
    assert "--index-url https://download.pytorch.org/whl/cpu" in found.verdict


def test_one_thread_machine_has_no_thread_ratio():
    config = BenchConfig(threads=(1,), headline_size=SIZE, block_size=1 << 20)
    names = [v.name for v in headline(quiet_run(), config)]
    assert not any("thread" in name for name in names) and len(names) == 7


def test_scheduler_ticks_are_detected():
    assert _quantized([4e-3, 8e-3, 4.000003e-3, 12.000001e-3, 5.3e-3])  # 4 of 5 on whole ms
    assert _quantized([1.5e-4, 1.5e-4, 3e-4, 1.5e-4, 3e-4])  # a coarse timer: few values
    assert not _quantized([4.31e-3, 8.77e-3, 4.52e-3, 4.13e-3, 5.3e-3])
    assert not _quantized([23.1e-3, 23.05e-3, 22.96e-3, 23.2e-3, 23.02e-3])  # near, not on
    assert not _quantized([4e-3, 8e-3])  # too few to say


def test_doubts_of_a_ratio_name_each_kind_once():
    a = measurement("winit_fast", "normal", 1000, threads=2)
    b = measurement("numpy-pcg64", "normal", 100)
    a.spread, b.spread, a.other_load, b.other_load = 0.3, 0.5, 0.6, 0.9
    rest = [m for i, m in enumerate(quiet_run()) if i not in (0, 5)]  # all but a and b
    found = verdicts([a, b, *rest])["normal vs numpy standard_normal"]
    assert found.verdict == (
        "unreliable: 50% spread between repeats; other processes used 0.9 cores"
    )


def test_timing_reports_spread_and_load():
    timing = time_fill(lambda: sum(range(1000)), repeats=5, min_seconds=0.0)
    assert timing.samples >= 5 and timing.seconds > 0 and timing.spread >= 0
    assert Timing(1.0, 0.1, False, 0.1, 5).doubts() == []
    assert Timing(1.0, 0.3, True, 0.9, 5).doubts() == [
        "30% spread between repeats",
        "repeats quantized to scheduler ticks",
        "other processes used 0.9 cores",
    ]


def test_plot_keeps_one_colour_per_library_and_says_threads(tmp_path):
    pytest.importorskip("matplotlib", reason="the plot needs matplotlib")
    from winit_fast.bench.plot import plot_throughput, throughput_figure

    results = []
    for method in ("normal", "uniform"):
        for size in (4096, 1 << 20):
            results += [
                measurement("winit_fast", method, 1000, threads=2, size=size),
                measurement("winit_fast", method, 500, threads=1, size=size),
                measurement("numpy-pcg64", method, 100, size=size),
            ]
    results.append(measurement("torch 2.13.0", "normal", 300, threads=2, size=4096))
    for dtype in ("float16", "bfloat16"):
        results.append(measurement("winit_fast", "normal", 900, threads=2, dtype=dtype))
        results.append(measurement("torch 2.13.0", "normal", 200, threads=2, dtype=dtype))
    figure = throughput_figure(results, title="AMD EPYC, 2 cores, 2 OpenMP threads")
    try:
        assert "AMD EPYC" in figure._suptitle.get_text()
        titles = [ax.get_title() for ax in figure.axes if ax.get_visible()]
        assert titles[:2] == ["uniform, float32", "normal, float32"]
        assert titles[2].startswith("float16") and titles[3].startswith("bfloat16")
        colours: dict[str, set] = {}
        for ax in figure.axes:
            assert ax.get_legend() is None  # one legend, on the figure, outside the panels
            for line in ax.get_lines():
                colours.setdefault(line.get_label().split(",")[0], set()).add(line.get_color())
            for bar in ax.patches:
                label = bar.get_label()
                if label and not label.startswith("_"):
                    colours.setdefault(label.split(",")[0], set()).add(bar.get_facecolor()[:3])
        assert {"winit_fast", "numpy-pcg64", "torch 2.13.0"} <= set(colours)
        line_colours = {
            name: c for name, c in colours.items() if all(isinstance(x, str) for x in c)
        }
        assert all(len(c) == 1 for c in line_colours.values()), colours
        labels = [text.get_text() for text in figure.legends[0].get_texts()]
        assert "winit_fast, 2 threads" in labels and "winit_fast, 1 thread" in labels
        assert not any("x2" in label for label in labels)
    finally:
        import matplotlib.pyplot as plt

        plt.close(figure)
    path = tmp_path / "bench.png"
    plot_throughput(results, str(path), title="AMD EPYC")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_plot_marks_unreliable_figures_and_keeps_headline_points_off_the_sweep_lines():
    pytest.importorskip("matplotlib", reason="the plot needs matplotlib")
    import matplotlib.pyplot as plt

    from winit_fast.bench.plot import HEADLINE_LABEL, UNRELIABLE_LABEL, throughput_figure

    sweep = (4096, 1 << 20)
    results = [measurement("winit_fast", "normal", 1000, threads=2, size=n) for n in sweep]
    results += [measurement("numpy-pcg64", "normal", 100, size=n) for n in sweep]
    results.append(measurement("winit_fast", "normal", 2000, threads=2, size=1 << 22))  # headline
    results.append(measurement("numpy-pcg64", "normal", 90, size=1 << 22))
    results[2].spread = 0.6  # numpy at 4096: unreliable
    figure = throughput_figure(results, sweep_sizes=sweep)
    try:
        (ax,) = [ax for ax in figure.axes if ax.get_visible()]
        lines = {line.get_label(): line for line in ax.get_lines()}
        ours = lines["winit_fast, 2 threads"]
        assert list(ours.get_xdata()) == list(sweep)  # the line joins the sweep only
        stars = [line for line in ax.get_lines() if line.get_marker() == "*"]
        assert sorted(x for line in stars for x in line.get_xdata()) == [1 << 22, 1 << 22]
        assert all(line.get_linestyle() == "None" for line in stars)
        crosses = lines[UNRELIABLE_LABEL]
        assert list(crosses.get_xdata()) == [4096] and crosses.get_color() == "red"
        labels = [text.get_text() for text in figure.legends[0].get_texts()]
        assert UNRELIABLE_LABEL in labels and HEADLINE_LABEL in labels
    finally:
        plt.close(figure)
    busy = throughput_figure(results, sweep_sizes=sweep, busy=True)
    try:
        (ax,) = [ax for ax in busy.axes if ax.get_visible()]
        marked = [
            x for line in ax.get_lines() if line.get_marker() == "x" for x in line.get_xdata()
        ]
        assert len(marked) == len(results)  # a busy machine: every figure is marked
    finally:
        plt.close(busy)


@pytest.mark.slow
def test_quick_bench_fits_100_columns_and_the_file_says_what_the_terminal_said(tmp_path):
    """`winit-fast bench --quick` as a user runs it, COLUMNS=100: no line of stdout or stderr
    is wider, every row with a doubtful figure says unreliable, and --save's .txt is the same
    text as the terminal's."""
    prefix = tmp_path / "quick"
    result = subprocess.run(
        [sys.executable, "-m", "winit_fast", "bench", "--quick", "--save", str(prefix)],
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "100"},
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    lines = (result.stdout + result.stderr).splitlines()
    assert max(len(line) for line in lines) <= 100, max(lines, key=len)
    printed = [line for line in result.stdout.splitlines() if not line.startswith("wrote ")]
    assert (tmp_path / "quick.txt").read_text().splitlines() == printed
    assert (tmp_path / "quick.png").read_bytes()[:4] == b"\x89PNG"
    rows = [line for line in printed if line.startswith(("normal ", "uniform ", "zeros "))]
    assert rows and all(line.endswith("unreliable") for line in rows if "?" in line)
