"""Streamed seed checkpoints: a safetensors file of initial weights, written block by block.

:func:`save_init` writes the file that ``safetensors.torch.save_file(init_module(model).
state_dict())`` would write (the parameters only), without ever holding the model: the
safetensors header depends only on names, shapes and dtypes, so it is written first, and the
data region is then filled one block of rows at a time with ``index=`` (element ``g`` of a
stream is a pure function of ``(seed, stream, g)``, and the fans come from the whole shape).
Peak memory is about one block (``block_bytes``), whatever the size of the file.

Each parameter follows the rule of ``winit_fast.torch.init_module``
(:mod:`winit_fast._schemes`): weights (2 or more dimensions) get ``scheme`` in torch layout
from ``stream=name``, biases are set to ``bias``, other 1-D parameters (norm scales) to
``norm``. So ``safetensors.torch.load_file(path)`` equals ``init_module(model, scheme, seed)``
tensor for tensor, byte for byte.

The file is written as a database writes one (:mod:`winit_fast._staging`): built under a
hidden name in the same folder, fsync'd, and renamed onto ``path`` in one step when whole; an
existing file at ``path`` stays until then, and nothing loadable is ever left half written.
Everything is checked before the first byte: names, shapes, dtypes, a size that no file can
hold, the free space of the folder's file system, the process's file-size limit and
safetensors' 100 MB header limit (errors name the tensor).

Several processes can write one file together: ``part=(k, n)`` makes process ``k`` of ``n``
write every ``n``-th block starting at block ``k``, into one staging file that every process
of the same plan finds by name (``.NAME.<plan hash>.partial``). Each process reports its share
done once it is on disk; the last one to report writes the header and renames the file onto
``path``. So ``path`` holds the old file until all ``n`` have finished, a process that failed
can simply be run again, and a different plan to the same path never shares the staging file.

This module needs neither torch nor the ``safetensors`` package to write a file from a
mapping; torch is used only to read the names of a module, ``safetensors`` only to load.
"""

from __future__ import annotations

import errno
import hashlib
import json
import math
import os
import sys
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

import winit_fast as wf
from winit_fast import _interface as wfi

__all__ = ["DEFAULT_BLOCK_BYTES", "save_init"]

DEFAULT_BLOCK_BYTES = 64 << 20

# safetensors' dtype codes, in the order safetensors lays tensors out (larger alignment first,
# then by name), which keeps every tensor aligned and the file byte-identical to save_file's.
_CODES = {"float64": "F64", "float32": "F32", "bfloat16": "BF16", "float16": "F16"}
_ORDER = tuple(_CODES)
_HEADER_ALIGN = 8  # safetensors pads the JSON header with spaces to a multiple of 8 bytes
HEADER_LIMIT = 100_000_000  # safetensors refuses to read a JSON header longer than this


@dataclass(frozen=True)
class _Tensor:
    name: str
    shape: tuple[int, ...]
    dtype: np.dtype
    role: wfi.Role
    start: int  # byte offset in the data region

    @property
    def nbytes(self) -> int:
        return math.prod(self.shape) * self.dtype.itemsize


@dataclass(frozen=True)
class Plan:
    """A validated checkpoint: what :func:`write` puts where. Built by :func:`plan`."""

    path: str
    tensors: tuple[_Tensor, ...]
    header: bytes  # length prefix + JSON + padding
    scheme: str
    seed: int
    bias: float
    norm: float
    block_bytes: int
    part: tuple[int, int]
    staging: str | None  # the staging file shared by the parts (None: one process)

    @property
    def file_bytes(self) -> int:
        return len(self.header) + sum(t.nbytes for t in self.tensors)


