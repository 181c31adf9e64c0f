"""Kernel-level speed of winit_fast: rates, cycles per value, the share of the raw Philox rate
each transform keeps, and the stream version 2 speed targets, all from one run.

    python bench/kernels.py                  # 2^26 float32, 2 threads, the best SIMD level
    python bench/kernels.py --simd all --ghz 3.0 --size 24

Imports only the installed package, numpy, and torch when present. Each figure is the median
of ``--repeats`` fills into a preallocated array (after one warm-up; ``--stat min`` for the
best), so a ratio divides two figures of the same run. Cycles per value are
``GHz * 1e3 / (M values/s)`` on one thread, with the clock from ``--ghz`` or else the
``cpu MHz`` that /proc/cpuinfo reports (a nominal figure: turbo and load move it).
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections.abc import Callable

import numpy as np

import winit_fast as wf
from winit_fast import _interface as wfi
from winit_fast.bench.run import cpu_model

try:
    import torch
except ImportError:  # torch is optional: its columns are left out
    torch = None

# the C core, or None with the NumPy fallback: no SIMD levels and no raw fill into out
core = wfi.compiled()


STAT = {"median": statistics.median, "min": min}


def rates(fills: dict[str, Callable[[], object]], n: int, repeats: int, stat: str) -> dict:
    """M values per second of each fill: the median (or, ``min``, the best) of ``repeats``
    timed calls after one warm-up, the fills taking turns so that a burst of load on the
    machine hits them all alike."""
    times: dict[str, list[float]] = {name: [] for name in fills}
    for fill in fills.values():
        fill()
    for _ in range(repeats):
        for name, fill in fills.items():
            start = time.perf_counter()
            fill()
            times[name].append(time.perf_counter() - start)
    return {name: n / STAT[stat](t) / 1e6 for name, t in times.items()}


def clock_ghz(given: float | None) -> float | None:
    if given:
        return given
    try:
        with open("/proc/cpuinfo") as info:
            for line in info:
                if line.startswith("cpu MHz"):
                    return float(line.split(":")[1]) / 1e3
    except OSError:
        pass
    return None


def winit_fills(n: int, threads: int) -> dict[str, Callable[[], object]]:
    flat = np.empty(n, np.float32)
    square = flat.reshape(-1, 4096) if n % 4096 == 0 else flat.reshape(1, -1)
    raw = np.empty(n, np.uint32)
    fills: dict[str, Callable[[], object]] = {}
    if core is not None:  # the raw words into out, as the other kernels write
        raw_u32 = wfi.FAMILIES["raw_u32"].code
        fills["philox (raw words)"] = lambda: core.fill(raw, raw_u32, 1, 0, 0, 0, (), threads)
    fills["uniform"] = lambda: wf.uniform(out=flat, seed=1, n_threads=threads)
    fills["normal"] = lambda: wf.normal(out=flat, seed=1, n_threads=threads)
    fills["truncated_normal"] = lambda: wf.truncated_normal(out=flat, seed=1, n_threads=threads)
    fills["he_normal"] = lambda: wf.he_normal(out=square, seed=1, n_threads=threads)
    return fills


def reference_fills(n: int, threads: int) -> dict[str, Callable[[], object]]:
    flat = np.empty(n, np.float32)
    rng = np.random.default_rng(0)
    fills: dict[str, Callable[[], object]] = {
        "numpy random": lambda: rng.random(out=flat, dtype=np.float32),
        "numpy standard_normal": lambda: rng.standard_normal(out=flat, dtype=np.float32),
    }
    if torch is not None:
        torch.set_num_threads(threads)
        tensor = torch.empty(n // 4096 if n % 4096 == 0 else 1, 4096 if n % 4096 == 0 else n)
        fills["torch kaiming_normal_"] = lambda: torch.nn.init.kaiming_normal_(tensor)
        fills["torch uniform_"] = lambda: tensor.uniform_()
    return fills


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=26, help="log2 of the element count")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--ghz", type=float, default=None, help="clock for cycles per value")
    parser.add_argument("--stat", choices=sorted(STAT), default="median")
    parser.add_argument(
        "--simd", default="best", help="a level, 'all' (every level here) or 'best'"
    )
    args = parser.parse_args()
    n = 1 << args.size
    ghz = clock_ghz(args.ghz)
    config = wf.show_config()
    print(
        f"winit_fast {config['version']} (stream v{wf.STREAM_VERSION}), numpy "
        f"{np.__version__}, torch {torch.__version__ if torch else '-'}; {cpu_model()}, "
        f"{os.cpu_count()} CPUs; n = 2^{args.size} float32; clock {ghz or '?'} GHz"
    )
    if core is None:
        levels = ["numpy"]
    elif args.simd == "all":
        levels = list(core.simd_levels())
    else:
        levels = [core.simd_available() if args.simd == "best" else args.simd]

    # numpy runs on one thread; torch on the same thread count as winit_fast
    references = rates(reference_fills(n, args.threads), n, args.repeats, args.stat)
    for level in levels:
        if core is not None:
            core.set_simd(level)
        both = {(k, 1): f for k, f in winit_fills(n, 1).items()}
        both.update({(k, args.threads): f for k, f in winit_fills(n, args.threads).items()})
        measured = rates(both, n, args.repeats, args.stat)  # type: ignore[arg-type]
        one = {k: v for (k, t), v in measured.items() if t == 1}
        many = {k: v for (k, t), v in measured.items() if t == args.threads}
        raw = one.get("philox (raw words)")
        print(f"\n[simd {level}]  M values/s; cycles/value and share of Philox on 1 thread")
        header = f"{'1 thread':>10}{f'{args.threads} threads':>11}{'cyc/val':>9}{'of raw':>8}"
        print(f"{'kernel':<20}{header}")
        for name in one:
            cycles = f"{ghz * 1e3 / one[name]:.2f}" if ghz else "-"
            share = f"{one[name] / raw:.2f}" if raw else "-"
            print(f"{name:<20}{one[name]:>10,.0f}{many[name]:>11,.0f}{cycles:>9}{share:>8}")
        print(f"\n{'reference':<24}{'M values/s':>11}")
        for name, value in references.items():
            print(f"{name:<24}{value:>11,.0f}")
        targets = [
            ("truncated_normal / normal", many["truncated_normal"] / many["normal"], 0.9),
            (
                "he_normal / numpy standard_normal",
                many["he_normal"] / references["numpy standard_normal"],
                12,
            ),
            (
                "normal / numpy standard_normal",
                many["normal"] / references["numpy standard_normal"],
                16,
            ),
            ("uniform / numpy random", many["uniform"] / references["numpy random"], 3),
        ]
        if "torch kaiming_normal_" in references:
            targets.insert(
                2,
                (
                    "he_normal / torch kaiming_normal_",
                    many["he_normal"] / references["torch kaiming_normal_"],
                    5,
                ),
            )
        print(f"\n{'target (' + str(args.threads) + ' threads)':<36}{'ratio':>8}{'needed':>8}")
        for name, ratio, needed in targets:
            verdict = "met" if ratio >= needed else "NOT met"
            print(f"{name:<36}{ratio:>8.2f}{needed:>8}  {verdict}")


if __name__ == "__main__":
    main()
