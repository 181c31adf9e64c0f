"""winit_fast: fast, reproducible neural-network weight initialization.

Values come from a counter-based generator (Philox4x32-10), so element ``g`` of a seeded
stream is a pure function of ``(seed, stream, g)``: the bytes are the same for any thread
count, SIMD level, shard of a tensor, and for the C core and the NumPy fallback alike.
"""

from winit_fast import initializers
from winit_fast._backend import BACKEND, use_backend
from winit_fast._config import show_config
from winit_fast._constants import constant, ones, zeros
from winit_fast._distributions import normal, philox4x32, random_raw, truncated_normal, uniform
from winit_fast._fans import calculate_gain, compute_fans
from winit_fast._generator import Generator
from winit_fast._signatures import resolve_annotations as _resolve_annotations
from winit_fast._structured import identity, orthogonal
from winit_fast._variance_scaling import (
    glorot_normal,
    glorot_uniform,
    he_normal,
    he_uniform,
    lecun_normal,
    lecun_uniform,
    variance_scaling,
)
from winit_fast._version import STREAM_VERSION, __version__

__all__ = [
    "BACKEND",
    "STREAM_VERSION",
    "Generator",
    "__version__",
    "calculate_gain",
    "compute_fans",
    "constant",
    "glorot_normal",
    "glorot_uniform",
    "he_normal",
    "he_uniform",
    "identity",
    "initializers",
    "lecun_normal",
    "lecun_uniform",
    "normal",
    "ones",
    "orthogonal",
    "philox4x32",
    "random_raw",
    "show_config",
    "truncated_normal",
    "uniform",
    "use_backend",
    "variance_scaling",
    "zeros",
]

# help() and the API reference show these signatures without quoted annotations.
_resolve_annotations(globals(), __all__)