def save_init(
    path: str | os.PathLike[str],
    params: Any,
    *,
    scheme: str,
    seed: Any,
    bias: float = 0.0,
    norm: float = 1.0,
    block_bytes: int = DEFAULT_BLOCK_BYTES,
    part: tuple[int, int] | None = None,
    metadata: Mapping[str, str] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, Any]:
    """Write the safetensors file of ``params`` initialized as ``init_module`` does.

    Parameters
    ----------
    path : str or os.PathLike
        The file to write, in an existing folder. It is built under a hidden name there and
        renamed onto ``path`` when complete and on disk, so an existing file stays until then
        and an interrupted run never leaves a file that looks valid.
    params : torch.nn.Module or mapping
        A module (typically built on the ``meta`` device: only names, shapes and dtypes are
        read, as ``named_parameters()`` gives them, so a tied parameter is written once under
        its first name), or a mapping ``name -> (shape, dtype)`` with dtype float32, float64,
        float16 or bfloat16.
    scheme : str
        A scheme of ``init_module``: ``"he_normal"``, ``"kaiming_uniform"``,
        ``"xavier_normal"``, ``"orthogonal"``, ... (``winit_fast._schemes.SCHEME_FUNCTIONS``).
        ``"orthogonal"`` needs each whole matrix in memory (a QR), so its blocks are tensors.
    seed : int in [0, 2**64) or None
        ``None`` draws one seed, recorded in the file's metadata.
    bias, norm : float
        The values of the biases and of the other 1-D parameters (norm scales).
    block_bytes : int
        The largest block generated at once; peak memory is about this much.
    part : (k, n), optional
        Write only the share of process ``k`` of ``n`` (``0 <= k < n``; see the module's
        notes); every process must pass the same other arguments. The file appears at
        ``path`` when the last of them finishes (POSIX only: it needs file locks).
    metadata : mapping of str to str, optional
        Added to the file's ``__metadata__`` (which records the scheme, seed and versions).
    progress : callable, optional
        Called as ``progress(done_bytes, total_bytes)`` after each block this process writes.

    Returns
    -------
    dict
        The ``__metadata__`` written (``"seed"`` holds the seed used).

    Examples
    --------
    >>> import os, tempfile
    >>> import safetensors.numpy
    >>> import winit_fast as wf
    >>> from winit_fast.safetensors import save_init
    >>> path = os.path.join(tempfile.mkdtemp(), "init.safetensors")
    >>> spec = {"0.weight": ((64, 784), "float32"), "0.bias": ((64,), "float32")}
    >>> _ = save_init(path, spec, scheme="he_normal", seed=0, block_bytes=1 << 16)
    >>> loaded = safetensors.numpy.load_file(path)
    >>> w = wf.he_normal((64, 784), layout="torch", seed=0, stream="0.weight")
    >>> loaded["0.weight"].tobytes() == w.tobytes(), float(abs(loaded["0.bias"]).max())
    (True, 0.0)
    """
    checked = plan(
        path,
        params,
        scheme=scheme,
        seed=seed,
        bias=bias,
        norm=norm,
        block_bytes=block_bytes,
        part=part,
        metadata=metadata,
    )
    write(checked, progress=progress)
    return _metadata_of(checked.header)


