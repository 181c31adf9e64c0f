"""Runs the benchmark: the headline cases first, then the grid; one measurement per
(library, method, dtype, size, threads)."""

from __future__ import annotations

import os
import platform
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

import numpy as np

import winit_fast as wf
from winit_fast import _interface as wfi
from winit_fast.bench.cases import BLOCK_METHODS, METHODS, Library, libraries
from winit_fast.bench.timing import CpuMark, Timing, load_around, time_fill

DEFAULT_SIZES = (4096, 1 << 16, 1 << 20)
FULL_SIZES = (4096, 1 << 16, 1 << 20, 1 << 26)
QUICK_SIZES = (4096, 1 << 20)
SIXTEEN_BIT = ("float16", "bfloat16")
SMALL_FILL = 16  # the headline's small-call case: uniform(out=) of 16 elements
TORCH_PREFIX = "torch"

Progress = Callable[[int, int, str], None]


def default_threads() -> tuple[int, ...]:
    return tuple(sorted({1, int(wf.show_config()["max_threads"])}))


@dataclass
class BenchConfig:
    """What one run times. The default takes a few tens of seconds on 2 cores; ``full()``
    is the whole sweep (minutes); ``quick()`` smaller sizes (about 10 seconds)."""

    sizes: tuple[int, ...] = DEFAULT_SIZES
    dtypes: tuple[str, ...] = ("float32",)
    methods: tuple[str, ...] = METHODS
    threads: tuple[int, ...] = field(default_factory=default_threads)
    sixteen_bit_size: int | None = 1 << 20  # float16/bfloat16 are timed at this size only
    headline_size: int = 1 << 26  # the targets' size (float32, all threads)
    block_size: int = 1 << 24  # elements of each block of the block-vs-row-block case
    repeats: int = 5
    min_seconds: float = 0.1
    full: bool = False  # every anchor library (numpy-philox, mkl_random) and the extras

    @classmethod
    def full_sweep(cls) -> BenchConfig:
        return cls(
            sizes=FULL_SIZES,
            dtypes=("float32", "float64"),
            sixteen_bit_size=1 << 26,
            min_seconds=0.3,
            full=True,
        )

    @classmethod
    def quick(cls) -> BenchConfig:
        return cls(
            sizes=QUICK_SIZES,
            headline_size=1 << 22,
            block_size=1 << 20,
            min_seconds=0.02,
        )


@dataclass
class Measurement:
    library: str
    method: str
    dtype: str
    size: int
    threads: int
    seconds: float
    spread: float = 0.0
    quantized: bool = False
    other_load: float | None = None

    @property
    def msamples_per_s(self) -> float:
        return self.size / self.seconds / 1e6

    def doubts(self) -> list[str]:
        return joint_doubts([self])


def joint_doubts(measurements: list[Measurement]) -> list[str]:
    """Why figures made from these measurements get no verdict: the worst spread, any tick
    quantization, the most cores other processes used (one reason of each kind)."""
    loads = [m.other_load for m in measurements if m.other_load is not None]
    worst = Timing(
        seconds=0.0,
        spread=max(m.spread for m in measurements),
        quantized=any(m.quantized for m in measurements),
        other_load=max(loads) if loads else None,
        samples=0,
    )
    return worst.doubts()


def doubtful(measurements: list[Measurement], busy: bool = False) -> bool:
    """Whether a figure drawn from these measurements cannot be trusted: one of them is in
    doubt, or the machine was busy before the run (then no figure is trusted)."""
    return busy or bool(joint_doubts(measurements))


def machine_description() -> dict:
    info = wf.show_config()
    return {
        "cpu": cpu_model(),
        "cores": os.cpu_count(),
        "threads": int(info["max_threads"]),
        "backend": info["backend"],
        "simd": info["simd"],
        "openmp": info["openmp"],
        "numpy": np.__version__,
        "winit_fast": wf.__version__,
    }


def cpu_model() -> str:
    """The CPU's name from /proc/cpuinfo (Linux), else what ``platform`` knows."""
    try:
        with open("/proc/cpuinfo") as handle:
            for line in handle:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


