"""Column blocks vs row blocks of the same size: what ``index=`` costs across the last axis.

For a float32 tensor of shape (16384, 4096), times in one run, interleaved:
  row block       rows 0..256, all columns             (one run of 2**20 elements)
  column block    all rows, columns 0..64               (16384 runs of 64 elements)
  column, mid     all rows, columns 1..65               (each run starts inside a Philox block)
  old row loop    the column block as before: one backend call per row, from Python
and the ratio of each to the row block (target: column block <= 1.5).

    python bench/blocks.py [--threads N] [--repeat R]
    WINIT_FAST_PURE_PYTHON=1 python bench/blocks.py     # the NumPy fallback
    WINIT_FAST_SIMD=avx2 python bench/blocks.py         # another SIMD level
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

import winit_fast as wf
from winit_fast import _interface as wfi

SHAPE = (16384, 4096)
COLUMNS = 64
ROWS = SHAPE[0] * COLUMNS // SHAPE[1]  # a row block of the same element count


def old_row_loop(name: str, n_threads: int) -> np.ndarray:
    """The column block the way index= filled it before csrc/wf_runs.c: a call per row."""
    out = np.empty((SHAPE[0], COLUMNS), np.float32)
    family, backend = wfi.FAMILIES[name], wfi.current()
    values = {"uniform": (0.0, 1.0), "normal": (0.0, 1.0), "truncated_normal": (0.0, 1.0, -2, 2)}
    params = family.prepare(values[name], out.dtype)
    for row in range(SHAPE[0]):
        block, phase = divmod(row * SHAPE[1], 4)
        backend.fill(out[row], family.code, 0, 0, block, phase, params, n_threads)
    return out


def cases(name: str, n_threads: int) -> dict:
    function = getattr(wf, name)

    def call(index):
        return lambda: function(SHAPE, seed=0, index=index, n_threads=n_threads)

    return {
        "row block": call(np.s_[:ROWS, :]),
        "column block": call(np.s_[:, :COLUMNS]),
        "column, mid": call(np.s_[:, 1 : COLUMNS + 1]),
        "old row loop": lambda: old_row_loop(name, n_threads),
    }


def measure(name: str, n_threads: int, repeat: int) -> dict[str, float]:
    """Median seconds of each case, the cases interleaved so that load hits them alike."""
    runs = cases(name, n_threads)
    expected = runs["column block"]()
    assert runs["old row loop"]().tobytes() == expected.tobytes()  # same bytes, both ways
    times: dict[str, list[float]] = {case: [] for case in runs}
    for _ in range(repeat):
        for case, run in runs.items():
            start = time.perf_counter()
            run()
            times[case].append(time.perf_counter() - start)
    return {case: statistics.median(t) for case, t in times.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=wfi.current().max_threads())
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--functions", nargs="+", default=["uniform", "normal", "truncated_normal"])
    args = parser.parse_args()
    info = wfi.current().runtime_info()
    print(
        f"float32 {SHAPE}, blocks of {ROWS * SHAPE[1]} elements; backend {info['backend']} "
        f"({info['simd']}), {args.threads} threads, median of {args.repeat}"
    )
    names = list(cases("normal", 1))
    print(f"{'function':<18}" + "".join(f"{n:>22}" for n in names))
    for name in args.functions:
        t = measure(name, args.threads, args.repeat)
        row = t["row block"]
        cells = [f"{t[n] * 1e3:9.3f} ms {t[n] / row:5.2f}x" for n in names]
        print(f"{name:<18}" + "".join(f"{c:>22}" for c in cells))


if __name__ == "__main__":
    main()
