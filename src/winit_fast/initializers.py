"""Keras-style initializer objects: ``init = HeNormal(seed=0); w = init((784, 64))``.

Each class is callable as ``init(shape, dtype=None)`` and returns a NumPy array; configs use
Keras 3's key names, so ``get_config()`` of an initializer built with Keras's options alone
is a Keras config, and ``get`` accepts the same identifiers as ``keras.initializers.get``.

Seeds follow Keras 3:

- an int ``seed`` gives the same values on every call;
- ``seed=None`` draws one seed at construction, so the instance repeats itself on every call
  (two instances differ); ``get_config()`` then reports ``None``, as Keras does, so an
  instance rebuilt from the config draws its own seed;
- a :class:`winit_fast.Generator` as ``seed`` gives fresh values on each call (the generator
  advances); its config holds the generator's state at the time of ``get_config()``
  (:mod:`winit_fast.keras` also takes a ``keras.random.SeedGenerator``).

The functional API (``winit_fast.he_normal(shape)``) differs: there ``seed=None`` draws fresh
entropy on every call, as NumPy does.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from typing import Any

import numpy as np

from winit_fast import _validation as v
from winit_fast._constants import constant
from winit_fast._fans import as_axes
from winit_fast._generator import Generator
from winit_fast._schemes import FUNCTIONS, SCHEME_FUNCTIONS
from winit_fast._signatures import resolve_annotations as _resolve_annotations
from winit_fast._structured import identity
from winit_fast._variance_scaling import PRESETS, resolve_distribution, resolve_mode, resolve_scale

__all__ = [
    "Constant",
    "GlorotNormal",
    "GlorotUniform",
    "HeNormal",
    "HeUniform",
    "Identity",
    "Initializer",
    "LecunNormal",
    "LecunUniform",
    "Ones",
    "Orthogonal",
    "RandomNormal",
    "RandomUniform",
    "TruncatedNormal",
    "VarianceScaling",
    "Zeros",
    "get",
]


class Initializer:
    """Base class: ``init(shape, dtype=None)``, ``get_config()``, ``from_config(config)``.

    Examples
    --------
    >>> from winit_fast.initializers import Ones
    >>> init = Ones()
    >>> init((2,)), init.get_config()
    (array([1., 1.], dtype=float32), {})
    """

    def __call__(self, shape: Any, dtype: Any = None) -> np.ndarray:
        raise NotImplementedError

    def get_config(self) -> dict[str, Any]:
        """The constructor arguments, as a dict that :meth:`from_config` accepts."""
        return {}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Initializer:
        """A new instance from :meth:`get_config`'s dict."""
        return cls(**config)

    def __repr__(self) -> str:
        arguments = ", ".join(f"{k}={value!r}" for k, value in self.get_config().items())
        return f"{type(self).__name__}({arguments})"


class Zeros(Initializer):
    """All zeros.

    Examples
    --------
    >>> from winit_fast.initializers import Zeros
    >>> Zeros()((2, 2), dtype="float64")
    array([[0., 0.],
           [0., 0.]])
    """

    def __call__(self, shape: Any, dtype: Any = None) -> np.ndarray:
        return constant(shape, 0.0, dtype=dtype)


class Ones(Initializer):
    """All ones.

    Examples
    --------
    >>> from winit_fast.initializers import Ones
    >>> Ones()(3)
    array([1., 1., 1.], dtype=float32)
    """

    def __call__(self, shape: Any, dtype: Any = None) -> np.ndarray:
        return constant(shape, 1.0, dtype=dtype)


