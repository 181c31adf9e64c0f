"""Keras 3 initializers backed by winit_fast: ``kernel_initializer=winit_fast.keras.HeNormal(0)``.

Each class has the Keras name, constructor and config of :mod:`winit_fast.initializers`
(Keras 3's arguments and keys, plus ``stream``/``layout`` only when not the default) and
derives from its Keras twin (``winit_fast.keras.HeNormal`` is a
``keras.initializers.HeNormal``), so Keras's layers treat it as their own: ``EinsumDense`` and
``MultiHeadAttention`` give a ``VarianceScaling`` kernel initializer their ``input_axes`` /
``output_axes``, and the fans are Keras's. It draws the values with winit_fast on the host, as
a NumPy array, and hands them to the Keras backend in use (TensorFlow, JAX or PyTorch), so a
kernel equals the functional API's array byte for byte::

    Dense(64, kernel_initializer=HeNormal(seed=0)).kernel == winit_fast.he_normal((784, 64), seed=0)

for a layer of dtype float32, float64 or float16 (16-bit values are the float32 values
rounded, as everywhere in winit_fast); for bfloat16 winit_fast's bfloat16 values are handed
to the backend as float32 (exactly) and cast back (the same bits). ``Zeros``, ``Ones``,
``Constant`` and ``Identity`` also serve integer and bool dtypes (filled by their Keras twin);
the random ones need a float dtype.

Seeds are Keras's: an int repeats; ``None`` draws the seed at construction from Python's
``random`` (so ``keras.utils.set_random_seed`` makes it repeatable) and the config says
``None``; a ``keras.random.SeedGenerator`` gives fresh values per call (call ``k`` of
``SeedGenerator(s)`` draws winit_fast's ``seed=s, stream=k``); a ``winit_fast.Generator``
advances. :func:`get`, :func:`deserialize` and :func:`serialize` are Keras's, with
winit_fast's classes behind every Keras name.

Every class is registered with ``keras.saving.register_keras_serializable(package="winit_fast")``
when this module is imported, so a model saved as ``.keras`` loads again after
``import winit_fast.keras``. ``import winit_fast`` alone never imports Keras. Keras 3 picks
its backend from ``KERAS_BACKEND`` (TensorFlow by default): set it before the first import of
Keras when TensorFlow is not installed.

Examples
--------
>>> import keras, numpy as np, winit_fast as wf
>>> import winit_fast.keras as wfk
>>> layer = keras.layers.Dense(64, kernel_initializer=wfk.HeNormal(seed=0))
>>> layer.build((None, 784))
>>> kernel = keras.ops.convert_to_numpy(layer.kernel)
>>> kernel.tobytes() == wf.he_normal((784, 64), seed=0).tobytes()
True
>>> keras.initializers.serialize(wfk.HeNormal(seed=0))["registered_name"]
'winit_fast>HeNormal'
"""

from __future__ import annotations

import inspect
import random
from typing import Any

import numpy as np

from winit_fast import Generator
from winit_fast import _interface as wfi
from winit_fast import initializers as _initializers

try:
    import keras
except ImportError as exc:  # keras missing, or its backend (TensorFlow by default) missing
    raise ImportError(
        f"winit_fast.keras needs Keras 3 and one of its backends ({exc}); install it with "
        '`pip install "winit-fast[keras]"` and set KERAS_BACKEND (jax, torch or tensorflow) to '
        "an installed backend"
    ) from exc

PACKAGE = "winit_fast"
# dtypes winit_fast writes itself; bfloat16 travels as float32 (exact) and is cast by the
# backend, because not every backend takes an ml_dtypes array.
_NATIVE = ("float32", "float64", "float16")
_DETERMINISTIC = ("Zeros", "Ones", "Identity")
_SEED_BITS = (1 << 64) - 1


