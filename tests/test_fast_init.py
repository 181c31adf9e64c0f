"""winit_fast.torch.fast_init: torch's init calls served exactly, streams by call order,
everything else left to torch, restored on exit."""

from __future__ import annotations

import ctypes
import math
import threading

import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="needs torch")
pytest.importorskip("ml_dtypes", reason="needs ml_dtypes (bfloat16)")

from torch.utils._python_dispatch import _get_current_dispatch_mode_stack  # noqa: E402

import winit_fast as wf  # noqa: E402
import winit_fast.torch as wft  # noqa: E402
from winit_fast.torch import _uniform16  # noqa: E402

init = torch.nn.init
# A reference saved at import time, as transformers does: it must be served too.
SAVED_TRUNC_NORMAL = torch.nn.init.trunc_normal_
TORCH_TRUNC_NORMAL = torch.nn.init._no_grad_trunc_normal_
SHAPE = (48, 20, 3)  # (out, in, kernel): fan_in 60, fan_out 144
FAN_IN, FAN_OUT = 60, 144
SEED = 12345


def as_numpy(tensor: torch.Tensor) -> np.ndarray:
    data = tensor.detach().contiguous()
    if data.dtype == torch.bfloat16:
        return data.view(torch.int16).numpy().view(wf._validation.bfloat16())
    return data.numpy()


def same(tensor: torch.Tensor, expected: np.ndarray) -> bool:
    ours = as_numpy(tensor)
    return ours.shape == expected.shape and ours.tobytes() == expected.tobytes()


def kaiming_bound(a: float, fan: int) -> float:
    # torch's own arithmetic (kaiming_uniform_), so the bound is bit-identical.
    std = init.calculate_gain("leaky_relu", a) / math.sqrt(fan)
    return math.sqrt(3.0) * std


def xavier_std(gain: float) -> float:
    return gain * math.sqrt(2.0 / float(FAN_IN + FAN_OUT))


def uniform(low: float = 0.0, high: float = 1.0):
    """The values of a served ``uniform_(low, high)`` of SHAPE: ``wf.uniform``, or in a 16-bit
    dtype torch's own recipe fed by the same stream's raw words (``_uniform16``)."""

    def expected(*, seed, stream, dtype):
        if dtype.itemsize != 2:
            return wf.uniform(SHAPE, low, high, seed=seed, stream=stream, dtype=dtype)
        words = wf.random_raw(math.prod(SHAPE), seed=seed, stream=stream)
        bits = _uniform16.uniform_bits(words, low, high, bfloat16=dtype != np.float16)
        return bits.reshape(SHAPE).view(dtype)

    return expected


# (what runs inside the context on a fresh tensor, the winit_fast call it must equal)
CALLS = {
    "nn.init.normal_": (
        lambda t: init.normal_(t, 0.5, 2.0),
        lambda **k: wf.normal(SHAPE, 0.5, 2.0, **k),
    ),
    "nn.init.uniform_": (
        lambda t: init.uniform_(t, -1.0, 3.0),
        uniform(-1.0, 3.0),
    ),
    "nn.init.trunc_normal_": (
        lambda t: init.trunc_normal_(t, mean=0.1, std=0.02, a=0.08, b=0.15),
        lambda **k: wf.truncated_normal(
            SHAPE, 0.1, 0.02, a=(0.08 - 0.1) / 0.02, b=(0.15 - 0.1) / 0.02, **k
        ),
    ),
    "saved trunc_normal_": (
        lambda t: SAVED_TRUNC_NORMAL(t, std=0.02),
        lambda **k: wf.truncated_normal(SHAPE, 0.0, 0.02, a=-2.0 / 0.02, b=2.0 / 0.02, **k),
    ),
    "kaiming_uniform_ (Linear's default)": (
        lambda t: init.kaiming_uniform_(t, a=math.sqrt(5)),
        uniform(-kaiming_bound(math.sqrt(5), FAN_IN), kaiming_bound(math.sqrt(5), FAN_IN)),
    ),
    "kaiming_normal_": (
        lambda t: init.kaiming_normal_(t, mode="fan_out", nonlinearity="relu"),
        lambda **k: wf.normal(SHAPE, 0.0, math.sqrt(2.0) / math.sqrt(FAN_OUT), **k),
    ),
    "xavier_uniform_": (
        lambda t: init.xavier_uniform_(t, gain=2.0),
        uniform(-math.sqrt(3.0) * xavier_std(2.0), math.sqrt(3.0) * xavier_std(2.0)),
    ),
    "xavier_normal_": (
        lambda t: init.xavier_normal_(t),
        lambda **k: wf.normal(SHAPE, 0.0, xavier_std(1.0), **k),
    ),
    "Tensor.normal_": (
        lambda t: t.normal_(1.0, 3.0),
        lambda **k: wf.normal(SHAPE, 1.0, 3.0, **k),
    ),
    "Tensor.uniform_": (
        lambda t: t.uniform_(),
        uniform(),
    ),
}


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64, torch.bfloat16], ids=str)
@pytest.mark.parametrize("name", list(CALLS))
def test_each_call_is_the_winit_fast_stream_with_torchs_parameters(name, dtype):
    call, expected = CALLS[name]
    tensor = torch.empty(SHAPE, dtype=dtype)
    pointer = tensor.data_ptr()
    with wft.fast_init(seed=SEED) as session:
        assert call(tensor) is tensor
    np_dtype = as_numpy(torch.empty(0, dtype=dtype)).dtype
    assert same(tensor, expected(seed=SEED, stream=0, dtype=np_dtype))
    assert session.calls == 1 and tensor.data_ptr() == pointer