class Constant(Initializer):
    """Every element equal to ``value``: a number, or an array broadcast to the shape.

    As in Keras 3, ``value`` may be an array (``Constant(np.arange(3))((2, 3))`` repeats the
    row); it must broadcast to the requested shape. Each value is rounded to the dtype as a
    scalar would be (16-bit dtypes through float32, as everywhere in winit_fast).

    Examples
    --------
    >>> from winit_fast.initializers import Constant
    >>> Constant(0.5)(2), Constant(0.5).get_config()
    (array([0.5, 0.5], dtype=float32), {'value': 0.5})
    >>> Constant([1.0, 2.0])((2, 2))
    array([[1., 2.],
           [1., 2.]], dtype=float32)
    """

    def __init__(self, value: Any = 0.0) -> None:
        self.value: float | np.ndarray = _as_constant_value(value)

    def __call__(self, shape: Any, dtype: Any = None) -> np.ndarray:
        if isinstance(self.value, float):
            return constant(shape, self.value, dtype=dtype)
        target = v.prepare_out(shape, dtype, None)
        check_broadcast(self.value, target.shape)
        finite = np.abs(self.value[np.isfinite(self.value)])
        if finite.size and not v.fits(float(finite.max()), target.dtype):
            raise ValueError(f"value has elements that overflow {target.dtype}")
        # Through the working precision, as a scalar value is (16-bit via float32).
        target[...] = self.value.astype(v.working_dtype(target.dtype))
        return target

    def get_config(self) -> dict[str, Any]:
        value = self.value
        return {"value": value if isinstance(value, float) else value.tolist()}


def _as_constant_value(value: Any) -> float | np.ndarray:
    """A Python float, or a float64 array of rank >= 1 (a rank-0 array is a number)."""
    if isinstance(value, dict) and value.get("class_name") == "__numpy__":
        value = value.get("config", {}).get("value")  # an array, as Keras's config writes it
    if isinstance(value, (list, tuple, np.ndarray)):
        array = np.asarray(value)
        if array.dtype.kind not in "biuf":
            raise TypeError(f"value must be a number or an array of numbers, got {array.dtype}")
        if array.ndim == 0:
            return v.as_real("value", array.item(), finite=False)
        return array.astype(np.float64)
    return v.as_real("value", value, finite=False)


def check_broadcast(value: np.ndarray, dims: tuple[int, ...]) -> None:
    """``ValueError`` unless ``value`` broadcasts to exactly ``dims``."""
    try:
        reaches = np.broadcast_shapes(value.shape, dims) == dims
    except ValueError:
        reaches = False
    if not reaches:
        raise ValueError(f"value of shape {value.shape} does not broadcast to shape {dims}")


class _Seeded(Initializer):
    """Holds the seed (int, drawn once, or a Generator) and the stream id."""

    def __init__(self, seed: Any = None, stream: Any = 0) -> None:
        if isinstance(seed, dict):  # a serialized Generator, from get_config()
            seed = _generator_from_config(seed)
        self._init_seed = seed
        self._generator = seed if isinstance(seed, Generator) else None
        if self._generator is not None and stream != 0:
            raise ValueError("stream must be 0 when seed is a Generator (it has its own stream)")
        # Validated here, so a bad seed or stream fails at construction, as in Keras.
        self._seed = None if self._generator is not None else v.as_seed(seed)
        v.stream_id(stream)
        self.stream = stream

    @property
    def seed(self) -> int | Generator | None:
        """The int seed used on every call (drawn at construction if None was given), or the
        Generator."""
        return self._generator if self._generator is not None else self._seed

    def _draw(self, method: str, shape: Any, dtype: Any, *args: Any, **kwargs: Any):
        """``Generator.<method>`` when seeded by a generator, else ``winit_fast.<method>``."""
        if self._generator is not None:
            return getattr(self._generator, method)(shape, *args, dtype=dtype, **kwargs)
        function = FUNCTIONS[method].function  # the fill the Generator method continues
        return function(shape, *args, dtype=dtype, seed=self._seed, stream=self.stream, **kwargs)

    def _seed_config(self) -> dict[str, Any]:
        seed = self._init_seed
        if isinstance(seed, Generator):
            seed = {"class_name": "Generator", "config": seed.state}
        config = {"seed": seed}
        if self.stream != 0:  # winit_fast's own option: only when used, keeping Keras keys
            config["stream"] = self.stream
        return config


