"""fast_init: a recorded (not yet written) fill follows the memory it was recorded for.

A fill of a whole tensor is only recorded at the call and written later; in between, model
code may hand the tensor object other memory (``.data = ``, ``torch.utils.swap_tensors``,
``load_state_dict(assign=True)`` with swapping). The fill must land in the memory it was
recorded for, never in the memory the object holds now.
"""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="needs torch")

import winit_fast as wf  # noqa: E402
import winit_fast.torch as wft  # noqa: E402

SEED = 2026


def same(tensor: torch.Tensor, expected: np.ndarray) -> bool:
    ours = tensor.detach().contiguous().numpy()
    return ours.shape == expected.shape and ours.tobytes() == expected.tobytes()


def test_reassigning_data_keeps_the_new_values():
    pretrained = torch.arange(40, dtype=torch.float32).reshape(10, 4)
    expected = pretrained.clone()
    with wft.fast_init(seed=SEED):
        emb = torch.nn.Embedding(10, 4)  # normal_ (stream 0): recorded
        torch.nn.init.normal_(emb.weight)  # stream 1: recorded, replaces stream 0
        emb.weight.data = pretrained
    assert torch.equal(emb.weight, expected)
    assert torch.equal(pretrained, expected)


def test_swapped_tensors_take_their_memory_with_them():
    a = torch.empty(6, 5)
    b = torch.full((6, 5), 7.0)
    with wft.fast_init(seed=SEED):
        torch.nn.init.normal_(a, std=0.5)  # recorded for a's memory
        torch.utils.swap_tensors(a, b)  # b now holds that memory, a holds the sevens
    assert torch.equal(a, torch.full((6, 5), 7.0))
    assert same(b, wf.normal((6, 5), 0.0, 0.5, seed=SEED, stream=0))


@pytest.fixture
def swap_on_conversion():
    previous = torch.__future__.get_swap_module_params_on_conversion()
    torch.__future__.set_swap_module_params_on_conversion(True)
    yield
    torch.__future__.set_swap_module_params_on_conversion(previous)


def test_load_state_dict_with_assign_keeps_the_loaded_values(swap_on_conversion):
    loaded = {
        "weight": torch.linspace(-1.0, 1.0, 12).reshape(3, 4),
        "bias": torch.tensor([0.25, -0.5, 0.75]),
    }
    expected = {name: value.clone() for name, value in loaded.items()}
    with wft.fast_init(seed=SEED):
        layer = torch.nn.Linear(4, 3)  # kaiming_uniform_ and uniform_: recorded
        layer.load_state_dict(loaded, assign=True)
    for name, value in expected.items():
        assert torch.equal(getattr(layer, name), value), name


def test_overlapping_foreign_memory_keeps_the_call_order():
    # Two tensors from one NumPy array: two storages, the same address, other sizes.
    array = np.zeros(100, dtype=np.float32)
    whole, head = torch.from_numpy(array), torch.from_numpy(array[:10])
    with wft.fast_init(seed=SEED):
        whole.normal_()  # stream 0
        head.zero_()  # the first 10 elements, after it
    expected = wf.normal((100,), seed=SEED, stream=0)
    expected[:10] = 0
    assert array.tobytes() == expected.tobytes()


def test_foreign_memory_over_a_recorded_fill_reads_the_fill():
    weight = torch.empty(10)
    tail = torch.from_numpy(weight.numpy()[5:])  # another storage on weight's memory
    with wft.fast_init(seed=SEED):
        weight.normal_()  # recorded
        seen = tail.clone()  # reads weight's memory through the other storage
    assert same(seen, wf.normal((10,), seed=SEED, stream=0)[5:])
