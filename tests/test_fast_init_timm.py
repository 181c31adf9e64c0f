"""timm's ``trunc_normal_`` inside fast_init: ``uniform_``, ``erfinv_``, ``mul_``, ``add_``,
``clamp_`` served as one truncated-normal fill (tests/timm_weight_init.py makes the same calls;
the real timm is tested too where it is installed)."""

from __future__ import annotations

import math
from statistics import NormalDist

import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="needs torch")
stats = pytest.importorskip("scipy.stats", reason="needs scipy")

from timm_weight_init import trunc_normal_  # noqa: E402

import winit_fast as wf  # noqa: E402
import winit_fast.torch as wft  # noqa: E402

SEED = 31
SHAPE = (96, 40)
DTYPES = {torch.float32: np.float32, torch.float64: np.float64}
# (mean, std, a, b): timm's defaults around a ViT's std (bounds 100 std away: not truncated,
# the clamp cannot act), and bounds near the mean (truncated on both sides, clamped).
CASES = {"vit": (0.0, 0.02, -2.0, 2.0), "tight": (0.1, 1.0, -1.0, 2.5)}
FAR = 60.0  # a bound of Z beyond the inverse CDF's reach: no truncation on that side


def standardized(bound: float) -> float:
    """Z's bound for a bound of the uniform drawn (``2 * cdf - 1``)."""
    if abs(bound) == 1.0:
        return math.copysign(FAR, bound)
    return NormalDist().inv_cdf((bound + 1.0) / 2.0)


def expected_fill(mean, std, a, b, dtype, stream=0):
    """wf.truncated_normal with the parameters the five calls amount to, then the clamp."""
    cdf = NormalDist().cdf
    low, high = 2 * cdf((a - mean) / std) - 1, 2 * cdf((b - mean) / std) - 1
    scale = std * math.sqrt(2.0)  # mul_: erfinv(U) is Z * sqrt(1/2)
    values = wf.truncated_normal(
        SHAPE,
        0.0 * scale + mean,
        math.sqrt(0.5) * scale,
        a=standardized(low),
        b=standardized(high),
        seed=SEED,
        stream=stream,
        dtype=DTYPES[dtype],
    )
    return torch.from_numpy(values).clamp_(a, b)


@pytest.mark.parametrize("dtype", list(DTYPES))
@pytest.mark.parametrize("case", list(CASES))
def test_one_truncated_normal_fill_with_the_equivalent_parameters(case, dtype):
    mean, std, a, b = CASES[case]
    state = torch.get_rng_state()
    with wft.fast_init(seed=SEED) as session:
        weight = trunc_normal_(torch.empty(SHAPE, dtype=dtype), mean, std, a, b)
    assert session.calls == 1 and session.written == weight.numel()  # one fill, written once
    assert torch.equal(torch.get_rng_state(), state)
    expected = expected_fill(mean, std, a, b, dtype)
    assert weight.numpy().tobytes() == expected.numpy().tobytes()
    assert a <= float(weight.min()) and float(weight.max()) <= b


def test_an_unbounded_side_does_not_depend_on_the_far_bound_chosen():
    far = [wf.truncated_normal(4096, 0.0, 0.02, a=-x, b=x, seed=SEED) for x in (30.0, FAR)]
    assert far[0].tobytes() == far[1].tobytes()


@pytest.mark.parametrize("case", list(CASES))
def test_the_distribution_is_the_truncated_normal(case):
    mean, std, a, b = CASES[case]
    with wft.fast_init(seed=SEED):
        values = trunc_normal_(torch.empty(200_000, dtype=torch.float64), mean, std, a, b)
    law = stats.truncnorm((a - mean) / std, (b - mean) / std, loc=mean, scale=std)
    assert stats.kstest(values.numpy(), law.cdf).pvalue > 1e-4


