"""winit_fast.torch on the GPU path: a tensor written by the GPU kernels gets the bytes the
CPU path gives, in place, whatever its layout; a device winit_fast does not write is refused
before anything is written.

Without a GPU the path is run on CPU tensors: under ``use_backend("triton")`` a CPU tensor
takes the path of a CUDA tensor (a ``DeviceOut`` written by the Triton backend, strided
layouts through the runs of their storage), with the kernels under Triton's interpreter
(tests/triton_support.py). The rounding a GPU applies is the PTX audit's subject
(tests/test_triton_audit.py). The tests at the end need a CUDA GPU and skip without one.
"""

from __future__ import annotations

import sys

import pytest
from triton_support import BACKEND, NEEDS_CUDA, Launches, gpu_script, torch

import winit_fast as wf
import winit_fast.torch as wft
from winit_fast import _backend
from winit_fast.torch import _tensor

DTYPES = [torch.float32, torch.float64, torch.float16, torch.bfloat16]
DTYPE_IDS = ["float32", "float64", "float16", "bfloat16"]

# name -> an in-place call on t: the GPU check script's table of every torch.nn.init twin
# ("(host)": computed on the host and copied), and two more
CALLS = {
    **gpu_script().torch_calls(),
    "ones_": wft.ones_,
    "scheme he_normal": lambda t: wft.SCHEMES["he_normal"](t, seed=11, stream="0.weight"),
}
ON_THE_HOST = {name for name in CALLS if name.endswith("(host)")}


def bits(tensor: torch.Tensor) -> torch.Tensor:
    """The tensor's bit patterns, comparable with torch.equal (NaN and -0.0 included)."""
    width = {2: torch.int16, 4: torch.int32, 8: torch.int64}[tensor.element_size()]
    return tensor.detach().cpu().contiguous().view(width)


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
@pytest.mark.parametrize("name", list(CALLS))
def test_every_in_place_function_gives_the_cpu_bytes(name, dtype, monkeypatch):
    expected = CALLS[name](torch.empty(6, 10, dtype=dtype))
    launches = Launches(monkeypatch)
    tensor = torch.full((6, 10), float("nan"), dtype=dtype)
    pointer = tensor.data_ptr()
    with wf.use_backend("triton"):
        assert CALLS[name](tensor) is tensor
    assert tensor.data_ptr() == pointer  # in place
    assert torch.equal(bits(tensor), bits(expected))
    assert (launches.count == 0) == (name in ON_THE_HOST)  # written by the kernels, or copied


def test_dirac_is_computed_on_the_host_and_copied():
    expected = wft.dirac_(torch.empty(4, 2, 3, 3), groups=2)
    with wf.use_backend("triton"):
        got = wft.dirac_(torch.full((4, 2, 3, 3), float("nan")), groups=2)
    assert torch.equal(bits(got), bits(expected))


# ---- layouts: through the runs of the storage ------------------------------------------------

LAYOUTS = {
    "transposed": lambda: torch.full((10, 6), 7.0).T,
    "rows and columns with steps": lambda: torch.full((20, 31), 7.0)[2:14:2, 3:23:2],
    "storage offset": lambda: torch.full((70,), 7.0)[5:65].view(6, 10),
    "permuted 3-d": lambda: torch.full((5, 2, 6), 7.0).permute(1, 2, 0)[:, :, 1:4],
}


