"""winit_fast.keras against Keras 3 itself: fans from axes, configs, seeds, get, layers, dtypes.

Every check runs Keras's own initializer (its "twin") next to winit_fast's and compares what a
user can observe: the fans and the standard deviation a layer's weights get, the config and
its round trips, the seed semantics, the dtypes under each dtype policy, and a `.keras` file.
The values themselves differ (different generators), so distributions are compared with
tolerances derived from the sample sizes.
"""

from __future__ import annotations

import copy
import math
import os
import re

import numpy as np
import pytest

os.environ.setdefault("KERAS_BACKEND", "torch")
pytest.importorskip(os.environ["KERAS_BACKEND"], reason=f"needs {os.environ['KERAS_BACKEND']}")
keras = pytest.importorskip("keras", reason="needs keras")
pytest.importorskip("ml_dtypes", reason="needs ml_dtypes (bfloat16)")

# Keras's reference functions that have no public name.
from keras.src.initializers import ALL_OBJECTS_DICT as KERAS_NAMES  # noqa: E402
from keras.src.initializers.random_initializers import compute_fans as keras_fans  # noqa: E402

import winit_fast as wf  # noqa: E402
import winit_fast.keras as wfk  # noqa: E402
from winit_fast import initializers  # noqa: E402

pytestmark = pytest.mark.filterwarnings("ignore:__array__ implementation:DeprecationWarning")

PRESETS = ["GlorotNormal", "GlorotUniform", "HeNormal", "HeUniform", "LecunNormal", "LecunUniform"]
SCALING = [*PRESETS, "VarianceScaling"]
# Z-score of every statistical check: a false failure has probability below 1e-6.
Z = 5.0


def to_numpy(tensor) -> np.ndarray:
    return keras.ops.convert_to_numpy(tensor).astype(np.float64)


def twin(name: str):
    return getattr(keras.initializers, name)


def std_tolerance(values: np.ndarray, other: np.ndarray) -> float:
    """Z standard errors of the difference of two sample standard deviations.

    The standard error of a sample std ``s`` of ``n`` values is ``sqrt(m4 - s**4) / (2 s
    sqrt(n))`` (delta method, ``m4`` the fourth central moment), estimated from each sample.
    """

    def variance_of_std(x: np.ndarray) -> float:
        x = x.ravel() - x.mean()
        s2 = float(np.mean(x**2))
        m4 = float(np.mean(x**4))
        return (m4 - s2 * s2) / (4.0 * s2 * x.size)

    return Z * math.sqrt(variance_of_std(values) + variance_of_std(other))


def assert_same_std(ours: np.ndarray, keras_values: np.ndarray) -> None:
    assert ours.shape == keras_values.shape
    difference = abs(ours.std() - keras_values.std())
    assert difference <= std_tolerance(ours, keras_values), (ours.std(), keras_values.std())


# --- fans from input_axes / output_axes --------------------------------------------------------

AXES_CASES = [
    ((64, 8, 16), [0], [1, 2]),  # attention query/key/value kernel (dim, heads, key_dim)
    ((8, 16, 64), [0, 1], [2]),  # attention output kernel (heads, key_dim, dim)
    ((3, 5, 7, 2), [-1, 0], [2]),
    ((4, 6), [], [0, 1]),
    ((4, 6), [1], [0]),
]


@pytest.mark.parametrize(("shape", "input_axes", "output_axes"), AXES_CASES, ids=str)
def test_compute_fans_with_axes_is_keras_compute_fans(shape, input_axes, output_axes):
    expected = keras_fans(shape, input_axes=input_axes, output_axes=output_axes)
    assert wf.compute_fans(shape, input_axes=input_axes, output_axes=output_axes) == expected


@pytest.mark.parametrize("shape", [(), (7,), (5, 3), (2, 3, 4), (3, 3, 16, 32), (2, 2, 2, 3, 5)])
def test_compute_fans_without_axes_is_keras_compute_fans(shape):
    assert wf.compute_fans(shape) == keras_fans(shape)