def test_random_factories_are_served():
    with wft.fast_init(seed=SEED) as session:
        normal = torch.randn(5, 7)
        uniform = torch.rand(6, dtype=torch.float64)
        parameter = torch.nn.Parameter(torch.randn(3, 4))
    assert same(normal, wf.normal((5, 7), seed=SEED, stream=0))
    assert same(uniform, wf.uniform(6, seed=SEED, stream=1, dtype=np.float64))
    assert same(parameter, wf.normal((3, 4), seed=SEED, stream=2))
    assert session.calls == 3


def test_streams_follow_the_call_order():
    with wft.fast_init(seed=SEED) as session:
        layer = torch.nn.Linear(30, 20)  # kaiming_uniform_ weight (stream 0), bias (stream 1)
        init.normal_(layer.weight, std=0.02)  # stream 2
    bound = 1 / math.sqrt(30)
    assert same(layer.bias, wf.uniform(20, -bound, bound, seed=SEED, stream=1))
    assert same(layer.weight, wf.normal((20, 30), 0.0, 0.02, seed=SEED, stream=2))
    assert session.calls == 3


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64, torch.float16, torch.bfloat16])
def test_constant_fills_are_torchs_bytes(dtype):
    def fills():
        tensors = [torch.empty(1000, dtype=dtype) for _ in range(5)]
        init.constant_(tensors[0], 0.1)
        init.ones_(tensors[1])
        init.zeros_(tensors[2])
        tensors[3].fill_(-3)
        tensors[4][10:20].fill_(7.25)  # a view, as an Embedding's padding row
        tensors[4][:10].zero_()
        return [t[:20] if i == 4 else t for i, t in enumerate(tensors)]

    with wft.fast_init(seed=SEED) as session:
        ours = fills()
    theirs = fills()
    for a, b in zip(ours, theirs, strict=True):
        assert torch.equal(a.view(torch.int8), b.view(torch.int8))
    assert session.calls == 0  # constants take no stream


def test_a_transposed_weight_is_filled_in_c_order_of_its_shape():
    weight = torch.empty(20, 30)
    with wft.fast_init(seed=SEED):
        init.normal_(weight.T, std=0.5)
    assert same(weight.T, wf.normal((30, 20), 0.0, 0.5, seed=SEED, stream=0))


def torch_reference(call):
    torch.manual_seed(7)
    return call()


FALL_THROUGH = {
    "a torch generator": lambda: init.normal_(
        torch.empty(50), generator=torch.Generator().manual_seed(3)
    ),
    "an integer tensor": lambda: torch.empty(50, dtype=torch.int64).random_(0, 10),
    "an integer fill": lambda: torch.empty(50, dtype=torch.int32).fill_(3),
    "a complex fill": lambda: torch.empty(5, dtype=torch.complex64).fill_(1 + 2j),
    "trunc_normal_ with a generator": lambda: init.trunc_normal_(
        torch.empty(50), generator=torch.Generator().manual_seed(4)
    ),
}


