"""Type stubs of the compiled backend (src/winit_fast/_core.pyx).

The public API validates every argument before calling these; the same functions exist in
NumPy in winit_fast._fallback.
"""

import numpy as np

SIMD_LEVELS: tuple[str, ...]

# a truncated normal's (mean, std, lo, hi, p_lo, q_hi, mass): csrc/wf_core.h's wf_truncation
Truncation = tuple[float, float, float, float, float, float, float]

def philox4x32(counters: np.ndarray, k0: int, k1: int) -> np.ndarray: ...
def fill_raw_u32(
    out: np.ndarray, seed: int, stream: int, block: int, phase: int, n_threads: int
) -> None: ...
def fill_uniform(
    out: np.ndarray,
    seed: int,
    stream: int,
    block: int,
    phase: int,
    low: float,
    span: float,
    cap: float,
    n_threads: int,
) -> None: ...
def fill_normal(
    out: np.ndarray,
    seed: int,
    stream: int,
    block: int,
    phase: int,
    mean: float,
    std: float,
    n_threads: int,
) -> None: ...
def fill_truncated_normal(
    out: np.ndarray,
    seed: int,
    stream: int,
    block: int,
    phase: int,
    params: Truncation,
    n_threads: int,
) -> None: ...

# runs: (block, phase, length, counts, stream_steps, out_start, out_steps): _blocks.Runs
# with its start split into (block, phase) by _blocks.fill
Runs = tuple[int, int, int, tuple[int, ...], tuple[int, ...], int, tuple[int, ...]]

def fill_raw_u32_runs(
    out: np.ndarray, seed: int, stream: int, runs: Runs, n_threads: int
) -> None: ...
def fill_uniform_runs(
    out: np.ndarray,
    seed: int,
    stream: int,
    runs: Runs,
    low: float,
    span: float,
    cap: float,
    n_threads: int,
) -> None: ...
def fill_normal_runs(
    out: np.ndarray, seed: int, stream: int, runs: Runs, mean: float, std: float, n_threads: int
) -> None: ...
def fill_truncated_normal_runs(
    out: np.ndarray, seed: int, stream: int, runs: Runs, params: Truncation, n_threads: int
) -> None: ...
def fill_constant(out: np.ndarray, value: float | np.floating, n_threads: int) -> None: ...
def simd_available() -> str: ...
def simd_levels() -> tuple[str, ...]: ...
def set_simd(name: str) -> str: ...
def max_threads() -> int: ...
def last_team_size() -> int: ...
def runtime_info() -> dict[str, object]: ...