@pytest.mark.parametrize(("shape", "input_axes", "output_axes"), AXES_CASES, ids=str)
@pytest.mark.parametrize("name", PRESETS)
def test_functional_axes_are_the_class_axes_and_keras_fans(name, shape, input_axes, output_axes):
    axes = {"input_axes": input_axes, "output_axes": output_axes}
    function = getattr(wf, re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower())  # glorot_normal
    functional = function(shape, seed=4, **axes)
    assert functional.tobytes() == getattr(initializers, name)(seed=4, **axes)(shape).tobytes()
    fan_in, fan_out = keras_fans(shape, **axes)
    assert functional.tobytes() == function(shape, seed=4, fan_in=fan_in, fan_out=fan_out).tobytes()
    # winit_fast.keras's class wraps the same object: the same bytes again, as a Keras tensor.
    assert to_numpy(getattr(wfk, name)(seed=4, **axes)(shape)).astype(np.float32).tobytes() == (
        functional.tobytes()
    )


def test_variance_scaling_function_takes_the_class_arguments():
    shape, axes = (8, 16, 64), {"input_axes": [0, 1], "output_axes": [2]}
    instance = initializers.VarianceScaling(0.5, "fan_avg", "uniform", 9, **axes)
    functional = wf.variance_scaling(shape, 0.5, "fan_avg", "uniform", seed=9, **axes)
    assert functional.tobytes() == instance(shape).tobytes()
    seeded = initializers.VarianceScaling(0.5, "fan_avg", "uniform", wf.Generator(seed=9), **axes)
    assert seeded(shape).tobytes() == functional.tobytes()  # a Generator seed passes them too


def test_keras_ignores_a_lone_axis_argument_and_so_does_the_class():
    # Keras uses the axes only when both are set; the class keeps Keras's rule (configs with
    # one of them load and behave the same), the function call refuses it (see test_fans).
    shape = (64, 8, 16)
    assert keras_fans(shape, input_axes=[0]) == keras_fans(shape)
    lone = initializers.LecunNormal(seed=0, input_axes=[0])
    assert lone(shape).tobytes() == initializers.LecunNormal(seed=0)(shape).tobytes()
    assert lone.get_config()["input_axes"] == [0]


# --- the attention query kernel of the issue, and EinsumDense ---------------------------------


def attention_kernels(initializer) -> dict[str, np.ndarray]:
    layer = keras.layers.MultiHeadAttention(num_heads=8, key_dim=16, kernel_initializer=initializer)
    query = np.zeros((1, 3, 128), dtype="float32")
    layer(query, query)
    return {w.path.split("/", 1)[1]: to_numpy(w) for w in layer.weights if "kernel" in w.path}


def test_attention_query_kernel_gets_keras_std_with_lecun_normal():
    ours = attention_kernels(wfk.LecunNormal(seed=1))
    theirs = attention_kernels(keras.initializers.LecunNormal(seed=1))
    assert (
        ours.keys()
        == theirs.keys()
        == {
            "query/kernel",
            "key/kernel",
            "value/kernel",
            "attention_output/kernel",
        }
    )
    for path, values in ours.items():
        assert_same_std(values, theirs[path])
    # Exactly winit_fast's lecun_normal with Keras's fans: fan_in = dim, not dim * heads.
    query = ours["query/kernel"]
    expected = wf.lecun_normal((128, 8, 16), seed=1, fan_in=128, fan_out=128)
    assert query.astype(np.float32).tobytes() == expected.tobytes()
    assert abs(query.std() - 1 / math.sqrt(128)) <= Z * query.std() / math.sqrt(query.size)


def scaling(name: str, module, seed: int):
    if name == "VarianceScaling":
        return getattr(module, name)(0.5, "fan_out", "untruncated_normal", seed=seed)
    return getattr(module, name)(seed=seed)