def test_a_layer_initialized_the_timm_way_is_written_once():
    with wft.fast_init(seed=SEED) as session:
        layer = torch.nn.Linear(40, 96)  # kaiming_uniform_ and uniform_: both replaced
        trunc_normal_(layer.weight, std=0.02)
        torch.nn.init.zeros_(layer.bias)
    assert session.written == 96 * 40 + 96
    # stream 2: the Linear's own two fills took streams 0 and 1
    expected = expected_fill(0.0, 0.02, -2.0, 2.0, torch.float32, stream=2)
    assert torch.equal(layer.weight.detach(), expected)


def truncated_z(low: float, high: float) -> np.ndarray:
    """What ``uniform_(low, high)`` then ``erfinv_()`` fold into: Z / sqrt(2)."""
    return wf.truncated_normal(
        SHAPE, 0.0, math.sqrt(0.5), a=standardized(low), b=standardized(high), seed=SEED
    )


def test_another_op_ends_the_pattern_and_runs_as_torchs():
    weight = torch.empty(SHAPE)
    with wft.fast_init(seed=SEED) as session:
        weight.uniform_(-0.5, 0.5)
        weight.erfinv_()  # folded
        weight.mul_(-2.0)  # a negative factor is not folded: written first, then torch's mul_
        weight.add_(torch.tensor(0.25))  # a tensor operand: torch's
    assert session.written == weight.numel()
    expected = torch.from_numpy(truncated_z(-0.5, 0.5)).mul_(-2.0).add_(torch.tensor(0.25))
    assert torch.equal(weight, expected)


def test_a_read_between_the_calls_sees_the_values_so_far():
    weight = torch.empty(SHAPE)
    with wft.fast_init(seed=SEED):
        weight.uniform_(-0.5, 0.5)
        weight.erfinv_()
        seen = weight.sum()  # written here: the pattern ends
        weight.mul_(3.0)  # torch's
    expected = torch.from_numpy(truncated_z(-0.5, 0.5))
    assert torch.equal(seen, expected.sum())
    assert torch.equal(weight, expected.mul_(3.0))


@pytest.mark.parametrize("between", ["a partial fill", "none"])
def test_erfinv_of_a_uniform_outside_its_domain_or_after_a_partial_fill_is_torchs(between):
    weight = torch.empty(SHAPE)
    low, high = (-0.5, 0.5) if between == "a partial fill" else (-2.0, 2.0)
    with wft.fast_init(seed=SEED):
        weight.uniform_(low, high)
        if between == "a partial fill":
            weight[0].fill_(0.0)
        weight.erfinv_()
    uniform = torch.from_numpy(wf.uniform(SHAPE, low, high, seed=SEED))
    if between == "a partial fill":
        uniform[0] = 0.0
    torch.testing.assert_close(weight, uniform.erfinv_(), rtol=0, atol=0, equal_nan=True)


def test_the_same_ops_on_tensors_without_a_storage_are_torchs():
    weight = torch.empty(SHAPE)
    indices, values = torch.tensor([[0, 2]]), torch.tensor([1.0, 2.0])
    sparse = torch.sparse_coo_tensor(indices, values, (4,), check_invariants=True)
    with wft.fast_init(seed=SEED):
        weight.uniform_(-0.5, 0.5)  # recorded: the ops below are looked at
        sparse.mul_(2.0)
        sparse.add_(sparse)
    assert torch.equal(sparse.to_dense(), torch.tensor([4.0, 0.0, 8.0, 0.0]))


def test_the_real_timm_is_served_the_same_way():
    timm_init = pytest.importorskip(
        "timm.layers.weight_init", reason="needs timm (its torchvision needs a CUDA torch here)"
    )
    with wft.fast_init(seed=SEED) as session:
        weight = timm_init.trunc_normal_(torch.empty(SHAPE), std=0.02)
    assert session.calls == 1 and session.written == weight.numel()
    expected = expected_fill(0.0, 0.02, -2.0, 2.0, torch.float32)
    assert weight.numpy().tobytes() == expected.numpy().tobytes()
