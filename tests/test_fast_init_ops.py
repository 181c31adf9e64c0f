"""fast_init serves the random factories, fills of views with gaps and randperm with torch's
parameters (the values follow the seed only; torch's generator does not move), gives 16-bit
uniform_ torch's own distribution, and counts and warns about every random op it still leaves
to torch's global generator (issue 23, items 2 and 7)."""

from __future__ import annotations

import re
import warnings
from collections import Counter

import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="needs torch")
stats = pytest.importorskip("scipy.stats", reason="needs scipy")

import winit_fast as wf  # noqa: E402
import winit_fast.torch as wft  # noqa: E402
from winit_fast.torch import _uniform16  # noqa: E402

F = torch.nn.functional
SEED = 2024


def same(tensor: torch.Tensor, expected: np.ndarray) -> bool:
    """The tensor's values, in C order of its shape, are ``expected``'s bytes."""
    ours = tensor.detach().contiguous().numpy()
    return ours.shape == expected.shape and ours.tobytes() == expected.tobytes()


def bits(tensor: torch.Tensor) -> np.ndarray:
    """A 16-bit tensor's values as their 16-bit words (no ml_dtypes needed)."""
    return tensor.detach().contiguous().view(torch.int16).numpy().view(np.uint16)


# (a call inside the context, the winit_fast draw it must equal at its stream)
SERVED = {
    "torch.randn_like": (
        lambda: torch.randn_like(torch.empty(6, 5)),
        lambda **k: wf.normal((6, 5), **k),
    ),
    "torch.randn_like of a transposed tensor": (
        lambda: torch.randn_like(torch.empty(5, 6).T),
        lambda **k: wf.normal((6, 5), **k),
    ),
    "torch.rand_like with a dtype": (
        lambda: torch.rand_like(torch.empty(4, 3), dtype=torch.float64),
        lambda **k: wf.uniform((4, 3), dtype=np.float64, **k),
    ),
    "torch.normal(mean, std, size)": (
        lambda: torch.normal(0.5, 2.0, (3, 4)),
        lambda **k: wf.normal((3, 4), 0.5, 2.0, **k),
    ),
    "torch.normal(mean, std, size, dtype)": (
        lambda: torch.normal(-1.0, 0.1, size=(7,), dtype=torch.float64),
        lambda **k: wf.normal(7, -1.0, 0.1, dtype=np.float64, **k),
    ),
    "normal_ on a column slice": (
        lambda: torch.empty(8, 6)[:, :3].normal_(1.0, 3.0),
        lambda **k: wf.normal((8, 3), 1.0, 3.0, **k),
    ),
    "uniform_ on every other column": (
        lambda: torch.empty(8, 6)[:, ::2].uniform_(-2.0, 2.0),
        lambda **k: wf.uniform((8, 3), -2.0, 2.0, **k),
    ),
    "nn.init.normal_ on a strided 3-d view": (
        lambda: torch.nn.init.normal_(torch.empty(4, 6, 5)[1:, ::3, 1:4], std=0.5),
        lambda **k: wf.normal((3, 2, 3), 0.0, 0.5, **k),
    ),
    "torch.randperm": (
        lambda: torch.randperm(1000),
        lambda **k: np.argsort(wf.random_raw(2000, **k).view(np.uint64), kind="stable"),
    ),
    "torch.randperm with a dtype": (
        lambda: torch.randperm(300, dtype=torch.float32),
        lambda **k: np.argsort(wf.random_raw(600, **k).view(np.uint64), kind="stable").astype(
            np.float32
        ),
    ),
}


@pytest.mark.parametrize("name", list(SERVED))
def test_each_served_call_is_the_winit_fast_draw_at_its_stream(name):
    call, expected = SERVED[name]
    state = torch.get_rng_state()
    with wft.fast_init(seed=SEED) as session:
        first = torch.nn.init.normal_(torch.empty(10))  # stream 0: the call takes stream 1
        result = call()
    assert same(first, wf.normal(10, seed=SEED, stream=0))
    assert same(result, expected(seed=SEED, stream=1))
    assert session.calls == 2 and session.fell_through == 0 and not session.unserved
    assert torch.equal(torch.get_rng_state(), state)  # torch's generator did not move


