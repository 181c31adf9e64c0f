"""Argument checks shared by every public function and by both backends.

Validation lives here, in Python, once: the C core and the NumPy fallback only ever receive
arguments that passed these checks, so both backends reject exactly the same calls with the
same messages. Every message starts with the argument's name.
"""

from __future__ import annotations

import functools
import hashlib
import math
import numbers
import operator
import secrets
from typing import Any

import numpy as np

UINT64_LIMIT = 1 << 64
MAX_THREADS = 1024  # a bigger team is a typo, and would try to start that many OS threads
MAX_BYTES = (1 << 63) - 1

FLOAT16 = np.dtype(np.float16)
FLOAT32 = np.dtype(np.float32)
FLOAT64 = np.dtype(np.float64)


def bfloat16() -> np.dtype:
    """The bfloat16 dtype of ml_dtypes (imported only when asked for)."""
    try:
        import ml_dtypes
    except ImportError:
        raise ImportError(
            "dtype=bfloat16 needs the package ml_dtypes (pip install ml_dtypes)"
        ) from None
    return np.dtype(ml_dtypes.bfloat16)


def is_bfloat16(dtype: np.dtype) -> bool:
    return dtype.name == "bfloat16" and dtype.itemsize == 2


def working_dtype(dtype: np.dtype) -> np.dtype:
    """The precision the arithmetic is done in: float64 for float64, else float32."""
    return FLOAT64 if dtype == FLOAT64 else FLOAT32


def as_seed(seed: Any) -> int:
    """A seed in ``[0, 2**64)``; ``None`` draws 64 bits of fresh OS entropy."""
    if type(seed) is int and 0 <= seed < UINT64_LIMIT:  # the common case, fast
        return seed
    if seed is None:
        return secrets.randbits(64)
    if isinstance(seed, (bool, np.bool_)) or not isinstance(seed, numbers.Integral):
        raise TypeError(f"seed must be an int in [0, 2**64) or None, got {type(seed).__name__}")
    value = operator.index(seed)
    if not 0 <= value < UINT64_LIMIT:
        raise ValueError(f"seed must be in [0, 2**64), got {value}")
    return value


def stream_id(stream: Any) -> int:
    """A 64-bit stream id: an int in ``[0, 2**64)``, or a name hashed with BLAKE2b-64.

    A name maps to ``int.from_bytes(blake2b(name.encode("utf-8"), digest_size=8).digest(),
    "little")``: stable across runs, platforms and Python versions.
    """
    if type(stream) is int and 0 <= stream < UINT64_LIMIT:
        return stream
    if isinstance(stream, str):
        try:
            encoded = stream.encode("utf-8")
        except UnicodeEncodeError:  # a lone surrogate: no UTF-8 bytes, so no hash
            raise ValueError(f"stream must be Unicode text (UTF-8), got {stream!r}") from None
        digest = hashlib.blake2b(encoded, digest_size=8).digest()
        return int.from_bytes(digest, "little")
    if isinstance(stream, (bool, np.bool_)) or not isinstance(stream, numbers.Integral):
        raise TypeError(
            f"stream must be an int in [0, 2**64) or a str, got {type(stream).__name__}"
        )
    value = operator.index(stream)
    if not 0 <= value < UINT64_LIMIT:
        raise ValueError(f"stream must be in [0, 2**64), got {value}")
    return value


def as_count(name: str, value: Any) -> int:
    """A non-negative int (a size or an offset)."""
    if type(value) is int and value >= 0:
        return value
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be a non-negative int, got {type(value).__name__}")
    value = operator.index(value)
    if value < 0:
        raise ValueError(f"{name} must be >= 0, got {value}")
    return value


def as_shape(shape: Any) -> tuple[int, ...]:
    """An int or a sequence of ints, each >= 0."""
    if type(shape) is tuple and all(type(d) is int and d >= 0 for d in shape):
        return shape  # the common case, fast
    if isinstance(shape, numbers.Integral) and not isinstance(shape, (bool, np.bool_)):
        dims: tuple[Any, ...] = (shape,)
    else:
        try:
            dims = tuple(shape)
        except TypeError:
            raise TypeError(
                f"shape must be an int or a tuple of ints, got {type(shape).__name__}"
            ) from None
    result = []
    for dim in dims:
        if isinstance(dim, (bool, np.bool_)) or not isinstance(dim, numbers.Integral):
            raise TypeError(f"shape must contain only ints, got {dim!r} in {shape!r}")
        dim = operator.index(dim)
        if dim < 0:
            raise ValueError(f"shape must not have negative dimensions, got {shape!r}")
        result.append(dim)
    return tuple(result)


