"""The pure-NumPy backend: the same functions as the compiled ``winit_fast._core``, returning
the same bytes, one C function mirrored by one NumPy function (as bottleneck's ``slow/``)."""

from winit_fast._fallback.fills import (
    fill_constant,
    fill_normal,
    fill_raw_u32,
    fill_truncated_normal,
    fill_uniform,
    max_threads,
    philox4x32,
    runtime_info,
)
from winit_fast._fallback.runs import (
    fill_normal_runs,
    fill_raw_u32_runs,
    fill_truncated_normal_runs,
    fill_uniform_runs,
)

__all__ = [
    "fill_constant",
    "fill_normal",
    "fill_normal_runs",
    "fill_raw_u32",
    "fill_raw_u32_runs",
    "fill_truncated_normal",
    "fill_truncated_normal_runs",
    "fill_uniform",
    "fill_uniform_runs",
    "max_threads",
    "philox4x32",
    "runtime_info",
]
