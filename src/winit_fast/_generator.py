"""``Generator``: a stateful cursor over one stream, for code that wants fresh values per call."""

from __future__ import annotations

import contextlib
import inspect
import math
import numbers
from collections.abc import Callable, Iterator
from typing import Any, overload

import numpy as np

from winit_fast import _validation as v
from winit_fast._schemes import FUNCTIONS, Scheme
from winit_fast._stream import blocks_used, per_block

_STATE_KEYS = ("seed", "stream", "block")


def _per_block(dtype: Any) -> int:
    """Elements per block of an output of ``dtype`` (``_stream.per_block``'s rule)."""
    try:
        return per_block(np.dtype(np.float32 if dtype is None else dtype))
    except (TypeError, ValueError):
        # Not a dtype NumPy knows ("bfloat16", or a typo): 4 per block, and for a typo
        # the function called next raises the real error.
        return 4


def _size(shape: Any, out: Any) -> int:
    """Elements of a call's result (0 when shape or out is wrong: the call then says why)."""
    if isinstance(out, np.ndarray):
        return out.size
    try:
        return math.prod(v.as_shape(shape))
    except (TypeError, ValueError):
        return 0


# What a method leaves out of its function's keywords: the generator gives them.
_GIVEN = ("seed", "stream", "offset", "index")
_METHOD_DOC = """:func:`winit_fast.{name}`, continuing this stream.

        Every argument of the function but ``seed``, ``stream``, ``offset`` and ``index``,
        which the generator gives.{note}

        Examples
        --------
        >>> import winit_fast as wf
        >>> wf.Generator(seed=0).{name}((3, 4, 8)).shape
        (3, 4, 8)
        """


def _method(scheme: Scheme) -> Callable[..., np.ndarray]:
    """``Generator.<name>``: the registry's random fill ``name``, at the stream's next
    block, which it reserves (:meth:`Generator.reserve`)."""
    function, name = scheme.function, scheme.name
    full = inspect.signature(function)
    this = inspect.Parameter("self", inspect.Parameter.POSITIONAL_OR_KEYWORD)
    kept = [p for p in full.parameters.values() if p.name not in _GIVEN]
    signature = full.replace(parameters=[this, *kept])
    # orthogonal draws float64 normals whatever its dtype; the others, elements of theirs
    drawn = v.FLOAT64 if name == "orthogonal" else None

    def method(self: Generator, *args: Any, **kwargs: Any) -> np.ndarray:
        arguments = signature.bind(self, *args, **kwargs).arguments
        del arguments["self"]
        shape, out = arguments.get("shape"), arguments.get("out")
        dtype = out.dtype if isinstance(out, np.ndarray) else arguments.get("dtype")
        dtype = dtype if drawn is None else drawn
        count = _size(shape, out)
        # a span past the stream's end is named by the argument that asked for it
        what = f"out (of {count} elements)" if isinstance(out, np.ndarray) else f"shape={shape!r}"
        with self._reserve(count, dtype, what) as offset:
            where = {"seed": self._seed, "stream": self._stream, "offset": offset}
            return function(**arguments, **where)

    note = " Its normals are drawn in float64 (2 per block) whatever ``dtype`` is." if drawn else ""
    method.__name__ = name
    method.__qualname__ = f"Generator.{name}"
    method.__doc__ = _METHOD_DOC.format(name=name, note=note)
    method.__signature__ = signature  # type: ignore[attr-defined]  # what help() shows
    return method