def test_a_fill_of_a_view_with_gaps_leaves_the_gaps_alone():
    weight = torch.full((8, 6), 7.0)
    with wft.fast_init(seed=SEED):
        weight[:, 1:4].normal_()
        weight[::2, 5].uniform_(-1.0, 1.0)
    assert same(weight[:, 1:4], wf.normal((8, 3), seed=SEED, stream=0))
    assert same(weight[::2, 5], wf.uniform(4, -1.0, 1.0, seed=SEED, stream=1))
    assert bool((weight[:, [0, 4]] == 7).all()) and bool((weight[1::2, 5] == 7).all())


@pytest.mark.filterwarnings("ignore:fast_init")  # counted when called, before torch refuses it
def test_a_view_whose_elements_overlap_gets_torchs_error():
    def overlapping():
        return torch.empty(3).expand(4, 3).normal_()

    with pytest.raises(RuntimeError) as theirs:
        overlapping()
    with wft.fast_init(seed=SEED) as session, pytest.raises(RuntimeError) as ours:
        overlapping()
    assert str(ours.value) == str(theirs.value) and session.calls == 0


@pytest.mark.parametrize(
    "make",
    [
        lambda like, **k: torch.randn_like(like, **k),
        lambda like, **k: torch.rand_like(like, **k),
    ],
    ids=["randn_like", "rand_like"],
)
@pytest.mark.parametrize(
    ("like", "keywords"),
    [
        (torch.empty(5, 6).T, {}),
        (torch.empty(2, 3, 4, 5).to(memory_format=torch.channels_last), {}),
        (torch.empty(5, 6).T, {"memory_format": torch.contiguous_format}),
        (torch.empty(5, 6), {"dtype": torch.float16}),
        (torch.empty(5, 6, dtype=torch.float64), {"dtype": torch.bfloat16, "device": "cpu"}),
    ],
    ids=["transposed", "channels_last", "contiguous_format", "float16", "bfloat16"],
)
def test_the_like_factories_allocate_as_torch_does(make, like, keywords):
    with wft.fast_init(seed=SEED) as session:
        ours = make(like, **keywords)
    theirs = make(like, **keywords)
    assert (ours.shape, ours.stride(), ours.dtype, ours.device) == (
        theirs.shape,
        theirs.stride(),
        theirs.dtype,
        theirs.device,
    )
    assert session.calls == 1 and session.fell_through == 0


def permutation(n: int, stream: int) -> torch.Tensor:
    """torch.randperm(n) served at ``stream``: the stable argsort of n 64-bit raw keys."""
    keys = wf.random_raw(2 * n, seed=SEED, stream=stream).view(np.uint64)
    return torch.from_numpy(np.argsort(keys, kind="stable"))


def test_randperm_is_a_permutation_in_torchs_dtypes_that_follows_the_seed():
    dtypes = (None, torch.int32, torch.uint8, torch.float16, torch.bfloat16)
    state = torch.get_rng_state()
    with wft.fast_init(seed=SEED) as session:
        perms = [torch.randperm(200, dtype=dtype) for dtype in dtypes]
    with wft.fast_init(seed=SEED):
        again = torch.randperm(200)
    for stream, (perm, dtype) in enumerate(zip(perms, dtypes, strict=True)):
        assert perm.dtype == (dtype or torch.int64)
        assert torch.equal(perm.sort().values.long(), torch.arange(200))
        assert torch.equal(perm.long(), permutation(200, stream))
    assert torch.equal(again, perms[0]) and not torch.equal(perms[1].long(), perms[0])
    assert session.calls == len(dtypes) and session.fell_through == 0
    assert torch.equal(torch.get_rng_state(), state)