class _Adapter(keras.initializers.Initializer):
    """A Keras initializer that delegates to the winit_fast initializer of the same name.

    Each class also derives from its Keras twin (``HeNormal`` from
    ``keras.initializers.HeNormal``...), so code that tests for a Keras class treats it as
    Keras's own: ``EinsumDense`` sets ``input_axes``/``output_axes`` on any
    ``VarianceScaling``, and does so for these classes too.
    """

    _wrapped: type[_initializers.Initializer] = _initializers.Initializer

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # The winit_fast object validates and holds every argument, and owns the config.
        arguments = inspect.signature(self._wrapped).bind(*args, **kwargs).arguments
        self._impl = self._wrapped(**self._arguments(arguments))

    def _arguments(self, arguments: dict[str, Any]) -> dict[str, Any]:
        return arguments

    def __call__(self, shape: Any, dtype: Any = None) -> Any:
        dtype = keras.backend.standardize_dtype(dtype or keras.backend.floatx())
        if dtype not in _NATIVE and dtype != "bfloat16":
            return self._other_dtype(shape, dtype)
        impl = self._for_this_call()
        if dtype in _NATIVE:
            return keras.ops.convert_to_tensor(impl(shape, dtype=dtype), dtype=dtype)
        # bfloat16: winit_fast's own bfloat16 values (16-bit bounds), exact in float32
        values = keras.ops.convert_to_tensor(impl(shape, dtype="bfloat16").astype("float32"))
        return keras.ops.cast(values, dtype)

    def _for_this_call(self) -> _initializers.Initializer:
        return self._impl

    def _other_dtype(self, shape: Any, dtype: str) -> Any:
        raise ValueError(
            f"dtype must be a float dtype for {type(self).__name__} (float32, float64, float16 "
            f"or bfloat16), got {dtype}"
        )

    def get_config(self) -> dict[str, Any]:
        return self._impl.get_config()

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> _Adapter:
        return cls(**config)

    def __getattr__(self, name: str) -> Any:
        # Read-only view of the wrapped object's attributes (scale, mode, gain, input_axes...).
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self._impl, name)

    def __setattr__(self, name: str, value: Any) -> None:
        # The wrapped object holds the validated arguments; a public attribute set here would
        # silently differ from what the calls and the config use.
        if not name.startswith("_"):
            raise AttributeError(
                f"{type(self).__name__}.{name} is read-only: build a new initializer "
                f"({type(self).__name__}(..., {name}=...)) or use from_config"
            )
        object.__setattr__(self, name, value)

    def __repr__(self) -> str:
        arguments = ", ".join(f"{key}={value!r}" for key, value in self.get_config().items())
        return f"{type(self).__name__}({arguments})"


class _SeededAdapter(_Adapter):
    """Keras's seeds: an int, ``None``, a ``keras.random.SeedGenerator`` (or its config), and
    winit_fast's ``Generator``.

    - ``None`` draws the seed at construction from Python's ``random`` module, as Keras does,
      so ``keras.utils.set_random_seed(n)`` makes unseeded initializers repeatable (64 bits
      where Keras draws a number below 10**9); the config reports ``None``.
    - A ``SeedGenerator`` gives fresh values on each call: the call takes the generator's
      next state ``(s, c)`` (``s`` its seed, ``c`` the count of draws so far) and draws
      winit_fast's stream ``c`` of seed ``s`` (``s`` modulo 2**64). So the first call of
      ``SeedGenerator(42)`` gives the values of ``seed=42``, as in Keras, and call ``k`` those
      of ``seed=42, stream=k``.
    """

    def _arguments(self, arguments: dict[str, Any]) -> dict[str, Any]:
        seed = arguments.get("seed")
        if isinstance(seed, dict) and seed.get("class_name") != "Generator":
            try:  # a SeedGenerator's config
                seed = keras.saving.deserialize_keras_object(seed)
            except (TypeError, ValueError) as exc:
                raise TypeError(f"seed is a config Keras cannot load ({exc})") from None
        self._init_seed = seed
        self._seed_generator = seed if isinstance(seed, keras.random.SeedGenerator) else None
        if self._seed_generator is not None:
            if arguments.get("stream", 0) != 0:
                raise ValueError(
                    "stream must be 0 when seed is a keras.random.SeedGenerator (each call "
                    "takes its stream from the generator)"
                )
            seed = 0  # unused: each call draws its own seed and stream
        elif seed is None:
            seed = random.getrandbits(64)
        return {**arguments, "seed": seed}

    @property
    def seed(self) -> Any:
        """The seed every call uses (drawn at construction if None was given), or the
        generator (a ``keras.random.SeedGenerator`` or a ``winit_fast.Generator``)."""
        if self._seed_generator is not None:
            return self._seed_generator
        return self._impl.seed  # type: ignore[attr-defined]  # every seeded class has one

    def _for_this_call(self) -> _initializers.Initializer:
        if self._seed_generator is None:
            return self._impl
        state = keras.ops.convert_to_numpy(self._seed_generator.next())
        seed, counter = (int(word) for word in state)
        config = {**self._impl.get_config(), "seed": seed & _SEED_BITS, "stream": counter}
        return self._wrapped.from_config(config)

    def get_config(self) -> dict[str, Any]:
        config = self._impl.get_config()
        if not isinstance(self._init_seed, Generator):  # winit_fast's own: its state, as is
            config["seed"] = keras.saving.serialize_keras_object(self._init_seed)
        return config


