"""winit_fast.torch: in-place fills without a copy, torch semantics, init_module streams."""

from __future__ import annotations

import math

import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="needs torch")
pytest.importorskip("ml_dtypes", reason="needs ml_dtypes (bfloat16)")
stats = pytest.importorskip("scipy.stats", reason="needs scipy")

import winit_fast as wf  # noqa: E402
import winit_fast.torch as wft  # noqa: E402

nn = torch.nn
DTYPES = {
    torch.float32: np.float32,
    torch.float64: np.float64,
    torch.float16: np.float16,
    torch.bfloat16: "bfloat16",
}
SHAPE = (24, 16, 3)  # (out, in, kernel): fans 48 and 72 in torch layout
KS_SAMPLES = (256, 128)
# The two-sample KS p-value below which two samples are called different distributions.
KS_ALPHA = 1e-4


def words(tensor: torch.Tensor) -> np.ndarray:
    """The tensor's raw bits, for byte comparisons of any dtype."""
    size = tensor.element_size()
    as_int = {2: torch.int16, 4: torch.int32, 8: torch.int64}[size]
    return tensor.detach().view(as_int).numpy()


def array_words(array: np.ndarray) -> np.ndarray:
    return array.view({2: np.int16, 4: np.int32, 8: np.int64}[array.itemsize])


# name -> (fill the tensor in place, the NumPy API's twin for (shape, dtype)).
FILLS = {
    "uniform_": (
        lambda t: wft.uniform_(t, -0.5, 0.25, seed=1),
        lambda s, d: wf.uniform(s, -0.5, 0.25, seed=1, dtype=d),
    ),
    "normal_": (
        lambda t: wft.normal_(t, 0.1, 0.02, seed=2, stream="w"),
        lambda s, d: wf.normal(s, 0.1, 0.02, seed=2, stream="w", dtype=d),
    ),
    "trunc_normal_": (
        lambda t: wft.trunc_normal_(t, 0.5, 0.25, a=0.25, b=1.0, seed=3),
        lambda s, d: wf.truncated_normal(s, 0.5, 0.25, a=-1.0, b=2.0, seed=3, dtype=d),
    ),
    "kaiming_normal_": (
        lambda t: wft.kaiming_normal_(t, seed=4),
        lambda s, d: wf.he_normal(
            s, seed=4, dtype=d, layout="torch", distribution="untruncated_normal"
        ),
    ),
    "kaiming_uniform_fan_out": (
        lambda t: wft.kaiming_uniform_(t, a=0.2, mode="fan_out", seed=5),
        lambda s, d: wf.variance_scaling(
            s, 2 / (1 + 0.2**2), "fan_out", "uniform", seed=5, dtype=d, layout="torch"
        ),
    ),
    "xavier_uniform_": (
        lambda t: wft.xavier_uniform_(t, seed=6),
        lambda s, d: wf.glorot_uniform(s, seed=6, dtype=d, layout="torch"),
    ),
    "xavier_normal_": (
        lambda t: wft.xavier_normal_(t, seed=7),
        lambda s, d: wf.glorot_normal(
            s, seed=7, dtype=d, layout="torch", distribution="untruncated_normal"
        ),
    ),
    "orthogonal_": (
        lambda t: wft.orthogonal_(t, gain=2.0, seed=8),
        lambda s, d: wf.orthogonal((s[0], math.prod(s[1:])), 2.0, seed=8, dtype=d).reshape(s),
    ),
    "constant_": (
        lambda t: wft.constant_(t, -1.5),
        lambda s, d: wf.constant(s, -1.5, dtype=d),
    ),
    "ones_": (lambda t: wft.ones_(t), lambda s, d: wf.ones(s, dtype=d)),
    "zeros_": (lambda t: wft.zeros_(t), lambda s, d: wf.zeros(s, dtype=d)),
}


@pytest.mark.parametrize("dtype", DTYPES, ids=str)
@pytest.mark.parametrize("name", FILLS)
def test_fills_in_place_without_a_copy_the_numpy_api_bytes(name, dtype):
    fill, twin = FILLS[name]
    tensor = torch.full(SHAPE, float("nan"), dtype=dtype)
    pointer = tensor.data_ptr()
    assert fill(tensor) is tensor
    assert tensor.data_ptr() == pointer
    expected = twin(SHAPE, DTYPES[dtype])
    np.testing.assert_array_equal(words(tensor), array_words(expected))