def _generator_from_config(seed: dict[str, Any]) -> Generator:
    if seed.get("class_name") != "Generator" or not isinstance(seed.get("config"), dict):
        raise ValueError(f"seed must be an int, None, a Generator or its config, got {seed!r}")
    generator = Generator()
    generator.state = dict(seed["config"])
    return generator


class RandomUniform(_Seeded):
    """Uniform in ``[minval, maxval)`` (Keras defaults ``-0.05, 0.05``).

    Examples
    --------
    >>> from winit_fast.initializers import RandomUniform
    >>> init = RandomUniform(-1.0, 1.0, seed=0)
    >>> bool((init((3, 4)) == init((3, 4))).all()), init.get_config()
    (True, {'minval': -1.0, 'maxval': 1.0, 'seed': 0})
    """

    def __init__(
        self, minval: float = -0.05, maxval: float = 0.05, seed: Any = None, *, stream: Any = 0
    ) -> None:
        super().__init__(seed, stream)
        self.minval = v.as_real("minval", minval)
        self.maxval = v.as_real("maxval", maxval)
        if self.minval > self.maxval:
            raise ValueError(f"minval must be <= maxval, got {self.minval} > {self.maxval}")

    def __call__(self, shape: Any, dtype: Any = None) -> np.ndarray:
        return self._draw("uniform", shape, dtype, self.minval, self.maxval)

    def get_config(self) -> dict[str, Any]:
        return {"minval": self.minval, "maxval": self.maxval, **self._seed_config()}


class _MeanStddev(_Seeded):
    """A normal family given by ``mean`` and ``stddev``: ``RandomNormal``, ``TruncatedNormal``."""

    _method = ""  # the Generator method / winit_fast function that draws it

    def __init__(
        self, mean: float = 0.0, stddev: float = 0.05, seed: Any = None, *, stream: Any = 0
    ) -> None:
        super().__init__(seed, stream)
        self.mean = v.as_real("mean", mean)
        self.stddev = v.as_real("stddev", stddev)
        if self.stddev < 0:
            raise ValueError(f"stddev must be >= 0, got {self.stddev}")

    def __call__(self, shape: Any, dtype: Any = None) -> np.ndarray:
        return self._draw(self._method, shape, dtype, self.mean, self.stddev)

    def get_config(self) -> dict[str, Any]:
        return {"mean": self.mean, "stddev": self.stddev, **self._seed_config()}


class RandomNormal(_MeanStddev):
    """Normal with ``mean`` and ``stddev`` (Keras defaults ``0, 0.05``).

    Examples
    --------
    >>> from winit_fast.initializers import RandomNormal
    >>> w = RandomNormal(stddev=0.02, seed=0)((512, 512))
    >>> round(float(w.std()), 3)
    0.02
    """

    _method = "normal"


class TruncatedNormal(_MeanStddev):
    """Normal with ``mean`` and ``stddev``, cut at 2 ``stddev`` around ``mean`` (Keras).

    ``stddev`` is the parameter of the normal before truncation (the samples' std is
    ``0.8796 * stddev``), as in Keras and torch.

    Examples
    --------
    >>> from winit_fast.initializers import TruncatedNormal
    >>> w = TruncatedNormal(stddev=0.02, seed=0)((512, 512))
    >>> bool((abs(w) <= 0.04).all())
    True
    """

    _method = "truncated_normal"


