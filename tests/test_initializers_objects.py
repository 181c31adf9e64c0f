"""winit_fast.initializers: Keras-style objects, configs, seeds and get()."""

from __future__ import annotations

import numpy as np
import pytest
from support import same_bytes

import winit_fast as wf
from winit_fast import initializers as init

# guarantee 4: every test here runs on both backends (conftest.each_backend)
pytestmark = pytest.mark.usefixtures("each_backend")

SEEDED = {  # class -> (constructor kwargs with an int seed, the Keras config keys)
    init.RandomUniform: ({"minval": -0.5, "maxval": 0.5}, {"minval", "maxval", "seed"}),
    init.RandomNormal: ({"mean": 1.0, "stddev": 0.1}, {"mean", "stddev", "seed"}),
    init.TruncatedNormal: ({"mean": 0.0, "stddev": 0.02}, {"mean", "stddev", "seed"}),
    init.VarianceScaling: (
        {"scale": 2.0, "mode": "fan_avg", "distribution": "uniform"},
        {"scale", "mode", "distribution", "seed", "input_axes", "output_axes"},
    ),
    init.GlorotNormal: ({}, {"seed", "input_axes", "output_axes"}),
    init.GlorotUniform: ({}, {"seed", "input_axes", "output_axes"}),
    init.HeNormal: ({}, {"seed", "input_axes", "output_axes"}),
    init.HeUniform: ({}, {"seed", "input_axes", "output_axes"}),
    init.LecunNormal: ({}, {"seed", "input_axes", "output_axes"}),
    init.LecunUniform: ({}, {"seed", "input_axes", "output_axes"}),
    init.Orthogonal: ({"gain": 2.0}, {"gain", "seed"}),
}
UNSEEDED = {
    init.Zeros: ({}, set()),
    init.Ones: ({}, set()),
    init.Constant: ({"value": 0.25}, {"value"}),
    init.Identity: ({"gain": 3.0}, {"gain"}),
}
ALL = {**SEEDED, **UNSEEDED}
SHAPE = (3, 3, 4, 8)
SNAKE = {
    "Zeros": "zeros",
    "Ones": "ones",
    "Constant": "constant",
    "RandomUniform": "random_uniform",
    "RandomNormal": "random_normal",
    "TruncatedNormal": "truncated_normal",
    "VarianceScaling": "variance_scaling",
    "GlorotNormal": "glorot_normal",
    "GlorotUniform": "glorot_uniform",
    "HeNormal": "he_normal",
    "HeUniform": "he_uniform",
    "LecunNormal": "lecun_normal",
    "LecunUniform": "lecun_uniform",
    "Orthogonal": "orthogonal",
    "Identity": "identity",
}


def shape_for(cls):
    return (8, 6) if cls is init.Identity else SHAPE


def build(cls, seed=None):
    kwargs, _ = ALL[cls]
    return cls(**kwargs, seed=seed) if cls in SEEDED else cls(**kwargs)


@pytest.mark.parametrize("cls", list(ALL), ids=lambda c: c.__name__)
def test_config_uses_keras_keys_and_round_trips(cls):
    original = build(cls, seed=123)
    config = original.get_config()
    assert set(config) == ALL[cls][1]
    clone = cls.from_config(config)
    assert type(clone) is cls and clone.get_config() == config
    for dtype in (None, "float64"):
        first = original(shape_for(cls), dtype=dtype)
        assert same_bytes(first, clone(shape_for(cls), dtype=dtype))
        assert first.shape == shape_for(cls)
        assert first.dtype == np.dtype(dtype or np.float32)


@pytest.mark.parametrize("cls", list(SEEDED), ids=lambda c: c.__name__)
def test_int_seed_repeats_on_every_call(cls):
    instance = build(cls, seed=5)
    assert same_bytes(instance(SHAPE), instance(SHAPE))
    assert not same_bytes(instance(SHAPE), build(cls, seed=6)(SHAPE))


@pytest.mark.parametrize("cls", list(SEEDED), ids=lambda c: c.__name__)
def test_seed_none_is_drawn_once_at_construction(cls):
    instance = build(cls)
    assert same_bytes(instance(SHAPE), instance(SHAPE))
    assert 0 <= instance.seed < 2**64
    assert not same_bytes(instance(SHAPE), build(cls)(SHAPE))
    assert instance.get_config()["seed"] is None  # as Keras: the config holds what was passed


@pytest.mark.parametrize("cls", list(SEEDED), ids=lambda c: c.__name__)
def test_generator_seed_gives_fresh_values_continuing_the_generator(cls):
    instance = build(cls, seed=wf.Generator(seed=9, stream="net"))
    first, second = instance(SHAPE), instance(SHAPE)
    assert not same_bytes(first, second)
    # The same draws as calling the generator's method directly, in order.
    twin = build(cls, seed=wf.Generator(seed=9, stream="net"))
    assert same_bytes(twin(SHAPE), first) and same_bytes(twin(SHAPE), second)


