"""winit_fast's initializers as sharded ``jax.Array``: each device's shard generated alone.

:func:`make_array` builds the array through ``jax.make_array_from_callback``: the callback
gets the global slices of one shard and returns ``winit_fast.<scheme>(shape, index=those
slices)``, whose fans come from the whole ``shape``. Element ``g`` of a stream is a pure
function of ``(seed, stream, g)``, so the array equals ``np.asarray(winit_fast.<scheme>(shape,
...))`` byte for byte for every mesh and ``PartitionSpec``. Each process generates only the
shards of its own devices: on a multi-host job nothing but the arguments travels.

Replicas: JAX itself calls the callback once when the sharding is fully replicated; for a
partly replicated one (``P("x")`` on a 2-D mesh) each distinct block is generated once per
:func:`make_array` call and handed to every device that holds it (a cache keyed by the
block's global bounds, dropped when the call returns).

Fans follow the Keras layout, which is JAX's and flax's: a dense kernel is ``(in, out)``, a
convolution kernel ``(*window, in, out)``; pass ``layout="torch"`` or ``fan_in=``/``fan_out=``
through ``**params`` to change that.

:func:`init_params` initializes a pytree of ``jax.ShapeDtypeStruct`` (what
``jax.eval_shape(model.init, ...)`` returns), each leaf from the stream named by its pytree
path joined with ``"/"`` (``{"dense": {"kernel": ...}}`` -> ``"dense/kernel"``, list items by
position), with the rule of ``init_module`` (``winit_fast._schemes.role``, read on the last
path component): leaves with 2 or more dimensions get ``scheme``, 1-D leaves named ``"bias"``
get ``bias``, other 1-D leaves (``"scale"`` of a norm) get ``norm``.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any, cast

import numpy as np

from winit_fast import _interface as wfi

try:
    import jax
    import jax.numpy as jnp
except ImportError as exc:
    raise ImportError(
        f'winit_fast.jax needs jax ({exc}); install it with `pip install "winit-fast[jax]"`'
    ) from exc

__all__ = ["SCHEMES", "init_params", "make_array"]

# The winit_fast functions make_array accepts (the registry, wfi.FUNCTIONS): element-wise ones
# are cut with index=; constants need neither seed nor stream; orthogonal is a QR of the whole
# matrix, which each shard computes.
SCHEMES = tuple(wfi.FUNCTIONS)


def make_array(
    scheme: str,
    shape: Any,
    sharding: Any,
    *,
    seed: Any,
    stream: Any = 0,
    dtype: Any = jnp.float32,
    **params: Any,
) -> jax.Array:
    """A ``jax.Array`` of ``shape`` laid out by ``sharding``, equal to ``winit_fast.<scheme>``.

    Parameters
    ----------
    scheme : str
        A winit_fast function name: ``"uniform"``, ``"normal"``, ``"truncated_normal"``,
        ``"variance_scaling"``, ``"glorot_normal"``, ``"glorot_uniform"``, ``"he_normal"``,
        ``"he_uniform"``, ``"lecun_normal"``, ``"lecun_uniform"``, ``"orthogonal"``,
        ``"zeros"``, ``"ones"``, ``"constant"`` (Keras-layout fans).
    shape : tuple of ints
        The global shape.
    sharding : jax.sharding.Sharding
        E.g. ``NamedSharding(mesh, PartitionSpec("x", "y"))``.
    seed : int in [0, 2**64) or None
        ``None`` draws one seed for the whole array (all shards agree).
    stream : int or str
    dtype : float32, bfloat16, float16 (or float64 with ``jax_enable_x64``)
    **params
        The scheme's other arguments: ``std=``, ``low=``/``high=``, ``value=`` (constant),
        ``scale=``/``mode=``/``distribution=`` (variance_scaling), ``layout=``, ...

    Examples
    --------
    >>> import jax, numpy as np, winit_fast as wf
    >>> from jax.sharding import NamedSharding, PartitionSpec as P
    >>> from winit_fast.jax import make_array
    >>> mesh = jax.make_mesh((1,), ("x",))
    >>> w = make_array("he_normal", (784, 64), NamedSharding(mesh, P("x")), seed=0)
    >>> np.asarray(w).tobytes() == wf.he_normal((784, 64), seed=0).tobytes()
    True
    """
    if not isinstance(scheme, str) or scheme not in SCHEMES:
        names = ", ".join(map(repr, SCHEMES))
        raise ValueError(f"scheme must be one of {names}, got {scheme!r}")
    shape = wfi.as_shape(shape)
    if not isinstance(sharding, jax.sharding.Sharding):
        raise TypeError(f"sharding must be a jax.sharding.Sharding, got {type(sharding).__name__}")
    try:
        sharding.shard_shape(shape)
    except ValueError as exc:  # jax's IndivisibleError: a mesh axis that does not divide
        raise ValueError(f"sharding does not fit shape {shape}: {exc}") from None
    np_dtype = _dtype(dtype)
    block = _block_function(scheme, shape, seed, stream, np_dtype, params)
    cache: dict[tuple[tuple[int, int], ...], np.ndarray] = {}

    def callback(index: tuple[slice, ...] | None) -> np.ndarray:
        assert index is not None  # jax passes the shard's global slices
        bounds = tuple(s.indices(d)[:2] for s, d in zip(index, shape, strict=True))
        if bounds not in cache:
            cache[bounds] = block(tuple(slice(lo, hi) for lo, hi in bounds))
        return cache[bounds]

    return jax.make_array_from_callback(shape, sharding, callback, dtype=np_dtype)


def init_params(
    specs: Any,
    scheme: str,
    *,
    seed: Any,
    shardings: Any = None,
    bias: float = 0.0,
    norm: float = 1.0,
    **params: Any,
) -> Any:
    """A pytree of arrays for a pytree of ``jax.ShapeDtypeStruct`` (see the module's notes).

    Parameters
    ----------
    specs : pytree of jax.ShapeDtypeStruct
        E.g. ``jax.eval_shape(model.init, key, x)``.
    scheme : str
        As in :func:`make_array`; used for the leaves with 2 or more dimensions.
    seed : int in [0, 2**64) or None
        ``None`` draws one seed for the whole tree.
    shardings : pytree of jax.sharding.Sharding, optional
        With the structure of ``specs`` (``None`` leaves allowed). Where it gives none, a
        leaf's own ``.sharding`` is used, else the first local device.
    bias, norm : float
        The values of 1-D leaves named ``"bias"``, and of the other 1-D leaves.
    **params
        Passed on to ``scheme``.

    Examples
    --------
    >>> import jax, numpy as np, winit_fast as wf
    >>> from winit_fast.jax import init_params
    >>> specs = {"dense": {"kernel": jax.ShapeDtypeStruct((784, 64), np.float32),
    ...                    "bias": jax.ShapeDtypeStruct((64,), np.float32)}}
    >>> tree = init_params(specs, "glorot_uniform", seed=0)
    >>> w = wf.glorot_uniform((784, 64), seed=0, stream="dense/kernel")
    >>> np.asarray(tree["dense"]["kernel"]).tobytes() == w.tobytes()
    True
    >>> float(np.abs(tree["dense"]["bias"]).max())
    0.0
    """
    seed = wfi.as_seed(seed)  # one draw for the whole tree when None
    bias = wfi.as_real("bias", bias)
    norm = wfi.as_real("norm", norm)
    leaves, treedef = jax.tree_util.tree_flatten_with_path(specs)
    if shardings is None:
        targets = [None] * len(leaves)
    else:
        targets, structure = jax.tree_util.tree_flatten(
            shardings, is_leaf=lambda x: x is None or isinstance(x, jax.sharding.Sharding)
        )
        if cast(Any, structure) != treedef:  # jax.tree_util types its treedefs loosely
            raise ValueError(
                f"shardings must have the structure of specs: {structure} != {treedef}"
            )
    default = jax.sharding.SingleDeviceSharding(jax.local_devices()[0])
    plans = []
    for (path, leaf), target in zip(leaves, targets, strict=True):
        if not isinstance(leaf, jax.ShapeDtypeStruct):
            raise TypeError(
                f"specs leaf {jax.tree_util.keystr(path)} must be a jax.ShapeDtypeStruct, "
                f"got {type(leaf).__name__}"
            )
        parts = [_key_name(key) for key in path]
        kind = wfi.role(parts[-1] if parts else "", len(leaf.shape))
        if target is None:  # then the leaf's own sharding, then the first local device
            target = getattr(leaf, "sharding", None) or default
        plans.append(("/".join(parts), leaf, target, kind))
    arrays = []
    for name, leaf, target, kind in plans:
        if kind == "weight":
            arrays.append(
                make_array(
                    scheme, leaf.shape, target, seed=seed, stream=name, dtype=leaf.dtype, **params
                )
            )
        else:
            value = bias if kind == "bias" else norm
            arrays.append(
                make_array("constant", leaf.shape, target, seed=seed, value=value, dtype=leaf.dtype)
            )
    return jax.tree_util.tree_unflatten(treedef, arrays)


def _key_name(key: Any) -> str:
    """One pytree path entry as a name: dict keys, attribute names, list positions."""
    for attribute in ("key", "name", "idx"):
        if hasattr(key, attribute):
            return str(getattr(key, attribute))
    return str(key)


def _dtype(dtype: Any) -> np.dtype:
    resolved = wfi.as_dtype(dtype)
    if resolved == np.float64 and jax.dtypes.canonicalize_dtype(resolved) != resolved:
        raise ValueError(
            "dtype float64 needs jax.config.update('jax_enable_x64', True); "
            "without it JAX would silently store float32"
        )
    return resolved


def _block_function(
    scheme: str, shape: tuple[int, ...], seed: Any, stream: Any, dtype: np.dtype, params: Any
) -> Callable[[tuple[slice, ...]], np.ndarray]:
    """``block(index)`` for one array; every argument is checked here, by a dry run of the
    call on the whole array (nothing is computed)."""
    entry = wfi.FUNCTIONS[scheme]
    function = entry.function
    if not entry.random:
        if scheme == "constant":
            params = {"value": params.pop("value", 0.0), **params}
        _check_keywords(function, params)
        function(shape, dtype=dtype, out=wfi.DryRun(shape, dtype), **params)

        def constant_block(index: tuple[slice, ...]) -> np.ndarray:
            block_shape = tuple(s.stop - s.start for s in index)
            return function(block_shape, dtype=dtype, **params)

        return constant_block
    _check_keywords(function, params)
    seed = wfi.as_seed(seed)  # None: one draw that every shard shares
    function(shape, seed=seed, stream=stream, out=wfi.DryRun(shape, dtype), **params)

    def random_block(index: tuple[slice, ...]) -> np.ndarray:
        return function(shape, seed=seed, stream=stream, dtype=dtype, index=index, **params)

    return random_block


def _check_keywords(function: Callable[..., Any], params: dict[str, Any]) -> None:
    accepted = set(inspect.signature(function).parameters)
    reserved = {"shape", "seed", "stream", "dtype", "index", "out", "n_threads"}
    for key in params:
        if key not in accepted or key in reserved:
            raise TypeError(f"{function.__name__} takes no argument {key!r} in make_array")


# help() and the API reference show these signatures without quoted annotations.
wfi.resolve_annotations(globals(), __all__)
