"""winit_fast.keras: Keras 3 initializers, byte-identical kernels, serialization, saved models."""

from __future__ import annotations

import os

import numpy as np
import pytest

# Keras reads its backend once, at its first import; TensorFlow (its default) is not needed.
os.environ.setdefault("KERAS_BACKEND", "torch")
pytest.importorskip(os.environ["KERAS_BACKEND"], reason=f"needs {os.environ['KERAS_BACKEND']}")
keras = pytest.importorskip("keras", reason="needs keras")
pytest.importorskip("ml_dtypes", reason="needs ml_dtypes (bfloat16)")

import winit_fast as wf  # noqa: E402
import winit_fast.keras as wfk  # noqa: E402
from winit_fast import initializers  # noqa: E402

# keras's torch backend converts with np.array(tensor), which NumPy 2 warns about.
pytestmark = pytest.mark.filterwarnings("ignore:__array__ implementation:DeprecationWarning")

NAMES = [cls.__name__ for cls in wfk.CLASSES]
# Constructor arguments per class, beyond the defaults: seeded where the class takes a seed.
ARGUMENTS = {
    "Zeros": {},
    "Ones": {},
    "Constant": {"value": 0.25},
    "Identity": {"gain": 0.5},
    "RandomUniform": {"minval": -1.0, "maxval": 2.0, "seed": 1},
    "VarianceScaling": {"scale": 3.0, "mode": "fan_avg", "distribution": "uniform", "seed": 2},
}
SHAPE = (12, 10)


def arguments(name: str) -> dict:
    return ARGUMENTS.get(name, {"seed": 7})


def to_numpy(tensor) -> np.ndarray:
    return keras.ops.convert_to_numpy(tensor)


def test_names_are_keras_names_and_classes_are_keras_initializers():
    assert set(NAMES) <= set(dir(keras.initializers))
    assert len(NAMES) == 15
    for cls in wfk.CLASSES:
        assert issubclass(cls, keras.initializers.Initializer)


def test_dense_kernel_equals_the_numpy_api():
    layer = keras.layers.Dense(64, kernel_initializer=wfk.HeNormal(seed=0))
    layer.build((None, 784))
    kernel = to_numpy(layer.kernel)
    assert kernel.tobytes() == wf.he_normal((784, 64), seed=0).tobytes()


@pytest.mark.parametrize("dtype", ["float32", "float64", "float16"])
@pytest.mark.parametrize("name", NAMES)
def test_values_are_the_winit_fast_initializers_bytes(name, dtype):
    ours = getattr(wfk, name)(**arguments(name))(SHAPE, dtype=dtype)
    twin = getattr(initializers, name)(**arguments(name))(SHAPE, dtype=dtype)
    assert keras.backend.standardize_dtype(ours.dtype) == dtype
    assert to_numpy(ours).tobytes() == twin.tobytes()


@pytest.mark.parametrize("name", NAMES)
def test_bfloat16_is_the_float32_values_rounded_like_winit_fast(name):
    ours = getattr(wfk, name)(**arguments(name))(SHAPE, dtype="bfloat16")
    twin = getattr(initializers, name)(**arguments(name))(SHAPE, dtype="bfloat16")
    assert keras.backend.standardize_dtype(ours.dtype) == "bfloat16"
    values = to_numpy(keras.ops.cast(ours, "float32"))
    assert values.tobytes() == twin.astype(np.float32).tobytes()


def test_default_dtype_is_floatx():
    assert keras.backend.standardize_dtype(wfk.Ones()((2,)).dtype) == keras.backend.floatx()


@pytest.mark.parametrize("name", NAMES)
def test_config_round_trip_through_keras_serialization(name):
    init = getattr(wfk, name)(**arguments(name))
    assert init.get_config() == getattr(initializers, name)(**arguments(name)).get_config()
    serialized = keras.initializers.serialize(init)
    assert serialized["registered_name"] == f"winit_fast>{name}"
    restored = keras.initializers.deserialize(serialized)
    assert type(restored) is type(init)
    assert restored.get_config() == init.get_config()
    assert to_numpy(restored(SHAPE)).tobytes() == to_numpy(init(SHAPE)).tobytes()


def test_winit_fast_options_survive_the_config():
    init = wfk.HeUniform(seed=3, stream="dense/kernel", layout="torch")
    restored = wfk.HeUniform.from_config(init.get_config())
    expected = wf.he_uniform((8, 4), seed=3, stream="dense/kernel", layout="torch")
    assert to_numpy(restored((8, 4))).tobytes() == expected.tobytes()


def test_saved_model_loads_with_its_initializers(tmp_path):
    model = keras.Sequential(
        [
            keras.Input((20,)),
            keras.layers.Dense(16, kernel_initializer=wfk.HeNormal(seed=0)),
            keras.layers.Dense(
                8,
                kernel_initializer=wfk.Orthogonal(gain=2.0, seed=1),
                bias_initializer=wfk.Constant(0.1),
            ),
            keras.layers.Dense(4, kernel_initializer=wfk.VarianceScaling(2.0, seed=2, stream=5)),
        ]
    )
    path = tmp_path / "model.keras"
    model.save(path)
    loaded = keras.saving.load_model(path)
    for before, after in zip(model.layers, loaded.layers, strict=True):
        assert type(after.kernel_initializer) is type(before.kernel_initializer)
        assert after.kernel_initializer.get_config() == before.kernel_initializer.get_config()
        for weight, loaded_weight in zip(before.weights, after.weights, strict=True):
            assert to_numpy(loaded_weight).tobytes() == to_numpy(weight).tobytes()
    # A model built from the loaded config draws the same initial weights again.
    rebuilt = keras.Sequential.from_config(loaded.get_config())
    assert (
        to_numpy(rebuilt.layers[0].kernel).tobytes() == to_numpy(model.layers[0].kernel).tobytes()
    )


def test_seed_semantics_follow_keras():
    unseeded = wfk.GlorotUniform()
    assert to_numpy(unseeded((4, 4))).tobytes() == to_numpy(unseeded((4, 4))).tobytes()
    assert unseeded.get_config() == keras.initializers.GlorotUniform().get_config()
    generator = wfk.RandomNormal(seed=wf.Generator(seed=0))
    assert to_numpy(generator((4,))).tobytes() != to_numpy(generator((4,))).tobytes()
    assert wfk.HeNormal(seed=3).seed == 3


def test_constants_fill_integer_dtypes_and_random_ones_refuse_them():
    assert to_numpy(wfk.Ones()((3,), dtype="int32")).tolist() == [1, 1, 1]
    assert to_numpy(wfk.Constant(4)((2,), dtype="int64")).tolist() == [4, 4]
    with pytest.raises(ValueError, match="dtype must be a float dtype for HeNormal"):
        wfk.HeNormal(seed=0)((3, 3), dtype="int32")


@pytest.mark.parametrize(
    ("make", "error", "message"),
    [
        (lambda: wfk.HeNormal(seed="zero"), TypeError, "seed"),
        (lambda: wfk.VarianceScaling(mode="fan"), ValueError, "mode"),
        (lambda: wfk.RandomUniform(1.0, 0.0), ValueError, "minval"),
        (lambda: wfk.Orthogonal(seed=0)((3,)), ValueError, "at least 2 dimensions"),
    ],
)
def test_bad_arguments_name_the_argument(make, error, message):
    with pytest.raises(error, match=message):
        make()