def test_sparse_init_follows_the_seed_only():
    state = torch.get_rng_state()
    with wft.fast_init(seed=SEED) as session:
        weight = torch.nn.init.sparse_(torch.empty(10, 4), sparsity=0.3)
    assert torch.equal(torch.get_rng_state(), state)
    assert session.calls == 1 + 4 and session.fell_through == 0  # the normal, a randperm a column
    normal = torch.from_numpy(wf.normal((10, 4), 0.0, 0.01, seed=SEED, stream=0))
    for column in range(4):
        zeroed = permutation(10, 1 + column)[:3]  # ceil(0.3 * 10) rows, as torch's sparse_
        expected = normal[:, column].clone()
        expected[zeroed] = 0
        assert torch.equal(weight[:, column], expected)


class Hybrid(torch.nn.Module):
    """The patterns of issue 23: a ``dt_bias`` made by ``rand_like`` (as a transformers hybrid
    model), factories, fills of column slices, ``sparse_`` and a ``randperm`` buffer."""

    def __init__(self) -> None:
        super().__init__()
        self.linear = torch.nn.Linear(6, 8)
        self.dt_bias = torch.nn.Parameter(torch.rand_like(self.linear.bias))
        self.noise = torch.nn.Parameter(torch.randn_like(self.linear.weight.T))
        self.scale = torch.nn.Parameter(torch.normal(0.0, 0.02, (8,)))
        with torch.no_grad():
            self.linear.weight[:, :3].normal_(0.0, 0.1)
            self.linear.weight[:, ::2].uniform_(-0.1, 0.1)
        self.sparse = torch.nn.Parameter(torch.nn.init.sparse_(torch.empty(10, 4), 0.3))
        self.gate = torch.nn.Parameter(torch.empty(16, dtype=torch.float16).uniform_(-1, 1))
        self.register_buffer("order", torch.randperm(12))


def test_two_builds_with_the_same_seed_are_equal_and_torchs_generator_does_not_move():
    builds = []
    for torch_seed in (0, 1):
        torch.manual_seed(torch_seed)
        state = torch.get_rng_state()
        with wft.fast_init(seed=SEED) as session:
            builds.append(Hybrid().state_dict())
        assert torch.equal(torch.get_rng_state(), state)
        assert session.fell_through == 0 and not session.unserved
    first, second = builds
    assert first.keys() == second.keys()
    for name in first:
        assert torch.equal(first[name], second[name]), name
    with wft.fast_init(seed=SEED + 1):
        other = Hybrid().state_dict()
    assert not torch.equal(other["dt_bias"], first["dt_bias"])


TINY = {
    "hidden_size": 32,
    "intermediate_size": 64,
    "num_hidden_layers": 2,
    "num_attention_heads": 4,
    "num_key_value_heads": 2,
    "vocab_size": 100,
    "pad_token_id": 0,
    "bos_token_id": 1,
    "eos_token_id": 2,
}


@pytest.mark.parametrize(
    "family",
    ["DiffLlama", "OlmoHybrid"],  # torch.normal(0, std, size) / torch.rand_like(dt_bias)
)
def test_transformers_models_that_use_the_factories_follow_the_seed_only(family):
    transformers = pytest.importorskip("transformers", reason="needs transformers")
    if not hasattr(transformers, f"{family}Config"):
        pytest.skip(f"needs a transformers with {family} (5.x)")
    config = getattr(transformers, f"{family}Config")(**TINY)
    model_class = getattr(transformers, f"{family}ForCausalLM")
    builds = []
    for torch_seed in (0, 1):
        torch.manual_seed(torch_seed)
        state = torch.get_rng_state()
        with wft.fast_init(seed=SEED) as session:
            builds.append(model_class(config).state_dict())
        assert torch.equal(torch.get_rng_state(), state)
        assert session.fell_through == 0
    for name, tensor in builds[0].items():
        assert torch.equal(tensor, builds[1][name]), name