@pytest.mark.parametrize("name", SCALING)
def test_einsum_dense_kernel_has_keras_fans_for_every_variance_scaling_class(name):
    def kernel(module):
        layer = keras.layers.EinsumDense(
            "abc,cde->abde", output_shape=(None, 8, 32), kernel_initializer=scaling(name, module, 3)
        )
        layer.build((None, 4, 96))
        return to_numpy(layer.kernel)

    ours, theirs = kernel(wfk), kernel(keras.initializers)
    assert_same_std(ours, theirs)
    # The bytes are winit_fast's with the fans from the equation's axes (in: c, out: d e).
    impl = scaling(name, initializers, 3)
    expected = wf.variance_scaling(
        (96, 8, 32), impl.scale, impl.mode, impl.distribution, seed=3, fan_in=96, fan_out=256
    )
    assert ours.astype(np.float32).tobytes() == expected.tobytes()


@pytest.mark.parametrize("name", SCALING)
def test_classes_are_their_keras_twins_for_isinstance(name):
    instance = scaling(name, wfk, 0)
    assert isinstance(instance, twin(name))
    assert isinstance(instance, keras.initializers.VarianceScaling)


def test_every_class_derives_from_its_keras_twin():
    for cls in wfk.CLASSES:
        assert issubclass(cls, twin(cls.__name__)), cls


@pytest.mark.parametrize("name", SCALING)
def test_attributes_read_as_keras_and_are_read_only(name):
    ours, theirs = scaling(name, wfk, 4), scaling(name, keras.initializers, 4)
    for attribute in ("scale", "mode", "distribution", "seed", "input_axes", "output_axes"):
        assert getattr(ours, attribute) == getattr(theirs, attribute), attribute
    with pytest.raises(AttributeError, match="read-only"):
        ours.scale = 3.0
    copied = copy.deepcopy(ours)
    assert to_numpy(copied((5, 6))).tobytes() == to_numpy(ours((5, 6))).tobytes()


# --- configs ------------------------------------------------------------------------------------

CONSTRUCTED = {  # Keras-compatible arguments of every class
    "Zeros": {},
    "Ones": {},
    "Constant": {"value": 0.25},
    "Identity": {"gain": 2.0},
    "RandomUniform": {"minval": -1.0, "maxval": 2.0, "seed": 1},
    "RandomNormal": {"mean": 0.5, "stddev": 2.0, "seed": 1},
    "TruncatedNormal": {"mean": 0.5, "stddev": 2.0, "seed": 1},
    "VarianceScaling": {
        "scale": 3.0,
        "mode": "fan_avg",
        "distribution": "uniform",
        "seed": 2,
        "input_axes": [0],
        "output_axes": [1, 2],
    },
    "Orthogonal": {"gain": 2.0, "seed": 4},
    **{name: {"seed": 5, "input_axes": [0, 1], "output_axes": [2]} for name in PRESETS},
}
NAMES = sorted(CONSTRUCTED)
# Keras's Identity writes {} (it drops gain); winit_fast keeps gain, so its config round-trips.
KERAS_DROPS = {"Identity": {"gain"}}


def test_every_class_is_covered():
    assert set(NAMES) == {cls.__name__ for cls in wfk.CLASSES}


@pytest.mark.parametrize("name", NAMES)
def test_config_is_keras_config(name):
    ours = getattr(wfk, name)(**CONSTRUCTED[name]).get_config()
    theirs = twin(name)(**CONSTRUCTED[name]).get_config()
    dropped = KERAS_DROPS.get(name, set())
    assert {k: v for k, v in ours.items() if k not in dropped} == theirs


@pytest.mark.parametrize("name", NAMES)
def test_keras_written_config_loads_and_keeps_its_meaning(name):
    written = twin(name)(**CONSTRUCTED[name])
    for loaded in (
        getattr(wfk, name).from_config(written.get_config()),
        wfk.deserialize(keras.initializers.serialize(written)),
        wfk.get(keras.initializers.serialize(written)),
    ):
        assert type(loaded) is getattr(wfk, name)
        for key, value in written.get_config().items():
            assert loaded.get_config()[key] == value, key


