"""Every public function and class has a NumPy-style docstring with a runnable example (the
examples themselves run as doctests, collected by pytest from the installed package): the
core package, its initializer classes and the framework adapters."""

from __future__ import annotations

import importlib
import inspect
import os

import pytest

import winit_fast as wf
from winit_fast import initializers

# Keras reads its backend once, at its first import; TensorFlow (its default) is not needed.
os.environ.setdefault("KERAS_BACKEND", "torch")
# Each adapter imports its framework; its names are checked where that framework is installed.
ADAPTERS = (
    "winit_fast.dask",
    "winit_fast.jax",
    "winit_fast.keras",
    "winit_fast.safetensors",
    "winit_fast.torch",
)


def public_objects():
    for name in wf.__all__:
        obj = getattr(wf, name)
        if inspect.isfunction(obj) or inspect.isclass(obj) or inspect.isbuiltin(obj):
            yield f"winit_fast.{name}", obj
    for name in getattr(initializers, "__all__", dir(initializers)):
        obj = getattr(initializers, name)
        if inspect.isclass(obj) and not name.startswith("_"):
            yield f"winit_fast.initializers.{name}", obj


@pytest.mark.parametrize(("name", "obj"), list(public_objects()), ids=lambda x: str(x))
def test_public_docstring_has_an_example(name, obj):
    doc = inspect.getdoc(obj) or ""
    assert doc.strip(), f"{name} has no docstring"
    assert "Examples\n--------" in doc, f"{name} has no NumPy-style Examples section"
    assert ">>> " in doc, f"{name} has no runnable example"


def _has_example(obj) -> bool:
    doc = inspect.getdoc(obj) or ""
    return "Examples\n--------" in doc and ">>> " in doc


@pytest.mark.parametrize("module_name", ADAPTERS)
def test_adapter_public_names_have_an_example(module_name):
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        pytest.skip(f"{module_name} needs its framework: {exc}")
    public = [name for name in module.__all__ if callable(getattr(module, name))]
    assert public, f"{module_name}.__all__ lists no functions or classes"
    missing = [name for name in public if not _has_example(getattr(module, name))]
    assert not missing, f"{module_name}: no NumPy-style example in {missing}"