# Random ops fast_init does not serve: (the call, its ATen op, a check that it worked)
UNSERVED = {
    "torch.bernoulli": (
        lambda: torch.bernoulli(torch.full((100,), 0.5)),
        "aten.bernoulli.default",
        lambda t: bool(((t == 0) | (t == 1)).all()),
    ),
    "torch.randint": (
        lambda: torch.randint(0, 10, (100,)),
        "aten.randint.low",
        lambda t: t.dtype == torch.int64 and 0 <= int(t.min()) and int(t.max()) < 10,
    ),
    "Tensor.exponential_": (
        lambda: torch.empty(100).exponential_(),
        "aten.exponential_.default",
        lambda t: bool((t >= 0).all()),
    ),
    "dropout in training": (
        lambda: F.dropout(torch.ones(100), 0.5, training=True),
        "aten.bernoulli_.float",
        lambda t: bool(((t == 0) | (t == 2)).all()),
    ),
    "normal_ with a mean wf refuses": (
        lambda: torch.empty(100).normal_(float("inf"), 1.0),
        "aten.normal_.default",
        lambda t: bool(torch.isinf(t).all()),
    ),
}


@pytest.mark.parametrize("name", list(UNSERVED))
def test_an_unserved_random_op_warns_once_is_counted_and_still_works(name):
    call, op, works = UNSERVED[name]
    state = torch.get_rng_state()
    with wft.fast_init(seed=SEED) as session:
        with pytest.warns(UserWarning, match=re.escape(op)) as record:
            results = [call(), call()]
    ours = [w for w in record if op in str(w.message)]
    assert len(ours) == 1  # once per op name and context
    assert ours[0].filename == __file__  # at the user's line, not inside torch or winit_fast
    assert session.fell_through == 2 and session.unserved == Counter({op: 2})
    assert all(works(result) for result in results)
    assert not torch.equal(torch.get_rng_state(), state)  # it was torch's generator


def test_each_context_warns_again():
    for _ in range(2):
        with wft.fast_init(seed=SEED), pytest.warns(UserWarning, match="aten.randint.low"):
            torch.randint(0, 10, (4,))


