"""fast_init writes each weight once: ``FastInit.written`` counts the elements its fills write.

A partial fill of a recorded whole fill (an Embedding's padding row) is replayed after it, a
view reads nothing (so it writes nothing), and a tensor the model dropped before the context
exits is never written. The values stay those of writing every fill at its call: the
reference below is the same build with every fill written at once (``place`` bypassed).
"""

from __future__ import annotations

import os

import numpy as np
import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
torch = pytest.importorskip("torch", reason="needs torch")

import winit_fast as wf  # noqa: E402
import winit_fast.torch as wft  # noqa: E402
from winit_fast.torch._init_mode import FastInit  # noqa: E402

SEED = 77


def same(tensor: torch.Tensor, expected: np.ndarray) -> bool:
    ours = tensor.detach().contiguous().numpy()
    return ours.shape == expected.shape and ours.tobytes() == expected.tobytes()


def embedding_init(emb: torch.nn.Embedding) -> None:
    """What transformers' _init_weights does to an Embedding (through ``.data`` here)."""
    emb.weight.data.normal_(0.0, 0.02)
    emb.weight.data[emb.padding_idx].zero_()


def test_a_padding_row_is_written_after_the_table_not_before():
    with wft.fast_init(seed=SEED) as session:
        emb = torch.nn.Embedding(50, 8, padding_idx=3)  # normal_ (stream 0), row 3 fill_(0)
        embedding_init(emb)  # normal_ (stream 1) replaces both; row 3 zero_() again
        assert session.written == 0
    assert session.written == 50 * 8 + 8  # the table once, the row once
    expected = wf.normal((50, 8), 0.0, 0.02, seed=SEED, stream=1)
    expected[3] = 0
    assert same(emb.weight, expected)


def test_a_partial_random_fill_is_replayed_through_its_view():
    weight = torch.empty(6, 5)
    with wft.fast_init(seed=SEED) as session:
        weight.normal_()  # stream 0
        weight[1:3].uniform_(-1.0, 1.0)  # stream 1, rows 1 and 2
        weight.view(-1)[25:].fill_(4.0)  # the last row
        assert session.written == 0
    assert session.written == 30 + 10 + 5
    expected = wf.normal((6, 5), seed=SEED, stream=0)
    expected[1:3] = wf.uniform((2, 5), -1.0, 1.0, seed=SEED, stream=1)
    expected[5] = 4.0
    assert same(weight, expected)


def test_views_read_nothing_and_write_nothing():
    weight = torch.empty(4, 6)
    with wft.fast_init(seed=SEED) as session:
        weight.normal_()
        views = [weight.t(), weight[2], weight.view(24), weight.detach(), weight[:, 1:3]]
        assert session.written == 0
        total = float(views[1].sum())  # a read: written here
        assert session.written == 24
    assert total == float(torch.from_numpy(wf.normal((4, 6), seed=SEED, stream=0))[2].sum())


def test_a_whole_fill_drops_the_partial_fills_it_overwrites():
    weight = torch.empty(10, 4)
    with wft.fast_init(seed=SEED) as session:
        weight.normal_()
        weight[0].fill_(1.0)
        weight.uniform_()  # stream 1 overwrites everything above
    assert session.written == 40
    assert same(weight, wf.uniform((10, 4), seed=SEED, stream=1))


def test_a_tensor_the_model_dropped_is_never_written():
    with wft.fast_init(seed=SEED) as session:
        emb = torch.nn.Embedding(50, 8)  # stream 0
        head = torch.nn.Linear(8, 50, bias=False)  # stream 1
        head.weight = emb.weight  # tied: the head's own weight is gone
    assert session.written == 50 * 8
    assert same(head.weight, wf.normal((50, 8), seed=SEED, stream=0))


def test_memory_still_held_elsewhere_is_written():
    array = np.zeros((5, 4), dtype=np.float32)
    weight = torch.empty(6, 4)
    row = weight[1]  # taken before the fill
    with wft.fast_init(seed=SEED) as session:
        torch.nn.init.normal_(torch.from_numpy(array))  # the tensor dies, the array lives
        weight.normal_()
        del weight
    assert session.written == 20 + 24
    assert array.tobytes() == wf.normal((5, 4), seed=SEED, stream=0).tobytes()
    assert same(row, wf.normal((6, 4), seed=SEED, stream=1)[1])


def test_memory_held_only_by_a_storage_object_is_written():
    # The storage object was taken before the context, so no raw access is seen inside it;
    # the session's own storage object is the same Python object, so torch's use count
    # alone cannot tell that the user still holds it.
    weight = torch.empty(6, 4)
    storage = weight.untyped_storage()
    with wft.fast_init(seed=SEED) as session:
        weight.normal_()
        del weight
    assert session.written == 24
    kept = torch.tensor([], dtype=torch.float32).set_(storage).reshape(6, 4)
    assert same(kept, wf.normal((6, 4), seed=SEED, stream=0))


def test_memory_shared_with_other_processes_is_written_though_dropped_here():
    # Another process may hold it (torch.multiprocessing sends the memory, not a count).
    weight = torch.empty(6, 4).share_memory_()
    with wft.fast_init(seed=SEED) as session:
        weight.normal_()
        del weight
    assert session.written == 24


transformers = pytest.importorskip("transformers", reason="needs transformers")
import tiny_models  # noqa: E402

MODELS = ("bart", "t5", "opt", "whisper")  # padding rows, tied embeddings


def build(name):
    with wft.fast_init(seed=SEED) as session:
        model = tiny_models.build(name)
    return model, session


@pytest.mark.parametrize("name", MODELS)
def test_each_weight_of_a_model_is_written_once(name):
    model, session = build(name)
    parameters = sum(p.numel() for p in model.parameters())
    assert session.written / parameters <= 1.05


@pytest.mark.parametrize("name", MODELS)
def test_the_values_are_those_of_writing_every_fill_at_its_call(name, monkeypatch):
    model, session = build(name)
    with monkeypatch.context() as patched:  # every fill written at its call
        patched.setattr(FastInit, "place", lambda self, tensor, fill: self.write(tensor, fill))
        reference, eager_session = build(name)
    assert eager_session.calls == session.calls
    assert eager_session.written > session.written  # the eager build wrote more
    ours = {**dict(model.named_parameters()), **dict(model.named_buffers())}
    theirs = {**dict(reference.named_parameters()), **dict(reference.named_buffers())}
    assert ours.keys() == theirs.keys()
    for key, value in theirs.items():
        assert torch.equal(ours[key], value), key
