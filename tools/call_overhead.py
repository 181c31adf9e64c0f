"""Per-call cost of a tiny fill with ``out=``: winit_fast against numpy's ``random(out=)``.

The small-call target (docs/performance.md): a 16-element fill with ``out=`` costs at most
1.5x numpy's. The calls are timed in interleaved rounds in one process (the best round of
each), so a loaded machine shifts both alike; the ratio is what to read. Usage:
``python tools/call_overhead.py [ROUNDS]``. Under ``valgrind --tool=callgrind`` the
instruction counts tell the same story without the noise.
"""

from __future__ import annotations

import sys
import timeit

import numpy as np

import winit_fast as wf


def main(rounds: int = 15, number: int = 20_000) -> None:
    rng = np.random.default_rng(0)
    for dtype in (np.float32, np.float64):
        out = np.empty(16, dtype)
        calls = {
            "numpy random(out=)": lambda out=out: rng.random(dtype=out.dtype, out=out),
            "wf.uniform(out=, seed=0)": lambda out=out: wf.uniform(out=out, seed=0),
            "wf.normal(out=, seed=0)": lambda out=out: wf.normal(out=out, seed=0),
        }
        for call in calls.values():
            call()  # the first call checks the parameters; the rest reuse those checks
        best = dict.fromkeys(calls, float("inf"))
        for _ in range(rounds):
            for name, call in calls.items():
                best[name] = min(best[name], timeit.timeit(call, number=number) / number)
        base = best["numpy random(out=)"]
        print(f"16 x {np.dtype(dtype).name}, backend {wf.show_config()['backend']}:")
        for name, seconds in best.items():
            print(f"  {name:<26} {seconds * 1e9:7.0f} ns  {seconds / base:4.2f}x numpy")


if __name__ == "__main__":
    main(*map(int, sys.argv[1:2]))
