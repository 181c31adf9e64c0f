"""fast_init on the device: a model built inside ``with torch.device("cuda"),
wft.fast_init(seed=0)`` has the bytes of the same build on the CPU, each fill written by the
GPU kernels where the tensor lives (torch's 16-bit ``uniform_`` recipe and ``randperm``
computed on the host and copied in).

Without a GPU the device path runs on CPU tensors: under ``use_backend("triton")`` fast_init
writes a CPU tensor as it writes a CUDA one (its ``DeviceOut``, written by the Triton backend,
strided layouts through the runs of their storage), with the kernels under Triton's
interpreter (tests/triton_support.py). The tests at the end need a CUDA GPU and skip without
one.
"""

from __future__ import annotations

import os
import sys
import warnings

import pytest
from triton_support import NEEDS_CUDA, Launches, host_bytes, torch

import winit_fast as wf
import winit_fast.torch as wft
from winit_fast import _backend
from winit_fast.torch import _tensor

os.environ.setdefault("HF_HUB_OFFLINE", "1")
nn = torch.nn
SIXTEEN_BIT = pytest.mark.skipif(
    not _tensor.has_numpy_twin(torch.bfloat16), reason="needs ml_dtypes (bfloat16)"
)


def small_model(device: str | None = None) -> nn.Module:
    """The usual kinds of parameters: an embedding with a padding row (a partial fill after a
    whole one), linear, norm, conv, float16 and bfloat16 layers (torch's 16-bit uniform_
    recipe: computed on the host)."""
    return nn.Sequential(
        nn.Embedding(11, 8, padding_idx=3, device=device),
        nn.Linear(8, 12, device=device),
        nn.LayerNorm(12, device=device),
        nn.Conv1d(12, 6, 3, device=device),
        nn.Linear(6, 5, dtype=torch.float16, device=device),
        nn.Linear(5, 4, dtype=torch.bfloat16, device=device),
    )


def tiny_llama() -> nn.Module:
    transformers = pytest.importorskip("transformers", reason="needs transformers")
    sizes = dict(vocab_size=64, hidden_size=16, intermediate_size=32, num_hidden_layers=2)
    heads = dict(num_attention_heads=2, num_key_value_heads=1)
    return transformers.LlamaForCausalLM(transformers.LlamaConfig(**sizes, **heads))


def timm_style() -> nn.Module:
    """Linear weights by timm's trunc_normal_ (five in-place ops folded into one fill)."""
    from winit_fast.bench.timm_style import trunc_normal_

    model = nn.Sequential(nn.Linear(12, 8), nn.Linear(8, 4))
    for layer in model:
        trunc_normal_(layer.weight, std=0.02)
        nn.init.zeros_(layer.bias)
    return model


def on_the_cpu(build) -> dict[str, bytes]:
    """The bytes of every parameter and buffer of ``build()`` inside fast_init on the CPU,
    without the Triton backend."""
    with wft.fast_init(seed=0):
        model = build()
    return {name: host_bytes(value) for name, value in model.state_dict().items()}


def assert_same_bytes(model: nn.Module, expected: dict[str, bytes]) -> None:
    got = model.state_dict()
    assert list(got) == list(expected)
    for name, value in got.items():
        assert host_bytes(value) == expected[name], name


# ---- the device path, on CPU tensors under use_backend("triton") ----------------------------


@SIXTEEN_BIT
@pytest.mark.parametrize(
    "build", [small_model, tiny_llama, timm_style], ids=["small", "llama", "timm-style"]
)
def test_a_model_gets_the_cpu_bytes_written_by_the_kernels(build, monkeypatch):
    expected = on_the_cpu(build)
    launches = Launches(monkeypatch)
    with wf.use_backend("triton"), wft.fast_init(seed=0) as session:
        model = build()
    assert_same_bytes(model, expected)
    assert session.fell_through == 0
    for name, parameter in model.named_parameters():
        written = parameter.untyped_storage().data_ptr() in launches.storages
        # float32 by the kernels; the 16-bit uniform_ recipe computed on the host, copied in
        assert written == (parameter.dtype == torch.float32), name


# fills of views that lie in their storage with gaps, or transposed: written where they lie
VIEWS = {
    "transposed normal_": (lambda: torch.full((10, 6), 7.0).T, lambda t: t.normal_(0.1, 0.02)),
    "columns with steps uniform_": (
        lambda: torch.full((6, 21), 7.0)[:, 1::2],
        lambda t: nn.init.kaiming_uniform_(t),
    ),
    "rows fill_": (lambda: torch.full((8, 5), 7.0)[2:6], lambda t: t.fill_(0.25)),
    "float16 transposed uniform_": (
        lambda: torch.full((9, 4), 7.0, dtype=torch.float16).T,
        lambda t: t.uniform_(-0.5, 0.5),
    ),
    "randn": (lambda: torch.full((3,), 7.0), lambda t: t.copy_(torch.randn(3))),
}


