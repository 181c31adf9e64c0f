"""The Triton kernels give the C core's bytes: every family and dtype, at offsets across block
boundaries and at the end of the stream, for ``index=`` blocks and DTensor-style shards.

The kernels run under Triton's interpreter on CPU tensors (tests/triton_support.py), which
proves their integer logic and the order of their float operations; the rounding a GPU
applies to each operation is proved by the PTX audit (tests/test_triton_audit.py). Sizes are
small: the interpreter runs each program in NumPy.
"""

from __future__ import annotations

import numpy as np
import pytest
from support import needs_core
from triton_support import BACKEND, DEVICE, c_fill, host_bytes, tensor, torch

import winit_fast as wf
from winit_fast import _interface as wfi
from winit_fast._stream import Runs, per_block

pytestmark = needs_core  # the reference bytes are the C core's

BF16 = wfi.bfloat16()
DTYPES = [np.float32, np.float64, np.float16, BF16]
DTYPE_IDS = ["float32", "float64", "float16", "bfloat16"]

# (family, public function, its parameters): the float families in every dtype
CASES = {
    "uniform": lambda shape, **kw: wf.uniform(shape, -0.5, 2.0, **kw),
    "normal": lambda shape, **kw: wf.normal(shape, 0.1, 0.7, **kw),
    "truncated_normal": lambda shape, **kw: wf.truncated_normal(
        shape, 0.0, 1.0, a=-3.0, b=2.5, **kw
    ),
}


def both(draw, **kwargs):
    """draw(**kwargs) by the C core, then through the Triton kernels."""
    with wf.use_backend("c"):
        expected = draw(**kwargs)
    with wf.use_backend("triton"):
        got = draw(**kwargs)
    return expected, got


def assert_same(expected: np.ndarray, got: np.ndarray) -> None:
    assert got.dtype == expected.dtype and got.shape == expected.shape
    if got.tobytes() != expected.tobytes():
        width = {1: np.uint8, 2: np.uint16, 4: np.uint32, 8: np.uint64}[got.dtype.itemsize]
        bad = np.flatnonzero(got.view(width) != expected.view(width))
        values = f"{got.reshape(-1)[bad[:3]]} != {expected.reshape(-1)[bad[:3]]}"
        raise AssertionError(f"{bad.size} elements differ, first at {bad[:5]}: {values}")


# ---- contiguous ranges -----------------------------------------------------------------------


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
@pytest.mark.parametrize("family", list(CASES))
def test_offsets_across_blocks(family, dtype):
    """Every phase in the first block and a start past one program's blocks (1030 elements:
    two programs of 256 blocks)."""
    for offset in (0, 1, 2, 3, 5, 1023):
        assert_same(*both(CASES[family], shape=1030, seed=11, stream=3, offset=offset, dtype=dtype))


def test_raw_words_offsets():
    for offset in (0, 1, 2, 3, 4097):
        expected, got = both(wf.random_raw, n=1030, seed=2**64 - 1, stream=2**63 + 5, offset=offset)
        assert_same(expected, got)


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
@pytest.mark.parametrize("family", list(CASES))
def test_end_of_stream_and_counter_carry(family, dtype):
    """The last elements of the stream (block 2**64 - 1) and a range whose block index carries
    into the counter's high word (block 2**32)."""
    per = per_block(np.dtype(dtype))
    for offset, n in ((per * 2**64 - 37, 37), (per * 2**32 - 7, 20)):
        assert_same(*both(CASES[family], shape=n, seed=5, stream=9, offset=offset, dtype=dtype))


def test_raw_words_end_of_stream():
    assert_same(*both(wf.random_raw, n=21, seed=1, stream=0, offset=4 * 2**64 - 21))


# ---- index= blocks and shards ----------------------------------------------------------------

INDEXES = {
    "rows": np.s_[3:20],
    "columns": np.s_[:, 7:31],
    "steps": np.s_[1:30:3, 2:40:5],
    "slice lists": ([slice(0, 5), slice(20, 30)], slice(3, 45)),
    "single column": np.s_[:, 49:50],
}


@pytest.mark.parametrize("name", list(INDEXES))
@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["float32", "float64"])
@pytest.mark.parametrize("family", list(CASES))
def test_index_blocks(family, dtype, name):
    draw = CASES[family]
    kwargs = dict(shape=(37, 50), seed=7, dtype=dtype, offset=3, index=INDEXES[name])
    assert_same(*both(draw, **kwargs))


