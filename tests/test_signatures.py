"""help() shows the public API as written: annotations evaluated (no ``'Any'`` in quotes, the
modules' ``from __future__ import annotations`` notwithstanding), and each variance-scaling
preset documents its own parameters."""

from __future__ import annotations

import importlib
import inspect
import os
import pydoc
import typing

import pytest

import winit_fast as wf

PUBLIC_MODULES = ["winit_fast", "winit_fast.initializers", "winit_fast.keras", "winit_fast.torch",
                  "winit_fast.jax", "winit_fast.dask", "winit_fast.safetensors"]  # fmt: skip


def public_callables(module):
    for name in module.__all__:
        value = getattr(module, name)
        if inspect.isfunction(value):
            yield f"{module.__name__}.{name}", value
        elif inspect.isclass(value) and value.__module__.startswith("winit_fast"):
            for attribute, member in vars(value).items():
                if inspect.isfunction(member) and (
                    not attribute.startswith("_") or attribute in ("__init__", "__call__")
                ):
                    yield f"{module.__name__}.{name}.{attribute}", member


@pytest.mark.parametrize("module_name", PUBLIC_MODULES)
def test_public_signatures_have_evaluated_annotations(module_name):
    if module_name == "winit_fast.keras":
        os.environ.setdefault("KERAS_BACKEND", "torch")  # read once, at Keras's first import
        pytest.importorskip("keras", reason="needs keras")
    if module_name in ("winit_fast.torch", "winit_fast.safetensors"):
        pytest.importorskip("torch", reason="needs torch")
    module = importlib.import_module(module_name)
    checked = 0
    for name, function in public_callables(module):
        signature = inspect.signature(function)
        quoted = [p.name for p in signature.parameters.values() if isinstance(p.annotation, str)]
        assert quoted == [], f"{name}: {quoted}"
        assert not isinstance(signature.return_annotation, str), name
        checked += 1
    assert checked > 0


def test_help_of_a_preset_shows_plain_annotations_and_its_own_parameters():
    text = pydoc.render_doc(wf.he_normal, renderer=pydoc.plaintext)
    assert "shape: Any = None" in text and "'Any'" not in text
    assert inspect.signature(wf.he_normal).parameters["shape"].annotation is typing.Any
    parameters = text[text.index("Parameters\n") : text.index("Returns\n")]
    for name in ("shape", "distribution", "seed", "index", "layout", "fan_in", "input_axes"):
        assert f"\n    {name}" in parameters, name
    assert "kaiming_normal_" in parameters  # what untruncated_normal means, in torch's words