@pytest.mark.parametrize("dtype", DTYPES, ids=str)
def test_parameter_filled_under_no_grad_keeps_autograd_state(dtype):
    weight = nn.Parameter(torch.empty(8, 4, dtype=dtype))
    version = weight._version
    wft.kaiming_uniform_(weight, seed=0)
    assert weight.requires_grad and weight.grad_fn is None and weight.is_leaf
    # An in-place fill must be visible to autograd's version check, as torch's own are.
    assert weight._version > version


def test_modifying_a_tensor_saved_for_backward_is_detected():
    weight = nn.Parameter(torch.ones(3, 3))
    loss = (weight * weight).sum()
    wft.normal_(weight, seed=0)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        loss.backward()


def ks_pvalue(ours: torch.Tensor, theirs: torch.Tensor) -> float:
    return stats.ks_2samp(ours.detach().numpy().ravel(), theirs.detach().numpy().ravel()).pvalue


# case -> (function name, arguments): called on winit_fast.torch (seeded) and torch.nn.init.
AGAINST_TORCH = {
    "uniform_": ("uniform_", {"a": -0.3, "b": 0.7}),
    "normal_": ("normal_", {"mean": 0.5, "std": 2.0}),
    "trunc_normal_": ("trunc_normal_", {"mean": 0.2, "std": 1.0, "a": -0.5, "b": 1.5}),
    "trunc_normal_defaults": ("trunc_normal_", {}),
    "xavier_uniform_": ("xavier_uniform_", {"gain": 1.5}),
    "xavier_normal_": ("xavier_normal_", {"gain": 0.5}),
    "kaiming_uniform_": ("kaiming_uniform_", {"a": math.sqrt(5)}),
    "kaiming_normal_relu": ("kaiming_normal_", {"nonlinearity": "relu"}),
    "kaiming_normal_fan_out": ("kaiming_normal_", {"a": 0.1, "mode": "fan_out"}),
    "kaiming_normal_tanh": ("kaiming_normal_", {"nonlinearity": "tanh"}),
    "orthogonal_": ("orthogonal_", {"gain": 0.8}),
}


@pytest.mark.parametrize("case", AGAINST_TORCH)
def test_same_distribution_as_torch_nn_init(case):
    name, arguments = AGAINST_TORCH[case]
    ours = getattr(wft, name)(torch.empty(KS_SAMPLES), **arguments, seed=0)
    torch.manual_seed(0)
    theirs = getattr(nn.init, name)(torch.empty(KS_SAMPLES), **arguments)
    assert ks_pvalue(ours, theirs) > KS_ALPHA


def test_same_distribution_as_torch_for_conv_weights():
    # Torch-layout fans of a conv kernel: (out, in, kh, kw) -> fan_in = in * kh * kw.
    ours = wft.kaiming_normal_(torch.empty(128, 64, 3, 3), seed=0)
    torch.manual_seed(0)
    theirs = nn.init.kaiming_normal_(torch.empty(128, 64, 3, 3))
    assert ks_pvalue(ours, theirs) > KS_ALPHA
    assert ours.std().item() == pytest.approx(math.sqrt(2 / (64 * 9)), rel=0.01)


@pytest.mark.parametrize("shape", [(20, 50), (50, 20), (16, 4, 3, 3)])
def test_orthogonal_flattens_like_torch(shape):
    weight = wft.orthogonal_(torch.empty(shape, dtype=torch.float64), gain=1.5, seed=0)
    matrix = weight.reshape(shape[0], -1)
    rows, cols = matrix.shape
    gram = matrix @ matrix.T if rows <= cols else matrix.T @ matrix
    torch.testing.assert_close(gram, 2.25 * torch.eye(min(rows, cols), dtype=torch.float64))


@pytest.mark.parametrize(
    ("shape", "groups"), [((6, 4, 3), 1), ((8, 2, 3, 5), 2), ((6, 6, 3, 3, 3), 3)]
)
def test_dirac_and_eye_equal_torch(shape, groups):
    ours = wft.dirac_(torch.full(shape, float("nan")), groups=groups)
    torch.testing.assert_close(ours, nn.init.dirac_(torch.empty(shape), groups=groups))
    eye = wft.eye_(torch.full((3, 5), float("nan"), dtype=torch.bfloat16))
    torch.testing.assert_close(eye, nn.init.eye_(torch.empty(3, 5, dtype=torch.bfloat16)))


