"""winit_fast.jax on 8 forced CPU devices; run by tests/test_jax.py in a subprocess.

XLA reads ``XLA_FLAGS`` when JAX first creates its CPU backend, and the rest of the suite (Keras
imports jax even on the torch backend) may have done that already in pytest's own process, so
these cases run in a process of their own. To run them alone::

    XLA_FLAGS=--xla_force_host_platform_device_count=8 python -m pytest tests/jax_cases.py
"""

from __future__ import annotations

import numpy as np
import pytest

import winit_fast as wf

jax = pytest.importorskip("jax", reason='needs jax (pip install "winit-fast[jax]")')
jnp = jax.numpy
wfj = pytest.importorskip("winit_fast.jax")
ml_dtypes = pytest.importorskip("ml_dtypes", reason="needs ml_dtypes for bfloat16")

from jax.sharding import NamedSharding  # noqa: E402
from jax.sharding import PartitionSpec as P  # noqa: E402

SHAPE = (16, 24)  # divisible by every mesh axis product below


@pytest.fixture(scope="module", autouse=True)
def eight_devices():
    if len(jax.devices()) < 8:
        pytest.fail(
            "needs 8 devices: run through tests/test_jax.py, or set "
            "XLA_FLAGS=--xla_force_host_platform_device_count=8 before JAX starts"
        )


def mesh(*sizes):
    names = ("x", "y", "z")[: len(sizes)]
    devices = np.array(jax.devices()[: int(np.prod(sizes))]).reshape(sizes)
    return jax.sharding.Mesh(devices, names)


LAYOUTS = [
    ((8,), P("x")),
    ((8,), P(None, "x")),
    ((8,), P()),
    ((2, 4), P("x", "y")),
    ((2, 4), P("y", "x")),
    ((2, 4), P("x")),
    ((2, 4), P(None, "y")),
    ((2, 4), P(("x", "y"))),
    ((2, 4), P(None, ("y", "x"))),
    ((4, 2), P("y", "x")),
    ((2, 2, 2), P(("x", "z"), "y")),
    ((2, 2, 2), P("z", ("y", "x"))),
    ((2, 2, 2), P(None, "y")),
]

CASES = [
    ("he_normal", {}),
    ("glorot_uniform", {}),
    ("lecun_normal", {"layout": "torch"}),
    ("he_uniform", {"input_axes": [1], "output_axes": [0]}),  # Keras 3's axes, through **params
    ("normal", {"mean": 0.5, "std": 0.02}),
    ("uniform", {"low": -2.0, "high": 3.0}),
    ("truncated_normal", {"std": 0.1}),
    ("variance_scaling", {"scale": 0.5, "mode": "fan_avg", "distribution": "uniform"}),
    ("orthogonal", {"gain": 2.0}),
    ("constant", {"value": 0.25}),
    ("zeros", {}),
    ("ones", {}),
]


def expected(scheme, shape, dtype, seed, stream, params):
    function = getattr(wf, scheme)
    if scheme in ("zeros", "ones", "constant"):
        return function(shape, dtype=dtype, **params)
    return function(shape, seed=seed, stream=stream, dtype=dtype, **params)


@pytest.mark.parametrize(("sizes", "spec"), LAYOUTS, ids=lambda x: str(x))
@pytest.mark.parametrize(
    "dtype", [jnp.float32, jnp.bfloat16, jnp.float16], ids=lambda d: d.__name__
)
def test_every_layout_equals_numpy(sizes, spec, dtype):
    sharding = NamedSharding(mesh(*sizes), spec)
    array = wfj.make_array("he_normal", SHAPE, sharding, seed=7, stream="w", dtype=dtype)
    want = wf.he_normal(SHAPE, seed=7, stream="w", dtype=dtype)
    assert array.sharding == sharding and array.dtype == want.dtype
    assert np.asarray(array).tobytes() == want.tobytes()
    for shard in array.addressable_shards:  # each device holds exactly its block
        assert np.asarray(shard.data).tobytes() == want[shard.index].tobytes()


@pytest.mark.parametrize(("scheme", "params"), CASES, ids=[f"{c[0]}{sorted(c[1])}" for c in CASES])
def test_every_scheme_equals_numpy(scheme, params):
    sharding = NamedSharding(mesh(2, 4), P("y", "x"))
    array = wfj.make_array(scheme, SHAPE, sharding, seed=3, stream=11, **params)
    want = expected(scheme, SHAPE, np.float32, 3, 11, params)
    assert np.asarray(array).tobytes() == want.tobytes()


def test_higher_rank_kernel_and_uneven_free_axes():
    shape = (3, 3, 16, 8)  # a conv kernel (*window, in, out): Keras/flax layout fans
    sharding = NamedSharding(mesh(2, 2, 2), P(None, None, ("x", "y"), "z"))
    array = wfj.make_array("he_uniform", shape, sharding, seed=1, stream="conv")
    assert np.asarray(array).tobytes() == wf.he_uniform(shape, seed=1, stream="conv").tobytes()


def test_float64_with_x64():
    sharding = NamedSharding(mesh(2, 4), P("x", "y"))
    with jax.enable_x64(True):
        array = wfj.make_array("normal", SHAPE, sharding, seed=2, dtype=np.float64)
        want = wf.normal(SHAPE, seed=2, dtype=np.float64)
        assert array.dtype == np.float64 and np.asarray(array).tobytes() == want.tobytes()
    with pytest.raises(ValueError, match="jax_enable_x64"):
        wfj.make_array("normal", SHAPE, sharding, seed=2, dtype=np.float64)