@pytest.mark.parametrize("name", NAMES)
def test_config_round_trips_through_keras_serialization(name):
    init = getattr(wfk, name)(**CONSTRUCTED[name])
    shape = (6, 4) if name == "Identity" else (6, 4, 5)
    serialized = keras.saving.serialize_keras_object(init)
    assert serialized["registered_name"] == f"winit_fast>{name}"
    restored = keras.saving.deserialize_keras_object(serialized)
    assert type(restored) is type(init) and restored.get_config() == init.get_config()
    assert to_numpy(restored(shape)).tobytes() == to_numpy(init(shape)).tobytes()


def test_axes_keep_their_type_in_the_config_as_in_keras():
    arguments = {"seed": 1, "input_axes": (0,), "output_axes": [1, 2]}
    ours, theirs = wfk.HeNormal(**arguments), keras.initializers.HeNormal(**arguments)
    assert ours.get_config() == theirs.get_config()


def test_distribution_names_are_case_insensitive_as_in_keras():
    for module in (keras.initializers, wfk):
        assert module.VarianceScaling(distribution="Uniform").distribution == "uniform"
        assert module.VarianceScaling(distribution="NORMAL").distribution == "truncated_normal"


# --- seeds --------------------------------------------------------------------------------------


@pytest.mark.parametrize("module", [keras.initializers, wfk], ids=["keras", "winit_fast"])
def test_seed_generator_gives_fresh_values_per_call(module):
    init = module.HeNormal(seed=keras.random.SeedGenerator(42))
    first, second = to_numpy(init((64, 32))), to_numpy(init((64, 32)))
    assert not np.array_equal(first, second)


def test_seed_generator_maps_its_state_to_seed_and_stream():
    # Call k of SeedGenerator(s) draws seed s, stream k (so call 0 is `seed=s`, as in Keras).
    generator = keras.random.SeedGenerator(42)
    init = wfk.GlorotUniform(seed=generator)
    for stream in range(3):
        values = keras.ops.convert_to_numpy(init((16, 8)))
        assert values.tobytes() == wf.glorot_uniform((16, 8), seed=42, stream=stream).tobytes()
    assert init.seed is generator
    assert keras.ops.convert_to_numpy(generator.state).tolist() == [42, 3]


def test_seed_generator_config_is_keras_config_and_restores_a_fresh_generator():
    generator = keras.random.SeedGenerator(7)
    ours, theirs = wfk.LecunUniform(seed=generator), keras.initializers.LecunUniform(seed=generator)
    assert ours.get_config() == theirs.get_config()
    ours((4, 4))
    restored = keras.saving.deserialize_keras_object(keras.saving.serialize_keras_object(ours))
    assert isinstance(restored.seed, keras.random.SeedGenerator) and restored.seed is not generator
    # As in Keras, the config holds the generator's seed, not its state: it starts over.
    values = keras.ops.convert_to_numpy(restored((4, 4)))
    assert values.tobytes() == wf.lecun_uniform((4, 4), seed=7).tobytes()


def test_seed_generator_refuses_a_stream():
    with pytest.raises(ValueError, match="stream must be 0"):
        wfk.HeNormal(seed=keras.random.SeedGenerator(1), stream=3)


def test_a_seed_config_keras_cannot_load_names_seed():
    with pytest.raises(TypeError, match="seed is a config Keras cannot load"):
        wfk.HeNormal(seed={"class_name": "Nope", "config": {}})


@pytest.mark.parametrize("module", [keras.initializers, wfk], ids=["keras", "winit_fast"])
def test_unseeded_instances_repeat_differ_and_follow_set_random_seed(module):
    init = module.HeUniform()
    assert to_numpy(init((8, 8))).tobytes() == to_numpy(init((8, 8))).tobytes()
    assert to_numpy(module.HeUniform()((8, 8))).tobytes() != to_numpy(init((8, 8))).tobytes()
    assert init.get_config()["seed"] is None
    clone = init.clone()  # a new seed: Keras's layers rely on it (MultiHeadAttention)
    assert to_numpy(clone((8, 8))).tobytes() != to_numpy(init((8, 8))).tobytes()
    keras.utils.set_random_seed(11)
    first = to_numpy(module.HeUniform()((8, 8)))
    keras.utils.set_random_seed(11)
    assert to_numpy(module.HeUniform()((8, 8))).tobytes() == first.tobytes()


