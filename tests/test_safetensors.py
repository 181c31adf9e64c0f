"""Streamed seed checkpoints: real safetensors files written block by block and read back."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import winit_fast as wf
from winit_fast import _schemes
from winit_fast.safetensors import row_blocks, save_init

st_numpy = pytest.importorskip("safetensors.numpy", reason="needs safetensors")
ml_dtypes = pytest.importorskip("ml_dtypes", reason="needs ml_dtypes for bfloat16")

SPEC = {
    "embed.weight": ((40, 12), "bfloat16"),
    "layers.0.weight": ((24, 12), "float32"),
    "layers.0.bias": ((24,), "float32"),
    "conv.weight": ((6, 3, 3, 3), "float16"),
    "norm.weight": ((12,), "float64"),
    "wide.weight": ((2, 300), "float32"),  # a row of 1200 bytes: blocks inside one row
    "empty.weight": ((0, 5), "float32"),
    "scalar": ((), "float32"),
}


def header_of(path):
    with open(path, "rb") as handle:
        n = int.from_bytes(handle.read(8), "little")
        return n, json.loads(handle.read(n))


def expected(name, shape, dtype, *, scheme, seed, bias=0.0, norm=1.0):
    dtype = wf._validation.as_dtype(dtype)
    kind = _schemes.role(name, len(shape))
    if kind == "weight":
        return _schemes.weight(scheme, shape, seed=seed, stream=name, dtype=dtype)
    return np.full(shape, bias if kind == "bias" else norm, dtype=dtype)


@pytest.mark.parametrize("block_bytes", [1, 100, 1000, 1 << 20])
@pytest.mark.parametrize("scheme", ["he_normal", "kaiming_uniform", "xavier_normal", "orthogonal"])
def test_mapping_equals_the_rule(tmp_path, scheme, block_bytes):
    path = tmp_path / "init.safetensors"
    meta = save_init(path, SPEC, scheme=scheme, seed=9, bias=0.5, norm=2.0, block_bytes=block_bytes)
    loaded = st_numpy.load_file(path)
    assert set(loaded) == set(SPEC)
    for name, (shape, dtype) in SPEC.items():
        want = expected(name, shape, dtype, scheme=scheme, seed=9, bias=0.5, norm=2.0)
        assert loaded[name].dtype == want.dtype and loaded[name].shape == shape
        assert loaded[name].tobytes() == want.tobytes(), name
    assert meta["scheme"] == scheme and meta["seed"] == "9" and meta["format"] == "pt"
    assert list(tmp_path.iterdir()) == [path]  # no temporary file left beside it


def test_file_is_what_safetensors_writes(tmp_path):
    ours = tmp_path / "ours.safetensors"
    save_init(ours, SPEC, scheme="he_normal", seed=1, block_bytes=64)
    arrays = st_numpy.load_file(ours)
    _, header = header_of(ours)
    theirs = tmp_path / "theirs.safetensors"
    st_numpy.save_file(arrays, theirs, metadata=header["__metadata__"])
    # the same layout, padding and data; only the order of the metadata keys may differ
    # (safetensors keeps them in a hash map)
    assert header_of(ours) == header_of(theirs)
    n = header_of(ours)[0]
    assert ours.read_bytes()[8 + n :] == theirs.read_bytes()[8 + n :]
    assert (8 + n) % 8 == 0


def test_seed_none_is_recorded(tmp_path):
    path = tmp_path / "a.safetensors"
    meta = save_init(path, {"w.weight": ((4, 4), "float32")}, scheme="he_uniform", seed=None)
    seed = int(meta["seed"])
    got = st_numpy.load_file(path)["w.weight"]
    assert (
        got.tobytes()
        == wf.he_uniform((4, 4), layout="torch", seed=seed, stream="w.weight").tobytes()
    )


@pytest.mark.parametrize(
    ("shape", "limit"),
    [
        ((7, 5), 1),
        ((7, 5), 4),
        ((7, 5), 12),
        ((7, 5), 35),
        ((7, 5), 100),
        ((3, 4, 5), 7),
        ((3, 4, 5), 25),
        ((2, 3, 4, 5), 3),
        ((9,), 4),
        ((), 1),
        ((0, 3), 2),
        ((3, 0), 2),
    ],
)
def test_row_blocks_cover_the_tensor_in_order(shape, limit):
    flat = np.arange(int(np.prod(shape))).reshape(shape)
    position = 0
    for index, first, count in row_blocks(shape, limit):
        assert first == position and 0 < count <= limit
        assert flat[index].ravel().tolist() == list(range(first, first + count))
        position += count
    assert position == flat.size


def test_torch_module_on_meta_equals_init_module(tmp_path):
    torch = pytest.importorskip("torch", reason="needs torch")
    wft = pytest.importorskip("winit_fast.torch", reason="needs torch")
    st_torch = pytest.importorskip("safetensors.torch", reason="needs safetensors")

    class Tiny(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.embed = torch.nn.Embedding(30, 8)
            self.conv = torch.nn.Conv1d(8, 8, 3)
            self.norm = torch.nn.LayerNorm(8)
            self.mlp = torch.nn.Sequential(torch.nn.Linear(8, 16), torch.nn.Linear(16, 8))
            self.head = torch.nn.Linear(8, 30, bias=False)
            self.head.weight = self.embed.weight  # tied: named_parameters gives it once

    for dtype in (torch.float32, torch.bfloat16):
        with torch.device("meta"):
            meta = Tiny().to(dtype)
        path = tmp_path / f"tiny-{dtype}.safetensors"
        save_init(path, meta, scheme="xavier_uniform", seed=4, block_bytes=40)
        loaded = st_torch.load_file(path)
        reference = wft.init_module(Tiny().to(dtype), "xavier_uniform", seed=4)
        params = dict(reference.named_parameters())
        assert set(loaded) == set(params) and "head.weight" not in loaded
        for name, tensor in params.items():
            assert loaded[name].dtype == tensor.dtype
            assert torch.equal(loaded[name], tensor.detach()), name


def test_parts_written_by_real_processes_equal_one_writer(tmp_path):
    spec = {name: entry for name, entry in SPEC.items()}
    whole = tmp_path / "whole.safetensors"
    save_init(whole, spec, scheme="he_normal", seed=2, block_bytes=100)
    shared = tmp_path / "shared.safetensors"
    shared.write_bytes(os.urandom(whole.stat().st_size + 999))  # a stale, longer file
    script = textwrap.dedent(
        f"""
        import sys
        from winit_fast.safetensors import save_init
        k = int(sys.argv[1])
        save_init({str(shared)!r}, {spec!r}, scheme="he_normal", seed=2, block_bytes=100,
                  part=(k, 3))
        """
    )
    workers = [
        subprocess.Popen([sys.executable, "-c", script, str(k)], stderr=subprocess.PIPE)
        for k in range(3)
    ]
    for worker in workers:
        _, err = worker.communicate(timeout=120)
        assert worker.returncode == 0, err.decode()
    assert shared.read_bytes() == whole.read_bytes()


def test_peak_memory_stays_near_one_block(tmp_path):
    # 64 MiB of weights (16 MiB tensors) in 1 MiB blocks, in a fresh process: its peak RSS
    # must grow by far less than one tensor (the page cache that holds the file is not RSS)
    if sys.platform != "linux":
        pytest.skip("needs Linux (ru_maxrss in KiB)")
    script = textwrap.dedent(
        f"""
        import resource
        from winit_fast.safetensors import save_init
        small = {{"w.weight": ((64, 64), "float32")}}  # imports and first calls
        save_init({str(tmp_path / "s.safetensors")!r}, small, scheme="he_normal", seed=0)
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        spec = {{f"l{{i}}.weight": ((4096, 1024), "float32") for i in range(4)}}
        save_init({str(tmp_path / "big.safetensors")!r}, spec, scheme="he_normal", seed=0,
                  block_bytes=1 << 20)
        print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before)
        """
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "big.safetensors").stat().st_size > 64 << 20
    assert int(result.stdout) < 8 << 10, result.stdout  # KiB


def test_interrupted_write_leaves_no_file(tmp_path):
    path = tmp_path / "x.safetensors"

    def stop(done, total):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        save_init(path, SPEC, scheme="he_normal", seed=0, block_bytes=64, progress=stop)
    assert list(tmp_path.iterdir()) == []


def test_progress_reports_bytes(tmp_path):
    seen = []
    save_init(
        tmp_path / "p.safetensors",
        SPEC,
        scheme="he_normal",
        seed=0,
        block_bytes=256,
        progress=lambda done, total: seen.append((done, total)),
    )
    data = sum(int(np.prod(s)) * wf._validation.as_dtype(d).itemsize for s, d in SPEC.values())
    assert seen[-1] == (data, data) and len(seen) > 10
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)


BAD = [
    ({"scheme": "he_normall"}, ValueError, "scheme"),
    ({"seed": -1}, ValueError, "seed"),
    ({"bias": "0"}, TypeError, "bias"),
    ({"norm": None}, TypeError, "norm"),
    ({"bias": 1e6}, ValueError, "value"),  # overflows the float16 entry
    ({"block_bytes": 0}, ValueError, "block_bytes"),
    ({"part": (3, 3)}, ValueError, "part"),
    ({"part": 2}, TypeError, "part"),
    ({"metadata": {"a": 1}}, TypeError, "metadata"),
    ({"params": {"w": ((2, -1), "float32")}}, ValueError, r"params\['w'\].*negative"),
    ({"params": {"w": ((2, 2), "int32")}}, TypeError, r"params\['w'\].*dtype"),
    ({"params": {"w": (2, 2)}}, TypeError, r"params\['w'\]"),
    ({"params": {"": ((2,), "float32")}}, TypeError, "names"),
    ({"params": {"__metadata__": ((2,), "float32")}}, ValueError, "__metadata__"),
    ({"params": [("w", (2, 2))]}, TypeError, "params must be"),
    ({"path": 3}, TypeError, "path"),
]


@pytest.mark.parametrize(("change", "error", "match"), BAD, ids=[str(c) for c, _, _ in BAD])
def test_bad_input_writes_nothing(tmp_path, change, error, match):
    arguments = {
        "path": tmp_path / "bad.safetensors",
        "params": SPEC,
        "scheme": "he_normal",
        "seed": 0,
        **change,
    }
    with pytest.raises(error, match=match):
        save_init(arguments.pop("path"), arguments.pop("params"), **arguments)
    assert list(tmp_path.iterdir()) == []


def test_module_with_integer_parameter_is_named(tmp_path):
    torch = pytest.importorskip("torch", reason="needs torch")
    module = torch.nn.Module()
    module.count = torch.nn.Parameter(torch.zeros(3, dtype=torch.int64), requires_grad=False)
    with pytest.raises(TypeError, match=r"params\['count'\]"):
        save_init(tmp_path / "m.safetensors", module, scheme="he_normal", seed=0)
    assert list(tmp_path.iterdir()) == []


def test_import_needs_neither_torch_nor_safetensors():
    code = (
        "import sys, winit_fast.safetensors, winit_fast.cli\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'torch', 'safetensors', 'jax'}))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_transformers_from_pretrained_loads_the_seed_checkpoint(tmp_path):
    torch = pytest.importorskip("torch", reason="needs torch")
    wft = pytest.importorskip("winit_fast.torch", reason="needs torch")
    transformers = pytest.importorskip("transformers", reason="needs transformers")
    config = transformers.GPT2Config(
        n_layer=2,
        n_embd=32,
        n_head=2,
        vocab_size=100,
        n_positions=64,
        bos_token_id=0,
        eos_token_id=0,
    )
    with torch.device("meta"):
        meta = transformers.GPT2LMHeadModel(config)  # lm_head.weight is tied to wte.weight
    config.save_pretrained(tmp_path)
    save_init(tmp_path / "model.safetensors", meta, scheme="he_normal", seed=0, block_bytes=999)
    loaded = transformers.GPT2LMHeadModel.from_pretrained(tmp_path)
    reference = wft.init_module(transformers.GPT2LMHeadModel(config), "he_normal", seed=0).eval()
    want = dict(reference.named_parameters())
    got = dict(loaded.named_parameters())
    assert set(got) == set(want)
    assert all(torch.equal(got[name], want[name]) for name in want)
    tokens = torch.arange(10)[None]
    assert torch.equal(loaded(tokens).logits, reference(tokens).logits)