def as_dtype(dtype: Any) -> np.dtype:
    """float32, float64, float16, or bfloat16 (through ml_dtypes)."""
    if isinstance(dtype, str) and dtype.lower() in {"bfloat16", "bf16"}:
        return bfloat16()
    try:
        resolved = np.dtype(dtype)
    except (TypeError, ValueError) as exc:  # ValueError: e.g. a str NumPy cannot encode
        raise TypeError(f"dtype {dtype!r} is not a NumPy data type ({exc})") from None
    if resolved in (FLOAT32, FLOAT64, FLOAT16) or is_bfloat16(resolved):
        return resolved
    raise TypeError(f"dtype must be float32, float64, float16 or bfloat16, got {resolved}")


def as_n_threads(n_threads: Any, default: int) -> int:
    """``None`` -> the OpenMP default (``OMP_NUM_THREADS``, threadpoolctl limits)."""
    if n_threads is None:
        return max(1, default)
    if type(n_threads) is int and 1 <= n_threads <= MAX_THREADS:
        return n_threads
    if isinstance(n_threads, (bool, np.bool_)) or not isinstance(n_threads, numbers.Integral):
        raise TypeError(f"n_threads must be an int >= 1 or None, got {type(n_threads).__name__}")
    value = operator.index(n_threads)
    if not 1 <= value <= MAX_THREADS:
        raise ValueError(f"n_threads must be in [1, {MAX_THREADS}], got {value}")
    return value


def as_real(name: str, value: Any, *, finite: bool = True) -> float:
    """A real number (int, float, NumPy scalar or 0-d array, as NumPy takes) as a float."""
    if type(value) is float and (not finite or math.isfinite(value)):
        return value
    if isinstance(value, np.ndarray):
        if value.ndim:
            raise TypeError(f"{name} must be a real number, got an array of shape {value.shape}")
        value = value[()]  # a 0-d array is its scalar
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__}")
    try:
        result = float(value)
    except OverflowError:
        raise ValueError(f"{name} is too large for a float: {value}") from None
    if math.isinf(result) and isinstance(value, np.floating) and np.isfinite(value):
        # a finite long double beyond float64 would become inf: too large, not infinite
        raise ValueError(f"{name} is too large for a float: {value!r}")
    if finite and not math.isfinite(result):
        raise ValueError(f"{name} must be finite, got {result}")
    return result


# Smallest magnitude that rounds to inf in each dtype (round to nearest even): the largest
# finite value plus half its unit in the last place.
OVERFLOW_AT = {
    "float16": 65520.0,
    "bfloat16": 2.0**128 - 2.0**119,
    "float32": 2.0**128 - 2.0**103,
    "float64": math.inf,
}


@functools.lru_cache(maxsize=16)
def overflow_threshold(dtype: np.dtype) -> float:
    return OVERFLOW_AT[dtype.name]  # dtype.name is slow in NumPy: cached per dtype


def fits(value: float, dtype: np.dtype) -> bool:
    """Whether a finite float stays finite when rounded to ``dtype``."""
    return abs(value) < overflow_threshold(dtype)


def to_working(name: str, value: float, dtype: np.dtype) -> np.floating:
    """``value`` in the working precision of ``dtype``; one that overflows ``dtype`` is an
    error (so a 16-bit result can never round to inf)."""
    if math.isfinite(value) and not fits(value, dtype):
        raise ValueError(f"{name}={value} overflows {dtype}")
    return working_dtype(dtype).type(value)


LAYOUTS = ("keras", "torch")  # how a weight shape is read: (..., in, out) or (out, in, ...)


def as_layout(layout: Any) -> str:
    if not isinstance(layout, str) or layout not in LAYOUTS:
        raise ValueError(f"layout must be one of {', '.join(map(repr, LAYOUTS))}, got {layout!r}")
    return layout


def as_gain(gain: Any, dtype: np.dtype) -> float:
    """A finite multiplier that stays finite in ``dtype``."""
    value = as_real("gain", gain)
    if not fits(value, dtype):
        raise ValueError(f"gain={value} overflows {dtype}")
    return value


class DryRun(np.ndarray):
    """An ``out=`` that only checks: a call given one runs every check of its arguments (the
    shape and dtype of this stand-in, the parameters, the stream position) and returns it
    without writing anything. How an adapter checks a call once before it makes the call per
    chunk or shard (``_interface.DryRun``).

    An array of ``shape`` and ``dtype`` that holds no memory (one element seen everywhere,
    read-only), so a fill that reached it by mistake would be refused, never write.
    """

    def __new__(cls, shape: Any, dtype: Any) -> DryRun:
        dims = as_shape(shape)
        resolved = as_dtype(np.float32 if dtype is None else dtype)
        check_size(dims, resolved)
        return np.broadcast_to(np.empty((), resolved), dims).view(cls)


