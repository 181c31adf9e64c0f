"""Structured initializers: orthogonal (QR of a normal matrix from our stream) and identity."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

from winit_fast import _blocks
from winit_fast import _validation as v
from winit_fast._distributions import NORMAL, draw
from winit_fast._one_thread import on_one_blas_thread
from winit_fast._placement import WHERE, Placement, Where, spelled_out

if TYPE_CHECKING:
    from typing_extensions import Unpack


def _store(target: np.ndarray, values: np.ndarray) -> np.ndarray:
    # 16-bit outputs are the float32 result rounded, as for every other initializer.
    if target.dtype.itemsize < 4:
        values = values.astype(np.float32)
    target[...] = values
    return target


def _orthogonal(shape: Any, gain: Any, where: Placement) -> np.ndarray:
    """:func:`orthogonal`; ``where.offset`` counts float64 elements."""
    if where.index is not None:
        return _orthogonal_block(shape, gain, where)
    target = v.prepare_out(shape, where.dtype, where.out)
    if target.ndim < 2:
        raise ValueError(
            f"shape must have at least 2 dimensions for orthogonal, got {target.shape}"
        )
    gain = v.as_gain(gain, target.dtype)
    rows, cols = math.prod(target.shape[:-1]), target.shape[-1]
    # Drawn in float64 whatever the output dtype: QR of a float64 matrix is orthogonal to
    # ~1e-15, and the single rounding at the end is the only float32 error.
    matrix = (max(rows, cols), min(rows, cols))
    if target.size == 0 or isinstance(target, v.DryRun):
        # the normals' checks (seed, stream, n_threads, their place in the stream) only:
        # an empty matrix accepts the arguments any other does
        draw(matrix, NORMAL, (0.0, 1.0), where.with_(dtype=None, out=v.DryRun(matrix, "f8")))
        return target
    draws = draw(matrix, NORMAL, (0.0, 1.0), where.with_(dtype=np.float64, out=None))
    # One BLAS thread: the QR's last bits would otherwise depend on the thread count.
    q, r = on_one_blas_thread(lambda: np.linalg.qr(draws))
    # Sign correction makes Q unique (Haar-distributed); a zero diagonal keeps its column.
    q *= np.where(np.diagonal(r) < 0, -1.0, 1.0)
    if rows < cols:
        q = q.T
    return _store(target, (gain * q).reshape(target.shape))


def _orthogonal_block(shape: Any, gain: Any, where: Placement) -> np.ndarray:
    """``index=``: a block of Q depends on the whole QR, so the whole matrix is made and the
    block copied out (exact, but it costs the whole matrix, unlike the element-wise fills)."""
    if shape is None:
        raise TypeError("shape (of the whole tensor) is required with index")
    full_shape = v.as_shape(shape)
    block = _blocks.resolve(full_shape, where.index)
    target = v.prepare_out(block.shape, where.dtype, where.out)
    if isinstance(target, v.DryRun):  # the whole matrix's checks only
        dry = v.DryRun(full_shape, target.dtype)
        _orthogonal(full_shape, gain, where.with_(dtype=None, out=dry, index=None))
        return target
    whole = _orthogonal(full_shape, gain, where.with_(dtype=target.dtype, out=None, index=None))
    target[...] = block.select(whole)
    return target


@spelled_out(WHERE)
def orthogonal(shape: Any = None, gain: float = 1.0, **where: Unpack[Where]) -> np.ndarray:
    """A (semi-)orthogonal matrix times ``gain``, as Keras 3's ``Orthogonal``.

    ``shape`` is flattened to ``(rows, cols) = (prod(shape[:-1]), shape[-1])``; a float64
    normal matrix of shape ``(max(rows, cols), min(rows, cols))`` is drawn from the stream
    (elements ``0 ... rows * cols - 1``), factored with ``numpy.linalg.qr``, ``Q``'s columns
    are multiplied by the signs of ``diag(R)``, ``Q`` is transposed when ``rows < cols``, and
    the result is ``gain * Q`` reshaped to ``shape`` and rounded once to ``dtype``. So the rows
    (``rows <= cols``) or the columns (``rows >= cols``) are orthonormal times ``gain``.

    The normals are the same bytes on every backend; ``Q`` goes through LAPACK on one BLAS
    thread (so its bits do not depend on the thread count), whose last bits may differ
    between builds, so the result is reproducible to a few ulp (of float64) across machines,
    and to the bit on one machine, for any thread count.

    Parameters
    ----------
    shape : tuple of ints, at least 2 dims
        May be omitted when ``out`` is given.
    gain : float
        Multiplies the orthogonal matrix; finite.
    seed, dtype, out, stream, n_threads
        As in :func:`winit_fast.normal`.
    offset : int
        Stream element (of float64 normals, two per block) where the normal matrix starts.
    index : tuple of slices, optional
        A block of the matrix of ``shape``, equal to the same block of the whole. A block of
        ``Q`` depends on the whole factorization, so the whole matrix is computed.

    Returns
    -------
    numpy.ndarray
        ``gain`` times a matrix with orthonormal rows or columns, of ``shape``.

    Examples
    --------
    >>> import numpy as np, winit_fast as wf
    >>> w = wf.orthogonal((64, 128), gain=2.0, seed=0)
    >>> w.shape, w.dtype, bool(np.allclose(w @ w.T, 4.0 * np.eye(64), atol=1e-5))
    ((64, 128), dtype('float32'), True)
    """
    return _orthogonal(shape, gain, Placement.of("orthogonal", where))


def identity(
    shape: Any = None,
    gain: float = 1.0,
    *,
    dtype: Any = None,
    out: np.ndarray | None = None,
) -> np.ndarray:
    """``gain`` times the identity matrix, rectangular allowed (like ``numpy.eye``).

    Parameters
    ----------
    shape : (int, int)
        May be omitted when ``out`` is given.
    gain : float
        Value of the diagonal; finite.
    dtype, out
        As in :func:`winit_fast.zeros`.

    Returns
    -------
    numpy.ndarray
        ``gain`` on the diagonal, zeros elsewhere.

    Examples
    --------
    >>> import winit_fast as wf
    >>> wf.identity((2, 3), gain=0.5)
    array([[0.5, 0. , 0. ],
           [0. , 0.5, 0. ]], dtype=float32)
    """
    target = v.prepare_out(shape, dtype, out)
    if target.ndim != 2:
        raise ValueError(f"shape must be 2-D for identity, got {target.shape}")
    gain = v.as_gain(gain, target.dtype)
    target[...] = 0
    np.fill_diagonal(target, np.float32(gain) if target.dtype.itemsize < 4 else gain)
    return target
