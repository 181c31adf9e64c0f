"""Generator: continuity (no word used twice), state, spawn."""

from __future__ import annotations

import hashlib
import math

import numpy as np
import pytest
from support import same_bytes

import winit_fast as wf
from winit_fast._variance_scaling import PRESETS

# guarantee 4: every test here runs on both backends (conftest.each_backend)
pytestmark = pytest.mark.usefixtures("each_backend")

PRESET_NAMES = sorted(PRESETS)


def blocks(count, per_block):
    return -(-count // per_block)


def test_consecutive_calls_continue_at_fresh_blocks():
    g = wf.Generator(seed=7, stream=3)
    first, second = g.uniform(10), g.uniform(6)
    # 10 float32 elements use blocks 0..2 (elements 0..11); the next call starts at block 3.
    whole = wf.uniform(18, seed=7, stream=3)
    assert same_bytes(first, whole[:10])
    assert same_bytes(second, whole[12:18])
    assert g.state == {"seed": 7, "stream": 3, "block": 5}


@pytest.mark.parametrize("sizes", [(1, 1, 1), (4, 8, 12), (5, 7, 3), (1000, 1, 999)])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_calls_tile_the_stream_without_overlap(sizes, dtype):
    per_block = 4 if dtype == np.float32 else 2
    g = wf.Generator(seed=1)
    parts = [g.normal(n, dtype=dtype) for n in sizes]
    used = [blocks(n, per_block) for n in sizes]
    assert g.state["block"] == sum(used)
    whole = wf.normal(sum(used) * per_block, seed=1, dtype=dtype)
    start = 0
    for part, n, b in zip(parts, sizes, used, strict=True):
        assert same_bytes(part, whole[start : start + n])
        start += b * per_block


def test_mixed_dtypes_never_share_a_block():
    g = wf.Generator(seed=2)
    a = g.uniform(5)  # float32: blocks 0, 1
    b = g.uniform(3, dtype=np.float64)  # float64: blocks 2, 3 -> float64 elements 4..6
    c = g.uniform(1)  # float32: block 4 -> element 16
    assert same_bytes(a, wf.uniform(5, seed=2))
    assert same_bytes(b, wf.uniform(7, seed=2, dtype=np.float64)[4:7])
    assert same_bytes(c, wf.uniform(17, seed=2)[16:])
    assert g.state["block"] == 5


def test_methods_equal_the_functions_at_the_current_block():
    g = wf.Generator(seed=3, stream="model")
    g.state = {**g.state, "block": 1000}
    shape = (3, 3, 8, 16)  # fan_in 72
    limit = math.sqrt(3.0 * 2.0 / 72)
    expected = wf.uniform(shape, -limit, limit, seed=3, stream="model", offset=4000)
    assert same_bytes(g.he_uniform(shape), expected)
    assert g.state["block"] == 1000 + blocks(math.prod(shape), 4)


def test_variance_scaling_methods_follow_the_formula():
    g = wf.Generator(seed=5)
    result = g.lecun_uniform((40, 30), distribution="untruncated_normal", dtype=np.float64)
    assert same_bytes(result, wf.normal((40, 30), 0.0, math.sqrt(1 / 40), seed=5, dtype="f8"))
    result = g.variance_scaling((6, 10), 4.0, "fan_out", "uniform", layout="torch")
    limit = math.sqrt(3.0 * 4.0 / 6)
    offset = blocks(1200, 2) * 4
    assert same_bytes(result, wf.uniform((6, 10), -limit, limit, seed=5, offset=offset))


def test_truncated_normal_methods_continue_the_stream():
    from winit_fast._distributions import truncated_normal

    g = wf.Generator(seed=6)
    a = g.truncated_normal((7, 3), std=0.1)
    b = g.he_normal((7, 3))
    assert same_bytes(a, truncated_normal((7, 3), 0.0, 0.1, seed=6))
    std = math.sqrt(2.0 / 7) / 0.87962566103423978
    expected = truncated_normal((7, 3), 0.0, std, seed=6, offset=blocks(21, 4) * 4)
    assert same_bytes(b, expected)
    assert g.state["block"] == 2 * blocks(21, 4)


def test_orthogonal_draws_float64_blocks():
    g = wf.Generator(seed=4)
    a = g.orthogonal((6, 10))  # 60 float64 normals: 30 blocks, whatever the output dtype
    assert g.state["block"] == 30
    assert same_bytes(a, wf.orthogonal((6, 10), seed=4))
    b = g.orthogonal((6, 10))
    assert not same_bytes(a, b)
    assert g.state["block"] == 60


def test_out_is_filled_and_counted():
    g = wf.Generator(seed=8)
    out = np.empty((3, 3), np.float64)
    assert g.normal(out=out) is out
    assert g.state["block"] == blocks(9, 2)


def test_state_restores_the_sequence():
    g = wf.Generator(seed=9, stream="x")
    g.uniform(13)
    saved = g.state
    first = [g.normal(5), g.glorot_uniform((4, 6)), g.uniform(3, dtype=np.float64)]
    g.state = saved
    again = [g.normal(5), g.glorot_uniform((4, 6)), g.uniform(3, dtype=np.float64)]
    assert all(same_bytes(a, b) for a, b in zip(first, again, strict=True))
    other = wf.Generator(seed=0)
    other.state = saved
    assert same_bytes(other.normal(5), first[0])


def test_state_is_a_copy():
    g = wf.Generator(seed=1)
    state = g.state
    state["block"] = 99
    assert g.state["block"] == 0


def test_seed_none_is_drawn_once():
    g = wf.Generator()
    seed = g.state["seed"]
    assert 0 <= seed < 2**64
    g.normal(3)
    assert g.state["seed"] == seed
    assert same_bytes(wf.Generator(seed).normal(3), wf.normal(3, seed=seed))


def test_a_failed_call_uses_no_blocks():
    g = wf.Generator(seed=1)
    with pytest.raises(ValueError, match="std"):
        g.normal(10, std=-1.0)
    with pytest.raises(ValueError, match="fan_in"):
        g.he_uniform((3, 3), distribution="uniform", fan_in=-1)
    assert g.state["block"] == 0


def test_spawn_derives_the_stream_from_parent_and_name():
    parent = wf.Generator(seed=11, stream=5)
    child = parent.spawn("encoder/layer_0")
    digest = hashlib.blake2b(b"5/encoder/layer_0", digest_size=8).digest()
    assert child.state == {
        "seed": 11,
        "stream": int.from_bytes(digest, "little"),
        "block": 0,
    }


def test_spawned_streams_are_independent():
    parent = wf.Generator(seed=11)
    before = parent.spawn("a").normal(1000)
    parent.normal(10_000)  # the parent's progress does not move its children
    after = parent.spawn("a").normal(1000)
    assert same_bytes(before, after)
    sibling = parent.spawn("b").normal(1000)
    grandchild = parent.spawn("a").spawn("a").normal(1000)
    own = wf.Generator(seed=11).normal(1000)
    samples = [before, sibling, grandchild, own]
    for i in range(len(samples)):
        for j in range(i + 1, len(samples)):
            assert not same_bytes(samples[i], samples[j])
            # Independent streams: correlation within sampling noise (5 sigma at n=1000).
            assert abs(np.corrcoef(samples[i], samples[j])[0, 1]) < 5 / math.sqrt(1000)


@pytest.mark.parametrize(
    ("state", "error", "pattern"),
    [
        ({"seed": 1, "stream": 0}, ValueError, "state"),
        ({"seed": 1, "stream": 0, "block": 0, "extra": 1}, ValueError, "state"),
        ([1, 0, 0], ValueError, "state"),
        ({"seed": -1, "stream": 0, "block": 0}, ValueError, "seed"),
        ({"seed": None, "stream": 0, "block": 0}, TypeError, "seed"),
        ({"seed": 1, "stream": 2**64, "block": 0}, ValueError, "stream"),
        ({"seed": 1, "stream": 0, "block": -1}, ValueError, "block"),
        ({"seed": 1, "stream": 0, "block": 2**64}, ValueError, "block"),
        ({"seed": 1, "stream": 0, "block": 1.5}, TypeError, "block"),
    ],
)
def test_bad_state_names_the_argument(state, error, pattern):
    g = wf.Generator(seed=3)
    with pytest.raises(error, match=pattern):
        g.state = state
    assert g.state == {"seed": 3, "stream": 0, "block": 0}


def test_bad_constructor_and_spawn_arguments():
    with pytest.raises(ValueError, match="seed"):
        wf.Generator(seed=2**64)
    with pytest.raises(TypeError, match="stream"):
        wf.Generator(seed=0, stream=1.5)
    for bad, error in ((2.0, TypeError), (True, TypeError), (None, TypeError), (-1, ValueError)):
        with pytest.raises(error, match="n_children"):
            wf.Generator(seed=0).spawn(bad)


def test_spawn_n_gives_n_children_as_numpy_does():
    parent = wf.Generator(seed=11, stream="model")
    children = parent.spawn(3)
    assert isinstance(children, list) and len(children) == 3
    assert all(isinstance(child, wf.Generator) for child in children)
    assert parent.spawn(0) == [] and len(parent.spawn(np.int64(2))) == 2
    streams = [child.state["stream"] for child in children]
    parent_stream = parent.state["stream"]
    for i, (child, stream) in enumerate(zip(children, streams, strict=True)):
        digest = hashlib.blake2b(f"{parent_stream}/{i}".encode(), digest_size=8).digest()
        assert child.state == {"seed": 11, "stream": int.from_bytes(digest, "little"), "block": 0}
        assert stream == parent.spawn(str(i)).state["stream"]  # child i is the child named "i"
    assert len(set(streams)) == 3 and parent_stream not in streams
    draws = [child.normal(1000) for child in children]
    parent.normal(10_000)  # reproducible from (seed, stream): the parent's progress is no input
    again = [child.normal(1000) for child in wf.Generator(seed=11, stream="model").spawn(3)]
    assert all(same_bytes(a, b) for a, b in zip(draws, again, strict=True))
    later = [child.normal(1000) for child in parent.spawn(3)]  # a second call: the same children
    assert all(same_bytes(a, b) for a, b in zip(draws, later, strict=True))
    for i in range(3):
        for j in range(i + 1, 3):
            assert not same_bytes(draws[i], draws[j])
            assert abs(np.corrcoef(draws[i], draws[j])[0, 1]) < 5 / math.sqrt(1000)
    other_seed = wf.Generator(seed=12, stream="model").spawn(1)[0].normal(1000)
    assert not same_bytes(other_seed, draws[0])


@pytest.mark.parametrize("dtype", [np.float16, "bfloat16"])
def test_sixteen_bit_calls_use_four_elements_per_block(dtype):
    if dtype == "bfloat16":
        pytest.importorskip("ml_dtypes", reason="bfloat16 needs ml_dtypes")
    g = wf.Generator(seed=4)
    a, b = g.normal(5, dtype=dtype), g.normal(3, dtype=dtype)
    whole = wf.normal(11, seed=4)
    assert same_bytes(a, whole[:5].astype(a.dtype))
    assert same_bytes(b, whole[8:11].astype(b.dtype))
    assert g.state["block"] == 3


@pytest.mark.parametrize("name", ["variance_scaling", *PRESET_NAMES])
def test_axes_pass_through_to_the_function(name):
    # Keras 3's input_axes/output_axes: the method is the function at the generator's block.
    shape, axes = (12, 3, 5), {"input_axes": [0], "output_axes": [1, 2]}
    g = wf.Generator(seed=4, stream=2)
    g.uniform(5)  # moves to block 2 (element 8)
    result = getattr(g, name)(shape, **axes)
    expected = getattr(wf, name)(shape, seed=4, stream=2, offset=8, fan_in=12, fan_out=15)
    assert same_bytes(result, expected)
    with pytest.raises(ValueError, match=r"output_axes is None"):
        getattr(g, name)(shape, input_axes=[0])
    assert g.state["block"] == 2 + blocks(180, 4)  # the refused call used no block


@pytest.mark.parametrize(("dtype", "per"), [(None, 4), (np.float64, 2), (np.float16, 4)])
def test_reserve_gives_a_span_once(dtype, per):
    g = wf.Generator(seed=6, stream=1)
    g.uniform(3)  # one block used
    with g.reserve(9, dtype) as offset:
        assert offset == 1 * per
        assert g.state["block"] == 1  # moved only when the block succeeds
    assert g.state["block"] == 1 + blocks(9, per)
    mine = wf.normal(9, seed=6, stream=1, offset=offset, dtype=dtype)
    rest = wf.normal(12 * per, seed=6, stream=1, dtype=dtype)[offset : offset + 9]
    assert same_bytes(mine, rest)
    # the next call starts after the reserved span's blocks
    after = g.normal(2, dtype=dtype)
    assert same_bytes(
        after, wf.normal(2, seed=6, stream=1, offset=(1 + blocks(9, per)) * per, dtype=dtype)
    )


def test_a_reservation_that_fails_uses_nothing():
    g = wf.Generator(seed=6)
    with pytest.raises(RuntimeError, match="inside"):
        with g.reserve(100):
            raise RuntimeError("inside the block")
    assert g.state["block"] == 0
    with pytest.raises(ValueError, match="count"):
        with g.reserve(-1):
            pass
    g.state = {**g.state, "block": 2**64 - 2}
    with pytest.raises(ValueError, match="past the end"):
        with g.reserve(9):
            pass
    with g.reserve(8) as offset:  # exactly the last two blocks
        assert offset == (2**64 - 2) * 4