@pytest.mark.parametrize("dtype", [np.float16, BF16], ids=["float16", "bfloat16"])
@pytest.mark.parametrize("family", list(CASES))
def test_index_blocks_16_bit(family, dtype):
    index = ([slice(1, 4), slice(9, 17)], slice(5, 33, 2))
    assert_same(*both(CASES[family], shape=(20, 40), seed=3, dtype=dtype, index=index))


def test_raw_words_runs():
    """Raw words through fill_runs (random_raw has no index=): rows of 6 words, 13 apart."""
    runs = Runs(0, 1, 6, (5,), (13,), 2, (7,))  # 5 rows of 6 words, from element 1 of block 0
    out = np.zeros(40, np.uint32)
    BACKEND.fill_runs(out, "raw_u32", 17, 4, runs, (), 1)
    words = wf.random_raw(1 + 13 * 4 + 6, seed=17, stream=4)
    expected = np.zeros(40, np.uint32)
    for i in range(5):
        expected[2 + 7 * i : 2 + 7 * i + 6] = words[1 + 13 * i : 1 + 13 * i + 6]
    assert_same(expected, out)


@pytest.mark.parametrize(
    "shape, index",
    [
        (
            (3, 4, 5, 6, 7),
            np.s_[0:3:2, 1:4, 0:5:2, 1:6:2, 2:7],
        ),  # 4 axes of runs: one loops on the host
        ((4, 6, 10), np.s_[1:3, 0:6:2, 3:8]),  # 2 axes
        ((4, 6, 10, 3), np.s_[1:3, 0:6:2, 3:8:2]),  # 3 axes
    ],
)
def test_many_axes(shape, index):
    for dtype in (np.float32, np.float64):
        assert_same(*both(CASES["normal"], shape=shape, seed=1, dtype=dtype, offset=1, index=index))