class VarianceScaling(_Seeded):
    """:func:`winit_fast.variance_scaling` as an object (Keras's ``VarianceScaling``).

    ``input_axes`` and ``output_axes`` are Keras 3's: given together, the fans are the
    products of the shape over those axes (:func:`winit_fast.compute_fans`); Keras's
    ``EinsumDense`` and ``MultiHeadAttention`` set them on the kernel's initializer. One
    alone is kept in the config and not used, as in Keras. ``layout="torch"`` reads the fans
    from a torch-layout shape (winit_fast's own option).

    Examples
    --------
    >>> from winit_fast.initializers import VarianceScaling
    >>> init = VarianceScaling(2.0, "fan_in", "uniform", seed=0)
    >>> init((256, 128)).shape, init.get_config()["distribution"]
    ((256, 128), 'uniform')
    >>> query = VarianceScaling(seed=0, input_axes=[0], output_axes=[1, 2])((64, 4, 16))
    >>> round(float(query.std() * 64**0.5), 1)  # std 1/sqrt(64): fan_in is 64, not 256
    1.0
    """

    def __init__(
        self,
        scale: float = 1.0,
        mode: str = "fan_in",
        distribution: str = "truncated_normal",
        seed: Any = None,
        input_axes: Any = None,
        output_axes: Any = None,
        *,
        stream: Any = 0,
        layout: str = "keras",
    ) -> None:
        super().__init__(seed, stream)
        self.scale = resolve_scale(scale)
        self.mode = resolve_mode(mode)
        if isinstance(distribution, str):  # Keras's class lower-cases the name
            distribution = distribution.lower()
        self.distribution = resolve_distribution(distribution)  # "normal" -> truncated, as Keras
        self.input_axes = _axes_like(input_axes, as_axes("input_axes", input_axes))
        self.output_axes = _axes_like(output_axes, as_axes("output_axes", output_axes))
        self.layout = v.as_layout(layout)

    def __call__(self, shape: Any, dtype: Any = None) -> np.ndarray:
        # Keras uses the axes only when both are given (one alone is kept, unused); the
        # functional API computes the fans from them.
        axes: dict[str, Any] = {}
        if self.input_axes is not None and self.output_axes is not None:
            axes = {"input_axes": self.input_axes, "output_axes": self.output_axes}
        return self._draw(
            "variance_scaling",
            shape,
            dtype,
            self.scale,
            self.mode,
            self.distribution,
            layout=self.layout,
            **axes,
        )

    def get_config(self) -> dict[str, Any]:
        config = {"scale": self.scale, "mode": self.mode, "distribution": self.distribution}
        return {**config, **self._seed_config(), **self._axes_config()}

    def _axes_config(self) -> dict[str, Any]:
        # Keras 3 always writes both axes keys; layout is winit_fast's, written when used.
        config: dict[str, Any] = {"input_axes": self.input_axes, "output_axes": self.output_axes}
        if self.layout != "keras":
            config["layout"] = self.layout
        return config


def _axes_like(given: Any, axes: tuple[int, ...] | None) -> list[int] | tuple[int, ...] | None:
    # Kept as given (a tuple stays a tuple, anything else becomes a list, as JSON holds it),
    # so the config equals Keras's, which stores the argument itself.
    if axes is None:
        return None
    return axes if isinstance(given, tuple) else list(axes)


class _Preset(VarianceScaling):
    """A fixed (scale, mode, distribution); its config holds the seed and the axes, as in
    Keras."""

    _name = ""

    def __init__(
        self,
        seed: Any = None,
        input_axes: Any = None,
        output_axes: Any = None,
        *,
        stream: Any = 0,
        layout: str = "keras",
    ) -> None:
        scale, mode, distribution = PRESETS[self._name]
        super().__init__(
            scale, mode, distribution, seed, input_axes, output_axes, stream=stream, layout=layout
        )

    def get_config(self) -> dict[str, Any]:
        return {**self._seed_config(), **self._axes_config()}


def _preset_class(class_name: str, name: str) -> type[_Preset]:
    scale, mode, distribution = PRESETS[name]
    doc = f"""{class_name}: :func:`winit_fast.{name}` as an object (Keras's ``{class_name}``).

    ``VarianceScaling(scale={scale:g}, mode="{mode}", distribution="{distribution}")``.

    Examples
    --------
    >>> from winit_fast.initializers import {class_name}
    >>> init = {class_name}(seed=0)
    >>> init((3, 3, 16, 32)).shape, init.get_config()
    ((3, 3, 16, 32), {{'seed': 0, 'input_axes': None, 'output_axes': None}})
    """
    return type(class_name, (_Preset,), {"_name": name, "__doc__": doc, "__module__": __name__})