class _DeterministicAdapter(_Adapter):
    """Zeros, Ones, Constant and Identity also fill integer and bool tensors, as Keras's do:
    those dtypes (no random stream involved) are filled by the Keras twin itself."""

    _twin: type[keras.initializers.Initializer] = keras.initializers.Initializer

    def _other_dtype(self, shape: Any, dtype: str) -> Any:
        return self._twin.from_config(self.get_config())(shape, dtype=dtype)


class _ConstantAdapter(_DeterministicAdapter):
    """``Constant`` takes an array or a tensor too, and writes it in its config as Keras
    does."""

    def _arguments(self, arguments: dict[str, Any]) -> dict[str, Any]:
        value = arguments.get("value")
        if isinstance(value, dict):  # Keras's config of an array ("__numpy__", "__tensor__")
            value = keras.saving.deserialize_keras_object(value)
        if keras.ops.is_tensor(value):
            value = keras.ops.convert_to_numpy(value)
        return arguments if value is None else {**arguments, "value": value}

    def _other_dtype(self, shape: Any, dtype: str) -> Any:
        value = getattr(self._impl, "value", None)
        if isinstance(value, np.ndarray):  # the same error as the float dtypes get
            _initializers.check_broadcast(value, wfi.as_shape(shape))
        return super()._other_dtype(shape, dtype)

    def get_config(self) -> dict[str, Any]:
        config = self._impl.get_config()
        config["value"] = keras.saving.serialize_keras_object(self._impl.value)  # type: ignore[attr-defined]
        return config


_DOC = """{name}: :class:`winit_fast.initializers.{name}` as a Keras 3 initializer.

    Same arguments and config as :class:`winit_fast.initializers.{name}`; values are drawn by
    winit_fast and converted to the backend's tensor of the requested dtype.

    Examples
    --------
    >>> import keras, numpy as np
    >>> import winit_fast.initializers, winit_fast.keras
    >>> init = winit_fast.keras.{name}({arguments})
    >>> isinstance(init, keras.initializers.Initializer)
    True
    >>> values = keras.ops.convert_to_numpy(init((4, 4)))
    >>> values.tobytes() == winit_fast.initializers.{name}({arguments})((4, 4)).tobytes()
    True
    >>> type(winit_fast.keras.{name}.from_config(init.get_config())).__name__
    '{name}'
"""

# Constructor arguments of each doctest: seeded where the class takes a seed.
_EXAMPLE_ARGUMENTS = {"Zeros": "", "Ones": "", "Constant": "0.5", "Identity": "gain=2.0"}


def _adapter_class(name: str, twin: type[keras.initializers.Initializer]) -> type[_Adapter]:
    wrapped = getattr(_initializers, name)
    if name == "Constant":
        base: type[_Adapter] = _ConstantAdapter
    elif name in _DETERMINISTIC:
        base = _DeterministicAdapter
    else:  # every other class draws from a seed
        base = _SeededAdapter
    namespace = {
        "_wrapped": wrapped,
        "__doc__": _DOC.format(name=name, arguments=_EXAMPLE_ARGUMENTS.get(name, "seed=0")),
        "__module__": __name__,
        "__qualname__": name,
        "__signature__": inspect.signature(wrapped),
        "_twin": twin,
    }
    cls = type(name, (base, twin), namespace)
    return keras.saving.register_keras_serializable(package=PACKAGE, name=name)(cls)


def _twin(name: str) -> type[keras.initializers.Initializer] | None:
    twin = getattr(keras.initializers, name, None)
    return (
        twin
        if isinstance(twin, type) and issubclass(twin, keras.initializers.Initializer)
        else None
    )


