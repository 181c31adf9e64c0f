"""winit_fast's element-wise initializers as Dask arrays, generated chunk by chunk on the workers.

Every chunk is a task that calls the NumPy function with ``index=`` (the chunk's slices) and
the shape of the whole array, so the fans are the global ones and the chunk's bytes are exactly
those of the same block of the single-machine array: ``he_normal(shape, chunks=c,
seed=s).compute()`` equals ``winit_fast.he_normal(shape, seed=s)`` byte for byte, for any
chunking. A task holds only the function and its arguments (a few hundred bytes), never data:
nothing is shipped from the client, each worker writes its own chunks.

``seed=None`` draws one seed when the array is defined, so every chunk (and every
``compute()``) of that array agrees. Arguments are checked when the array is defined, on the
client, not on the workers.

Functions: :func:`uniform`, :func:`normal`, :func:`truncated_normal`,
:func:`variance_scaling`, the six presets (:func:`glorot_normal`, :func:`glorot_uniform`,
:func:`he_normal`, :func:`he_uniform`, :func:`lecun_normal`, :func:`lecun_uniform`), and the
constants :func:`zeros`, :func:`ones`, :func:`constant`. ``orthogonal`` is not element-wise
(a QR of the whole matrix) and has no Dask version.

Examples
--------
>>> import winit_fast as wf
>>> import winit_fast.dask as wfd
>>> w = wfd.he_normal((200_000, 4096), chunks=(8192, 4096), seed=0)   # lazy: 3.3 GB
>>> w.numblocks, w.dtype
((25, 1), dtype('float32'))
>>> small = wfd.he_normal((1000, 64), chunks=(300, 32), seed=0)
>>> small.compute().tobytes() == wf.he_normal((1000, 64), seed=0).tobytes()
True

On a cluster, create a ``dask.distributed.Client`` first; ``compute()`` then runs the tasks
on its workers (which need winit_fast installed)::

    from dask.distributed import Client
    client = Client("tcp://scheduler:8786")
    w = wfd.he_normal((200_000, 4096), chunks=(8192, 4096), seed=0).persist()
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import numpy as np

import winit_fast as wf
from winit_fast import _validation as v
from winit_fast._signatures import resolve_annotations as _resolve_annotations
from winit_fast._variance_scaling import PRESETS

try:
    import dask.array as da
except ImportError as exc:
    raise ImportError(
        f"winit_fast.dask needs dask.array ({exc}); install it with "
        '`pip install "winit-fast[dask]"`'
    ) from exc

__all__ = [
    "constant",
    *PRESETS,  # glorot_normal ... lecun_uniform
    "normal",
    "ones",
    "truncated_normal",
    "uniform",
    "variance_scaling",
    "zeros",
]


def _check_block_info(block_info: dict | None) -> dict:
    if block_info is None:  # map_blocks passes it to every function that takes it
        raise TypeError("block_info is required (dask.array.map_blocks passes it)")
    return block_info


def _random_block(fill: Callable[..., np.ndarray], block_info: dict | None = None) -> np.ndarray:
    """One chunk, on a worker: block ``index`` of the whole tensor of ``shape``.

    ``block_info`` is passed by ``map_blocks``: ``block_info[None]`` describes the output
    chunk (its ``array-location`` and the whole array's ``shape``).
    """
    info = _check_block_info(block_info)[None]
    index = tuple(slice(start, stop) for start, stop in info["array-location"])
    return fill(info["shape"], index=index)


def _constant_block(fill: Callable[..., np.ndarray], block_info: dict | None = None) -> np.ndarray:
    return fill(_check_block_info(block_info)[None]["chunk-shape"])


def _array(
    name: str,
    block: Callable[..., np.ndarray],
    fill: Callable[..., np.ndarray],
    shape: Any,
    chunks: Any,
    dtype: np.dtype,
) -> da.Array:
    dims = v.as_shape(shape)
    # Any bad argument raises here, on the client: an empty block runs every check.
    empty = tuple(slice(0, 0) for _ in dims)
    if block is _random_block:
        fill(dims, index=empty)
    else:
        fill((0,) * len(dims))
    return da.map_blocks(
        block,
        fill,
        chunks=da.core.normalize_chunks(chunks, dims, dtype=dtype),
        dtype=dtype,
        meta=np.empty((0,) * len(dims), dtype=dtype),
        token=name,  # the key prefix; the rest of the key is a hash of the arguments
    )


def _random(
    name: str,
    fill: Callable[..., np.ndarray],
    shape: Any,
    chunks: Any,
    seed: Any,
    dtype: Any,
    stream: Any,
    n_threads: Any,
) -> da.Array:
    """The array of ``fill`` (a winit_fast function, its own parameters bound) with the
    arguments every random function shares."""
    resolved = v.as_dtype(np.float32 if dtype is None else dtype)
    seed = v.as_seed(seed)  # drawn once here when None: all chunks agree
    fill = functools.partial(fill, seed=seed, dtype=resolved, stream=stream, n_threads=n_threads)
    return _array(name, _random_block, fill, shape, chunks, resolved)


def _fans(
    layout: Any, fan_in: Any, fan_out: Any, input_axes: Any, output_axes: Any
) -> dict[str, Any]:
    """The fan keywords of the variance-scaling family, as its NumPy functions take them."""
    return {
        "layout": layout,
        "fan_in": fan_in,
        "fan_out": fan_out,
        "input_axes": input_axes,
        "output_axes": output_axes,
    }


_COMMON_DOC = """
    chunks : int, tuple or "auto"
        The chunking, as in ``dask.array`` (``(8192, 4096)``, ``"auto"``, ...).
    seed : int in [0, 2**64), optional
        ``None`` draws one seed now, shared by every chunk.
    dtype : float32 (default), float64, float16 or bfloat16
    stream : int or str
        The stream id, as in the NumPy API.
    n_threads : int, optional
        Threads per chunk on the worker (``None``: the worker's OpenMP default; Dask's
        nanny sets ``OMP_NUM_THREADS=1`` in worker processes).

    Returns
    -------
    dask.array.Array
        Lazy; ``compute()`` equals the NumPy function's result byte for byte.
"""
# As it goes in place of "{common}" (a line indented like the docstring's sections).
_COMMON = _COMMON_DOC.strip("\n").lstrip() + "\n"


def _documented(function: Callable[..., da.Array]) -> Callable[..., da.Array]:
    """Fills the shared parameters into the docstring's ``{common}``."""
    function.__doc__ = (function.__doc__ or "").replace("{common}", _COMMON)
    return function


@_documented
def uniform(
    shape: Any,
    low: float = 0.0,
    high: float = 1.0,
    *,
    chunks: Any = "auto",
    seed: int | None = None,
    dtype: Any = None,
    stream: int | str = 0,
    n_threads: int | None = None,
) -> da.Array:
    """:func:`winit_fast.uniform` as a Dask array.

    Parameters
    ----------
    shape : int or tuple of ints
    low, high : float
    {common}
    Examples
    --------
    >>> import winit_fast as wf, winit_fast.dask as wfd
    >>> x = wfd.uniform((10, 10), -1.0, 1.0, chunks=4, seed=0)
    >>> x.compute().tobytes() == wf.uniform((10, 10), -1.0, 1.0, seed=0).tobytes()
    True
    """
    fill = functools.partial(wf.uniform, low=low, high=high)
    return _random("uniform", fill, shape, chunks, seed, dtype, stream, n_threads)


@_documented
def normal(
    shape: Any,
    mean: float = 0.0,
    std: float = 1.0,
    *,
    chunks: Any = "auto",
    seed: int | None = None,
    dtype: Any = None,
    stream: int | str = 0,
    n_threads: int | None = None,
) -> da.Array:
    """:func:`winit_fast.normal` as a Dask array.

    Parameters
    ----------
    shape : int or tuple of ints
    mean, std : float
    {common}
    Examples
    --------
    >>> import winit_fast as wf, winit_fast.dask as wfd
    >>> x = wfd.normal(1000, std=0.02, chunks=300, seed=0)
    >>> x.compute().tobytes() == wf.normal(1000, std=0.02, seed=0).tobytes()
    True
    """
    fill = functools.partial(wf.normal, mean=mean, std=std)
    return _random("normal", fill, shape, chunks, seed, dtype, stream, n_threads)


@_documented
def truncated_normal(
    shape: Any,
    mean: float = 0.0,
    std: float = 1.0,
    *,
    a: float = -2.0,
    b: float = 2.0,
    chunks: Any = "auto",
    seed: int | None = None,
    dtype: Any = None,
    stream: int | str = 0,
    n_threads: int | None = None,
) -> da.Array:
    """:func:`winit_fast.truncated_normal` as a Dask array (``a``, ``b`` in units of ``std``).

    Parameters
    ----------
    shape : int or tuple of ints
    mean, std : float
    a, b : float
        Bounds in standard deviations around ``mean`` (Keras semantics).
    {common}
    Examples
    --------
    >>> import winit_fast as wf, winit_fast.dask as wfd
    >>> x = wfd.truncated_normal((64, 64), std=0.02, chunks=(16, 64), seed=0)
    >>> x.compute().tobytes() == wf.truncated_normal((64, 64), std=0.02, seed=0).tobytes()
    True
    """
    fill = functools.partial(wf.truncated_normal, mean=mean, std=std, a=a, b=b)
    return _random("truncated_normal", fill, shape, chunks, seed, dtype, stream, n_threads)


@_documented
def variance_scaling(
    shape: Any,
    scale: float = 1.0,
    mode: str = "fan_in",
    distribution: str = "truncated_normal",
    *,
    chunks: Any = "auto",
    seed: int | None = None,
    dtype: Any = None,
    stream: int | str = 0,
    n_threads: int | None = None,
    layout: str = "keras",
    fan_in: int | None = None,
    fan_out: int | None = None,
    input_axes: Any = None,
    output_axes: Any = None,
) -> da.Array:
    """:func:`winit_fast.variance_scaling` as a Dask array; fans from the whole ``shape``.

    Parameters
    ----------
    shape : int or tuple of ints
        The shape of the whole array (the fans come from it, never from a chunk).
    scale, mode, distribution, layout, fan_in, fan_out, input_axes, output_axes
        As in :func:`winit_fast.variance_scaling`.
    {common}
    Examples
    --------
    >>> import winit_fast as wf, winit_fast.dask as wfd
    >>> x = wfd.variance_scaling((256, 64), 2.0, "fan_in", "uniform", chunks=(64, 64), seed=0)
    >>> y = wf.variance_scaling((256, 64), 2.0, "fan_in", "uniform", seed=0)
    >>> x.compute().tobytes() == y.tobytes()
    True
    """
    fans = _fans(layout, fan_in, fan_out, input_axes, output_axes)
    fill = functools.partial(
        wf.variance_scaling, scale=scale, mode=mode, distribution=distribution, **fans
    )
    return _random("variance_scaling", fill, shape, chunks, seed, dtype, stream, n_threads)


_PRESET_DOC = """:func:`winit_fast.{name}` as a Dask array; fans from the whole ``shape``.

    Parameters
    ----------
    shape : int or tuple of ints
        The shape of the whole array (the fans come from it, never from a chunk).
    distribution, layout, fan_in, fan_out, input_axes, output_axes
        As in :func:`winit_fast.{name}`.
    {common}
    Examples
    --------
    >>> import winit_fast as wf, winit_fast.dask as wfd
    >>> x = wfd.{name}((3, 3, 16, 32), chunks=(3, 3, 8, 32), seed=0)
    >>> x.compute().tobytes() == wf.{name}((3, 3, 16, 32), seed=0).tobytes()
    True
"""


def _preset(name: str) -> Callable[..., da.Array]:
    function = getattr(wf, name)

    def preset(
        shape: Any,
        *,
        distribution: str | None = None,
        chunks: Any = "auto",
        seed: int | None = None,
        dtype: Any = None,
        stream: int | str = 0,
        n_threads: int | None = None,
        layout: str = "keras",
        fan_in: int | None = None,
        fan_out: int | None = None,
        input_axes: Any = None,
        output_axes: Any = None,
    ) -> da.Array:
        # None keeps the preset's own default distribution (truncated normal or uniform).
        chosen = {} if distribution is None else {"distribution": distribution}
        fans = _fans(layout, fan_in, fan_out, input_axes, output_axes)
        fill = functools.partial(function, **chosen, **fans)
        return _random(name, fill, shape, chunks, seed, dtype, stream, n_threads)

    preset.__name__ = preset.__qualname__ = name
    preset.__doc__ = _PRESET_DOC.format(name=name, common=_COMMON)
    return preset


glorot_normal = _preset("glorot_normal")
glorot_uniform = _preset("glorot_uniform")
he_normal = _preset("he_normal")
he_uniform = _preset("he_uniform")
lecun_normal = _preset("lecun_normal")
lecun_uniform = _preset("lecun_uniform")


def constant(
    shape: Any, value: float = 0.0, *, chunks: Any = "auto", dtype: Any = None
) -> da.Array:
    """:func:`winit_fast.constant` as a Dask array (each chunk filled on its worker).

    Examples
    --------
    >>> import winit_fast.dask as wfd
    >>> wfd.constant((2, 3), 0.5, chunks=2).compute()
    array([[0.5, 0.5, 0.5],
           [0.5, 0.5, 0.5]], dtype=float32)
    """
    resolved = v.as_dtype(np.float32 if dtype is None else dtype)
    fill = functools.partial(wf.constant, value=value, dtype=resolved)
    return _array("constant", _constant_block, fill, shape, chunks, resolved)


def zeros(shape: Any, *, chunks: Any = "auto", dtype: Any = None) -> da.Array:
    """:func:`winit_fast.zeros` as a Dask array.

    Examples
    --------
    >>> import winit_fast.dask as wfd
    >>> wfd.zeros(4, chunks=2, dtype="float64").compute()
    array([0., 0., 0., 0.])
    """
    return constant(shape, 0.0, chunks=chunks, dtype=dtype)


def ones(shape: Any, *, chunks: Any = "auto", dtype: Any = None) -> da.Array:
    """:func:`winit_fast.ones` as a Dask array.

    Examples
    --------
    >>> import winit_fast.dask as wfd
    >>> wfd.ones(3, chunks=2).compute()
    array([1., 1., 1.], dtype=float32)
    """
    return constant(shape, 1.0, chunks=chunks, dtype=dtype)


# help() and the API reference show these signatures without quoted annotations.
_resolve_annotations(globals(), __all__)
