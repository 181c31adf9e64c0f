"""The random fills of the foundation: raw words, uniform, normal and truncated normal, with
the record of each family (``_families.Family``) beside its public function.

Each function checks its arguments (``_validation``, then its family record for the
parameters), works out where in the stream its first element lies (``_stream``), and hands
a C-contiguous array to the backend in use (:func:`winit_fast.use_backend`, read at every
call) through the backend interface (docs/architecture.md).

Each takes its own parameters, then the keyword tail of ``_placement.Where``. A call with
``out=`` and no ``shape``, ``dtype`` or ``index`` first tries the compiled core's per-call
short path (``_families.short_path``): it skips no check, only reuses the
parameters the record checked before, and declines anything else, which then takes the full
path, with its messages.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from winit_fast import _blocks
from winit_fast import _validation as v
from winit_fast._backend import current
from winit_fast._families import Family, short_path
from winit_fast._normal_cdf import truncation_masses
from winit_fast._placement import WHERE, Placement, Where, spelled_out
from winit_fast._representable import holds_a_value, smallest_normal, uniform_cap
from winit_fast._stream import per_block, position

if TYPE_CHECKING:
    from typing_extensions import Unpack


def philox4x32(counters: Any, key: Any) -> np.ndarray:
    """Philox4x32-10, the block function, over many counters.

    Parameters
    ----------
    counters : array_like of uint32, shape (..., 4)
        Counter words ``c0, c1, c2, c3``.
    key : array_like of uint32, shape (2,)
        Key words ``k0, k1``.

    Returns
    -------
    numpy.ndarray of uint32, shape (..., 4)
        Output words ``x0, x1, x2, x3`` in Random123 order.

    Examples
    --------
    >>> import numpy as np, winit_fast as wf
    >>> out = wf.philox4x32(np.zeros(4, np.uint32), np.zeros(2, np.uint32))
    >>> [f"{w:08x}" for w in out]
    ['6627e8d5', 'e169c58d', 'bc57ac4c', '9b00dbd8']
    """
    counters = _uint32_array("counters", counters)
    key = _uint32_array("key", key)
    if counters.ndim == 0 or counters.shape[-1] != 4:
        raise ValueError(f"counters must have shape (..., 4), got {counters.shape}")
    if key.shape != (2,):
        raise ValueError(f"key must have shape (2,), got {key.shape}")
    flat = np.ascontiguousarray(counters.reshape(-1, 4))
    return current().philox4x32(flat, int(key[0]), int(key[1])).reshape(counters.shape)


def _uint32_array(name: str, value: Any) -> np.ndarray:
    array = np.asarray(value)
    if array.dtype != np.uint32:
        if array.dtype.kind not in "ui" or (array.size and (array.min() < 0 or array.max() >> 32)):
            raise TypeError(f"{name} must hold uint32 words, got dtype {array.dtype}")
        array = array.astype(np.uint32)
    return array


def _no_parameters(dt: np.dtype) -> tuple[float, ...]:
    return ()


RAW_U32 = Family("raw_u32", 0, (), _no_parameters, initializer=False)  # random_raw's


def random_raw(n: Any, *, seed: Any, stream: Any = 0, offset: Any = 0) -> np.ndarray:
    """``n`` raw 32-bit words of the stream.

    Word ``w`` is output word ``(offset + w) % 4`` of block ``(offset + w) // 4``, so every
    Philox counter ``(block, stream)`` is reachable (``0 <= offset < 2**66``).

    Examples
    --------
    >>> import winit_fast as wf
    >>> words = wf.random_raw(8, seed=1)
    >>> bool((wf.random_raw(5, seed=1, offset=3) == words[3:]).all())
    True
    """
    count = v.as_count("n", n)
    seed, stream = v.as_seed(seed), v.stream_id(stream)
    block, phase = position(offset, count, 4)
    out = v.allocate((count,), np.dtype(np.uint32))
    impl = current()
    if count:  # (an empty fill may sit at the end of the stream, block 2**64)
        impl.fill(out, RAW_U32.code, seed, stream, block, phase, (), impl.max_threads())
    return out


def _prepare(shape: Any, dtype: Any, out: Any, index: Any) -> tuple[Any, Any]:
    """The array to fill and its place in the stream: ``None`` for one run starting at element
    0 of the logical tensor, or the ``_blocks.Block`` of an ``index=`` block."""
    if index is None:
        return v.prepare_out(shape, dtype, out, device=True), None
    if shape is None:
        raise TypeError("shape (of the whole tensor) is required with index")
    block = _blocks.resolve(v.as_shape(shape), index)
    return v.prepare_out(block.shape, dtype, out, device=True), block


def draw(shape: Any, family: Family, values: tuple, where: Placement) -> Any:
    """The full path of every random fill: ``family`` at ``values`` (its public parameters, in
    order) placed by ``where``. Checks in the order of the messages users see (the array, the
    parameters, ``n_threads``, then the stream position), then fills the target with the
    backend's ``fill``, or an ``index=`` block with its ``fill_runs``, a rectangle at a time.
    A ``DryRun`` target is returned once every check has passed; a ``DeviceOut`` hands the
    same computed call to its writer."""
    target, layout = _prepare(shape, where.dtype, where.out, where.index)
    params = family.prepare(values, target.dtype)
    impl = current()
    threads = v.as_n_threads(where.n_threads, impl.max_threads())
    seed, stream = v.as_seed(where.seed), v.stream_id(where.stream)
    per = per_block(target.dtype)
    if layout is None:
        block, phase = position(where.offset, target.size, per)
        # (an empty fill may sit at the end of the stream, block 2**64)
        if target.size and isinstance(target, v.DeviceOut):
            target.writer.fill(family.code, seed, stream, block, phase, params)
        elif target.size and not isinstance(target, v.DryRun):
            impl.fill(target.reshape(-1), family.code, seed, stream, block, phase, params, threads)
        return target
    rectangles = _blocks.runs(layout, per, where.offset)
    if isinstance(target, v.DeviceOut):
        target.writer.fill_runs(family.code, seed, stream, rectangles, params)
    elif not isinstance(target, v.DryRun):
        for runs in rectangles:
            impl.fill_runs(target.reshape(-1), family.code, seed, stream, runs, params, threads)
    return target


def _uniform_params(low: Any, high: Any, dt: np.dtype) -> tuple[float, float, float]:
    """``(low, span, cap)`` in the working precision, as floats."""
    low_f = v.as_real("low", low) + 0.0  # + 0.0: a zero is +0.0 (see Family.prepare)
    high_f = v.as_real("high", high) + 0.0
    if low_f > high_f:
        raise ValueError(f"low must be <= high, got low={low_f}, high={high_f}")
    # + 0: a bound that rounds to zero is +0.0 too, on both backends (docs/stream.md)
    low_w, high_w = v.to_working("low", low_f, dt) + 0, v.to_working("high", high_f, dt) + 0
    if not v.fits(float(high_w) - float(low_w), dt):
        raise ValueError(f"high - low = {high_f - low_f} overflows {dt}")
    if low_f < high_f and not holds_a_value(low_f, high_f, dt):
        raise ValueError(
            f"[low, high) = [{low_f!r}, {high_f!r}) holds no finite {dt} value: every value "
            "would lie outside it; widen the interval or use a wider dtype"
        )
    span = high_w - low_w
    cap = uniform_cap(high_w, dt) if span > 0 else low_w
    return float(low_w), float(span), float(cap)


UNIFORM = Family("uniform", 1, ("low", "high"), _uniform_params)


@spelled_out(WHERE)
def uniform(
    shape: Any = None, low: Any = 0.0, high: Any = 1.0, **where: Unpack[Where]
) -> np.ndarray:
    """Values uniform in ``[low, high)``.

    ``low + (high - low) * u`` in the precision of ``dtype``, with ``u`` the top 24 (float32)
    or 53 (float64) bits of the stream; a value that rounds up to ``high`` is replaced by the
    largest value below it, so ``high`` is never returned (unless ``low == high``), also
    after the rounding of float16 and bfloat16.

    Parameters
    ----------
    shape : int or tuple of ints, optional
        Shape of the result; may be omitted when ``out`` is given.
    low, high : float
        Bounds, finite, ``low <= high``.
    seed : int in [0, 2**64), optional
        The Philox key. ``None`` draws fresh OS entropy (not reproducible).
    dtype : float32 (default) or float64
        Defaults to ``out.dtype`` when ``out`` is given.
    out : numpy.ndarray, optional
        A C-contiguous, writeable array to fill in place and return.
    stream : int in [0, 2**64) or str
        Independent stream id; a str is hashed (BLAKE2b-64), e.g. a parameter name.
    offset : int
        Global index of the first element in the stream: ``uniform(n, offset=k)`` equals
        ``uniform(k + n)[k:]``.
    n_threads : int, optional
        Threads to use; ``None`` uses the OpenMP default (``OMP_NUM_THREADS``). The result
        does not depend on it.
    index : tuple of slices, optional
        A block of the logical tensor of ``shape``, e.g. ``np.s_[1000:2000, :512]`` (positive
        steps allowed). An axis may take a list of slices, concatenated in order:
        ``(slice(None), [np.s_[0:64], np.s_[512:576]])`` is ``whole[:, np.r_[0:64, 512:576]]``
        (the local part of a strided shard). Only that block is generated and returned,
        byte-identical to the same elements of the whole tensor: what one rank of a sharded
        model calls. Blocks across the last axis cost about what a row block of the same size
        costs (docs/initializers.md).

    Returns
    -------
    numpy.ndarray
        ``out`` itself when given, else a new array of ``shape`` (of the block ``index``
        selects, when given) and ``dtype``. The same holds for every fill.

    Examples
    --------
    >>> import winit_fast as wf
    >>> x = wf.uniform((2, 3), -1.0, 1.0, seed=0)
    >>> x.shape, x.dtype, bool(((-1 <= x) & (x < 1)).all())
    ((2, 3), dtype('float32'), True)
    """
    if shape is None:  # the short path may take a call with out= (and no dtype or index)
        done = _short(1, where, low, high)
        if done is not None:
            return done
    return draw(shape, UNIFORM, (low, high), Placement.of("uniform", where))


def _location_scale(mean: Any, std: Any, reach: float, dt: np.dtype) -> tuple[float, float]:
    """``mean`` and ``std`` checked and rounded to the working precision (as floats); no value
    within ``reach`` standard deviations may overflow the output dtype."""
    mean_f = v.as_real("mean", mean) + 0.0  # + 0.0: a zero is +0.0 (see Family.prepare)
    std_f = v.as_real("std", std) + 0.0
    if std_f < 0:
        raise ValueError(f"std must be >= 0, got {std_f}")
    if 0 < std_f < smallest_normal(dt):
        raise ValueError(
            f"std={std_f} underflows {dt}: its values would be subnormal or zero; use std=0, "
            f"a std of at least {smallest_normal(dt):.3g}, or a wider dtype"
        )
    # + 0: a mean that rounds to zero is +0.0 too, as a zero mean is (docs/stream.md)
    mean_w, std_w = v.to_working("mean", mean_f, dt) + 0, v.to_working("std", std_f, dt)
    if not v.fits(abs(mean_f) + std_f * reach, dt):
        raise ValueError(f"std={std_f} with mean={mean_f} can overflow {dt}")
    return float(mean_w), float(std_w)


# Largest |z| that Box-Muller can return, from the smallest radius uniform of each precision:
# sqrt(-2 ln 2**-31) and sqrt(-2 ln 2**-53).  Used to refuse a std that would overflow.
MAX_ABS_Z = {np.dtype(np.float32): 6.56, np.dtype(np.float64): 8.58}


def _normal_params(mean: Any, std: Any, dt: np.dtype) -> tuple[float, float]:
    return _location_scale(mean, std, MAX_ABS_Z[v.working_dtype(dt)], dt)


NORMAL = Family("normal", 2, ("mean", "std"), _normal_params, lambda _, work: MAX_ABS_Z[work])


@spelled_out(WHERE)
def normal(
    shape: Any = None, mean: Any = 0.0, std: Any = 1.0, **where: Unpack[Where]
) -> np.ndarray:
    """Normal values ``mean + std * z`` (Box-Muller on pairs of elements).

    Elements ``2i`` and ``2i + 1`` of the stream form one Box-Muller pair; ``z`` and the affine
    map are computed in the precision of ``dtype``. Other parameters as in :func:`uniform`.
    A zero ``mean`` or ``std`` is taken as +0.0 (so is a zero bound of :func:`uniform`).

    Examples
    --------
    >>> import winit_fast as wf
    >>> w = wf.normal((256, 256), std=0.02, seed=0)
    >>> round(float(w.std()), 3)
    0.02
    """
    if shape is None:  # the short path may take a call with out= (and no dtype or index)
        done = _short(2, where, mean, std)
        if done is not None:
            return done
    return draw(shape, NORMAL, (mean, std), Placement.of("normal", where))


# Smallest interval probability a truncated normal accepts: every tail probability the
# inverse CDF sees is at least mass * 2**-24 (float64: 2**-53), which must stay a normal number.
MIN_MASS = {np.dtype(np.float32): 2.0**-100, np.dtype(np.float64): 2.0**-960}


def _truncated_reach(values: tuple[float, ...], work: np.dtype) -> float:
    return max(abs(values[2]), abs(values[3]))  # z is clamped to [a, b]


def _truncation_params(mean: Any, std: Any, a: Any, b: Any, dt: np.dtype) -> tuple[float, ...]:
    """``(mean, std, lo, hi, p_lo, q_hi, mass)`` in the working precision, as floats."""
    work = v.working_dtype(dt)
    a_f, b_f = v.as_real("a", a) + 0.0, v.as_real("b", b) + 0.0
    if not a_f < b_f:
        raise ValueError(f"a must be < b, got a={a_f}, b={b_f}")
    reach = _truncated_reach((0.0, 0.0, a_f, b_f), work)
    mean_w, std_w = _location_scale(mean, std, reach, dt)
    p_lo, q_hi, mass = truncation_masses(a_f, b_f)
    if mass < MIN_MASS[work]:
        raise ValueError(
            f"a={a_f}, b={b_f}: the interval holds probability {mass:.3g} of the standard "
            f"normal, too little to sample in {work}"
            + ("; use dtype=float64" if work == np.float32 else "")
        )
    return tuple(float(work.type(x)) for x in (mean_w, std_w, a_f, b_f, p_lo, q_hi, mass))


TRUNCATED_NORMAL = Family(
    "truncated_normal", 3, ("mean", "std", "a", "b"), _truncation_params, _truncated_reach
)


@spelled_out(WHERE)
def truncated_normal(
    shape: Any = None,
    mean: Any = 0.0,
    std: Any = 1.0,
    *,
    a: Any = -2.0,
    b: Any = 2.0,
    **where: Unpack[Where],
) -> np.ndarray:
    """Normal values truncated to ``[mean + a*std, mean + b*std]`` (Keras semantics: ``a`` and
    ``b`` are in units of ``std``).

    One stream element per value, through the inverse normal CDF (no rejection loop, so every
    value is addressable like the others): ``u = (2k + 1) 2**-24`` from the top 23 bits
    (float64: 52 bits), the lower and upper tail probabilities of the point are formed
    directly, and ``z`` is clamped to ``[a, b]``. The inverse CDF is a rational function
    without logarithm for ``|z| <= 2.2`` and Giles-form tail polynomials in float32 (as fast
    as :func:`normal`), Wichura's AS 241 in float64 (docs/stream.md).
    The standardized ``z`` is computed first and ``mean + std*z`` last, in float32 (float64 for
    float64), so a tiny ``std`` (e.g. 0.002) or a 16-bit dtype never piles values up at a
    bound. Other parameters as in :func:`uniform`.

    Examples
    --------
    >>> import winit_fast as wf
    >>> w = wf.truncated_normal((512, 512), std=0.002, seed=0)
    >>> bool(abs(w).max() <= 2 * 0.002), round(float(w.std() / 0.002), 2)
    (True, 0.88)
    """
    if shape is None:  # the short path may take a call with out= (and no dtype or index)
        done = _short(3, where, mean, std, a, b)
        if done is not None:
            return done
    return draw(shape, TRUNCATED_NORMAL, (mean, std, a, b), Placement.of("truncated_normal", where))


_short = short_path()  # bound once every record above exists
