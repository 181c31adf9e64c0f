"""winit_fast.torch behaves as torch.nn.init: signatures, calculate_gain, zero-element tensors."""

from __future__ import annotations

import inspect
import warnings

import pytest

torch = pytest.importorskip("torch", reason="needs torch")
pytest.importorskip("ml_dtypes", reason="needs ml_dtypes (bfloat16)")

import winit_fast.torch as wft  # noqa: E402

init = torch.nn.init
FUNCTIONS = (
    "calculate_gain",
    "uniform_",
    "normal_",
    "trunc_normal_",
    "constant_",
    "ones_",
    "zeros_",
    "eye_",
    "dirac_",
    "xavier_uniform_",
    "xavier_normal_",
    "kaiming_uniform_",
    "kaiming_normal_",
    "orthogonal_",
    "sparse_",
)
# Required arguments after the tensor, so that each function can be called.
REQUIRED = {"constant_": (0.5,), "sparse_": (0.1,)}
RANDOM = {"uniform_", "normal_", "trunc_normal_", "xavier_uniform_", "xavier_normal_"}
RANDOM |= {"kaiming_uniform_", "kaiming_normal_", "orthogonal_", "sparse_"}


def test_every_torch_init_function_has_a_twin():
    public = {
        name
        for name, obj in vars(init).items()
        if inspect.isfunction(obj)
        and obj.__module__ == init.__name__
        and (name == "calculate_gain" or (name.endswith("_") and not name.startswith("_")))
    }
    assert public == set(FUNCTIONS)  # a new torch function fails here until it has a twin


@pytest.mark.parametrize("name", FUNCTIONS)
def test_signature_is_torchs_plus_keyword_only_extras(name):
    theirs = list(inspect.signature(getattr(init, name)).parameters.values())
    ours = list(inspect.signature(getattr(wft, name)).parameters.values())
    assert [(p.name, p.kind, p.default) for p in ours[: len(theirs)]] == [
        (p.name, p.kind, p.default) for p in theirs
    ]
    assert all(p.kind is inspect.Parameter.KEYWORD_ONLY for p in ours[len(theirs) :])


GAIN_CASES = [
    ("linear", None),
    ("conv2d", None),
    ("conv_transpose3d", None),
    ("sigmoid", None),
    ("tanh", None),
    ("relu", None),
    ("selu", None),
    ("leaky_relu", None),
    ("leaky_relu", 0.2),
    ("leaky_relu", 3),
    ("leaky_relu", 0),
]


@pytest.mark.parametrize(("nonlinearity", "param"), GAIN_CASES)
def test_calculate_gain_is_torchs_value_and_type(nonlinearity, param):
    ours = wft.calculate_gain(nonlinearity, param)
    theirs = init.calculate_gain(nonlinearity, param)
    assert ours == theirs
    assert type(ours) is type(theirs)  # "linear" is the int 1 in torch


@pytest.mark.parametrize(
    ("nonlinearity", "param"),
    [("leaky_relu", "0.2"), ("leaky_relu", True), ("leaky_relu", [0.1]), ("swish", None)],
)
def test_calculate_gain_raises_torchs_value_error(nonlinearity, param):
    with pytest.raises(ValueError) as theirs:
        init.calculate_gain(nonlinearity, param)
    with pytest.raises(ValueError) as ours:
        wft.calculate_gain(nonlinearity, param)
    assert str(ours.value) == str(theirs.value)


@pytest.mark.parametrize("name", ("kaiming_uniform_", "kaiming_normal_"))
def test_kaiming_refuses_a_bad_slope_as_torch(name):
    with pytest.raises(ValueError, match="not a valid number"):
        getattr(wft, name)(torch.empty(4, 4), a="0.1", seed=0)


@pytest.mark.parametrize("name", ("kaiming_uniform_", "kaiming_normal_"))
def test_kaiming_mode_is_case_insensitive_as_torch(name):
    upper = getattr(wft, name)(torch.empty(8, 4), mode="FAN_OUT", seed=0)
    lower = getattr(wft, name)(torch.empty(8, 4), mode="fan_out", seed=0)
    assert torch.equal(upper, lower)


def _call(module, name, shape):
    """(outcome, warnings) of ``module.name`` on an empty tensor of ``shape``."""
    tensor = torch.empty(shape)
    extra = {"seed": 0} if module is wft and name in RANDOM else {}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            result = getattr(module, name)(tensor, *REQUIRED.get(name, ()), **extra)
            outcome = "returns the tensor" if result is tensor else f"returns {result!r}"
        except Exception as error:  # the type is what is compared
            outcome = type(error).__name__
    return outcome, [(w.category, str(w.message)) for w in caught], caught


ZERO_SHAPES = [(0,), (0, 5), (5, 0), (0, 3, 3, 3), (4, 0, 3)]


@pytest.mark.parametrize("shape", ZERO_SHAPES, ids=str)
@pytest.mark.parametrize("name", [n for n in FUNCTIONS if n != "calculate_gain"])
def test_zero_element_tensors_behave_as_torch(name, shape):
    theirs, their_warnings, _ = _call(init, name, shape)
    ours, our_warnings, caught = _call(wft, name, shape)
    assert ours == theirs  # the same return, or the same exception type
    assert our_warnings == their_warnings  # kaiming_*: torch's UserWarning, same text
    for warning in caught:  # attributed to the caller's line, as torch's stacklevel=2
        assert warning.filename == __file__


def test_xavier_on_a_tensor_with_no_fans_returns_it():
    # torch divides by fan_in + fan_out = 0 (ZeroDivisionError); there is nothing to fill.
    tensor = torch.empty(0, 0)
    assert wft.xavier_uniform_(tensor, seed=0) is tensor
    with pytest.raises(ZeroDivisionError):
        init.xavier_uniform_(torch.empty(0, 0))


@pytest.mark.parametrize("name", [n for n in FUNCTIONS if n != "calculate_gain"])
def test_returns_the_tensor_itself(name):
    tensor = torch.empty(6, 4, 3)
    if name in ("eye_", "sparse_"):
        tensor = torch.empty(6, 4)
    extra = {"seed": 0} if name in RANDOM else {}
    assert getattr(wft, name)(tensor, *REQUIRED.get(name, ()), **extra) is tensor
