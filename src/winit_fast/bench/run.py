"""Runs the benchmark grid and collects one measurement per (library, method, dtype, size,
threads)."""

from __future__ import annotations

import os
import platform
from dataclasses import asdict, dataclass, field

import numpy as np

import winit_fast as wf
from winit_fast.bench.cases import METHODS, libraries
from winit_fast.bench.timing import median_seconds

FULL_SIZES = (4096, 1 << 16, 1 << 20, 1 << 26)
QUICK_SIZES = (4096, 1 << 20)
SIXTEEN_BIT = ("float16", "bfloat16")


def default_threads() -> tuple[int, ...]:
    return tuple(sorted({1, int(wf.show_config()["max_threads"])}))


@dataclass
class BenchConfig:
    sizes: tuple[int, ...] = FULL_SIZES
    dtypes: tuple[str, ...] = ("float32", "float64")
    methods: tuple[str, ...] = METHODS
    threads: tuple[int, ...] = field(default_factory=default_threads)
    sixteen_bit_size: int | None = 1 << 26  # float16/bfloat16 are timed at this size only
    repeats: int = 3
    min_seconds: float = 0.2

    @classmethod
    def quick(cls) -> BenchConfig:
        return cls(sizes=QUICK_SIZES, sixteen_bit_size=1 << 20, repeats=3, min_seconds=0.02)


@dataclass
class Measurement:
    library: str
    method: str
    dtype: str
    size: int
    threads: int
    seconds: float

    @property
    def msamples_per_s(self) -> float:
        return self.size / self.seconds / 1e6


def machine_description() -> dict:
    info = wf.show_config()
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as handle:
            cpu = next(line.split(":", 1)[1].strip() for line in handle if "model name" in line)
    except (OSError, StopIteration):
        pass
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "backend": info["backend"],
        "simd": info["simd"],
        "openmp": info["openmp"],
        "numpy": np.__version__,
        "winit_fast": wf.__version__,
    }


def grid(config: BenchConfig) -> list[tuple]:
    """Every (library, method, dtype, size, threads) to time."""
    shapes = [(dtype, size) for dtype in config.dtypes for size in config.sizes]
    if config.sixteen_bit_size:
        shapes += [(dtype, config.sixteen_bit_size) for dtype in SIXTEEN_BIT]
    steps = []
    for library in libraries():
        for method in config.methods:
            if method not in library.makers:
                continue
            for dtype, size in shapes:
                if dtype not in library.dtypes:
                    continue
                for threads in config.threads if library.threaded else (1,):
                    steps.append((library, method, dtype, size, threads))
    return steps


def buffer(dtype: str, size: int) -> np.ndarray:
    out = np.empty(size, wf._validation.as_dtype(dtype))
    wf.zeros(out=out)  # touch every page before timing
    return out


def run_bench(config: BenchConfig, progress=None) -> list[Measurement]:
    """Time every step of the grid; ``progress(done, total, label)`` is called as it goes."""
    steps = grid(config)
    results: list[Measurement] = []
    buffers: dict[tuple[str, int], np.ndarray] = {}
    for done, (library, method, dtype, size, threads) in enumerate(steps):
        if progress is not None:
            progress(done, len(steps), f"{method} {library.name} {dtype} {size:,} x{threads}")
        key = (dtype, size)
        if key not in buffers:
            buffers.clear()  # one buffer at a time keeps the peak memory at one output
            buffers[key] = buffer(dtype, size)
        fill = library.makers[method](buffers[key], threads)
        seconds = median_seconds(fill, repeats=config.repeats, min_seconds=config.min_seconds)
        results.append(Measurement(library.name, method, dtype, size, threads, seconds))
    if progress is not None:
        progress(len(steps), len(steps), "done")
    return results


def as_json(results: list[Measurement], config: BenchConfig, extras: dict) -> dict:
    return {
        "machine": machine_description(),
        "config": asdict(config),
        "measurements": [{**asdict(m), "msamples_per_s": m.msamples_per_s} for m in results],
        **extras,
    }
