"""The variance-scaling family (Keras 3 formulas): Glorot/Xavier, He/Kaiming, LeCun.

``n`` is ``fan_in``, ``fan_out`` or their mean, and ``s = scale / max(1, n)`` (so zero fans
never divide by zero). Then ``truncated_normal`` draws ``N(0, (sqrt(s) / 0.8796...)**2)`` cut
at +-2 std, whose variance is ``s``; ``untruncated_normal`` draws ``N(0, s)``; ``uniform``
draws ``U(-sqrt(3 s), sqrt(3 s))``, whose variance is also ``s``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from winit_fast import _distributions as d
from winit_fast import _validation as v
from winit_fast._fans import compute_fans
from winit_fast._placement import FANS, WHERE, Placement, Scaling, spelled_out, unexpected

if TYPE_CHECKING:
    from typing_extensions import Unpack

MODES = ("fan_in", "fan_out", "fan_avg")
DISTRIBUTIONS = ("truncated_normal", "untruncated_normal", "uniform")
# Keras accepts "normal" and means the truncated one (JAX's "normal" is untruncated).
_ALIASES = {"normal": "truncated_normal"}
# Standard deviation of a standard normal truncated to [-2, 2]: dividing by it makes the
# truncated draw have exactly the requested variance (Keras's constant, to the digit).
TRUNCATED_STD = 0.87962566103423978


def resolve_distribution(distribution: Any) -> str:
    """The canonical distribution name; ``"normal"`` is Keras's alias of the truncated one."""
    if isinstance(distribution, str):
        distribution = _ALIASES.get(distribution, distribution)
        if distribution in DISTRIBUTIONS:
            return distribution
    names = ", ".join(map(repr, (*DISTRIBUTIONS, *_ALIASES)))
    raise ValueError(f"distribution must be one of {names}, got {distribution!r}")


def resolve_mode(mode: Any) -> str:
    if isinstance(mode, str) and mode in MODES:
        return mode
    raise ValueError(f"mode must be one of {', '.join(map(repr, MODES))}, got {mode!r}")


def resolve_scale(scale: Any) -> float:
    value = v.as_real("scale", scale)
    if value <= 0:
        raise ValueError(f"scale must be > 0, got {value}")
    return value


def resolve_fans(
    shape: Any,
    layout: str,
    fan_in: Any,
    fan_out: Any,
    input_axes: Any = None,
    output_axes: Any = None,
) -> tuple[int | float, int | float]:
    """Fans from the (global) shape; explicit ``fan_in``/``fan_out`` win over it.

    ``input_axes``/``output_axes`` (Keras 3's, given together) replace the layout rule, as in
    :func:`compute_fans`; they define both fans, so ``fan_in=``/``fan_out=`` cannot join them.
    """
    layout = v.as_layout(layout)
    explicit_in = None if fan_in is None else v.as_count("fan_in", fan_in)
    explicit_out = None if fan_out is None else v.as_count("fan_out", fan_out)
    if input_axes is not None or output_axes is not None:
        for name, value in (("fan_in", explicit_in), ("fan_out", explicit_out)):
            if value is not None:
                raise ValueError(
                    f"{name} cannot be combined with input_axes/output_axes (the axes define "
                    "both fans)"
                )
        if shape is None:
            raise TypeError("shape is required with input_axes and output_axes (or out=)")
        return compute_fans(shape, layout=layout, input_axes=input_axes, output_axes=output_axes)
    if explicit_in is not None and explicit_out is not None:
        return explicit_in, explicit_out
    if shape is None:
        raise TypeError("shape is required (or out=, or both fan_in= and fan_out=)")
    shape_in, shape_out = compute_fans(shape, layout=layout)
    return (
        shape_in if explicit_in is None else explicit_in,
        shape_out if explicit_out is None else explicit_out,
    )