@pytest.mark.parametrize(
    ("sizes", "spec", "distinct"),
    [((2, 4), P("x"), 2), ((2, 4), P(None, "y"), 4), ((2, 4), P(), 1), ((2, 4), P("x", "y"), 8)],
    ids=str,
)
def test_replicas_generate_each_block_once(monkeypatch, sizes, spec, distinct):
    calls = []
    make_block = wfj._block_function

    def counting(*args):
        block = make_block(*args)

        def counted(index):
            calls.append(tuple((s.start, s.stop) for s in index))
            return block(index)

        return counted

    monkeypatch.setattr(wfj, "_block_function", counting)
    array = wfj.make_array("normal", SHAPE, NamedSharding(mesh(*sizes), spec), seed=0)
    assert len(calls) == len(set(calls)) == distinct
    assert np.asarray(array).tobytes() == wf.normal(SHAPE, seed=0).tobytes()


def test_init_params_streams_by_path_and_roles():
    f32 = np.float32
    two = NamedSharding(mesh(2, 4), P("x", "y"))
    specs = {
        "params": {
            "Dense_0": {
                "kernel": jax.ShapeDtypeStruct((16, 24), f32),
                "bias": jax.ShapeDtypeStruct((24,), f32),
            },
            "LayerNorm_0": {"scale": jax.ShapeDtypeStruct((24,), jnp.bfloat16)},
            "blocks": [jax.ShapeDtypeStruct((8, 8), f32, sharding=two)],
        }
    }
    shardings = jax.tree_util.tree_map(lambda _: NamedSharding(mesh(8), P()), specs)
    for tree in (
        wfj.init_params(specs, "glorot_normal", seed=5, bias=0.5, norm=2.0),
        wfj.init_params(specs, "glorot_normal", seed=5, shardings=shardings, bias=0.5, norm=2.0),
    ):
        p = tree["params"]
        kernel = wf.glorot_normal((16, 24), seed=5, stream="params/Dense_0/kernel")
        block = wf.glorot_normal((8, 8), seed=5, stream="params/blocks/0")
        assert np.asarray(p["Dense_0"]["kernel"]).tobytes() == kernel.tobytes()
        assert np.asarray(p["blocks"][0]).tobytes() == block.tobytes()
        assert (np.asarray(p["Dense_0"]["bias"]) == 0.5).all()
        scale = p["LayerNorm_0"]["scale"]
        assert scale.dtype == jnp.bfloat16 and (np.asarray(scale) == 2.0).all()
    assert tree["params"]["blocks"][0].sharding == shardings["params"]["blocks"][0]
    own = wfj.init_params(specs, "glorot_normal", seed=5)
    assert own["params"]["blocks"][0].sharding == two  # the leaf's own sharding
    partial = jax.tree_util.tree_map(lambda _: None, specs)
    partial["params"]["Dense_0"]["kernel"] = NamedSharding(mesh(8), P(None, "x"))
    mixed = wfj.init_params(specs, "glorot_normal", seed=5, shardings=partial)
    assert mixed["params"]["Dense_0"]["kernel"].sharding == partial["params"]["Dense_0"]["kernel"]
    assert mixed["params"]["blocks"][0].sharding == two
    assert mixed["params"]["Dense_0"]["bias"].sharding.device_set == {jax.local_devices()[0]}


def test_init_params_passes_scheme_arguments():
    specs = [jax.ShapeDtypeStruct((4, 6), np.float32)]
    tree = wfj.init_params(specs, "normal", seed=1, std=0.02)
    assert (
        np.asarray(tree[0]).tobytes() == wf.normal((4, 6), std=0.02, seed=1, stream="0").tobytes()
    )


def test_bad_input_is_named_before_any_block():
    sharding = NamedSharding(mesh(2, 4), P("x", "y"))
    with pytest.raises(ValueError, match="scheme"):
        wfj.make_array("he_normall", SHAPE, sharding, seed=0)
    with pytest.raises(TypeError, match="sharding"):
        wfj.make_array("he_normal", SHAPE, None, seed=0)
    with pytest.raises(ValueError, match="sharding does not fit shape"):
        wfj.make_array("he_normal", (10, 24), NamedSharding(mesh(4, 2), P("x")), seed=0)
    with pytest.raises(TypeError, match="'std'"):
        wfj.make_array("he_normal", SHAPE, sharding, seed=0, std=1.0)
    with pytest.raises(TypeError, match="dtype"):
        wfj.make_array("he_normal", SHAPE, sharding, seed=0, dtype=np.int32)
    with pytest.raises(ValueError, match="seed"):
        wfj.make_array("he_normal", SHAPE, sharding, seed=-1)
    with pytest.raises(ValueError, match="high"):
        wfj.make_array("uniform", SHAPE, sharding, seed=0, low=1.0, high=0.0)
    with pytest.raises(TypeError, match=r"specs leaf \['w'\]"):
        wfj.init_params({"w": np.zeros(3)}, "he_normal", seed=0)
    with pytest.raises(ValueError, match="shardings"):
        wfj.init_params(
            {"w": jax.ShapeDtypeStruct((4, 4), np.float32)},
            "he_normal",
            seed=0,
            shardings=[sharding],
        )
