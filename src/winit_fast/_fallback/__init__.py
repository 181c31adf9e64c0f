"""The pure-NumPy backend: the backend interface of the compiled ``winit_fast._core``
(docs/architecture.md, "adding a backend"), returning the same bytes, one C function
mirrored by one NumPy function (as bottleneck's ``slow/``)."""

from winit_fast._fallback.fills import fill, fill_constant, max_threads, philox4x32, runtime_info
from winit_fast._fallback.runs import fill_runs
from winit_fast._fallback.transforms import FAMILIES

name = "python"
families = tuple(FAMILIES)

__all__ = [
    "families",
    "fill",
    "fill_constant",
    "fill_runs",
    "max_threads",
    "name",
    "philox4x32",
    "runtime_info",
]
