"""The torch modes behind ``fast_init``: serve init ops with winit_fast, write each tensor once.

``InitMode`` (a ``TorchDispatchMode``) sees the in-place ATen ops every random or constant
init ends in (``aten.normal_``, ``aten.uniform_``, ``aten.fill_.Scalar``, ``aten.zero_``, and
the random factories: ``_init_ops.py``) with the parameters torch computed, whoever called
them; a random op it does not serve is counted (``_fall_through.py``). A served call is
validated and takes its stream at once (so the values are those of the call order), but a
fill covering a whole storage is only *recorded* (``Recorded``: an alias of the memory, so the
fill follows the memory and not the user's tensor object): a module's
``reset_parameters`` writes a weight that the model's ``_init_weights`` then overwrites
(transformers, 2 fills per weight), and the first fill is never seen. A fill of a part of a
recorded storage (a padding row) is replayed after it. A recorded fill is written before
anything can observe the memory, unless nothing but the session holds it any more:

- before any other ATen op that takes a tensor of that storage (a read, a copy), except
  views (they read nothing) and the ops of timm's ``trunc_normal_`` that fold into a recorded
  uniform (``_trunc_pattern.py``);
- before raw access to any tensor (``numpy()``, ``data_ptr()``, ``untyped_storage()``,
  ``tolist()``, pickling: ``RawAccessMode``, a ``TorchFunctionMode``, writes everything);
- when the context exits (also after an exception), or an inner context enters.

What cannot be seen: memory read through a pointer taken before the call, or by another
thread while the context is active (torch's modes are per thread).
"""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Callable
from typing import Any

import numpy as np
import torch
from torch.overrides import TorchFunctionMode
from torch.utils._python_dispatch import TorchDispatchMode
from torch.utils._pytree import tree_leaves

from winit_fast import _interface as wfi
from winit_fast.torch import _one_thread as one_thread
from winit_fast.torch._init_ops import serve
from winit_fast.torch._tensor import numpy_dtype, write_fill
from winit_fast.torch._trunc_pattern import FOLLOW, note_uniform

_UNIFORM = torch.ops.aten.uniform_.default
Fill = Callable[[np.ndarray], Any]  # writes values into an array (the tensor's memory)
_PLAIN = (torch.Tensor, torch.nn.Parameter)


def _overlaps(tensor: torch.Tensor) -> bool:
    """Whether two elements share a place in memory (``expand``: torch refuses to fill it
    too). Gaps (``w[:, :3]``, ``w[:, ::2]``) are fine: the fill goes through a contiguous
    staging copy, or on the GPU through the runs of the storage."""
    try:
        wfi.strided_runs(tuple(tensor.shape), tuple(tensor.stride()), 0, 0, 0)
    except ValueError:
        return True
    return False


def write(tensor: torch.Tensor, fill: Fill) -> None:
    """``fill`` into the tensor's memory in C order of its shape, wherever it lives: a CPU
    tensor's NumPy view, a CUDA tensor by the GPU kernels (``_tensor.write_fill``)."""
    write_fill(tensor, fill)


class Recorded:
    """A fill of a whole storage, recorded and not yet written.

    ``alias`` is a tensor object of the session's own on that memory (``detach()`` of the
    filled tensor): the user's object may be handed other memory before the write
    (``.data = ...``, ``torch.utils.swap_tensors``, ``load_state_dict(assign=True)``), the fill
    still lands in the memory it was recorded for. ``after`` are the steps replayed on the
    alias once the fill is written (partial fills such as an Embedding's padding row, a
    ``clamp_``); ``pattern`` is what ``_trunc_pattern`` knows of the fill (None: nothing).
    """

    __slots__ = ("after", "alias", "fill", "pattern", "storage")

    def __init__(self, alias: torch.Tensor, fill: Fill, storage: Any) -> None:
        self.alias = alias
        self.fill = fill
        self.storage = storage  # the storage's Python object, for its counts
        self.after: list[Callable[[torch.Tensor], Any]] = []
        self.pattern: Any = None

    def covers(self, tensor: torch.Tensor) -> bool:
        """``tensor`` (of the same storage) is the recorded memory in the recorded layout."""
        alias = self.alias
        return (
            tensor.storage_offset() == 0
            and tensor.dtype == alias.dtype
            and tensor.shape == alias.shape
            and tensor.stride() == alias.stride()
        )

    def orphaned(self) -> bool:
        """Nothing but the alias holds the memory any more (the model dropped the tensor, e.g.
        an embedding replaced by a tied one): nobody can ever read it, so it is not written.
        (Memory that torch did not allocate is never recorded: ``FastInit.place``.) CPU memory
        shared with other processes (``share_memory_()``) is always written: their
        references do not show in this process's counts. (A CUDA storage always says
        ``is_shared()``, and torch requires a process that shares a CUDA tensor to keep it
        alive while others use it: its counts show them.)"""
        if _SOLE is None:
            return False
        if self.storage.device.type == "cpu" and self.storage.is_shared():
            return False
        uses, refs = self.holders()
        return uses <= _SOLE[0] and refs <= _SOLE[1]

    def holders(self) -> tuple[int, int]:
        """Who holds the memory: torch's use count of the storage (tensors, and the storage's
        Python object), and the Python references to that object. A storage object the user
        took before the fill is the session's own object (one per storage), so only its
        Python references tell that someone else holds it."""
        return torch._C._storage_Use_Count(self.storage._cdata), sys.getrefcount(self.storage)