def test_generator_seed_config_restores_the_generator_state():
    instance = init.HeUniform(seed=wf.Generator(seed=9))
    instance(SHAPE)
    config = instance.get_config()
    assert config["seed"] == {"class_name": "Generator", "config": instance.seed.state}
    clone = init.HeUniform.from_config(config)
    assert same_bytes(clone(SHAPE), instance(SHAPE))


def test_objects_equal_the_functions():
    assert same_bytes(init.HeNormal(seed=3)(SHAPE), wf.he_normal(SHAPE, seed=3))
    assert same_bytes(init.GlorotUniform(seed=3)(SHAPE), wf.glorot_uniform(SHAPE, seed=3))
    expected = wf.truncated_normal(SHAPE, 0.0, 0.02, seed=3)
    assert same_bytes(init.TruncatedNormal(stddev=0.02, seed=3)(SHAPE), expected)
    expected = wf.uniform(SHAPE, -0.05, 0.05, seed=3, dtype=np.float64)
    assert same_bytes(init.RandomUniform(seed=3)(SHAPE, dtype="float64"), expected)
    assert same_bytes(init.Orthogonal(seed=3)((5, 9)), wf.orthogonal((5, 9), seed=3))
    assert same_bytes(init.Identity()((3, 3)), wf.identity((3, 3)))
    assert same_bytes(init.Constant(2.0)(4), wf.constant(4, 2.0))


def test_winit_fast_options_appear_in_the_config_only_when_used():
    keras_like = init.VarianceScaling(seed=1)
    assert "stream" not in keras_like.get_config() and "layout" not in keras_like.get_config()
    custom = init.HeNormal(seed=1, stream="conv1", layout="torch")
    assert custom.get_config() == {
        "seed": 1,
        "input_axes": None,
        "output_axes": None,
        "stream": "conv1",
        "layout": "torch",
    }
    clone = init.HeNormal.from_config(custom.get_config())
    torch_shape = (8, 4, 3, 3)
    assert same_bytes(
        clone(torch_shape), wf.he_normal(torch_shape, seed=1, stream="conv1", layout="torch")
    )


def test_normal_distribution_is_stored_as_truncated():
    assert init.VarianceScaling(distribution="normal").distribution == "truncated_normal"


@pytest.mark.parametrize("class_name", sorted(SNAKE))
def test_get_accepts_every_name_and_class_name(class_name):
    cls = getattr(init, class_name)
    by_class = init.get(class_name)
    by_snake = init.get(SNAKE[class_name])
    assert type(by_class) is cls and type(by_snake) is cls
    from_dict = init.get({"class_name": class_name, "config": by_class.get_config()})
    assert type(from_dict) is cls and from_dict.get_config() == by_class.get_config()
    assert init.get(by_class) is by_class


def test_get_keras_aliases_and_none():
    assert type(init.get("uniform")) is init.RandomUniform
    assert type(init.get("normal")) is init.RandomNormal
    assert type(init.get("zero")) is init.Zeros and type(init.get("one")) is init.Ones
    assert init.get(None) is None
    assert type(init.get({"class_name": "HeNormal"})) is init.HeNormal


def test_get_with_a_seeded_config_reproduces():
    config = {"class_name": "GlorotNormal", "config": {"seed": 42}}
    assert same_bytes(init.get(config)(SHAPE), wf.glorot_normal(SHAPE, seed=42))


@pytest.mark.parametrize(
    "identifier",
    ["kaiming", "he-normal", {"class_name": "Nope"}, {"config": {}}, 3, ["he_normal"]],
    ids=str,
)
def test_get_rejects_unknown_identifiers_listing_names(identifier):
    with pytest.raises(ValueError, match="identifier") as info:
        init.get(identifier)
    if isinstance(identifier, str):
        assert "he_normal" in str(info.value) and "HeNormal" in str(info.value)


@pytest.mark.parametrize(
    ("factory", "error", "pattern"),
    [
        (lambda: init.RandomUniform(1.0, -1.0), ValueError, "minval"),
        (lambda: init.RandomUniform(maxval=float("nan")), ValueError, "maxval"),
        (lambda: init.RandomNormal(stddev=-1.0), ValueError, "stddev"),
        (lambda: init.TruncatedNormal(mean=float("inf")), ValueError, "mean"),
        (lambda: init.VarianceScaling(scale=0.0), ValueError, "scale"),
        (lambda: init.VarianceScaling(scale=float("nan")), ValueError, "scale"),
        (lambda: init.VarianceScaling(mode="fan"), ValueError, "mode"),
        (lambda: init.VarianceScaling(distribution="x"), ValueError, "distribution"),
        (lambda: init.HeNormal(layout="tf"), ValueError, "layout"),
        (lambda: init.HeNormal(seed=-1), ValueError, "seed"),
        (lambda: init.HeNormal(seed="1"), TypeError, "seed"),
        (lambda: init.HeNormal(seed={"class_name": "X"}), ValueError, "seed"),
        (lambda: init.HeNormal(stream=1.5), TypeError, "stream"),
        (lambda: init.HeNormal(seed=wf.Generator(0), stream=1), ValueError, "stream"),
        (lambda: init.Orthogonal(gain=float("nan")), ValueError, "gain"),
        (lambda: init.Identity(gain=float("nan")), ValueError, "gain"),
        (lambda: init.Constant("a"), TypeError, "value"),
        (lambda: init.Identity()((2, 2, 2)), ValueError, "shape"),
        (lambda: init.Orthogonal(seed=0)((4,)), ValueError, "shape"),
        (lambda: init.HeNormal(seed=0)((3, 3), dtype="int32"), TypeError, "dtype"),
    ],
)
def test_bad_arguments_name_the_argument(factory, error, pattern):
    with pytest.raises(error, match=pattern):
        factory()