@pytest.mark.filterwarnings("ignore:fast_init")  # tests/test_fast_init_ops.py tests the warning
@pytest.mark.parametrize("name", list(FALL_THROUGH))
def test_what_it_cannot_serve_is_torchs(name):
    call = FALL_THROUGH[name]
    with wft.fast_init(seed=SEED) as session:
        ours = torch_reference(call)
    assert torch.equal(ours, torch_reference(call))
    assert session.calls == 0
    # Only the draw from torch's global generator is counted (not a generator=, not a fill).
    assert session.fell_through == (name == "an integer tensor")


def test_meta_tensors_are_left_alone():
    with wft.fast_init(seed=SEED) as session:
        with torch.device("meta"):
            layer = torch.nn.Linear(8, 4)
        init.trunc_normal_(layer.weight, std=0.02)
    assert layer.weight.is_meta and session.calls == 0


@pytest.mark.parametrize(
    "call",
    [
        lambda t: t.normal_(0.0, -1.0),
        lambda t: t.uniform_(2.0, 1.0),
        lambda t: init.trunc_normal_(t, std=1.0, a=1.0, b=-1.0),
    ],
    ids=["negative std", "from > to", "a > b"],
)
@pytest.mark.filterwarnings("ignore:fast_init")  # counted (and warned) before torch refuses
def test_bad_parameters_raise_torchs_error(call):
    with pytest.raises(Exception) as theirs:
        call(torch.empty(10))
    with wft.fast_init(seed=SEED) as session, pytest.raises(type(theirs.value)):
        call(torch.empty(10))
    assert session.calls == 0


def test_version_counter_is_bumped_as_by_an_in_place_op():
    weight = torch.nn.Parameter(torch.empty(10, 10))
    with wft.fast_init(seed=SEED):
        before = weight._version
        init.normal_(weight)
        after_normal = weight._version
        init.trunc_normal_(weight)
    assert before < after_normal < weight._version


def test_everything_is_restored_on_exit_also_after_an_exception():
    with pytest.raises(RuntimeError, match="boom"), wft.fast_init(seed=SEED):
        assert torch.nn.init._no_grad_trunc_normal_ is not TORCH_TRUNC_NORMAL
        raise RuntimeError("boom")
    assert torch.nn.init._no_grad_trunc_normal_ is TORCH_TRUNC_NORMAL
    assert not _get_current_dispatch_mode_stack()
    torch.manual_seed(0)
    after = init.trunc_normal_(torch.empty(100), std=0.5)
    torch.manual_seed(0)
    assert torch.equal(after, TORCH_TRUNC_NORMAL(torch.empty(100), 0.0, 0.5, -2.0, 2.0))


def test_contexts_nest_and_the_innermost_serves():
    outer_first, inner_first, inner_trunc, outer_second = (torch.empty(64) for _ in range(4))
    with wft.fast_init(seed=1) as outer:
        init.normal_(outer_first)
        with wft.fast_init(seed=2) as inner:
            init.normal_(inner_first)
            init.trunc_normal_(inner_trunc)
        init.normal_(outer_second)
        assert torch.nn.init._no_grad_trunc_normal_ is not TORCH_TRUNC_NORMAL
    assert same(outer_first, wf.normal(64, seed=1, stream=0))
    assert same(inner_first, wf.normal(64, seed=2, stream=0))
    assert same(inner_trunc, wf.truncated_normal(64, seed=2, stream=1))
    assert same(outer_second, wf.normal(64, seed=1, stream=1))
    assert (outer.calls, inner.calls) == (2, 2)
    assert torch.nn.init._no_grad_trunc_normal_ is TORCH_TRUNC_NORMAL


def test_seed_none_draws_fresh_entropy_and_reports_it():
    draws = []
    for _ in range(2):
        with wft.fast_init() as session:
            draws.append((session.seed, init.normal_(torch.empty(16))))
    (seed_a, a), (seed_b, b) = draws
    assert seed_a != seed_b and not torch.equal(a, b)
    assert same(a, wf.normal(16, seed=seed_a, stream=0))


@pytest.mark.parametrize(
    ("seed", "error"), [(-1, ValueError), (2**64, ValueError), ("0", TypeError), (1.0, TypeError)]
)
def test_a_bad_seed_is_refused_before_anything_changes(seed, error):
    with pytest.raises(error, match="seed"), wft.fast_init(seed):
        pass  # pragma: no cover
    assert torch.nn.init._no_grad_trunc_normal_ is TORCH_TRUNC_NORMAL
    assert not _get_current_dispatch_mode_stack()