def plan(
    path: Any,
    params: Any,
    *,
    scheme: Any,
    seed: Any,
    bias: Any = 0.0,
    norm: Any = 1.0,
    block_bytes: Any = DEFAULT_BLOCK_BYTES,
    part: Any = None,
    metadata: Any = None,
) -> Plan:
    """Check every argument and entry of ``params``; nothing is written. Errors name them."""
    if sys.byteorder != "little":
        raise NotImplementedError("save_init writes little-endian data; this host is big-endian")
    path = _as_path(path)
    scheme = wfi.check_scheme(scheme)
    seed = wfi.as_seed(seed)
    bias = wfi.as_real("bias", bias)
    if norm is None:
        raise TypeError("norm must be a real number (a checkpoint has no values to keep)")
    norm = wfi.as_real("norm", norm)
    if isinstance(block_bytes, bool) or not isinstance(block_bytes, int) or block_bytes < 1:
        raise ValueError(f"block_bytes must be an int >= 1, got {block_bytes!r}")
    part = _as_part(part)
    extra = dict(metadata or {})
    for key, value in extra.items():
        if not isinstance(key, str) or not isinstance(value, str):
            raise TypeError(f"metadata must map str to str, got {key!r}: {value!r}")
    entries = _entries(params)
    for dtype in {dtype for _, _, dtype in entries}:
        # a value that overflows a dtype fails here, not half way through the file
        wf.constant(value=bias, out=wfi.DryRun((), dtype))
        wf.constant(value=norm, out=wfi.DryRun((), dtype))
    tensors: list[_Tensor] = []
    start = 0
    ordered = sorted(entries, key=lambda e: (_ORDER.index(e[2].name), e[0]))
    for name, shape, dtype in ordered:
        kind = wfi.role(name, len(shape))
        tensors.append(_Tensor(name, shape, dtype, kind, start))
        start += tensors[-1].nbytes
        if start > wfi.MAX_BYTES:  # before the call's checks, whose message names no tensor
            raise ValueError(
                f"params[{name!r}]: shape {shape} of {dtype} takes the file past 2**63 bytes, "
                "more than any file can hold"
            )
        if kind == "weight":  # every check of its call (fans, arguments), on no data
            wfi.weight(scheme, shape, seed=seed, stream=name, out=wfi.DryRun(shape, dtype))
    recorded = {
        "format": "pt",  # what safetensors.torch writes; transformers checks it
        "winit_fast": wf.__version__,
        "stream_version": str(wf.STREAM_VERSION),
        "scheme": scheme,
        "seed": str(seed),
        "bias": repr(bias),
        "norm": repr(norm),
        **extra,
    }
    header = _header(tensors, recorded)
    staging = None
    if part[1] > 1:
        if not wfi.HAS_FILE_LOCKS:
            raise NotImplementedError("part= needs POSIX file locks; write from one process")
        # one name for every process of this plan, another for any other plan
        plan_id = hashlib.sha256(header + f"|{block_bytes}|{part[1]}".encode()).hexdigest()
        staging = wfi.staging_path(path, plan_id[:16])
    checked = Plan(
        path=path,
        tensors=tuple(tensors),
        header=header,
        scheme=scheme,
        seed=seed,
        bias=bias,
        norm=norm,
        block_bytes=block_bytes,
        part=part,
        staging=staging,
    )
    _check_room(checked)
    return checked


def write(checked: Plan, *, progress: Callable[[int, int], None] | None = None) -> bool:
    """Write this process's blocks of a :func:`plan`; the file appears at its path when
    whole. Returns whether it is there now (with ``part``: whether this process finished
    last). The blocks are generated one at a time: memory does not grow with the file."""
    total = sum(nbytes for _, _, _, nbytes in _my_blocks(checked))
    buffer = np.empty(_largest_streamed_block(checked), dtype=np.uint8)  # reused by each block
    start = len(checked.header)
    done = 0
    if checked.staging is None:
        opened = wfi.replace_atomically(checked.path, checked.header, checked.file_bytes)
    else:
        opened = wfi.fill_shared(
            checked.path, checked.staging, checked.header, checked.file_bytes, checked.part
        )
    with opened as sink:
        for tensor, index, offset, nbytes in _my_blocks(checked):
            sink.write_at(start + offset, _block(checked, tensor, index, nbytes, buffer))
            done += nbytes
            if progress is not None:
                progress(done, total)
    return sink.complete


def _my_blocks(checked: Plan) -> Iterator[tuple[_Tensor, tuple[slice, ...], int, int]]:
    """The blocks of this process: every ``n``-th of the file's, from the ``k``-th."""
    k, n = checked.part
    for i, block in enumerate(_all_blocks(checked)):
        if i % n == k:
            yield block