@pytest.mark.parametrize("view", list(VIEWS))
def test_views_are_written_where_they_lie(view):
    make, call = VIEWS[view]
    with wft.fast_init(seed=4):
        expected = make()
        call(expected)
    with wf.use_backend("triton"), wft.fast_init(seed=4):
        got = make()
        call(got)
    base = got.as_strided((got.untyped_storage().nbytes() // got.element_size(),), (1,), 0)
    assert host_bytes(got) == host_bytes(expected)
    assert int((base == 7.0).sum()) == base.numel() - got.numel()  # nothing else written


@SIXTEEN_BIT
def test_host_arrays_stay_on_the_host_whatever_the_default_device():
    """Inside ``with torch.device("cuda")`` a bare torch.empty lands on the GPU: the host
    arrays (16-bit uniform_, constants rounded on the host, wft.orthogonal_'s QR) name the
    CPU. Here the default device is meta, where a host array would hold nothing."""
    expected = on_the_cpu(lambda: small_model("cpu"))
    expected_q = wft.orthogonal_(torch.empty(6, 4), seed=1)
    with torch.device("meta"), wf.use_backend("triton"):
        with wft.fast_init(seed=0):
            model = small_model("cpu")
        q = wft.orthogonal_(torch.empty(6, 4, device="cpu"), seed=1)
    assert_same_bytes(model, expected)
    assert host_bytes(q) == host_bytes(expected_q)


class NoMemory(torch.Tensor):
    """A tensor that reports ``device`` and holds no memory (torch's wrapper subclass); the
    ops torch runs on it do nothing. It stands in for a CUDA tensor on this machine."""

    @staticmethod
    def __new__(cls, shape: tuple[int, ...], device: str) -> NoMemory:
        return torch.Tensor._make_wrapper_subclass(cls, shape, device=torch.device(device))

    @classmethod
    def __torch_dispatch__(cls, func, types, args=(), kwargs=None):
        return args[0]


def test_without_triton_cuda_fills_are_torchs_and_the_warning_says_why(monkeypatch):
    monkeypatch.setitem(sys.modules, "triton", None)
    monkeypatch.setattr(_backend, "_triton_backend", None)  # as if never loaded
    with wft.fast_init(seed=0) as session:
        with pytest.warns(UserWarning, match=r"normal_.*device cuda.*triton \(pip install"):
            NoMemory((4, 4), "cuda").normal_()
    assert session.fell_through == 1 and session.calls == 0
    cpu = torch.empty(3)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the CPU is served all the same
        with wft.fast_init(seed=0) as session:
            cpu.normal_()
    assert session.calls == 1


def test_the_served_devices():
    """The device rule of fast_init: the CPU, a CUDA GPU where the kernels run (here: the
    interpreter), never meta or another device type."""
    assert _tensor.served_device(torch.empty(1))
    assert _tensor.device_refusal(torch.device("cuda")) is None
    for device in ("meta", "mps", "xpu"):
        assert f"device {device}" in str(_tensor.device_refusal(torch.device(device)))


# ---- on a CUDA GPU: the line ------------------------------------------------------


@NEEDS_CUDA
@SIXTEEN_BIT
@pytest.mark.parametrize("build", [small_model, tiny_llama], ids=["small", "llama"])
def test_cuda_fast_init_gives_the_cpu_bytes(build):
    expected = on_the_cpu(build)
    with torch.device("cuda"), wft.fast_init(seed=0) as session:
        model = build()
    assert all(value.is_cuda for value in model.state_dict().values())
    assert_same_bytes(model, expected)
    assert session.fell_through == 0


@NEEDS_CUDA
def test_cuda_views_factories_and_randperm():
    def build() -> dict[str, torch.Tensor]:
        weight = torch.full((6, 20), 7.0)
        nn.init.normal_(weight[:, ::2], 0.0, 0.02)  # a view with gaps: through the runs
        nn.init.uniform_(weight.T[3:9])
        recorded = nn.init.trunc_normal_(torch.empty(4, 5), std=0.02)
        read = recorded * 2  # read inside the context: the recorded fill is written first
        tensors = {"weight": weight, "read": read, "randn": torch.randn(5, 3)}
        return tensors | {"randperm": torch.randperm(50)}

    with wft.fast_init(seed=2):
        expected = build()
    with torch.device("cuda"), wft.fast_init(seed=2):
        got = build()
    for name, value in got.items():
        assert value.is_cuda and host_bytes(value) == host_bytes(expected[name]), name