def test_sparse_zeroes_a_random_subset_of_each_column():
    rows, cols, sparsity = 40, 300, 0.25
    weight = wft.sparse_(torch.empty(rows, cols), sparsity, std=0.5, seed=3)
    zeros = weight == 0
    assert (zeros.sum(dim=0) == math.ceil(sparsity * rows)).all()
    # The nonzeros are the stream's normals (as normal_ draws them) at those positions.
    normals = wf.normal((rows, cols), 0.0, 0.5, seed=3)
    np.testing.assert_array_equal(weight.numpy()[~zeros.numpy()], normals[~zeros.numpy()])
    # Each row is zeroed in about sparsity of the columns (a uniformly random subset).
    assert zeros.float().mean(dim=1).sub(sparsity).abs().max().item() < 0.15
    again = wft.sparse_(torch.empty(rows, cols), sparsity, std=0.5, seed=3)
    torch.testing.assert_close(again, weight, rtol=0, atol=0)
    torch.manual_seed(0)
    theirs = nn.init.sparse_(torch.empty(rows, cols), sparsity, std=0.5)
    assert ks_pvalue(weight[~zeros], theirs[theirs != 0]) > KS_ALPHA


def test_generator_continues_its_stream():
    generator = wf.Generator(seed=4)
    first = wft.normal_(torch.empty(100), generator=generator).clone()
    second = wft.normal_(torch.empty(100), generator=generator)
    reference = wf.Generator(seed=4)
    np.testing.assert_array_equal(first.numpy(), reference.normal(100))
    np.testing.assert_array_equal(second.numpy(), reference.normal(100))


def test_seed_none_draws_fresh_values():
    first = wft.uniform_(torch.empty(64)).clone()
    assert not torch.equal(first, wft.uniform_(torch.empty(64)))


BAD_INPUT = [
    (lambda: wft.normal_(np.zeros(3), seed=0), TypeError, "tensor must be a torch.Tensor"),
    (lambda: wft.normal_(torch.zeros(3, dtype=torch.int32), seed=0), TypeError, "dtype"),
    (lambda: wft.normal_(torch.zeros(4, 3).T, seed=0), ValueError, "contiguous"),
    (lambda: wft.normal_(torch.empty(3, device="meta"), seed=0), ValueError, "device meta"),
    (lambda: wft.normal_(torch.zeros(3).to_sparse(), seed=0), ValueError, "strided"),
    (lambda: wft.kaiming_normal_(torch.zeros(3), seed=0), ValueError, "at least 2 dim"),
    (lambda: wft.kaiming_normal_(torch.zeros(3, 3), mode="fan_avg"), ValueError, "mode"),
    (lambda: wft.kaiming_normal_(torch.zeros(3, 3), nonlinearity="gelu"), ValueError, "nonlin"),
    (lambda: wft.xavier_normal_(torch.zeros(3, 3), gain=-1.0), ValueError, "gain"),
    (lambda: wft.uniform_(torch.zeros(3), 1.0, 0.0), ValueError, "a must be <= b"),
    (lambda: wft.trunc_normal_(torch.zeros(3), std=0.0), ValueError, "std must be > 0"),
    (lambda: wft.trunc_normal_(torch.zeros(3), a=1.0, b=1.0), ValueError, "a must be < b"),
    (lambda: wft.sparse_(torch.zeros(3, 3), 1.5), ValueError, "sparsity"),
    (lambda: wft.sparse_(torch.zeros(3, 3, 3), 0.5), ValueError, "2 dimensions"),
    (lambda: wft.eye_(torch.zeros(3, 3, 3)), ValueError, "2 dimensions"),
    (lambda: wft.dirac_(torch.zeros(3, 3)), ValueError, "3, 4 or 5 dimensions"),
    (lambda: wft.dirac_(torch.zeros(3, 3, 3), groups=2), ValueError, "groups"),
    (lambda: wft.normal_(torch.zeros(3), generator=torch.Generator()), TypeError, "generator"),
    (
        lambda: wft.normal_(torch.zeros(3), generator=wf.Generator(0), seed=1),
        ValueError,
        "seed and stream",
    ),
    (lambda: wft.normal_(torch.zeros(3), seed=-1), ValueError, "seed"),
    (lambda: wft.init_module(torch.zeros(3)), TypeError, "module must be"),
    (lambda: wft.init_module(nn.Linear(2, 2), "he"), ValueError, "scheme must be one of"),
]


