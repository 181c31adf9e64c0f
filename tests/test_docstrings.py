"""Every public function and class has a NumPy-style docstring with a runnable example (the
examples themselves run as doctests, collected by pytest from the installed package)."""

from __future__ import annotations

import inspect

import pytest

import winit_fast as wf
from winit_fast import initializers


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