def _sole_holders() -> tuple[int, int] | None:
    """``Recorded.holders`` of a storage that only the session holds, measured on this torch
    and Python; None if this torch lacks ``_storage_Use_Count`` (then no recorded fill is
    ever skipped)."""
    if getattr(torch._C, "_storage_Use_Count", None) is None:
        return None
    tensor = torch.empty(1)
    storage = tensor.untyped_storage()  # as FastInit.place does
    entry = Recorded(tensor.detach(), lambda array: None, storage)
    del tensor, storage
    return entry.holders()


_SOLE = _sole_holders()


class FastInit:
    """What a :func:`~winit_fast.torch.fast_init` context yields: ``seed``, the seed in use
    (drawn from OS entropy for ``fast_init(seed=None)``), ``calls``, the random fills served
    so far (the next one draws from ``stream=calls``), ``written``, the elements written
    into tensors' memory by the served fills so far (each write counted; a fill overwritten or
    dropped before it was written counts nothing), ``fell_through``, the random ATen ops left
    to torch's global generator inside the context, and ``unserved``, a
    ``collections.Counter`` of their op names (each name is warned about once).

    Examples
    --------
    >>> import torch, winit_fast.torch as wft
    >>> with wft.fast_init(seed=3) as init:
    ...     weight = torch.nn.init.normal_(torch.empty(4, 4))
    >>> init
    FastInit(seed=3, calls=1, written=16)
    """

    def __init__(self, seed: int) -> None:
        self.seed = seed
        self.calls = 0
        self.written = 0
        self.fell_through = 0
        self.unserved: Counter[str] = Counter()
        self.pending: dict[int, Recorded] = {}  # storage address -> its recorded fill
        self.busy = False  # inside our own code: its tensor calls are not the user's

    def __repr__(self) -> str:
        return f"FastInit(seed={self.seed}, calls={self.calls}, written={self.written})"

    def plan(self, tensor: torch.Tensor, draw: Callable[..., Any], random: bool) -> Fill | None:
        """The fill of ``tensor`` by ``draw(out=..., seed=..., stream=...)`` (or ``draw(out=)``
        for a constant), validated, its stream taken; None if winit_fast cannot serve it
        exactly (elements overlap in memory, or the parameters are refused: torch then raises
        its own error or handles the case)."""
        if not tensor.is_contiguous() and _overlaps(tensor):
            return None
        if not self.accepts(tensor, draw, random):
            return None
        if not random:
            return lambda array: draw(out=array)
        return self.drawing(draw, self.take_stream())

    def accepts(self, tensor: torch.Tensor, draw: Callable[..., Any], random: bool) -> bool:
        """Every check of ``draw`` on ``tensor``'s shape and dtype, by a dry run: nothing is
        written."""
        try:
            dry = wfi.DryRun(tuple(tensor.shape), numpy_dtype(tensor.dtype))
            draw(out=dry, seed=self.seed, stream=0) if random else draw(out=dry)
        except (ValueError, OverflowError):
            return False
        return True

    def drawing(self, draw: Callable[..., Any], stream: int) -> Fill:
        """The random fill by ``draw`` from ``stream`` of the session's seed."""
        seed = self.seed
        return lambda array: draw(out=array, seed=seed, stream=stream)

    def take_stream(self) -> int:
        """The stream of the next random fill served (``randperm`` takes one too)."""
        self.calls += 1
        return self.calls - 1

    def place(self, tensor: torch.Tensor, fill: Fill) -> None:
        """Record ``fill`` if it covers the tensor's whole storage (replacing a recorded fill
        of that storage and what follows it: they would be overwritten entirely). A fill of a
        part of a recorded storage (an Embedding's padding row) follows the recorded fill,
        replayed after it when it is written. Anything else is written now."""
        storage = tensor.untyped_storage()
        key = storage.data_ptr()
        if not storage.resizable():  # foreign memory: another storage may overlap it
            self.write_overlapping(key, storage.nbytes())
            self.write(tensor, fill)
            return
        if (
            tensor.is_contiguous()
            and tensor.storage_offset() == 0
            and tensor.numel() * tensor.element_size() == storage.nbytes()
        ):
            self.pending.pop(key, None)  # re-inserted last: the dict keeps the call order
            self.pending[key] = Recorded(tensor.detach(), fill, storage)
            return
        entry = self.pending.get(key)
        if entry is not None and tensor.dtype == entry.alias.dtype:
            geometry = (tensor.shape, tensor.stride(), tensor.storage_offset())
            entry.after.append(lambda alias: self.write(alias.as_strided(*geometry), fill))
            entry.pattern = None  # the memory is no longer one draw
            return
        self.write_pending(key)
        self.write(tensor, fill)

    def recorded(self, tensor: Any) -> Recorded | None:
        """The recorded fill that ``tensor`` covers exactly (see ``Recorded.covers``), if any."""
        if type(tensor) not in _PLAIN or tensor.device.type == "meta":
            return None
        if tensor.layout != torch.strided:  # sparse, mkldnn: no storage to look up
            return None
        entry = self.pending.get(tensor.untyped_storage().data_ptr())
        return entry if entry is not None and entry.covers(tensor) else None

    def write(self, tensor: torch.Tensor, fill: Fill) -> None:
        write(tensor, fill)
        self.written += tensor.numel()

    def write_pending(self, key: int) -> None:
        entry = self.pending.pop(key, None)
        if entry is None or entry.orphaned():
            return
        busy, self.busy = self.busy, True  # write's own tensor calls must not write others
        try:
            self.write(entry.alias, entry.fill)
            for step in entry.after:
                step(entry.alias)
        finally:
            self.busy = busy

    def write_touched(self, values: Any) -> None:
        """Write the recorded fills of every storage a tensor among ``values`` uses."""
        for leaf in tree_leaves(values):
            if isinstance(leaf, torch.Tensor) and leaf.device.type != "meta":
                try:
                    storage = leaf.untyped_storage()
                except (RuntimeError, NotImplementedError):  # subclasses without storage
                    continue
                if storage.resizable():
                    self.write_pending(storage.data_ptr())
                else:
                    self.write_overlapping(storage.data_ptr(), storage.nbytes())

    def write_overlapping(self, start: int, nbytes: int) -> None:
        """Write the recorded fills of every storage overlapping ``[start, start + nbytes)``.
        Memory torch did not allocate (``from_numpy``, ``frombuffer``, a storage's slice) may
        lie over another storage's memory, under another address: its fills are written at
        the call, and touching it writes the recorded fills under it first."""
        for key, entry in list(self.pending.items()):
            if key < start + nbytes and start < key + entry.alias.untyped_storage().nbytes():
                self.write_pending(key)

    def write_all(self) -> None:
        while self.pending:
            self.write_pending(next(iter(self.pending)))