def test_unseeded_layers_from_names_differ_as_in_keras():
    layers = [keras.layers.Dense(8, kernel_initializer=wfk.get("he_normal")) for _ in range(2)]
    for layer in layers:
        layer.build((None, 8))
    assert not np.array_equal(to_numpy(layers[0].kernel), to_numpy(layers[1].kernel))


# --- Constant with an array, get ----------------------------------------------------------------


@pytest.mark.parametrize("dtype", ["float32", "float16", "bfloat16", "int32"])
def test_constant_array_is_keras_constant(dtype):
    value = np.array([[0.1], [-2.5], [3.0]])
    ours = wfk.Constant(value)((3, 4), dtype=dtype)
    theirs = keras.initializers.Constant(value)((3, 4), dtype=dtype)
    assert keras.backend.standardize_dtype(ours.dtype) == dtype
    assert to_numpy(ours).tobytes() == to_numpy(theirs).tobytes()
    assert wfk.Constant(value).get_config() == keras.initializers.Constant(value).get_config()


def test_constant_takes_a_tensor_and_keras_written_array_configs():
    tensor = keras.ops.convert_to_tensor(np.arange(4.0))
    assert to_numpy(wfk.Constant(tensor)((2, 4)))[1].tolist() == [0.0, 1.0, 2.0, 3.0]
    written = keras.initializers.serialize(keras.initializers.Constant(np.arange(3.0)))
    loaded = wfk.deserialize(written)
    assert type(loaded) is wfk.Constant and loaded.value.tolist() == [0.0, 1.0, 2.0]


def test_constant_array_that_does_not_broadcast_names_value():
    for dtype in ("float32", "int32"):
        with pytest.raises(ValueError, match="value of shape"):
            wfk.Constant(np.ones(3))((2, 4), dtype=dtype)


@pytest.mark.parametrize("name", sorted(KERAS_NAMES))
def test_get_knows_every_keras_name(name):
    if name in ("Constant", "constant"):
        # Keras's own get fails here (its Constant.from_config needs "value"); ours does not.
        with pytest.raises(KeyError):
            keras.initializers.get(name)
        assert wfk.get(name).get_config() == keras.initializers.Constant().get_config()
        return
    ours, theirs = wfk.get(name), keras.initializers.get(name)
    assert type(ours).__name__ == type(theirs).__name__
    if type(theirs).__name__ in NAMES:
        assert type(ours) is getattr(wfk, type(theirs).__name__)
        assert ours.get_config().keys() >= theirs.get_config().keys()


def test_get_takes_keras_identifier_kinds():
    assert wfk.get(None) is None
    assert type(wfk.get(wfk.HeNormal)) is wfk.HeNormal  # a class is instantiated
    instance = wfk.Orthogonal(seed=0)
    assert wfk.get(instance) is instance

    def function(shape, dtype=None):
        return keras.ops.ones(shape, dtype=dtype)

    assert wfk.get(function) is function
    array = np.arange(6.0).reshape(2, 3)
    for identifier in (array, keras.ops.convert_to_tensor(array)):
        from_array = wfk.get(identifier)
        assert to_numpy(from_array((2, 3))).tolist() == array.tolist()
        with pytest.raises(ValueError, match="shape"):
            from_array((3, 2))
    config = {"class_name": "OrthogonalInitializer", "config": {"gain": 2.0, "seed": 3}}
    assert type(wfk.get(config)) is wfk.Orthogonal
    assert wfk.get(config).get_config() == {"gain": 2.0, "seed": 3}


@pytest.mark.parametrize("identifier", ["kaiming", 3, ["he_normal"]], ids=str)
def test_get_refuses_what_keras_refuses(identifier):
    with pytest.raises(ValueError):
        keras.initializers.get(identifier)
    with pytest.raises(ValueError, match="identifier"):
        wfk.get(identifier)


# --- real layers, dtype policies ----------------------------------------------------------------


def build(layer, input_shape):
    layer.build(input_shape)
    return layer