def test_other_threads_keep_torchs_init():
    results = {}

    def other_thread():
        results["calls_seen"] = session.calls
        tensor = torch.empty(64)
        init.trunc_normal_(tensor, std=0.5)
        init.normal_(tensor[:32])
        results["tensor"] = tensor

    with wft.fast_init(seed=SEED) as session:
        worker = threading.Thread(target=other_thread)
        worker.start()
        worker.join()
    assert session.calls == 0
    assert not same(results["tensor"][32:], wf.truncated_normal(64, seed=SEED)[32:])
    assert float(results["tensor"][32:].abs().max()) <= 2.0  # torch's trunc_normal_ bounds


# A fill of a whole tensor is recorded and written once, when the memory can first be seen.


def test_a_fill_overwritten_before_being_seen_is_never_written(monkeypatch):
    from winit_fast.torch import _init_mode

    written = []
    real_write = _init_mode.write
    monkeypatch.setattr(
        _init_mode, "write", lambda t, fill: (written.append(t), real_write(t, fill))
    )
    with wft.fast_init(seed=SEED) as session:
        layer = torch.nn.Linear(30, 20)  # kaiming_uniform_ (stream 0), bias uniform_ (stream 1)
        init.normal_(layer.weight, std=0.02)  # stream 2: replaces the recorded stream 0
        init.zeros_(layer.bias)
        assert written == []  # nothing has looked at the memory yet
    assert len(written) == 2 and session.calls == 3
    assert same(layer.weight, wf.normal((20, 30), 0.0, 0.02, seed=SEED, stream=2))
    assert torch.equal(layer.bias, torch.zeros(20))


OBSERVERS = {
    "a torch op": lambda t: t * 1,
    "a view": lambda t: t.view(-1)[:5].clone(),
    "numpy()": lambda t: torch.from_numpy(t.numpy().copy()),
    "tolist()": lambda t: torch.tensor(t.tolist()),
    "data_ptr() then memory": lambda t: torch.frombuffer(
        bytearray(ctypes.string_at(t.data_ptr(), t.numel() * t.element_size())), dtype=t.dtype
    ),
    "pickling": lambda t: __import__("pickle").loads(__import__("pickle").dumps(t)),
}


@pytest.mark.parametrize("name", list(OBSERVERS))
def test_a_recorded_fill_is_written_before_the_memory_is_seen(name):
    tensor = torch.empty(8, 6)
    with wft.fast_init(seed=SEED):
        tensor.normal_()
        seen = OBSERVERS[name](tensor)
    expected = wf.normal((8, 6), seed=SEED, stream=0)
    assert same(tensor, expected)
    assert same(seen.reshape(-1)[:5], expected.reshape(-1)[:5])


def test_views_taken_before_the_fill_see_it():
    weight = torch.empty(10, 4)
    row, flat = weight[2], weight.view(-1)
    with wft.fast_init(seed=SEED):
        weight.normal_()
        row.fill_(0.0)  # a part of the storage: the recorded fill is written first
        del weight
    expected = wf.normal((10, 4), seed=SEED, stream=0)
    expected[2] = 0
    assert same(flat, expected.reshape(-1))


def test_recorded_fills_are_written_after_an_exception():
    tensor = torch.empty(16)
    with pytest.raises(KeyError), wft.fast_init(seed=SEED):
        tensor.uniform_()
        raise KeyError("boom")
    assert same(tensor, wf.uniform(16, seed=SEED, stream=0))


def test_an_inner_context_does_not_get_overwritten_by_the_outer():
    tensor = torch.empty(12)
    with wft.fast_init(seed=1):
        tensor.normal_()  # recorded by the outer context
        with wft.fast_init(seed=2):
            tensor[:4].fill_(1.0)
    expected = wf.normal(12, seed=1, stream=0)
    expected[:4] = 1
    assert same(tensor, expected)


def test_thousands_of_recorded_fills_are_written_without_recursion():
    with wft.fast_init(seed=SEED):
        tensors = [torch.empty(3).normal_() for _ in range(3000)]
        first = tensors[0].numpy().copy()  # raw access: all 3000 are written here
    assert first.tobytes() == wf.normal(3, seed=SEED, stream=0).tobytes()
    assert same(tensors[-1], wf.normal(3, seed=SEED, stream=2999))