def _variance_scaling(
    function: str, shape: Any, scale: Any, mode: Any, distribution: Any, options: Any
) -> np.ndarray:
    """The family's one implementation, behind :func:`variance_scaling` and the presets:
    ``options`` are the keywords (``_placement.Scaling``) the call of ``function`` got."""
    unexpected(function, options, WHERE, FANS)
    where = Placement(**{name: options[name] for name in WHERE if name in options})
    layout, fan_in, fan_out, input_axes, output_axes = (options.get(k, FANS[k]) for k in FANS)
    scale = resolve_scale(scale)
    mode = resolve_mode(mode)
    distribution = resolve_distribution(distribution)
    if where.index is not None and shape is None:
        raise TypeError("shape (the shape of the whole tensor) is required with index")
    out = where.out
    v.check_out_type(out)  # before the fans, which would otherwise ask for a shape
    fan_shape = shape if shape is not None or not isinstance(out, np.ndarray) else out.shape
    fans_in, fans_out = resolve_fans(fan_shape, layout, fan_in, fan_out, input_axes, output_axes)
    try:
        n = {"fan_in": fans_in, "fan_out": fans_out, "fan_avg": (fans_in + fans_out) / 2}[mode]
        scale /= max(1.0, float(n))
    except OverflowError:  # the fans of a shape or fan_in/fan_out beyond any float
        raise ValueError(
            f"fan_in and fan_out (given, or from shape) must be below 2**1024 for mode={mode!r}"
        ) from None
    if distribution == "truncated_normal":
        std = math.sqrt(scale) / TRUNCATED_STD
        return d.draw(shape, d.TRUNCATED_NORMAL, (0.0, std, -2.0, 2.0), where)
    if distribution == "untruncated_normal":
        return d.draw(shape, d.NORMAL, (0.0, math.sqrt(scale)), where)
    limit = math.sqrt(3.0 * scale)
    return d.draw(shape, d.UNIFORM, (-limit, limit), where)


# The parameters every member of the family shares, in the docstrings of variance_scaling and
# of each preset (one text, so help() of a preset documents its own keywords).
_SHARED_PARAMETERS = """\
    seed, dtype, out, stream, offset, n_threads
        As in :func:`winit_fast.normal`. ``seed=None`` draws fresh entropy on each call.
    index : tuple of slices (or of lists of slices), optional
        Returns only this block of the tensor of ``shape`` (as in
        :func:`winit_fast.normal`); the fans still come from the whole ``shape``.
    layout : {"keras", "torch"}
        How the fans are read from ``shape`` (see :func:`winit_fast.compute_fans`).
    fan_in, fan_out : int, optional
        Explicit fans; each one given wins over the value computed from ``shape``. For
        grouped, depthwise or transposed convolutions pass the fans of
        ``compute_fans(shape, groups=..., depthwise=..., transposed=...)``.
    input_axes, output_axes : sequence of ints, optional
        Keras 3's explicit fans, given together (one alone is an error): ``fan_in`` is the
        product of the whole ``shape`` over ``input_axes``, ``fan_out`` over
        ``output_axes``, as in :func:`winit_fast.compute_fans`. They replace the ``layout``
        rule and cannot be combined with ``fan_in``/``fan_out``. E.g. an attention query
        kernel ``(dim, heads, key_dim)`` takes ``input_axes=[0], output_axes=[1, 2]``.

    Returns
    -------
    numpy.ndarray
        Values of variance ``scale / n``, in ``out`` or a new array as
        :func:`winit_fast.uniform` returns its values.
"""


@spelled_out(WHERE, FANS)
def variance_scaling(
    shape: Any = None,
    scale: float = 1.0,
    mode: str = "fan_in",
    distribution: str = "truncated_normal",
    **options: Unpack[Scaling],
) -> np.ndarray:
    """Values whose variance is ``scale / n``, with Keras 3's exact formulas.

    ``n`` is ``fan_in``, ``fan_out`` or ``(fan_in + fan_out) / 2`` per ``mode``, and the
    scale used is ``s = scale / max(1, n)``:

    - ``"truncated_normal"`` (also ``"normal"``, as in Keras):
      ``truncated_normal(shape, 0, sqrt(s) / 0.87962566103423978, a=-2, b=2)``;
    - ``"untruncated_normal"``: ``normal(shape, 0, sqrt(s))``;
    - ``"uniform"``: ``uniform(shape, -sqrt(3 s), sqrt(3 s))``.

    Parameters
    ----------
    shape : int or tuple of ints, optional
        Shape of the whole tensor; may be omitted when ``out`` is given (then ``out.shape``).
    scale : float > 0
    mode : {"fan_in", "fan_out", "fan_avg"}
    distribution : {"truncated_normal", "normal", "untruncated_normal", "uniform"}
    {shared}
    Examples
    --------
    >>> import winit_fast as wf
    >>> w = wf.variance_scaling((1000, 500), 2.0, "fan_in", "uniform", seed=0)
    >>> w.shape, w.dtype, round(float(w.var() * 1000), 2)
    ((1000, 500), dtype('float32'), 2.0)
    """
    return _variance_scaling("variance_scaling", shape, scale, mode, distribution, options)