LAYERS = {
    "Dense": (lambda i: keras.layers.Dense(64, kernel_initializer=i), (None, 96)),
    "Conv2D": (lambda i: keras.layers.Conv2D(16, 3, kernel_initializer=i), (None, 8, 8, 24)),
    "Embedding": (lambda i: keras.layers.Embedding(300, 32, embeddings_initializer=i), (None,)),
    "EinsumDense": (
        lambda i: keras.layers.EinsumDense("ab,bc->ac", output_shape=64, kernel_initializer=i),
        (None, 96),
    ),
}
RANDOM = ["RandomUniform", "RandomNormal", "TruncatedNormal", "Orthogonal", *SCALING]


@pytest.mark.parametrize("layer_name", sorted(LAYERS))
@pytest.mark.parametrize("name", RANDOM)
def test_layer_weights_have_keras_distribution(layer_name, name):
    make, input_shape = LAYERS[layer_name]
    arguments = {k: v for k, v in CONSTRUCTED[name].items() if not k.endswith("_axes")}
    ours = build(make(getattr(wfk, name)(**arguments)), input_shape).weights[0]
    theirs = build(make(twin(name)(**arguments)), input_shape).weights[0]
    assert ours.shape == theirs.shape and ours.dtype == theirs.dtype
    ours_values, their_values = to_numpy(ours), to_numpy(theirs)
    assert_same_std(ours_values, their_values)
    mean_tolerance = (
        Z * math.hypot(ours_values.std(), their_values.std()) / math.sqrt(ours_values.size)
    )
    assert abs(ours_values.mean() - their_values.mean()) <= mean_tolerance


@pytest.mark.parametrize("policy", ["float16", "bfloat16", "mixed_float16", "mixed_bfloat16"])
def test_dtype_policies_give_keras_dtypes_and_winit_fast_bytes(policy):
    def dense(module):
        layer = keras.layers.Dense(
            16,
            kernel_initializer=module.HeNormal(seed=0),
            bias_initializer=module.Constant(0.1),
            dtype=policy,
        )
        return build(layer, (None, 24))

    ours, theirs = dense(wfk), dense(keras.initializers)
    for mine, reference in zip(ours.weights, theirs.weights, strict=True):
        assert mine.dtype == reference.dtype
    dtype = keras.backend.standardize_dtype(ours.kernel.dtype)
    kernel = to_numpy(keras.ops.cast(ours.kernel, "float32")).astype(np.float32)
    expected = wf.he_normal((24, 16), seed=0, dtype=dtype).astype(np.float32)
    assert kernel.tobytes() == expected.tobytes()
    assert to_numpy(ours.bias).tobytes() == to_numpy(theirs.bias).tobytes()


# --- a saved model ------------------------------------------------------------------------------


def test_keras_file_round_trip_of_attention_seed_generator_and_constant_array(tmp_path):
    inputs = keras.Input((5, 32))
    attended = keras.layers.MultiHeadAttention(
        num_heads=4, key_dim=8, kernel_initializer=wfk.LecunNormal(seed=3)
    )(inputs, inputs)
    projected = keras.layers.Dense(
        6,
        kernel_initializer=wfk.HeUniform(seed=keras.random.SeedGenerator(9)),
        bias_initializer=wfk.Constant(np.linspace(-1.0, 1.0, 6)),
    )(attended)
    model = keras.Model(inputs, projected)
    path = tmp_path / "model.keras"
    model.save(path)
    loaded = keras.saving.load_model(path)
    for before, after in zip(model.weights, loaded.weights, strict=True):
        assert to_numpy(after).tobytes() == to_numpy(before).tobytes()
    dense = loaded.layers[-1]
    assert type(dense.kernel_initializer) is wfk.HeUniform
    assert isinstance(dense.kernel_initializer.seed, keras.random.SeedGenerator)
    assert dense.bias_initializer.get_config() == model.layers[-1].bias_initializer.get_config()
    # Built again from the loaded config, the model draws the same initial weights.
    rebuilt = keras.Model.from_config(loaded.get_config())
    for before, again in zip(model.weights, rebuilt.weights, strict=True):
        assert to_numpy(again).tobytes() == to_numpy(before).tobytes()