class InitMode(TorchDispatchMode):
    """Serves the init ops of one session; every other op first writes what it touches."""

    def __init__(self, session: FastInit) -> None:
        super().__init__()
        self.session = session

    @classmethod
    def _should_skip_dynamo(cls) -> bool:
        # torch (2.6+) wraps a mode's __torch_dispatch__ in torch._disable_dynamo unless this
        # says False; the wrapper imports torch._dynamo at the first call, which costs more
        # (about a second here) than initializing a large model. Nothing is compiled here.
        return False

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        session = self.session
        if session.busy:  # our own ops (views, staging copies): as they are
            return func(*args, **kwargs)
        session.busy = True
        try:
            served = serve(session, func, args, kwargs)
            if served is not None:
                if func is _UNIFORM:  # timm's trunc_normal_ may follow: _trunc_pattern
                    note_uniform(session, args)
                return served
            if session.pending:
                follow = FOLLOW.get(func)
                if follow is not None and follow(session, args, kwargs):
                    return args[0]
                if not func.is_view:  # a view reads nothing: what is done with it is seen
                    session.write_touched((args, kwargs))
        finally:
            session.busy = False
        return one_thread.call(func, args, kwargs)  # a QR: on one thread


# Tensor methods that expose the memory to code torch does not see.
_RAW_ACCESS = frozenset(
    {
        "numpy",
        "data_ptr",
        "untyped_storage",
        "storage",
        "_typed_storage",
        "tolist",
        "__array__",
        "__dlpack__",
        "__reduce_ex__",
        "__getstate__",
    }
)


class RawAccessMode(TorchFunctionMode):
    """Writes every recorded fill before the memory of any tensor is read outside torch."""

    def __init__(self, session: FastInit) -> None:
        super().__init__()
        self.session = session

    def __torch_function__(self, func, types, args=(), kwargs=None):
        session = self.session
        if session.pending and not session.busy and getattr(func, "__name__", "") in _RAW_ACCESS:
            session.busy = True
            try:
                session.write_all()
            finally:
                session.busy = False
        return func(*args, **(kwargs or {}))