def _largest_streamed_block(checked: Plan) -> int:
    """Bytes of the largest block made in the reused buffer (``row_blocks``' limit)."""
    largest = 0
    for t in checked.tensors:
        if not _whole(checked, t):
            limit = max(1, checked.block_bytes // t.dtype.itemsize) * t.dtype.itemsize
            largest = max(largest, min(t.nbytes, limit))
    return largest


def _block(checked: Plan, tensor: _Tensor, index: Any, nbytes: int, buffer: np.ndarray) -> Any:
    """The bytes of block ``index`` of ``tensor`` (a view of ``buffer`` where it fits)."""
    if _whole(checked, tensor):
        whole = wfi.weight(
            "orthogonal", tensor.shape, seed=checked.seed, stream=tensor.name, dtype=tensor.dtype
        )
        return whole.reshape(-1).view(np.uint8).data
    shape = tuple(b.stop - b.start for b in index)
    out = buffer[:nbytes].view(tensor.dtype).reshape(shape)
    if tensor.role == "weight":
        wfi.weight(
            checked.scheme,
            tensor.shape,
            seed=checked.seed,
            stream=tensor.name,
            index=index,
            out=out,
        )
    else:
        wf.constant(value=checked.bias if tensor.role == "bias" else checked.norm, out=out)
    return buffer[:nbytes].data


def _whole(checked: Plan, tensor: _Tensor) -> bool:
    """Whether ``tensor`` is generated whole: an orthogonal weight is a QR of the matrix."""
    return tensor.role == "weight" and checked.scheme == "orthogonal"


def _all_blocks(checked: Plan) -> Iterator[tuple[_Tensor, tuple[slice, ...], int, int]]:
    """``(tensor, index, byte offset, nbytes)`` of every block, in file order."""
    for tensor in checked.tensors:
        if tensor.nbytes == 0:
            continue
        if _whole(checked, tensor):
            whole = tuple(slice(0, d) for d in tensor.shape)
            yield tensor, whole, tensor.start, tensor.nbytes
            continue
        limit = max(1, checked.block_bytes // tensor.dtype.itemsize)
        for index, first, count in row_blocks(tensor.shape, limit):
            yield (
                tensor,
                index,
                tensor.start + first * tensor.dtype.itemsize,
                count * (tensor.dtype.itemsize),
            )


def row_blocks(shape: tuple[int, ...], limit: int) -> Iterator[tuple[tuple[slice, ...], int, int]]:
    """Contiguous blocks of at most ``limit`` elements covering a C-order tensor of ``shape``.

    Yields ``(index, first element, element count)``. The blocks are rows of the first axis
    where a row fits in ``limit``; where it does not, rows of the next axis inside one row of
    the first, and so on (a single element always fits).

    >>> [(i, first, n) for i, first, n in row_blocks((3, 2), 4)]  # doctest: +NORMALIZE_WHITESPACE
    [((slice(0, 2, None), slice(0, 2, None)), 0, 4),
     ((slice(2, 3, None), slice(0, 2, None)), 4, 2)]
    """
    if not shape:
        yield (), 0, 1
        return
    if 0 in shape:
        return
    axis = 0
    while math.prod(shape[axis + 1 :]) > limit:
        axis += 1
    unit = math.prod(shape[axis + 1 :])
    step = max(1, limit // unit)
    trailing = tuple(slice(0, d) for d in shape[axis + 1 :])
    for outer in np.ndindex(*shape[:axis]):
        base = int(np.ravel_multi_index(outer, shape[:axis])) * shape[axis] if outer else 0
        lead = tuple(slice(i, i + 1) for i in outer)
        for lo in range(0, shape[axis], step):
            hi = min(lo + step, shape[axis])
            yield (*lead, slice(lo, hi), *trailing), (base + lo) * unit, (hi - lo) * unit


def _entries(params: Any) -> list[tuple[str, tuple[int, ...], np.dtype]]:
    """``(name, shape, dtype)`` of every tensor of a module or mapping, checked."""
    if isinstance(params, Mapping):
        items = list(params.items())
        entries = []
        for name, value in items:
            if not isinstance(name, str) or not name:
                raise TypeError(f"params names must be non-empty str, got {name!r}")
            if not _is_utf8(name):
                raise ValueError(f"params names must be UTF-8 text, got {name!r}")
            if name == "__metadata__":
                raise ValueError("params must not name a tensor '__metadata__' (safetensors' key)")
            try:
                shape, dtype = value
            except (TypeError, ValueError):
                raise TypeError(f"params[{name!r}] must be (shape, dtype), got {value!r}") from None
            entries.append((name, _shape(name, shape), _dtype(name, dtype)))
        return entries
    torch = sys.modules.get("torch")
    if torch is not None and isinstance(params, torch.nn.Module):
        return [
            (name, tuple(p.shape), _dtype(name, _TORCH_DTYPES.get(str(p.dtype), p.dtype)))
            for name, p in params.named_parameters()
        ]
    raise TypeError(
        f"params must be a torch.nn.Module or a mapping name -> (shape, dtype), "
        f"got {type(params).__name__}"
    )


def _is_utf8(text: str) -> bool:
    """False for a str holding a lone surrogate (which JSON cannot write as UTF-8)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


_TORCH_DTYPES = {
    "torch.float32": "float32",
    "torch.float64": "float64",
    "torch.float16": "float16",
    "torch.bfloat16": "bfloat16",
}


def _shape(name: str, shape: Any) -> tuple[int, ...]:
    try:
        return wfi.as_shape(shape)
    except (TypeError, ValueError) as exc:
        raise type(exc)(f"params[{name!r}]: {exc}") from None


def _dtype(name: str, dtype: Any) -> np.dtype:
    try:
        return wfi.as_dtype(dtype)
    except (TypeError, ValueError) as exc:
        raise type(exc)(f"params[{name!r}]: {exc}") from None


def _as_path(path: Any) -> str:
    """A file name in an existing folder, not a folder itself."""
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path must be a str or os.PathLike, got {type(path).__name__}")
    path = os.fspath(path)
    if not isinstance(path, str):
        raise TypeError(f"path must be a str or os.PathLike of str, got {path!r}")
    folder, name = os.path.split(path)
    if not name:
        raise ValueError(f"path must name a file, got {path!r}")
    if folder and not os.path.isdir(folder):
        raise FileNotFoundError(errno.ENOENT, f"folder {folder!r} does not exist", folder)
    if os.path.isdir(path):
        raise IsADirectoryError(errno.EISDIR, f"path {path!r} is a folder, not a file", path)
    return path


def _check_room(checked: Plan) -> None:
    """The whole file must fit in the folder's free space and the file-size limit."""
    room, code, why = wfi.room(checked.path, checked.staging)
    if checked.file_bytes <= room:
        return
    end = len(checked.header)
    for tensor in checked.tensors:  # the first tensor that does not fit
        end += tensor.nbytes
        if end > room:
            break
    raise OSError(
        code,
        f"{checked.path} needs {wfi.byte_size(checked.file_bytes)} but {why} "
        f"{wfi.byte_size(room)}: it is full at params[{tensor.name!r}]; free some space or "
        "write elsewhere",
    )


def _as_part(part: Any) -> tuple[int, int]:
    if part is None:
        return 0, 1
    try:
        k, n = part
    except (TypeError, ValueError):
        raise TypeError(f"part must be a pair (k, n), got {part!r}") from None
    ints = all(isinstance(x, int) and not isinstance(x, bool) for x in (k, n))
    if not ints or n < 1 or not 0 <= k < n:
        raise ValueError(
            f"part must be (k, n) with ints 0 <= k < n (k counts from 0), got {part!r}"
        )
    return k, n


def _header(tensors: list[_Tensor], metadata: dict[str, str]) -> bytes:
    """The 8-byte little-endian length, the JSON header and its padding, as safetensors."""
    entries: dict[str, Any] = {"__metadata__": metadata}
    for t in tensors:
        entries[t.name] = {
            "dtype": _CODES[t.dtype.name],
            "shape": list(t.shape),
            "data_offsets": [t.start, t.start + t.nbytes],
        }
    text = json.dumps(entries, separators=(",", ":"), ensure_ascii=False).encode()
    text += b" " * (-len(text) % _HEADER_ALIGN)
    if len(text) > HEADER_LIMIT:
        raise ValueError(_header_too_long(entries, len(text)))
    return len(text).to_bytes(8, "little") + text


def _header_too_long(entries: dict[str, Any], length: int) -> str:
    """Which tensor takes the header past safetensors' limit, for the error."""
    used = 0
    for name, entry in entries.items():
        used += len(json.dumps({name: entry}, separators=(",", ":"), ensure_ascii=False).encode())
        if used > HEADER_LIMIT:
            break
    shown = name if len(name) <= 60 else f"{name[:40]}...({len(name):,} characters)"
    return (
        f"the safetensors header would be {length:,} bytes, over safetensors' limit of "
        f"{HEADER_LIMIT:,} (reached at {shown!r}); write fewer tensors, shorter names or "
        "less metadata per file"
    )


def _metadata_of(header: bytes) -> dict[str, Any]:
    return dict(json.loads(header[8:])["__metadata__"])


# help() and the API reference show these signatures without quoted annotations.
wfi.resolve_annotations(globals(), __all__)