def shards(n: int, parts: int) -> list[slice]:
    """torch.chunk's split of n into parts (DTensor's Shard placement)."""
    size = -(-n // parts)
    return [slice(i, min(i + size, n)) for i in range(0, n, size)]


@pytest.mark.parametrize("parts", [2, 4])
@pytest.mark.parametrize("axis", [0, 1])
@pytest.mark.parametrize("family", list(CASES))
def test_dtensor_style_shards(family, axis, parts):
    """Each rank's Shard(axis) block, filled on its own, is its part of the whole tensor."""
    shape = (18, 22)
    with wf.use_backend("c"):
        whole = CASES[family](shape, seed=4, stream="layer.weight")
    with wf.use_backend("triton"):
        pieces = [
            CASES[family](shape, seed=4, stream="layer.weight", index=(slice(None),) * axis + (s,))
            for s in shards(shape[axis], parts)
        ]
    assert_same(whole, np.concatenate(pieces, axis=axis))


def test_launches_split_at_the_grid_limit(monkeypatch):
    """More programs than a launch may have: the outermost axis is cut into several launches
    (here a limit of 3 programs instead of 2**31 - 1), and a run too long for one launch is
    refused before anything is written."""
    from winit_fast._triton import kernels

    monkeypatch.setattr(BACKEND, "MAX_GRID", 3)
    monkeypatch.setattr(kernels, "BLOCK", 4)  # programs of 4 Philox blocks: 2 runs of 5 each
    launches = []
    launch = BACKEND._launch
    monkeypatch.setattr(BACKEND, "_launch", lambda *args: launches.append(launch(*args)))
    index = np.s_[:, 4:9]  # 30 runs of 5 elements: 15 programs, in launches of 3
    expected, got = both(CASES["uniform"], shape=(30, 12), seed=2, index=index, offset=1)
    assert_same(expected, got)
    assert len(launches) == 5
    out = np.zeros(4000, np.float32)
    with pytest.raises(ValueError, match="too long"):
        BACKEND.fill(out, "uniform", 1, 1, 0, 0, (0.0, 1.0, 0.99), 1)
    assert not out.any()


def test_strided_shard():
    """A _StridedShard's local part (FSDP2 over TP): interleaved row slices, as a list."""
    shape = (16, 12)
    with wf.use_backend("c"):
        whole = wf.truncated_normal(shape, std=0.02, seed=8, stream="w")
    index = ([slice(0, 2), slice(8, 10)], slice(None))
    with wf.use_backend("triton"):
        local = wf.truncated_normal(shape, std=0.02, seed=8, stream="w", index=index)
    assert_same(whole[np.r_[0:2, 8:10]], local)


# ---- parameters at their edges -----------------------------------------------------------------


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
def test_uniform_cap_hit(dtype):
    """The cap (after the 16-bit rounding) clamps values; half of them here."""
    dt = np.dtype(dtype)
    cap = 0.5 if dt.itemsize == 2 else float(np.nextafter(dt.type(0.5), dt.type(0)))
    out = np.empty(600, dt)
    BACKEND.fill(out, "uniform", 21, 2, 7, 1, (0.0, 1.0, cap), 1)
    expected = c_fill(np.empty(600, dt), "uniform", 21, 2, 7, 1, (0.0, 1.0, cap))
    assert_same(expected, out)
    assert (out == dt.type(cap)).mean() > 0.4  # the case does clamp


def test_public_16_bit_cap():
    """bfloat16 uniform(-0.05, 0.05): the float32 values that would round to 0.050048828 are
    clamped (docs/stream.md)."""
    expected, got = both(wf.uniform, shape=4096, low=-0.05, high=0.05, seed=0, dtype=BF16)
    assert_same(expected, got)
    assert got.max() < 0.05


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
def test_tiny_std(dtype):
    """The smallest std accepted: the product lands on the smallest normals."""
    tiny = (
        2.0**-14
        if np.dtype(dtype) == np.float16
        else (2.0**-1022 if dtype == np.float64 else 2.0**-126)
    )
    for draw in (wf.normal, wf.truncated_normal):
        assert_same(*both(draw, shape=300, mean=0.0, std=tiny, seed=6, dtype=dtype))


TRUNCATIONS = [
    (-1.0, 3.0),
    (0.0, 0.5),
    (-4.0, 1.0),
    (4.0, 9.0),
    (-9.0, -3.5),
    (11.0, 12.5),
    (-2.0, 2.0),
]


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
@pytest.mark.parametrize("a, b", TRUNCATIONS)
def test_truncated_bounds(dtype, a, b):
    """Asymmetric bounds, the tails (logarithm) and the far tail (its second polynomial)."""
    assert_same(*both(wf.truncated_normal, shape=257, a=a, b=b, seed=12, dtype=dtype, offset=2))


def test_truncated_far_tail_float64():
    """AS 241's far region (r > 5) in float64."""
    assert_same(*both(wf.truncated_normal, shape=64, a=30.0, b=31.0, seed=1, dtype=np.float64))


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["float32", "float64"])
def test_signed_zeros(dtype):
    """-0.0 parameters (the public API turns them into +0.0; the backend takes them as given):
    with std 0 each value is -0.0 + (+-0.0), whose sign is the sign of z's product."""
    dt = np.dtype(dtype)
    cases = {
        "normal": (-0.0, 0.0),
        "uniform": (-0.0, 0.0, -0.0),
        "truncated_normal": (-0.0, 0.0, -2.0, 2.0, *_masses(-2.0, 2.0)),
    }
    for family, params in cases.items():
        out = np.empty(100, dt)
        BACKEND.fill(out, family, 3, 1, 0, 1, params, 1)
        assert_same(c_fill(np.empty(100, dt), family, 3, 1, 0, 1, params), out)
    assert np.signbit(out).any() and not np.signbit(out).all()


def _masses(a: float, b: float) -> tuple[float, float, float]:
    from winit_fast._normal_cdf import truncation_masses

    return truncation_masses(a, b)


# ---- torch tensors, the other entry points, bad input -------------------------------------


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
def test_torch_tensor_in_place(dtype):
    """A torch tensor on the kernels' device is written in place (what the torch adapter hands)."""
    with wf.use_backend("c"):
        expected = wf.normal(300, 0.0, 0.02, seed=9, stream="b", offset=2, dtype=dtype)
    out = tensor(expected)
    params = (0.0, float(np.float32(0.02)) if dtype != np.float64 else 0.02)
    block, phase = divmod(2, per_block(np.dtype(dtype)))
    BACKEND.fill(out, "normal", 9, wfi.stream_id("b"), block, phase, params, 1)
    assert out.device.type == DEVICE
    assert host_bytes(out) == expected.tobytes()


