"""winit_fast._interface: the adapters' one way in. DryRun (a call that checks and writes
nothing, instead of a fill of an empty array), the registry of schemes."""

from __future__ import annotations

import importlib.util
import subprocess
import sys

import numpy as np
import pytest
from support import TESTS

import winit_fast as wf
from winit_fast import _interface as wfi

HUGE = (1 << 20, 1 << 20)  # 2**40 elements: a real array of it could not be allocated here


@pytest.mark.parametrize("name", sorted(wfi.FUNCTIONS))
def test_a_dry_run_checks_every_function_and_writes_nothing(name, each_backend):
    scheme = wfi.FUNCTIONS[name]
    keywords = {"seed": 0, "stream": "layer"} if scheme.random else {}
    dry = wfi.DryRun(HUGE, "float16")
    assert scheme.function(HUGE, out=dry, **keywords) is dry  # no memory, no work
    assert dry.shape == HUGE and dry.dtype == np.float16 and not dry.flags.writeable


@pytest.mark.parametrize(
    ("name", "keywords", "pattern"),
    [
        ("uniform", {"low": 1.0, "high": 0.0}, "low must be <= high"),
        ("normal", {"std": 1e6}, "overflows float16"),
        ("truncated_normal", {"a": 1.0, "b": 1.0}, "a must be < b"),
        ("he_normal", {"mode": "fan_in"}, "mode"),  # a preset takes no mode
        ("variance_scaling", {"scale": -1.0}, "scale must be > 0"),
        ("orthogonal", {"gain": np.inf}, "gain"),
        ("constant", {"value": 1e6}, "overflows float16"),
    ],
)
def test_a_dry_run_raises_what_the_call_would(name, keywords, pattern):
    function = wfi.FUNCTIONS[name].function
    random = {"seed": 0} if wfi.FUNCTIONS[name].random else {}
    with pytest.raises((ValueError, TypeError), match=pattern) as real:
        function((64, 32), dtype="float16", **random, **keywords)
    with pytest.raises(real.type, match=pattern):
        function((64, 32), out=wfi.DryRun((64, 32), "float16"), **random, **keywords)


def test_a_dry_run_checks_the_whole_tensor_and_its_place_in_the_stream():
    with pytest.raises(ValueError, match="past the end of the stream"):
        wf.normal(HUGE, seed=0, offset=4 * 2**64 - 10, out=wfi.DryRun(HUGE, None))
    with pytest.raises(ValueError, match="disagrees"):
        wf.normal((3, 4), seed=0, out=wfi.DryRun((4, 3), None))
    with pytest.raises(ValueError, match="2\\*\\*63 bytes"):
        wfi.DryRun((1 << 62, 4), "float32")
    index = np.s_[:, 5:9]
    block = wf.normal((7, 10), seed=0, index=index, out=wfi.DryRun((7, 4), None))
    assert block.shape == (7, 4)
    real = wf.he_normal((8, 8), seed=1, stream="w")
    assert wf.he_normal((8, 8), seed=1, stream="w", out=wfi.DryRun((8, 8), None)) is not None
    assert np.array_equal(real, wf.he_normal((8, 8), seed=1, stream="w"))


def test_a_fill_that_reached_a_dry_run_would_be_refused(backend):
    """No memory behind it: a backend handed one refuses it rather than write."""
    with pytest.raises(ValueError):
        backend.fill(wfi.DryRun((8,), None), wfi.FAMILIES["normal"].code, 0, 0, 0, 0, (0, 1), 1)


def test_the_registry_names_every_fill_an_adapter_calls():
    kinds = {name: scheme.kind for name, scheme in wfi.FUNCTIONS.items()}
    families = [f.name for f in wfi.FAMILIES.values() if f.initializer]
    assert all(kinds[name] == "element-wise" for name in [*families, "variance_scaling"])
    assert all(kinds[name] == "element-wise" for name in wfi.PRESETS)
    assert kinds["orthogonal"] == "whole"
    assert {name for name, kind in kinds.items() if kind == "constant"} == {
        "zeros",
        "ones",
        "constant",
    }
    for name, scheme in wfi.FUNCTIONS.items():
        assert scheme.function is getattr(wf, name)
    for name, (function, _) in wfi.SCHEME_FUNCTIONS.items():
        assert function in wfi.FUNCTIONS, name


KERAS_WITHOUT_TWIN = """
import os
os.environ.setdefault("KERAS_BACKEND", "torch")
from winit_fast import initializers

class Laplace(initializers.Initializer):
    def __call__(self, shape, dtype=None):
        return initializers.Zeros()(shape, dtype)

initializers.CLASSES = (*initializers.CLASSES, Laplace)
initializers.__all__.append("Laplace")
initializers.NAMES["Laplace"] = initializers.NAMES["laplace"] = Laplace

import keras
import winit_fast.keras as wfk
assert not hasattr(keras.initializers, "Laplace")
assert "Laplace" not in wfk.__all__ and not hasattr(wfk, "Laplace")
assert "laplace" not in wfk.NAMES and Laplace not in wfk.CLASSES
assert type(wfk.get("he_normal")).__name__ == "HeNormal"
print("imported", len(wfk.CLASSES))
"""


def test_a_public_initializer_keras_lacks_does_not_break_the_keras_module():
    for package in ("keras", "torch"):  # torch: the Keras backend of the tests
        if importlib.util.find_spec(package) is None:
            pytest.skip(f"needs {package}")
    result = subprocess.run(
        [sys.executable, "-c", KERAS_WITHOUT_TWIN],
        capture_output=True,
        text=True,
        cwd=TESTS,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "imported 15" in result.stdout
