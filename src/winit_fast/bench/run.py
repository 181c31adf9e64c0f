"""Runs the benchmark grid and returns rows of M samples/s with ratios to the baseline."""

from __future__ import annotations

import os
import platform
from dataclasses import asdict, dataclass, field

import numpy as np

import winit_fast as wf
from winit_fast.bench.cases import BASELINE, METHODS
from winit_fast.bench.timing import median_seconds

FULL_SIZES = (1_000, 4096, 1 << 16, 1 << 20, 1 << 24, 1 << 26)
QUICK_SIZES = (1_000, 1 << 16, 1 << 20, 1 << 22)


@dataclass
class BenchConfig:
    sizes: tuple[int, ...] = FULL_SIZES
    dtypes: tuple[str, ...] = ("float32", "float64")
    methods: tuple[str, ...] = ("uniform", "normal", "zeros")
    threads: tuple[int, ...] = field(
        default_factory=lambda: tuple(sorted({1, wf.show_config()["max_threads"]}))
    )
    repeats: int = 5
    min_seconds: float = 0.3

    @classmethod
    def quick(cls) -> BenchConfig:
        return cls(sizes=QUICK_SIZES, repeats=3, min_seconds=0.05)


@dataclass
class Row:
    method: str
    library: str
    dtype: str
    size: int
    threads: int
    seconds: float
    msamples_per_s: float
    ratio: float | None = None  # winit_fast rows: speed / baseline speed


def machine_description() -> dict:
    info = wf.show_config()
    return {
        "cpu": platform.processor() or platform.machine(),
        "cores": os.cpu_count(),
        "backend": info["backend"],
        "simd": info["simd"],
        "openmp": info["openmp"],
        "numpy": np.__version__,
        "winit_fast": wf.__version__,
    }


def plan(config: BenchConfig) -> list[tuple]:
    steps = []
    for method in METHODS:
        if method.name not in config.methods:
            continue
        for dtype in config.dtypes:
            for size in config.sizes:
                for threads in config.threads if method.threaded else (1,):
                    steps.append((method, dtype, size, threads))
    return steps


def run_bench(config: BenchConfig, progress=None) -> list[Row]:
    """Time every step of the plan; ``progress(done, total, label)`` is called as it goes."""
    steps = plan(config)
    rows: list[Row] = []
    buffers: dict[tuple[str, int], np.ndarray] = {}
    for done, (method, dtype, size, threads) in enumerate(steps):
        if progress is not None:
            progress(done, len(steps), f"{method.name} {method.library} {dtype} {size} x{threads}")
        out = buffers.setdefault((dtype, size), np.empty(size, dtype))
        seconds = median_seconds(
            method.make(out, threads), repeats=config.repeats, min_seconds=config.min_seconds
        )
        rows.append(
            Row(method.name, method.library, dtype, size, threads, seconds, size / seconds / 1e6)
        )
    if progress is not None:
        progress(len(steps), len(steps), "done")
    add_ratios(rows)
    return rows


def add_ratios(rows: list[Row]) -> None:
    speed = {
        (r.method, r.library, r.dtype, r.size): r.msamples_per_s for r in rows if r.threads == 1
    }
    for row in rows:
        base = speed.get((row.method, BASELINE[row.method], row.dtype, row.size))
        if row.library == "winit_fast" and base:
            row.ratio = row.msamples_per_s / base


def as_json(rows: list[Row], config: BenchConfig) -> dict:
    return {
        "machine": machine_description(),
        "config": asdict(config),
        "rows": [asdict(r) for r in rows],
    }