def test_philox_block_function():
    counters = np.array([[0, 0, 0, 0], [0xFFFFFFFF] * 4, [1, 2, 3, 4]], np.uint32)
    for k0, k1 in ((0, 0), (0xFFFFFFFF, 0xFFFFFFFF), (0xA4093822, 0x299F31D0)):
        expected = wf.philox4x32(counters, np.array([k0, k1], np.uint32))
        assert_same(expected, BACKEND.philox4x32(counters, k0, k1))


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
def test_constants_round_as_the_c_core(dtype):
    """A constant is rounded to the working precision, then to the dtype (to nearest even),
    as the C core does: 1 + 2**-8 + 2**-40 is a tie in bfloat16 once rounded to float32
    (-> 1.0), not when rounded from float64 directly (-> 1.0078125)."""
    values = [0.1, -0.0, float("inf"), float("-inf"), float("nan"), 1 + 2**-8, 1 + 3 * 2**-8]
    values += [1 + 2**-8 + 2**-40, 1 + 2**-11 + 2**-40, 2.0**-140]
    for value in values:
        with wf.use_backend("c"):
            expected = wf.constant(5, value, dtype=dtype)
        with wf.use_backend("triton"):
            assert_same(expected, wf.constant(5, value, dtype=dtype))


def test_constant_and_info():
    out = tensor(np.empty(10, np.float32))
    BACKEND.fill_constant(out, 0.25, 1)
    assert host_bytes(out) == np.full(10, 0.25, np.float32).tobytes()
    info = BACKEND.runtime_info()
    assert info["backend"] == BACKEND.name == "triton"
    assert BACKEND.families == ("raw_u32", "uniform", "normal", "truncated_normal")
    assert BACKEND.max_threads() == 1


def test_family_codes():
    """A family is named by its name or by the C enum's code."""
    by_code, by_name = np.empty(9, np.float32), np.empty(9, np.float32)
    BACKEND.fill(by_code, 2, 1, 1, 0, 0, (0.0, 1.0), 1)
    BACKEND.fill(by_name, "normal", 1, 1, 0, 0, (0.0, 1.0), 1)
    assert_same(by_name, by_code)
    with pytest.raises(ValueError, match="family"):
        BACKEND.fill(by_code, 4, 1, 1, 0, 0, (), 1)


def test_memory_is_protected():
    out = np.zeros(20, np.float32)
    with pytest.raises(ValueError, match="reach element 21"):
        BACKEND.fill_runs(
            out, "uniform", 1, 1, Runs(0, 0, 5, (4,), (10,), 1, (5,)), (0.0, 1.0, 0.99), 1
        )
    with pytest.raises(TypeError, match="does not write"):
        BACKEND.fill(out, "raw_u32", 1, 1, 0, 0, (), 1)
    with pytest.raises(TypeError, match="does not write"):
        BACKEND.fill(np.zeros(4, np.uint32), "normal", 1, 1, 0, 0, (0.0, 1.0), 1)
    with pytest.raises(TypeError, match="does not write"):
        BACKEND.fill(np.zeros(4, np.int64), "uniform", 1, 1, 0, 0, (0.0, 1.0, 0.99), 1)
    with pytest.raises(ValueError, match="contiguous"):
        BACKEND.fill(torch.zeros(4, 4).t(), "normal", 1, 1, 0, 0, (0.0, 1.0), 1)
    assert not out.any()


def test_host_memory_without_a_gpu_or_the_interpreter_is_refused(monkeypatch):
    """Without the interpreter, host memory is filled on a GPU and copied back: with no GPU
    either, the fill is refused before anything is written, and so is the backend."""
    monkeypatch.setattr(BACKEND, "interpreted", lambda: False)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    out = torch.zeros(4)
    with pytest.raises(RuntimeError, match="needs a CUDA GPU"):
        BACKEND.fill(out, "normal", 1, 1, 0, 0, (0.0, 1.0), 1)
    with pytest.raises(RuntimeError, match="needs a CUDA GPU"), wf.use_backend("triton"):
        pass
    assert not out.any()


def test_missing_triton_is_named(monkeypatch):
    """Without triton, the backend is refused by name, with the extra that installs it."""
    import sys

    import winit_fast._triton as package
    from winit_fast import _backend

    monkeypatch.setitem(sys.modules, "triton", None)
    with pytest.raises(ImportError, match=r'package triton \(pip install "winit-fast\[gpu\]"'):
        package.load()
    monkeypatch.setattr(_backend, "_triton_backend", None)  # not loaded yet
    with pytest.raises(RuntimeError, match=r"backend 'triton' is not available: .*triton"):
        with wf.use_backend("triton"):
            pass
