"""Keras 3 initializers backed by winit_fast: ``kernel_initializer=winit_fast.keras.HeNormal(0)``.

Each class is a :class:`keras.initializers.Initializer` with the Keras name, constructor and
config of :mod:`winit_fast.initializers` (Keras 3's keys, plus ``stream``/``layout`` only when
not the default). It draws the values with winit_fast on the host, as a NumPy array, and hands
them to the Keras backend in use (TensorFlow, JAX or PyTorch), so a kernel equals the
functional API's array byte for byte::

    Dense(64, kernel_initializer=HeNormal(seed=0)).kernel == winit_fast.he_normal((784, 64), seed=0)

for a layer of dtype float32, float64 or float16 (16-bit values are the float32 values
rounded, as everywhere in winit_fast); for bfloat16 winit_fast's bfloat16 values are handed
to the backend as float32 (exactly) and cast back (the same bits). ``Zeros``, ``Ones`` and
``Constant`` also serve integer and bool dtypes (through ``keras.ops.full``); the random ones
need a float dtype.

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
from typing import Any

from winit_fast import initializers as _initializers

try:
    import keras
except ImportError as exc:  # keras missing, or its backend (TensorFlow by default) missing
    raise ImportError(
        f"winit_fast.keras needs Keras 3 and one of its backends ({exc}); install it with "
        "`pip install winit-fast[keras]` and set KERAS_BACKEND (jax, torch or tensorflow) to "
        "an installed backend"
    ) from exc

__all__ = [
    "Constant",
    "GlorotNormal",
    "GlorotUniform",
    "HeNormal",
    "HeUniform",
    "Identity",
    "LecunNormal",
    "LecunUniform",
    "Ones",
    "Orthogonal",
    "RandomNormal",
    "RandomUniform",
    "TruncatedNormal",
    "VarianceScaling",
    "Zeros",
]

PACKAGE = "winit_fast"
# dtypes winit_fast writes itself; bfloat16 travels as float32 (exact) and is cast by the
# backend, because not every backend takes an ml_dtypes array.
_NATIVE = ("float32", "float64", "float16")
_CONSTANTS = ("Zeros", "Ones", "Constant")
_FILLS = {_initializers.Zeros: 0.0, _initializers.Ones: 1.0}


class _Adapter(keras.initializers.Initializer):
    """A Keras initializer that delegates to the winit_fast initializer of the same name."""

    _wrapped: type[_initializers.Initializer] = _initializers.Initializer

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # The winit_fast object validates and holds every argument, and owns the config.
        self._impl = self._wrapped(*args, **kwargs)

    def __call__(self, shape: Any, dtype: Any = None) -> Any:
        dtype = keras.backend.standardize_dtype(dtype or keras.backend.floatx())
        if dtype in _NATIVE:
            return keras.ops.convert_to_tensor(self._impl(shape, dtype=dtype), dtype=dtype)
        if dtype == "bfloat16":
            wide = self._impl(shape, dtype="bfloat16").astype("float32")
            values = keras.ops.convert_to_tensor(wide)
            return keras.ops.cast(values, dtype)
        return self._other_dtype(shape, dtype)

    def _other_dtype(self, shape: Any, dtype: str) -> Any:
        raise ValueError(
            f"dtype must be a float dtype for {type(self).__name__} (float32, float64, float16 "
            f"or bfloat16), got {dtype}"
        )

    def get_config(self) -> dict[str, Any]:
        return self._impl.get_config()

    def __getattr__(self, name: str) -> Any:
        # Read-only view of the wrapped object's attributes (seed, scale, mode, gain...).
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self._impl, name)

    def __repr__(self) -> str:
        return repr(self._impl)


class _ConstantAdapter(_Adapter):
    """Constants also fill integer and bool tensors (Keras's ``Zeros`` does)."""

    def _other_dtype(self, shape: Any, dtype: str) -> Any:
        impl = self._impl
        value = impl.value if isinstance(impl, _initializers.Constant) else _FILLS[type(impl)]
        return keras.ops.full(shape, value, dtype=dtype)


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


def _adapter_class(name: str) -> type[_Adapter]:
    wrapped = getattr(_initializers, name)
    base = _ConstantAdapter if name in _CONSTANTS else _Adapter
    namespace = {
        "_wrapped": wrapped,
        "__doc__": _DOC.format(name=name, arguments=_EXAMPLE_ARGUMENTS.get(name, "seed=0")),
        "__module__": __name__,
        "__qualname__": name,
        "__signature__": inspect.signature(wrapped),
    }
    cls = type(name, (base,), namespace)
    return keras.saving.register_keras_serializable(package=PACKAGE, name=name)(cls)


Zeros = _adapter_class("Zeros")
Ones = _adapter_class("Ones")
Constant = _adapter_class("Constant")
RandomUniform = _adapter_class("RandomUniform")
RandomNormal = _adapter_class("RandomNormal")
TruncatedNormal = _adapter_class("TruncatedNormal")
VarianceScaling = _adapter_class("VarianceScaling")
GlorotNormal = _adapter_class("GlorotNormal")
GlorotUniform = _adapter_class("GlorotUniform")
HeNormal = _adapter_class("HeNormal")
HeUniform = _adapter_class("HeUniform")
LecunNormal = _adapter_class("LecunNormal")
LecunUniform = _adapter_class("LecunUniform")
Orthogonal = _adapter_class("Orthogonal")
Identity = _adapter_class("Identity")

CLASSES: tuple[type[_Adapter], ...] = tuple(globals()[name] for name in __all__)