GlorotNormal = _preset_class("GlorotNormal", "glorot_normal")
GlorotUniform = _preset_class("GlorotUniform", "glorot_uniform")
HeNormal = _preset_class("HeNormal", "he_normal")
HeUniform = _preset_class("HeUniform", "he_uniform")
LecunNormal = _preset_class("LecunNormal", "lecun_normal")
LecunUniform = _preset_class("LecunUniform", "lecun_uniform")


class Orthogonal(_Seeded):
    """:func:`winit_fast.orthogonal` as an object (Keras's ``Orthogonal``).

    Examples
    --------
    >>> import numpy as np
    >>> from winit_fast.initializers import Orthogonal
    >>> w = Orthogonal(gain=1.0, seed=0)((32, 32), dtype="float64")
    >>> bool(np.allclose(w @ w.T, np.eye(32), atol=1e-12))
    True
    """

    def __init__(self, gain: float = 1.0, seed: Any = None, *, stream: Any = 0) -> None:
        super().__init__(seed, stream)
        self.gain = v.as_real("gain", gain)

    def __call__(self, shape: Any, dtype: Any = None) -> np.ndarray:
        return self._draw("orthogonal", shape, dtype, self.gain)

    def get_config(self) -> dict[str, Any]:
        return {"gain": self.gain, **self._seed_config()}


class Identity(Initializer):
    """:func:`winit_fast.identity` as an object (Keras's ``Identity``); 2-D shapes only.

    Examples
    --------
    >>> from winit_fast.initializers import Identity
    >>> Identity(gain=2.0)((2, 2))
    array([[2., 0.],
           [0., 2.]], dtype=float32)
    """

    def __init__(self, gain: float = 1.0) -> None:
        self.gain = v.as_gain(gain, v.FLOAT64)

    def __call__(self, shape: Any, dtype: Any = None) -> np.ndarray:
        return identity(shape, self.gain, dtype=dtype)

    def get_config(self) -> dict[str, Any]:
        return {"gain": self.gain}


CLASSES: tuple[type[Initializer], ...] = (
    Zeros,
    Ones,
    Constant,
    RandomUniform,
    RandomNormal,
    TruncatedNormal,
    VarianceScaling,
    GlorotNormal,
    GlorotUniform,
    HeNormal,
    HeUniform,
    LecunNormal,
    LecunUniform,
    Orthogonal,
    Identity,
)