# An adapter for every class of winit_fast.initializers that Keras has a twin of: a class
# Keras lacks is simply not a Keras initializer here (winit_fast.initializers still has it).
_ADAPTERS: dict[str, type[_Adapter]] = {
    cls.__name__: _adapter_class(cls.__name__, twin)
    for cls in _initializers.CLASSES
    if (twin := _twin(cls.__name__)) is not None
}
Zeros = _ADAPTERS["Zeros"]
Ones = _ADAPTERS["Ones"]
Constant = _ADAPTERS["Constant"]
RandomUniform = _ADAPTERS["RandomUniform"]
RandomNormal = _ADAPTERS["RandomNormal"]
TruncatedNormal = _ADAPTERS["TruncatedNormal"]
VarianceScaling = _ADAPTERS["VarianceScaling"]
GlorotNormal = _ADAPTERS["GlorotNormal"]
GlorotUniform = _ADAPTERS["GlorotUniform"]
HeNormal = _ADAPTERS["HeNormal"]
HeUniform = _ADAPTERS["HeUniform"]
LecunNormal = _ADAPTERS["LecunNormal"]
LecunUniform = _ADAPTERS["LecunUniform"]
Orthogonal = _ADAPTERS["Orthogonal"]
Identity = _ADAPTERS["Identity"]

CLASSES: tuple[type[_Adapter], ...] = tuple(_ADAPTERS.values())
__all__ = [*_ADAPTERS, "deserialize", "get", "serialize"]

# Every name keras.initializers.get knows: winit_fast's classes under winit_fast's names and
# Keras's aliases; Keras's own STFT (deterministic, no random stream to replace) and base class.
NAMES: dict[str, type[keras.initializers.Initializer]] = {
    **{
        alias: _ADAPTERS[cls.__name__]
        for alias, cls in _initializers.NAMES.items()
        if cls.__name__ in _ADAPTERS
    },
    "STFT": keras.initializers.STFT,
    "stft": keras.initializers.STFT,
    "STFTInitializer": keras.initializers.STFT,
    "Initializer": keras.initializers.Initializer,
    "initializer": keras.initializers.Initializer,
}


def serialize(initializer: Any) -> Any:
    """``keras.initializers.serialize``: the config dict of an initializer.

    Examples
    --------
    >>> import winit_fast.keras as wfk
    >>> wfk.serialize(wfk.HeNormal(seed=0))["config"]
    {'seed': 0, 'input_axes': None, 'output_axes': None}
    """
    return keras.initializers.serialize(initializer)


def deserialize(config: Any, custom_objects: dict[str, Any] | None = None) -> Any:
    """``keras.initializers.deserialize``, resolving Keras's names to winit_fast's classes.

    A config written by Keras (``keras.initializers.serialize(keras.initializers.HeNormal(0))``)
    gives ``winit_fast.keras.HeNormal``; one written from these classes gives them back.

    Examples
    --------
    >>> import keras
    >>> import winit_fast.keras as wfk
    >>> type(wfk.deserialize(keras.initializers.serialize(keras.initializers.HeNormal(0))))
    <class 'winit_fast.keras.HeNormal'>
    """
    return keras.saving.deserialize_keras_object(
        config, module_objects=NAMES, custom_objects=custom_objects
    )


def get(identifier: Any) -> Any:
    """``keras.initializers.get``, with winit_fast's classes for Keras's names.

    ``identifier``: ``None`` (returned as is); a name (``"he_normal"``, ``"HeNormal"``,
    ``"OrthogonalInitializer"``...), built with default arguments; a config dict, as
    :func:`deserialize` reads it; a class, called with no arguments; a callable (any
    initializer, a function ``f(shape, dtype=None)``), returned as is; an array or a tensor,
    handed to ``keras.initializers.get`` (a function giving that array, for its own shape).

    Examples
    --------
    >>> import winit_fast.keras as wfk
    >>> wfk.get("glorot_uniform")
    GlorotUniform(seed=None, input_axes=None, output_axes=None)
    >>> type(wfk.get({"class_name": "OrthogonalInitializer", "config": {"seed": 0}})).__name__
    'Orthogonal'
    """
    if identifier is None:
        return None
    if isinstance(identifier, dict):
        found = deserialize(identifier)
    elif isinstance(identifier, str):
        found = deserialize({"class_name": identifier, "config": {}})
    elif keras.ops.is_tensor(identifier) or isinstance(identifier, (np.ndarray, np.generic)):
        return keras.initializers.get(identifier)
    else:
        found = identifier
    if inspect.isclass(found):
        return found()
    if callable(found):
        return found
    raise ValueError(
        f"identifier {identifier!r} could not be interpreted as an initializer; valid names: "
        f"{', '.join(sorted(NAMES))}"
    )


# help() and the API reference show these signatures without quoted annotations.
wfi.resolve_annotations(globals(), __all__)