@pytest.mark.parametrize(("call", "error", "message"), BAD_INPUT)
def test_bad_input_names_the_argument(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_constants_fill_integer_tensors_too():
    tensor = torch.full((3,), 7, dtype=torch.int64)
    assert wft.zeros_(tensor) is tensor
    assert tensor.tolist() == [0, 0, 0]
    assert wft.constant_(torch.zeros(2, dtype=torch.bool), True).all()


class Net(nn.Module):
    def __init__(self, extra: bool = False) -> None:
        super().__init__()
        self.conv = nn.Conv2d(3, 8, 3)
        if extra:  # registered between the others: only the names matter
            self.inserted = nn.Linear(5, 5)
        self.norm = nn.LayerNorm(8)
        self.head = nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Linear(16, 2))


def test_init_module_streams_are_keyed_by_parameter_name():
    model = wft.init_module(Net(), "he_normal", seed=0)
    for name in ("conv.weight", "head.0.weight", "head.2.weight"):
        weight = model.get_parameter(name)
        expected = wf.he_normal(tuple(weight.shape), seed=0, stream=name, layout="torch")
        np.testing.assert_array_equal(weight.detach().numpy(), expected)
    for name in ("conv.bias", "head.0.bias", "head.2.bias", "norm.bias"):
        assert not model.get_parameter(name).detach().any(), name
    # Norm scales have no fans: init_module leaves the module's ones.
    assert (model.norm.weight.detach() == 1).all()


def test_adding_a_layer_does_not_change_the_others():
    before = dict(wft.init_module(Net(), seed=5).named_parameters())
    after = dict(wft.init_module(Net(extra=True), seed=5).named_parameters())
    assert set(after) - set(before) == {"inserted.weight", "inserted.bias"}
    for name, parameter in before.items():
        torch.testing.assert_close(after[name], parameter, rtol=0, atol=0)
    grown = nn.Sequential(nn.Linear(4, 8), nn.Linear(8, 8))
    wft.init_module(grown, seed=5)
    grown.append(nn.Linear(8, 3))
    appended = wft.init_module(
        nn.Sequential(nn.Linear(4, 8), nn.Linear(8, 8), nn.Linear(8, 3)), seed=5
    )
    for name, parameter in grown[:2].named_parameters():
        torch.testing.assert_close(appended.get_parameter(name), parameter, rtol=0, atol=0)


def test_init_module_prefix_matches_the_whole_model():
    whole = wft.init_module(Net(), "xavier_uniform", seed=1)
    head = wft.init_module(Net().head, "xavier_uniform", seed=1, prefix="head.")
    for name, parameter in head.named_parameters():
        torch.testing.assert_close(whole.get_parameter("head." + name), parameter, rtol=0, atol=0)


@pytest.mark.parametrize("scheme", sorted(wft.SCHEMES))
def test_init_module_every_scheme_fills_every_weight(scheme):
    model = nn.Sequential(nn.Conv2d(2, 4, 3), nn.Flatten(), nn.Linear(4, 3))
    for parameter in model.parameters():
        nn.init.constant_(parameter, float("nan"))
    wft.init_module(model, scheme, seed=2, bias=0.5)
    for name, parameter in model.named_parameters():
        values = parameter.detach()
        assert torch.isfinite(values).all(), name
        assert (values == 0.5).all() if name.endswith("bias") else values.std() > 0


def test_init_module_accepts_a_callable_scheme():
    calls = []

    def scheme(tensor, *, seed, stream):
        calls.append((tuple(tensor.shape), seed, stream))
        return wft.orthogonal_(tensor, seed=seed, stream=stream)

    wft.init_module(nn.Linear(3, 2), scheme, seed=9)
    assert calls == [((2, 3), 9, "weight")]
