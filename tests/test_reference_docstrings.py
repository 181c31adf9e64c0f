"""Every public function and class of winit_fast.reference has a NumPy-style docstring with a
runnable example (the examples run as doctests)."""

from __future__ import annotations

import importlib
import inspect

import pytest

MODULES = [
    "winit_fast.reference",
    "winit_fast.reference.backends",
    "winit_fast.reference.commands",
    "winit_fast.reference.data",
    "winit_fast.reference.depth_study",
    "winit_fast.reference.experiments",
    "winit_fast.reference.functions",
    "winit_fast.reference.initialization",
    "winit_fast.reference.lsuv",
    "winit_fast.reference.model",
    "winit_fast.reference.numpy_init",
    "winit_fast.reference.optimizers",
    "winit_fast.reference.plots",
    "winit_fast.reference.progress",
    "winit_fast.reference.residual",
    "winit_fast.reference.threads",
]


def public_objects():
    for module_name in MODULES:
        module = importlib.import_module(module_name)
        for name in module.__all__:
            obj = getattr(module, name)
            if inspect.isfunction(obj) or inspect.isclass(obj):
                yield f"{module_name}.{name}", obj


@pytest.mark.parametrize(("name", "obj"), list(public_objects()), ids=lambda x: str(x))
def test_public_docstring_has_an_example(name, obj):
    doc = inspect.getdoc(obj) or ""
    assert "Examples\n--------" in doc, f"{name} has no NumPy-style Examples section"
    assert ">>> " in doc, f"{name} has no runnable example"