def test_calls_that_draw_nothing_from_torchs_generator_are_not_counted():
    query = torch.ones(1, 2, 4, 8)
    sequence = torch.ones(3, 1, 4)
    lstm = torch.nn.LSTM(4, 5, num_layers=2, dropout=0.3).eval()
    generator = torch.Generator().manual_seed(0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with wft.fast_init(seed=SEED) as session:
            torch.randint(0, 10, (5,), generator=generator)  # the user's own generator
            torch.empty(5).normal_(generator=generator)
            torch.randn(5, generator=generator)
            torch.randn(3, device="meta")  # no values
            torch.empty(3, device="meta").uniform_()
            torch.empty(0).normal_()  # nothing to draw
            torch.randn(0)
            F.scaled_dot_product_attention(query, query, query)  # dropout_p=0
            F.rrelu(query, training=False)
            F.dropout(query, 0.5, training=False)
            lstm(sequence)  # train=False: its dropout draws nothing
            torch.ones(4).sum()  # not random at all
    assert session.fell_through == 0 and not session.unserved and session.calls == 0


# 16-bit uniform_: torch's recipe (_uniform16), fed by winit_fast's raw words.

RANGES = [(0.0, 1e-7), (-1.0, 1.0), (0.0, 1.0)]
SIXTEEN_BIT = [torch.float16, torch.bfloat16]


def torch_words(n: int) -> np.ndarray:
    """The low 24 bits of the next ``n`` words of torch's CPU generator: its float32
    ``uniform_()`` is exactly ``(word & (2**24 - 1)) * 2**-24``, one word per element."""
    return (torch.empty(n).uniform_().double() * 2**24).numpy().astype(np.uint32)


@pytest.mark.parametrize("dtype", SIXTEEN_BIT, ids=str)
@pytest.mark.parametrize(("low", "high"), [*RANGES, (0.0, 0.3), (-4.0, 4.0), (3.0, 3.0)])
def test_the_sixteen_bit_recipe_is_torchs_own_kernel(dtype, low, high):
    # Torch's words fed through the recipe give torch's values, bit for bit. (Ranges whose
    # product and sum round once either way: the same with and without torch's FMA.)
    torch.manual_seed(11)
    words = torch_words(1 << 18)
    torch.manual_seed(11)
    theirs = torch.empty(1 << 18, dtype=dtype).uniform_(low, high)
    ours = _uniform16.uniform_bits(words, low, high, bfloat16=dtype == torch.bfloat16)
    assert np.array_equal(ours, bits(theirs))


def merged_counts(ours: torch.Tensor, theirs: torch.Tensor, least: int = 40) -> np.ndarray:
    """A 2 x k table of how often each value occurs in each sample, neighbouring values
    (in order) merged until each column holds at least ``least`` draws."""
    values, inverse = np.unique(
        np.concatenate([ours.float().numpy(), theirs.float().numpy()]), return_inverse=True
    )
    per_value = np.zeros((2, values.size), dtype=np.int64)
    np.add.at(per_value[0], inverse[: ours.numel()], 1)
    np.add.at(per_value[1], inverse[ours.numel() :], 1)
    columns, current = [], np.zeros(2, dtype=np.int64)
    for column in per_value.T:
        current += column
        if current.sum() >= least:
            columns.append(current.copy())
            current[:] = 0
    if current.sum():
        columns[-1] += current
    return np.array(columns).T


@pytest.mark.slow
@pytest.mark.parametrize("dtype", SIXTEEN_BIT, ids=str)
@pytest.mark.parametrize(("low", "high"), RANGES)
def test_sixteen_bit_uniform_has_torchs_distribution(dtype, low, high):
    n = 1 << 21
    with wft.fast_init(seed=SEED):
        ours = torch.empty(n, dtype=dtype).uniform_(low, high)
    torch.manual_seed(3)
    theirs = torch.empty(n, dtype=dtype).uniform_(low, high)
    # The share of zeros (40.4% for float16 uniform_(0, 1e-7): 29.8% before) within 6 sigma.
    p = float((theirs == 0).double().mean())
    sigma = max(np.sqrt(2 * p * (1 - p) / n), 1 / n)
    assert abs(float((ours == 0).double().mean()) - p) < 6 * sigma
    # Every value as often as torch's: two-sample chi-square over the values.
    table = merged_counts(ours, theirs)
    assert stats.chi2_contingency(table).pvalue > 1e-6


def test_sixteen_bit_uniform_depends_only_on_the_seed_and_stream(monkeypatch):
    monkeypatch.setattr(_uniform16, "_CHUNK", 1000)  # several chunks: words taken by offset
    draws = []
    for torch_seed in (0, 1):
        torch.manual_seed(torch_seed)
        with wft.fast_init(seed=SEED):
            torch.nn.init.normal_(torch.empty(3))  # stream 0
            draws.append(torch.empty(50, 50, dtype=torch.float16).uniform_(-0.5, 2.0))
    words = wf.random_raw(2500, seed=SEED, stream=1)
    expected = _uniform16.uniform_bits(words, -0.5, 2.0, bfloat16=False)
    assert np.array_equal(bits(draws[0]).reshape(-1), expected)
    assert torch.equal(draws[0].view(torch.int16), draws[1].view(torch.int16))


def test_float32_and_float64_uniform_stay_winit_fasts():
    with wft.fast_init(seed=SEED):
        single = torch.empty(100).uniform_(0.0, 1e-7)
        double = torch.empty(100, dtype=torch.float64).uniform_(-1.0, 1.0)
    assert same(single, wf.uniform(100, 0.0, 1e-7, seed=SEED, stream=0))
    assert same(double, wf.uniform(100, -1.0, 1.0, seed=SEED, stream=1, dtype=np.float64))


def test_bfloat16_rounding_is_torchs():
    rng = np.random.default_rng(0)
    values = rng.standard_normal(100_000).astype(np.float32)
    ties = (rng.integers(0, 2**16, 1000).astype(np.uint32) << 16 | 0x8000).view(np.float32)
    finite = ties[np.isfinite(ties)]  # the values rounded are finite: no NaN payloads
    values = np.concatenate([values, finite, np.float32([0.0, -0.0, 1e-40, 3.4e38])])
    expected = torch.from_numpy(values).bfloat16().view(torch.int16).numpy().view(np.uint16)
    assert np.array_equal(_uniform16.to_bfloat16_bits(values), expected)