class Generator:
    """A seeded stream that each call continues, so every call gets fresh values.

    The generator keeps a Philox block counter. Each call starts at a fresh block (element
    ``block * per_block`` of the stream, with 4 elements per block for 32- and 16-bit dtypes
    and 2 for float64) and moves the counter past the blocks it used, so no word of the
    stream is used twice and a sequence of calls is reproducible from ``(seed, stream)``.
    Not thread-safe: give each thread its own generator (see :meth:`spawn`).

    Parameters
    ----------
    seed : int in [0, 2**64), optional
        ``None`` draws 64 bits of OS entropy once, here.
    stream : int in [0, 2**64) or str
        The stream id (a str is hashed with BLAKE2b-64, as everywhere in winit_fast).

    Examples
    --------
    >>> import numpy as np, winit_fast as wf
    >>> g = wf.Generator(seed=0)
    >>> a = g.he_normal((784, 64))
    >>> b = g.glorot_uniform((64, 10))
    >>> a.shape, b.shape, g.state["block"]
    ((784, 64), (64, 10), 12704)
    >>> g2 = wf.Generator(seed=0)
    >>> bool((g2.he_normal((784, 64)) == a).all())
    True
    """

    # The random fills of the registry (winit_fast._schemes.FUNCTIONS), each continuing this
    # stream; made from the registry by _add_methods, named here for type checkers.
    uniform: Callable[..., np.ndarray]
    normal: Callable[..., np.ndarray]
    truncated_normal: Callable[..., np.ndarray]
    variance_scaling: Callable[..., np.ndarray]
    glorot_normal: Callable[..., np.ndarray]
    glorot_uniform: Callable[..., np.ndarray]
    he_normal: Callable[..., np.ndarray]
    he_uniform: Callable[..., np.ndarray]
    lecun_normal: Callable[..., np.ndarray]
    lecun_uniform: Callable[..., np.ndarray]
    orthogonal: Callable[..., np.ndarray]

    def __init__(self, seed: int | None = None, stream: int | str = 0) -> None:
        self._seed = v.as_seed(seed)
        self._stream = v.stream_id(stream)
        self._block = 0

    def __repr__(self) -> str:
        return f"Generator(seed={self._seed}, stream={self._stream}, block={self._block})"

    @property
    def state(self) -> dict[str, int]:
        """``{"seed", "stream", "block"}``: assign it back to resume from this point.

        Examples
        --------
        >>> import winit_fast as wf
        >>> g = wf.Generator(seed=1)
        >>> saved = g.state
        >>> a = g.normal(10)
        >>> g.state = saved
        >>> bool((g.normal(10) == a).all())
        True
        """
        return {"seed": self._seed, "stream": self._stream, "block": self._block}

    @state.setter
    def state(self, value: dict[str, int]) -> None:
        if not isinstance(value, dict) or set(value) != set(_STATE_KEYS):
            raise ValueError(f"state must be a dict with exactly the keys {_STATE_KEYS}")
        if value["seed"] is None:  # as_seed(None) would draw entropy: a state is exact
            raise TypeError("seed in a state must be an int, got None")
        block = v.as_count("block", value["block"])
        if block >= v.UINT64_LIMIT:
            raise ValueError(f"block must be < 2**64, got {block}")
        # Validate everything before assigning anything: a rejected state changes nothing.
        seed, stream = v.as_seed(value["seed"]), v.stream_id(value["stream"])
        self._seed, self._stream, self._block = seed, stream, block

    @overload
    def spawn(self, n_children: int) -> list[Generator]: ...
    @overload
    def spawn(self, n_children: str) -> Generator: ...

    def spawn(self, n_children: int | str) -> list[Generator] | Generator:
        """Independent child generators: a list of ``n_children`` (as NumPy's
        ``Generator.spawn``), or, given a name, the one child of that name.

        Child ``name`` has the parent's seed and its own stream, ``Generator(seed,
        stream=f"{stream}/{name}")``, where ``stream`` is the parent's stream id in decimal:
        its id is ``int.from_bytes(blake2b(f"{stream}/{name}".encode(), digest_size=8)
        .digest(), "little")``. ``spawn(n)`` gives the children named ``"0"``, ... ``str(n -
        1)``, so ``spawn(n)[i]`` is ``spawn(str(i))``. Children start at block 0 and depend
        only on the parent's ``(seed, stream)`` and their name or index, never on how far the
        parent has advanced: a child per layer, worker or thread stays the same when other
        calls are added or reordered. Unlike NumPy, which counts the children it has spawned,
        a second ``spawn(n)`` returns the same ``n`` children: spawn all you need in one call,
        or name them.

        What independence means here: each child is its own Philox4x32-10 counter stream
        (same key, another 64-bit stream id; two ids collide with probability about 2**-64
        per pair), so no two children ever share a counter, hence a word. Beyond that, their
        independence is Philox's: distinct counters of one key pass the published tests
        (TestU01's BigCrush, Salmon et al. 2011), which is evidence, not a proof, that the
        children's values behave as independent.

        Parameters
        ----------
        n_children : int >= 0, or str
            How many children (a list), or the name of one child (a generator).

        Returns
        -------
        list of Generator, or Generator

        Examples
        --------
        >>> import winit_fast as wf
        >>> g = wf.Generator(seed=0)
        >>> workers = g.spawn(3)
        >>> [w.state["stream"] == g.spawn(str(i)).state["stream"] for i, w in enumerate(workers)]
        [True, True, True]
        >>> child = g.spawn("dense_1")
        >>> child.state["stream"] == wf.Generator(0, stream="0/dense_1").state["stream"]
        True
        """
        if isinstance(n_children, str):
            return Generator(self._seed, stream=f"{self._stream}/{n_children}")
        if not isinstance(n_children, (numbers.Integral, np.integer)):
            raise TypeError(
                f"n_children must be an int or a name (str), got {type(n_children).__name__}"
            )
        count = v.as_count("n_children", n_children)
        return [Generator(self._seed, stream=f"{self._stream}/{i}") for i in range(count)]

    @contextlib.contextmanager
    def reserve(self, count: int, dtype: Any = None) -> Iterator[int]:
        """Reserves the next ``count`` elements of this stream, of ``dtype`` (float32 if None).

        Yields the stream offset of the first, at a fresh Philox block: pass it as ``offset=``
        to a function with this generator's ``seed`` and ``stream`` (``state``). When the
        ``with`` block ends without an exception, the generator moves past the blocks those
        elements use, so no later call gets any of them; when it raises, nothing is used.
        Every method of the generator draws this way.

        Examples
        --------
        >>> import winit_fast as wf
        >>> g = wf.Generator(seed=0)
        >>> with g.reserve(10) as offset:
        ...     mine = wf.normal(10, seed=0, offset=offset)
        >>> offset, g.state["block"]
        (0, 3)
        >>> bool((g.normal(4) == wf.normal(4, seed=0, offset=12)).all())
        True
        """
        count = v.as_count("count", count)
        with self._reserve(count, dtype, f"count={count}") as offset:
            yield offset

    @contextlib.contextmanager
    def _reserve(self, count: int, dtype: Any, what: str) -> Iterator[int]:
        """:meth:`reserve` of a checked ``count``; ``what`` asked for it (error messages)."""
        per = _per_block(dtype)
        used = blocks_used(count, per)
        if self._block + used > v.UINT64_LIMIT:
            raise ValueError(
                f"{what} runs past the end of the stream (block {self._block} of 2**64)"
            )
        yield self._block * per
        self._block += used


def _add_methods() -> None:
    """A method for every random fill of the registry (its element-wise fills and
    orthogonal): a family added to the registry gets its Generator method here."""
    for name, scheme in FUNCTIONS.items():
        if scheme.random:
            setattr(Generator, name, _method(scheme))


_add_methods()
