"""What the benchmark times: winit_fast's fills and the anchors, each filling a given array.

Every case is a factory ``make(out, threads) -> fill`` that returns a zero-argument callable
writing ``out`` in place, so no case pays for allocation and all time the same buffer size.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

import winit_fast as wf

Fill = Callable[[], object]


@dataclass(frozen=True)
class Method:
    name: str  # uniform, normal, zeros
    library: str  # winit_fast, numpy-pcg64, numpy-philox, memset
    threaded: bool  # whether a thread count applies
    make: Callable[[np.ndarray, int], Fill]


def _ours(method: str) -> Callable[[np.ndarray, int], Fill]:
    function = {"uniform": wf.uniform, "normal": wf.normal, "zeros": wf.zeros}[method]
    kwargs = {} if method == "zeros" else {"seed": 0}
    return lambda out, threads: lambda: function(out=out, n_threads=threads, **kwargs)


def _numpy(method: str, bit_generator: type) -> Callable[[np.ndarray, int], Fill]:
    def make(out: np.ndarray, threads: int) -> Fill:
        rng = np.random.Generator(bit_generator(0))
        if method == "uniform":
            return lambda: rng.random(dtype=out.dtype, out=out)
        return lambda: rng.standard_normal(dtype=out.dtype, out=out)

    return make


def _memset(out: np.ndarray, threads: int) -> Fill:
    return lambda: out.fill(0)


METHODS = [
    Method("uniform", "winit_fast", True, _ours("uniform")),
    Method("uniform", "numpy-pcg64", False, _numpy("uniform", np.random.PCG64)),
    Method("uniform", "numpy-philox", False, _numpy("uniform", np.random.Philox)),
    Method("normal", "winit_fast", True, _ours("normal")),
    Method("normal", "numpy-pcg64", False, _numpy("normal", np.random.PCG64)),
    Method("normal", "numpy-philox", False, _numpy("normal", np.random.Philox)),
    Method("zeros", "winit_fast", True, _ours("zeros")),
    Method("zeros", "memset", False, _memset),
]

# The anchor each winit_fast row is divided by.
BASELINE = {"uniform": "numpy-pcg64", "normal": "numpy-pcg64", "zeros": "memset"}