@pytest.mark.parametrize("layout", list(LAYOUTS))
def test_strided_tensors_get_the_values_of_a_contiguous_one(layout):
    """A view is filled where it lies, with the values a contiguous tensor of its shape gets;
    the rest of its storage keeps its values."""
    for call in (CALLS["normal_"], CALLS["kaiming_uniform_"], CALLS["constant_"]):
        view = LAYOUTS[layout]()
        expected = call(torch.empty(view.shape))
        with wf.use_backend("triton"):
            call(view)
        assert torch.equal(bits(view), bits(expected))
        base = view.as_strided((view.untyped_storage().nbytes() // 4,), (1,), 0)
        assert int((base == 7.0).sum()) == base.numel() - view.numel()  # nothing else written


def test_elements_that_overlap_are_refused_before_anything_is_written():
    column = torch.full((3, 1), 7.0)
    with wf.use_backend("triton"), pytest.raises(ValueError, match="overlap in memory"):
        wft.normal_(column.expand(3, 4), seed=0)
    assert (column == 7.0).all()


def test_init_module_and_the_generator_continue_as_on_the_cpu():
    def build() -> torch.nn.Module:
        return torch.nn.Sequential(torch.nn.Linear(5, 8), torch.nn.LayerNorm(8))

    expected = wft.init_module(build(), "glorot_normal", seed=3, bias=0.5)
    with wf.use_backend("triton"):
        got = wft.init_module(build(), "glorot_normal", seed=3, bias=0.5)
    for (name, mine), (_, theirs) in zip(
        got.named_parameters(), expected.named_parameters(), strict=True
    ):
        assert torch.equal(bits(mine), bits(theirs)), name


def test_a_tensor_saved_for_backward_is_marked_modified():
    weight = torch.nn.Parameter(torch.ones(3, 3))
    loss = (weight * weight).sum()
    with wf.use_backend("triton"):
        wft.normal_(weight, seed=0)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        loss.backward()


# ---- devices winit_fast does not write ----------------------------------------------------


class OnDevice(torch.Tensor):
    """A tensor that reports ``device`` and holds no memory (torch's wrapper subclass): any
    operation on it raises, so a test that gets the clean error also shows nothing was
    attempted on it. It stands in for hardware this machine lacks."""

    @staticmethod
    def __new__(cls, shape: tuple[int, ...], device: str) -> OnDevice:
        return torch.Tensor._make_wrapper_subclass(cls, shape, device=torch.device(device))

    @classmethod
    def __torch_dispatch__(cls, func, types, args=(), kwargs=None):
        raise AssertionError(f"{func} reached a tensor that holds no memory")


@pytest.mark.parametrize("device", ["mps", "xpu", "meta"])
def test_another_device_type_is_refused_naming_the_argument(device):
    tensor = OnDevice((4, 4), device) if device != "meta" else torch.empty(4, 4, device="meta")
    for call in CALLS.values():
        with pytest.raises(ValueError, match=f"tensor is on device {device}"):
            call(tensor)
    layer = torch.nn.Linear(4, 4)
    with torch.no_grad():
        layer.bias.fill_(7.0)
    layer._parameters["weight"] = tensor  # registered after the bias: checked before it is set
    with pytest.raises(ValueError, match=f"parameter 'weight': tensor is on device {device}"):
        wft.init_module(layer, seed=0)
    assert (layer.bias == 7.0).all()


def test_a_cuda_tensor_without_triton_names_the_package(monkeypatch):
    monkeypatch.setitem(sys.modules, "triton", None)
    monkeypatch.setattr(_backend, "_triton_backend", None)  # as if never loaded
    for call in CALLS.values():
        with pytest.raises(RuntimeError, match=r'device cuda.*triton \(pip install "winit-fast'):
            call(OnDevice((4, 4), "cuda"))


def test_a_cuda_tensor_without_a_gpu_is_refused(monkeypatch):
    """Triton installed, its interpreter off and no GPU (this machine without the tests'
    TRITON_INTERPRET=1)."""
    monkeypatch.setattr(BACKEND, "interpreted", lambda: False)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    with pytest.raises(RuntimeError, match=r"device cuda.*needs a CUDA GPU"):
        wft.normal_(OnDevice((4, 4), "cuda"), seed=0)


def test_save_init_takes_a_module_on_any_device(tmp_path):
    """save_init reads a module's names, shapes and dtypes only: a module on a GPU (here
    parameters that report device cuda and hold no memory) gives the CPU module's file."""
    from winit_fast.safetensors import save_init

    model = torch.nn.Sequential(torch.nn.Linear(6, 4), torch.nn.LayerNorm(4))
    save_init(tmp_path / "cpu.safetensors", model, scheme="he_normal", seed=3)
    for name, parameter in list(model.named_parameters()):
        module, _, leaf = name.rpartition(".")
        model.get_submodule(module)._parameters[leaf] = OnDevice(tuple(parameter.shape), "cuda")
    save_init(tmp_path / "cuda.safetensors", model, scheme="he_normal", seed=3)
    cpu, cuda = (tmp_path / "cpu.safetensors").read_bytes(), (tmp_path / "cuda.safetensors")
    assert cuda.read_bytes() == cpu


def test_the_device_rule():
    """Who writes a tensor: its device decides (a CPU tensor: NumPy, unless the Triton
    backend is asked for; CUDA: the Triton backend)."""
    cpu = torch.empty(3)
    assert _tensor.kernels_for(cpu) is None
    with wf.use_backend("triton"):
        assert _tensor.kernels_for(cpu) is BACKEND
    assert _tensor.kernels_for(OnDevice((3,), "cuda")) is BACKEND


# ---- on a CUDA GPU ----------------------------------------------------------------------------


@NEEDS_CUDA
@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
def test_cuda_tensors_in_place_on_the_current_stream(dtype):
    side = torch.cuda.Stream()
    for name, call in CALLS.items():
        expected = call(torch.empty(60, 70, dtype=dtype))
        tensor = torch.full((60, 70), float("nan"), dtype=dtype, device="cuda")
        pointer = tensor.data_ptr()
        side.wait_stream(torch.cuda.current_stream())
        with torch.cuda.stream(side):  # written on the current stream: side's
            call(tensor)
            result = bits(tensor)  # on side, after the fill
        assert tensor.data_ptr() == pointer, name
        assert torch.equal(result, bits(expected)), name


@NEEDS_CUDA
def test_cuda_strided_tensors():
    for layout in LAYOUTS.values():
        view = layout().cuda()
        expected = wft.normal_(torch.empty(view.shape), 0.1, 0.02, seed=2)
        wft.normal_(view, 0.1, 0.02, seed=2)
        assert torch.equal(bits(view), bits(expected))


@NEEDS_CUDA
def test_cuda_init_module():
    model = torch.nn.Sequential(torch.nn.Linear(50, 80), torch.nn.Conv1d(8, 4, 3))
    expected = wft.init_module(model, "he_normal", seed=1)
    got = wft.init_module(model.cuda(), "he_normal", seed=1)
    for (name, mine), (_, theirs) in zip(
        got.named_parameters(), expected.named_parameters(), strict=True
    ):
        assert mine.is_cuda and torch.equal(bits(mine), bits(theirs)), name
