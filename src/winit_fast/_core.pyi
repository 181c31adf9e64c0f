"""Type stubs of the compiled backend (src/winit_fast/_core.pyx).

The backend interface (docs/architecture.md, "adding a backend"): the public API checks
and rounds every argument before calling these; winit_fast._fallback has the same in NumPy.
"""

from typing import Any

import numpy as np

from winit_fast._stream import Runs

name: str
families: tuple[str, ...]
FAMILY_TABLE: tuple[tuple[int, str, int], ...]
SIMD_LEVELS: tuple[str, ...]

def philox4x32(counters: np.ndarray, k0: int, k1: int) -> np.ndarray: ...
def fill(
    out: np.ndarray,
    family: int,
    seed: int,
    stream: int,
    block: int,
    phase: int,
    params: tuple[float, ...],
    n_threads: int,
) -> None: ...
def fill_runs(
    out: np.ndarray,
    family: int,
    seed: int,
    stream: int,
    runs: Runs,
    params: tuple[float, ...],
    n_threads: int,
) -> None: ...
def bind_short_path(selected: Any, this: Any, records: dict[int, Any]) -> None: ...
def short_fill(family: int, where: dict[str, Any], *values: Any) -> np.ndarray | None: ...
def fill_constant(out: np.ndarray, value: float | np.floating, n_threads: int) -> None: ...
def simd_available() -> str: ...
def simd_levels() -> tuple[str, ...]: ...
def set_simd(name: str) -> str: ...
def max_threads() -> int: ...
def last_team_size() -> int: ...
def runtime_info() -> dict[str, object]: ...
