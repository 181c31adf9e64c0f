"""``Generator``: a stateful cursor over one stream, for code that wants fresh values per call."""

from __future__ import annotations

import numbers
from collections.abc import Callable
from typing import Any, overload

import numpy as np

from winit_fast import _validation as v
from winit_fast._distributions import normal, truncated_normal, uniform
from winit_fast._structured import orthogonal
from winit_fast._variance_scaling import PRESETS, variance_scaling

_STATE_KEYS = ("seed", "stream", "block")


def _per_block(dtype: Any, out: Any) -> int:
    """Elements per block of the output the call will make (``v.per_block``'s rule)."""
    if isinstance(out, np.ndarray):
        return v.per_block(out.dtype)
    try:
        return v.per_block(np.dtype(np.float32 if dtype is None else dtype))
    except (TypeError, ValueError):
        # Not a dtype NumPy knows ("bfloat16", or a typo): 4 per block, and for a typo
        # the function called next raises the real error.
        return 4


def _preset_method(name: str) -> Callable[..., np.ndarray]:
    scale, mode, default = PRESETS[name]

    def method(
        self: Generator,
        shape: Any = None,
        *,
        distribution: str = default,
        dtype: Any = None,
        out: np.ndarray | None = None,
        n_threads: int | None = None,
        layout: str = "keras",
        fan_in: int | None = None,
        fan_out: int | None = None,
        input_axes: Any = None,
        output_axes: Any = None,
    ) -> np.ndarray:
        return self.variance_scaling(
            shape,
            scale,
            mode,
            distribution,
            dtype=dtype,
            out=out,
            n_threads=n_threads,
            layout=layout,
            fan_in=fan_in,
            fan_out=fan_out,
            input_axes=input_axes,
            output_axes=output_axes,
        )

    method.__name__ = name
    method.__qualname__ = f"Generator.{name}"
    method.__doc__ = f""":func:`winit_fast.{name}`, continuing this stream.

        Examples
        --------
        >>> import winit_fast as wf
        >>> wf.Generator(seed=0).{name}((3, 3, 8, 16)).shape
        (3, 3, 8, 16)
        """
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

    def _continue(self, function: Callable[..., np.ndarray], per_block: int, *args, **kwargs):
        """``function(*args, **kwargs)`` at the current block of this stream, then the counter
        moves past the blocks the result used. It moves only when the call succeeds, so a
        rejected call uses nothing."""
        offset = self._block * per_block
        result = function(*args, seed=self._seed, stream=self._stream, offset=offset, **kwargs)
        self._block += -(-result.size // per_block)
        return result

    def uniform(
        self,
        shape: Any = None,
        low: float = 0.0,
        high: float = 1.0,
        *,
        dtype: Any = None,
        out: np.ndarray | None = None,
        n_threads: int | None = None,
    ) -> np.ndarray:
        """:func:`winit_fast.uniform`, continuing this stream.

        Examples
        --------
        >>> import winit_fast as wf
        >>> wf.Generator(seed=0).uniform((2, 3), -1.0, 1.0).shape
        (2, 3)
        """
        per = _per_block(dtype, out)
        return self._continue(
            uniform, per, shape, low, high, dtype=dtype, out=out, n_threads=n_threads
        )

    def normal(
        self,
        shape: Any = None,
        mean: float = 0.0,
        std: float = 1.0,
        *,
        dtype: Any = None,
        out: np.ndarray | None = None,
        n_threads: int | None = None,
    ) -> np.ndarray:
        """:func:`winit_fast.normal`, continuing this stream.

        Examples
        --------
        >>> import winit_fast as wf
        >>> wf.Generator(seed=0).normal(5, std=0.1).dtype
        dtype('float32')
        """
        per = _per_block(dtype, out)
        return self._continue(
            normal, per, shape, mean, std, dtype=dtype, out=out, n_threads=n_threads
        )

    def truncated_normal(
        self,
        shape: Any = None,
        mean: float = 0.0,
        std: float = 1.0,
        *,
        a: float = -2.0,
        b: float = 2.0,
        dtype: Any = None,
        out: np.ndarray | None = None,
        n_threads: int | None = None,
    ) -> np.ndarray:
        """``winit_fast.truncated_normal``, continuing this stream.

        Examples
        --------
        >>> import winit_fast as wf
        >>> w = wf.Generator(seed=0).truncated_normal(1000, std=0.02)
        >>> bool((abs(w) <= 0.04).all())
        True
        """
        per = _per_block(dtype, out)
        kwargs = {"a": a, "b": b, "dtype": dtype, "out": out, "n_threads": n_threads}
        return self._continue(truncated_normal, per, shape, mean, std, **kwargs)

    def variance_scaling(
        self,
        shape: Any = None,
        scale: float = 1.0,
        mode: str = "fan_in",
        distribution: str = "truncated_normal",
        *,
        dtype: Any = None,
        out: np.ndarray | None = None,
        n_threads: int | None = None,
        layout: str = "keras",
        fan_in: int | None = None,
        fan_out: int | None = None,
        input_axes: Any = None,
        output_axes: Any = None,
    ) -> np.ndarray:
        """:func:`winit_fast.variance_scaling`, continuing this stream.

        Examples
        --------
        >>> import winit_fast as wf
        >>> wf.Generator(seed=0).variance_scaling((64, 32), 2.0, distribution="uniform").shape
        (64, 32)
        """
        kwargs = {"dtype": dtype, "out": out, "n_threads": n_threads, "layout": layout}
        fans = {"fan_in": fan_in, "fan_out": fan_out}
        axes = {"input_axes": input_axes, "output_axes": output_axes}
        per = _per_block(dtype, out)
        args = (shape, scale, mode, distribution)
        return self._continue(variance_scaling, per, *args, **kwargs, **fans, **axes)

    def orthogonal(
        self,
        shape: Any = None,
        gain: float = 1.0,
        *,
        dtype: Any = None,
        out: np.ndarray | None = None,
        n_threads: int | None = None,
    ) -> np.ndarray:
        """:func:`winit_fast.orthogonal`, continuing this stream.

        Its normals are drawn in float64 (2 per block) whatever ``dtype`` is.

        Examples
        --------
        >>> import winit_fast as wf
        >>> g = wf.Generator(seed=0)
        >>> g.orthogonal((4, 6)).shape, g.state["block"]
        ((4, 6), 12)
        """
        per = v.per_block(v.FLOAT64)  # the normals are float64 whatever dtype is
        return self._continue(
            orthogonal, per, shape, gain, dtype=dtype, out=out, n_threads=n_threads
        )

    glorot_normal = _preset_method("glorot_normal")
    glorot_uniform = _preset_method("glorot_uniform")
    he_normal = _preset_method("he_normal")
    he_uniform = _preset_method("he_uniform")
    lecun_normal = _preset_method("lecun_normal")
    lecun_uniform = _preset_method("lecun_uniform")