variance_scaling.__doc__ = (variance_scaling.__doc__ or "").replace(
    "    {shared}\n", _SHARED_PARAMETERS
)

# name -> (scale, mode, default distribution): the presets of Keras 3.
PRESETS = {
    "glorot_normal": (1.0, "fan_avg", "truncated_normal"),
    "glorot_uniform": (1.0, "fan_avg", "uniform"),
    "he_normal": (2.0, "fan_in", "truncated_normal"),
    "he_uniform": (2.0, "fan_in", "uniform"),
    "lecun_normal": (1.0, "fan_in", "truncated_normal"),
    "lecun_uniform": (1.0, "fan_in", "uniform"),
}

_PRESET_DOC = """{title}: variance ``{variance}``, with Keras's formulas.

    {meaning} Keras semantics: the default distribution is ``"{distribution}"``{note};
    ``distribution=`` overrides it. The same as :func:`variance_scaling` with
    ``scale={scale:g}, mode="{mode}"``.

    Parameters
    ----------
    shape : int or tuple of ints, optional
        Shape of the whole tensor; may be omitted when ``out`` is given (then ``out.shape``).
    distribution : {{"truncated_normal", "normal", "untruncated_normal", "uniform"}}
        ``"truncated_normal"`` (also ``"normal"``, as in Keras) is cut at +-2 std and rescaled
        to the variance; ``"untruncated_normal"`` is torch's ``{torch_name}``;
        ``"uniform"`` is ``U(-sqrt(3 var), sqrt(3 var))``.
{shared}
    Examples
    --------
    >>> import winit_fast as wf
    >>> w = wf.{name}((3, 3, 64, 128), seed=0)
    >>> w.shape, w.dtype
    ((3, 3, 64, 128), dtype('float32'))
"""

# family -> (variance, what it is, torch's untruncated normal of that variance)
_MEANINGS = {
    "glorot": ("2 / (fan_in + fan_out)", "Glorot & Bengio 2010, torch's Xavier.", "xavier_normal_"),
    "he": ("2 / fan_in", "He et al. 2015, torch's Kaiming with ReLU gain.", "kaiming_normal_"),
    "lecun": (
        "1 / fan_in",
        "LeCun et al. 1998; the seed article's 'Xavier'.",
        'kaiming_normal_(nonlinearity="linear")',
    ),
}


def _make_preset(name: str) -> Callable[..., np.ndarray]:
    scale, mode, default = PRESETS[name]

    @spelled_out(WHERE, FANS)
    def preset(
        shape: Any = None, *, distribution: str = default, **options: Unpack[Scaling]
    ) -> np.ndarray:
        return _variance_scaling(name, shape, scale, mode, distribution, options)

    variance, meaning, torch_name = _MEANINGS[name.split("_")[0]]
    note = " (cut at +-2 std, rescaled)" if default == "truncated_normal" else ""
    preset.__name__ = preset.__qualname__ = name
    preset.__doc__ = _PRESET_DOC.format(
        title=name.replace("_", " ").capitalize(),
        variance=variance,
        scale=scale,
        mode=mode,
        meaning=meaning,
        torch_name=torch_name,
        distribution=default,
        note=note,
        name=name,
        shared=_SHARED_PARAMETERS,
    )
    return preset


glorot_normal = _make_preset("glorot_normal")
glorot_uniform = _make_preset("glorot_uniform")
he_normal = _make_preset("he_normal")
he_uniform = _make_preset("he_uniform")
lecun_normal = _make_preset("lecun_normal")
lecun_uniform = _make_preset("lecun_uniform")