def _snake_case(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


# Every class by its name and its snake_case name, plus Keras's aliases.
NAMES: dict[str, type[Initializer]] = {
    **{cls.__name__: cls for cls in CLASSES},
    **{_snake_case(cls.__name__): cls for cls in CLASSES},
    "zero": Zeros,
    "one": Ones,
    "uniform": RandomUniform,
    "normal": RandomNormal,
    "OrthogonalInitializer": Orthogonal,
    "IdentityInitializer": Identity,
}


def _torch_named(name: str) -> Callable[[], Initializer]:
    """torch's name for a preset (``kaiming_normal``, ...), as ``init_module`` and
    ``seed-checkpoint --scheme`` read it (one table, ``_schemes.SCHEME_FUNCTIONS``): the
    preset's scale and mode with torch's distribution (untruncated normals)."""
    function, fixed = SCHEME_FUNCTIONS[name]
    scale, mode, default = PRESETS[function]
    distribution = fixed.get("distribution", default)
    return lambda: VarianceScaling(scale=scale, mode=mode, distribution=distribution)


# torch's names of the presets, built as VarianceScaling with torch's distributions.
TORCH_NAMES: dict[str, Callable[[], Initializer]] = {
    name: _torch_named(name)
    for name, (function, _) in SCHEME_FUNCTIONS.items()
    if name not in NAMES and function in PRESETS
}


def get(identifier: Any) -> Any:
    """An initializer from an identifier, as ``keras.initializers.get`` takes them.

    Parameters
    ----------
    identifier : str, dict, class, callable, numpy.ndarray or None
        A class name (``"HeNormal"``), its snake_case name (``"he_normal"``) or one of
        Keras's aliases (``"uniform"``, ``"normal"``, ``"zero"``, ``"one"``,
        ``"OrthogonalInitializer"``, ``"IdentityInitializer"``), built with default
        arguments; or torch's name of a preset (``"kaiming_normal"``, ``"kaiming_uniform"``,
        ``"xavier_normal"``, ``"xavier_uniform"``, as ``init_module`` and ``winit-fast
        seed-checkpoint --scheme`` take them): a :class:`VarianceScaling` with the preset's
        scale and mode and torch's distribution (an untruncated normal for ``*_normal``), its
        fans read as this module reads them (Keras's layout, kernels ``(in, out)``);
        a dict ``{"class_name": ..., "config": {...}}`` (``config`` optional, other
        keys such as Keras's ``module`` ignored), built with ``from_config``; a class, called
        with no arguments; any other callable (an :class:`Initializer`, a function
        ``f(shape, dtype=None)``), returned as is; an array, returned as a function that
        gives that array cast to the dtype, for its own shape only; ``None``, returned as is.

    Returns
    -------
    Initializer, callable or None

    Examples
    --------
    >>> import numpy as np
    >>> from winit_fast import initializers
    >>> type(initializers.get("he_normal")).__name__
    'HeNormal'
    >>> initializers.get("kaiming_normal").get_config()["distribution"]
    'untruncated_normal'
    >>> initializers.get({"class_name": "Constant", "config": {"value": 3.0}})
    Constant(value=3.0)
    >>> initializers.get(np.eye(2))((2, 2))
    array([[1., 0.],
           [0., 1.]], dtype=float32)
    """
    if identifier is None:
        return None
    if isinstance(identifier, str):
        if identifier in TORCH_NAMES:
            return TORCH_NAMES[identifier]()
        return _lookup(identifier)()
    if isinstance(identifier, dict):
        config = identifier.get("config")
        config = {} if config is None else config  # Keras writes None for no arguments
        if not isinstance(config, dict):
            raise ValueError(f"identifier's config must be a dict, got {config!r}")
        return _lookup(identifier.get("class_name")).from_config(config)
    if isinstance(identifier, (np.ndarray, np.generic)):
        return _array_initializer(np.asarray(identifier))
    if isinstance(identifier, type):
        return identifier()
    if callable(identifier):
        return identifier
    raise ValueError(
        "identifier must be a name, a config dict, a class, a callable or an array, "
        f"got {type(identifier).__name__}"
    )


def _lookup(name: Any) -> type[Initializer]:
    if isinstance(name, str) and name in NAMES:
        return NAMES[name]
    known = [*NAMES, *TORCH_NAMES]
    close = difflib.get_close_matches(name, known, n=3) if isinstance(name, str) else []
    hint = f"did you mean {' or '.join(map(repr, close))}? " if close else ""
    raise ValueError(
        f"identifier {name!r} is unknown; {hint}valid names: {', '.join(sorted(known))}"
    )


def _array_initializer(array: np.ndarray) -> Callable[..., np.ndarray]:
    """Keras's rule for an array identifier: its own values, for its own shape only."""

    def initialize(shape: Any, dtype: Any = None) -> np.ndarray:
        if v.as_shape(shape) != array.shape:
            raise ValueError(
                f"shape must be {array.shape}, the shape of the array given as initializer, "
                f"got {shape}"
            )
        return array.astype(v.as_dtype(np.float32 if dtype is None else dtype))

    return initialize


# help() and the API reference show these signatures without quoted annotations.
_resolve_annotations(globals(), __all__)