class DeviceOut(np.ndarray):
    """An ``out=`` for memory that is not a NumPy array (a CUDA tensor): a stand-in of its
    shape and dtype (no memory of its own, read-only, as a :class:`DryRun`) takes every check
    of the call; then, instead of writing, the fill hands what it computed (the family's code
    and its parameters for the dtype, seed, stream, the stream position or the runs of an
    ``index=`` block) to ``writer``, which writes the memory (``_interface.DeviceOut``;
    ``winit_fast.torch`` writes a CUDA tensor with the Triton backend).

    ``writer`` has ``fill(code, seed, stream, block, phase, params)``, ``fill_runs(code,
    seed, stream, rectangles, params)`` (every rectangle's ``_stream.Runs``, at once, so a
    writer that cannot take them refuses before anything is written) and
    ``fill_constant(value)`` (``value`` in the working precision of the dtype). The random
    and constant fills take it; ``orthogonal`` and ``identity``, which compute on the host,
    do not.
    """

    writer: Any

    def __new__(cls, shape: Any, dtype: Any, writer: Any) -> DeviceOut:
        stand_in = DryRun(shape, dtype).view(cls)
        stand_in.writer = writer
        return stand_in


def check_out_type(out: Any) -> None:
    """``out`` is ``None`` or an ndarray (the other checks of ``out`` are in prepare_out)."""
    if out is not None and not isinstance(out, np.ndarray):
        raise TypeError(f"out must be a numpy.ndarray, got {type(out).__name__}")


def prepare_out(shape: Any, dtype: Any, out: Any, *, device: bool = False) -> np.ndarray:
    """The array to fill: ``out`` after checks, or a new C-contiguous array (a
    :class:`DryRun` passes the same checks, but for its memory; so does a :class:`DeviceOut`
    where the caller writes through it: ``device=True``)."""
    if out is None:
        if shape is None:
            raise TypeError("shape is required when out is not given")
        dims = as_shape(shape)
        resolved = as_dtype(np.float32 if dtype is None else dtype)
        return allocate(dims, resolved)
    check_out_type(out)
    supported = out.dtype in (FLOAT32, FLOAT64, FLOAT16) or is_bfloat16(out.dtype)
    if not supported or not out.dtype.isnative:
        raise TypeError(
            f"out has dtype {out.dtype}; it must be a native float32, float64, float16 or bfloat16"
        )
    if dtype is not None and as_dtype(dtype) != out.dtype:
        raise TypeError(f"out has dtype {out.dtype} but dtype={np.dtype(dtype)} was asked for")
    if shape is not None and as_shape(shape) != out.shape:
        raise ValueError(f"shape {as_shape(shape)} disagrees with out.shape {out.shape}")
    if isinstance(out, DeviceOut) and not device:
        raise TypeError("out must be a numpy.ndarray here: this function computes on the host")
    if isinstance(out, (DryRun, DeviceOut)):
        return out
    if not out.flags.c_contiguous:
        raise ValueError("out must be C-contiguous")
    if not out.flags.writeable:
        raise ValueError("out must be writeable")
    if not out.flags.aligned:
        raise ValueError("out must be aligned")
    return out


def check_size(dims: tuple[int, ...], dtype: np.dtype) -> None:
    """An array of ``dims`` of ``dtype`` must fit in 2**63 bytes."""
    if math.prod(dims) * dtype.itemsize > MAX_BYTES:
        raise ValueError(f"shape {dims} of {dtype} needs more than 2**63 bytes")


def allocate(dims: tuple[int, ...], dtype: np.dtype) -> np.ndarray:
    check_size(dims, dtype)
    try:
        return np.empty(dims, dtype=dtype)
    except MemoryError:
        raise MemoryError(
            f"shape {dims} of {dtype} needs {byte_size(math.prod(dims) * dtype.itemsize)}, "
            "which cannot be allocated"
        ) from None
    except ValueError as exc:  # NumPy's own limits, e.g. at most 64 dimensions
        raise ValueError(f"shape with {len(dims)} dimensions: {exc}") from None


def byte_size(count: int) -> str:
    """``count`` bytes for people: ``"12.0 GiB"``, ``"1.5 TiB"``."""
    value = float(count)
    if value < 1024:
        return f"{count} bytes"
    for unit in ("KiB", "MiB", "GiB", "TiB", "PiB"):
        value /= 1024
        if value < 1024:
            return f"{value:.1f} {unit}"
    return f"{value / 1024:.1f} EiB"
