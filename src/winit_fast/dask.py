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
import inspect
from collections.abc import Callable
from typing import Any

import numpy as np

from winit_fast import _interface as wfi

try:
    import dask.array as da
except ImportError as exc:
    raise ImportError(
        f"winit_fast.dask needs dask.array ({exc}); install it with "
        '`pip install "winit-fast[dask]"`'
    ) from exc

# every twin bound below: the registry's element-wise fills and constants
__all__ = [name for name, scheme in wfi.FUNCTIONS.items() if scheme.kind != "whole"]


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
    dims = wfi.as_shape(shape)
    fill(dims, out=wfi.DryRun(dims, dtype))  # any bad argument raises here, on the client
    return da.map_blocks(
        block,
        fill,
        chunks=da.core.normalize_chunks(chunks, dims, dtype=dtype),
        dtype=dtype,
        meta=np.empty((0,) * len(dims), dtype=dtype),
        token=name,  # the key prefix; the rest of the key is a hash of the arguments
    )


# What a twin leaves out of its NumPy function's keywords: the chunks are its blocks, made
# from the stream's start.
_LEFT_OUT = ("out", "offset", "index")
_OPTIONS = """
    chunks : int, tuple or "auto"
        The chunking, as in ``dask.array`` (``(8192, 4096)``, ``"auto"``, ...).
    dtype : float32 (default), float64, float16 or bfloat16
    n_threads : int, optional
        Threads per chunk on the worker (``None``: the worker's OpenMP default; Dask's
        nanny sets ``OMP_NUM_THREADS=1`` in worker processes)."""
_STREAM = """
    seed : int in [0, 2**64), optional
        ``None`` draws one seed now, shared by every chunk.
    stream : int or str
        The stream id, as in the NumPy API."""
_DOC = """:func:`winit_fast.{name}` as a Dask array, each chunk made on its worker.

    Parameters
    ----------
    shape : int or tuple of ints
        The shape of the whole array{fans}.{own}{options}

    Returns
    -------
    dask.array.Array
        Lazy; ``compute()`` equals ``winit_fast.{name}`` byte for byte.

    Examples
    --------
    >>> import winit_fast as wf, winit_fast.dask as wfd
    >>> x = wfd.{name}((96, 40), chunks=(32, 16){seed})
    >>> x.compute().tobytes() == wf.{name}((96, 40){seed}).tobytes()
    True
"""


def _twin(name: str) -> Callable[..., da.Array]:
    """``winit_fast.<name>`` as a Dask array: the NumPy function's parameters (but ``out``,
    ``offset`` and ``index``) and ``chunks``; each chunk one task that calls the function
    with ``index=`` its slices (the registry's element-wise fills) or with its shape (the
    constants)."""
    scheme = wfi.FUNCTIONS[name]
    function = scheme.function
    parameters = inspect.signature(function).parameters
    kept = [p for p in parameters.values() if p.name not in _LEFT_OUT]
    keyword = next(i for i, p in enumerate(kept) if p.kind == p.KEYWORD_ONLY)
    chunks = inspect.Parameter(
        "chunks", inspect.Parameter.KEYWORD_ONLY, default="auto", annotation=Any
    )
    kept[0] = kept[0].replace(default=inspect.Parameter.empty)  # the shape is required
    signature = inspect.Signature(
        [*kept[:keyword], chunks, *kept[keyword:]], return_annotation=da.Array
    )
    block = _random_block if scheme.random else _constant_block

    def twin(*args: Any, **kwargs: Any) -> da.Array:
        arguments = signature.bind(*args, **kwargs)
        arguments.apply_defaults()
        options = arguments.arguments
        shape, chunks = options.pop("shape"), options.pop("chunks")
        dtype = wfi.as_dtype(np.float32 if options["dtype"] is None else options["dtype"])
        options["dtype"] = dtype
        if scheme.random:
            options["seed"] = wfi.as_seed(options["seed"])  # drawn once when None: all chunks agree
        return _array(name, block, functools.partial(function, **options), shape, chunks, dtype)

    own = [p.name for p in kept[1:] if p.name not in {"seed", "stream", "dtype", "n_threads"}]
    twin.__name__ = twin.__qualname__ = name
    twin.__signature__ = signature  # type: ignore[attr-defined]  # what help() shows
    own_doc = f"\n    {', '.join(own)}\n        As in :func:`winit_fast.{name}`." if own else ""
    twin.__doc__ = _DOC.format(
        name=name,
        fans=" (the fans come from it, never from a chunk)" if "fan_in" in own else "",
        own=own_doc,
        options=(_STREAM if scheme.random else "") + _OPTIONS,
        seed=", seed=0" if scheme.random else "",
    )
    return twin


def _twins() -> dict[str, Callable[..., da.Array]]:
    """A twin of every fill of the registry that is made chunk by chunk: its element-wise
    fills and its constants (``orthogonal`` is a QR of the whole matrix)."""
    return {name: _twin(name) for name, scheme in wfi.FUNCTIONS.items() if scheme.kind != "whole"}


globals().update(_twins())  # uniform, normal, ..., the presets, zeros, ones, constant


def __getattr__(name: str) -> Callable[..., da.Array]:
    """For type checkers, which do not see the twins bound above: each is such a function
    (Python calls this only for a name the module lacks)."""
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