def test_variance_scaling_axes_give_the_fans_and_one_axis_alone_is_unused():
    shape = (64, 8, 16)
    query = init.LecunNormal(seed=2, input_axes=[0], output_axes=[1, 2])
    assert same_bytes(query(shape), wf.lecun_normal(shape, seed=2, fan_in=64, fan_out=128))
    assert query.get_config() == {"seed": 2, "input_axes": [0], "output_axes": [1, 2]}
    positional = init.VarianceScaling(2.0, "fan_out", "uniform", 2, (0,), (1, 2))
    expected = wf.variance_scaling(shape, 2.0, "fan_out", "uniform", seed=2, fan_in=64, fan_out=128)
    assert same_bytes(positional(shape), expected)
    # Keras's rule for one axis argument alone: kept in the config, fans from the shape.
    alone = init.HeNormal(2, None, [1, 2])
    assert same_bytes(alone(shape), wf.he_normal(shape, seed=2))
    assert init.HeNormal.from_config(alone.get_config()).output_axes == [1, 2]
    with pytest.raises(ValueError, match="input_axes has axis 3"):
        init.HeNormal(seed=0, input_axes=[3], output_axes=[0])(shape)


@pytest.mark.parametrize("dtype", ["float32", "float64", "float16", "bfloat16"])
def test_constant_array_broadcasts_and_rounds_as_scalars_do(dtype):
    value = np.array([[0.1], [-1e4], [np.inf], [1 / 3]])
    filled = init.Constant(value)((4, 3), dtype=dtype)
    for row in range(4):
        assert same_bytes(filled[row], init.Constant(float(value[row, 0]))(3, dtype=dtype))
    config = init.Constant(value).get_config()
    assert config == {"value": value.tolist()}
    assert same_bytes(init.Constant.from_config(config)((4, 3), dtype=dtype), filled)


def test_constant_reads_keras_array_config_and_refuses_bad_values():
    keras_config = {"class_name": "__numpy__", "config": {"value": [1.0, 2.0], "dtype": "float32"}}
    assert init.Constant(keras_config)((2, 2)).tolist() == [[1.0, 2.0], [1.0, 2.0]]
    assert init.Constant(np.array(2.5)).get_config() == {"value": 2.5}  # rank 0: a number
    with pytest.raises(ValueError, match="value of shape"):
        init.Constant([1.0, 2.0])((2, 3))
    with pytest.raises(ValueError, match="value has elements that overflow float16"):
        init.Constant([1.0, 7e4])(2, dtype="float16")
    with pytest.raises(TypeError, match="value must be a number or an array of numbers"):
        init.Constant(["a"])


def test_get_takes_keras_aliases_classes_callables_and_arrays():
    assert type(init.get("OrthogonalInitializer")) is init.Orthogonal
    assert type(init.get("IdentityInitializer")) is init.Identity
    assert type(init.get(init.HeUniform)) is init.HeUniform
    assert type(init.get({"class_name": "Zeros", "config": None})) is init.Zeros
    function = wf.he_normal
    assert init.get(function) is function
    from_array = init.get(np.arange(6.0).reshape(2, 3))
    assert from_array((2, 3), dtype="float64").tolist() == [[0, 1, 2], [3, 4, 5]]
    assert from_array((2, 3)).dtype == np.float32
    with pytest.raises(ValueError, match="shape must be"):
        from_array((3, 2))


def test_an_unknown_name_gets_the_close_ones_suggested():
    with pytest.raises(ValueError, match="did you mean 'he_normal'"):
        init.get("he_normall")
    with pytest.raises(ValueError, match=r"unknown; valid names: Constant"):
        init.get("qqqqqq")  # nothing close: no suggestion


def test_get_takes_every_scheme_name_that_init_module_and_seed_checkpoint_take():
    from winit_fast._schemes import SCHEME_FUNCTIONS

    for name, (function, fixed) in SCHEME_FUNCTIONS.items():
        made = init.get(name)
        if function == "orthogonal":
            assert type(made).__name__ == "Orthogonal"
            continue
        config = made.get_config()
        config["seed"] = 7
        values = init.get({"class_name": type(made).__name__, "config": config})
        expected = getattr(wf, function)((64, 32), seed=7, **fixed)  # the same formulas
        assert (values((64, 32)) == expected).all(), name
    normal = init.get("kaiming_normal").get_config()
    assert (normal["scale"], normal["mode"], normal["distribution"]) == (
        2.0, "fan_in", "untruncated_normal",
    )  # fmt: skip
    with pytest.raises(ValueError, match="did you mean 'kaiming_normal'"):
        init.get("kaiming_normall")