Step = tuple[Library, str, str, int, int]  # library, method, dtype, size, threads


def headline_steps(config: BenchConfig, found: list[Library]) -> list[Step]:
    """What the headline ratios need (report.HEADLINE), at ``config.headline_size``."""
    top, size = max(config.threads), config.headline_size
    wanted = [
        ("winit_fast", method, size, top)
        for method in ("normal", "truncated_normal", "he_normal", "uniform")
    ]
    wanted += [("winit_fast", "normal", size, 1)] if top > 1 else []
    wanted += [("numpy-pcg64", "normal", size, 1), ("numpy-pcg64", "uniform", size, 1)]
    wanted += [(TORCH_PREFIX, "he_normal", size, top)]
    wanted += [
        ("winit_fast", "uniform", SMALL_FILL, top),
        ("numpy-pcg64", "uniform", SMALL_FILL, 1),
    ]
    wanted += [("winit_fast", method, config.block_size, top) for method in BLOCK_METHODS]
    steps = []
    for name, method, step_size, threads in wanted:
        for library in found:
            if library.name.split()[0] == name and method in library.makers:
                steps.append((library, method, "float32", step_size, threads))
    return steps


def available(dtype: str) -> bool:
    """bfloat16 needs ml_dtypes; the table leaves out a dtype this environment cannot make."""
    try:
        wfi.as_dtype(dtype)
    except (ImportError, TypeError, ValueError):
        return False
    return True


def grid(config: BenchConfig, found: list[Library]) -> list[Step]:
    """Every (library, method, dtype, size, threads) of the table."""
    shapes = [(dtype, size) for dtype in config.dtypes for size in config.sizes]
    if config.sixteen_bit_size:
        shapes += [(dtype, config.sixteen_bit_size) for dtype in SIXTEEN_BIT]
    shapes = [(dtype, size) for dtype, size in shapes if available(dtype)]
    steps = []
    for library in found:
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
    out = np.empty(size, wfi.as_dtype(dtype))
    wf.zeros(out=out)  # touch every page before timing
    return out


def _label(step: Step) -> str:
    library, method, dtype, size, threads = step
    return f"{method} {library.name} {dtype} {size:,}, {threads} thread{'s' * (threads > 1)}"


def run_bench(
    config: BenchConfig,
    progress: Progress | None = None,
    headline_only: bool = False,
    skip: set[tuple] | frozenset[tuple] = frozenset(),
) -> list[Measurement]:
    """Time the headline steps, then the grid (``headline_only``: not the grid), except the
    (library, method, dtype, size, threads) in ``skip``; ``progress(done, total, label)``."""
    found = libraries(full=config.full)
    steps: list[Step] = []
    seen = set(skip)
    for step in headline_steps(config, found) + ([] if headline_only else grid(config, found)):
        key = (step[0].name, *step[1:])
        if key not in seen:
            seen.add(key)
            steps.append(step)
    results: list[Measurement] = []
    buffers: dict[tuple[str, int], np.ndarray] = {}
    marks = [CpuMark.now()]  # step boundaries: the load around timings too short to measure
    for done, step in enumerate(steps):
        library, method, dtype, size, threads = step
        if progress is not None:
            progress(done, len(steps), _label(step))
        if (dtype, size) not in buffers:
            buffers.clear()  # one buffer at a time keeps the peak memory at one output
            buffers[(dtype, size)] = buffer(dtype, size)
        fill = library.makers[method](buffers[(dtype, size)], threads)
        timing = time_fill(fill, repeats=config.repeats, min_seconds=config.min_seconds)
        marks.append(CpuMark.now())
        load = timing.other_load
        if load is None:
            load = load_around(marks[:-1], marks[-1])
        results.append(
            Measurement(
                library.name,
                method,
                dtype,
                size,
                threads,
                timing.seconds,
                spread=timing.spread,
                quantized=timing.quantized,
                other_load=load,
            )
        )
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
