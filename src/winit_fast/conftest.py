"""pytest settings for the doctests of the package (``pytest --pyargs winit_fast``).

The adapters ``winit_fast.keras``, ``winit_fast.torch`` and ``winit_fast.dask`` import their
framework at import time; when it is missing their doctests are not collected (instead of
failing to import). ``import winit_fast`` never imports this file.
"""

from __future__ import annotations

import importlib.util
import os

import pytest


def _installed(name: str) -> bool:
    return importlib.util.find_spec(name) is not None


# Keras 3 defaults to the TensorFlow backend: without TensorFlow, use another installed one
# (torch first, as the test suite does).
if "KERAS_BACKEND" not in os.environ and not _installed("tensorflow"):
    for _backend in ("torch", "jax"):
        if _installed(_backend):
            os.environ["KERAS_BACKEND"] = _backend
            break

_KERAS_BACKEND = os.environ.get("KERAS_BACKEND", "tensorflow")
_NEEDS = {
    "keras.py": ("keras", _KERAS_BACKEND),
    "torch": ("torch", "ml_dtypes"),
    "dask.py": ("dask",),
    "_triton": ("triton", "torch"),
}
collect_ignore = [
    module for module, packages in _NEEDS.items() if not all(map(_installed, packages))
]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # Keras's torch backend converts tensors with np.array(tensor), which NumPy 2 warns about;
    # the warning is Keras's, not winit_fast's.
    ignore = pytest.mark.filterwarnings("ignore:__array__ implementation:DeprecationWarning")
    for item in items:
        if item.path.name == "keras.py" and item.path.parent.name == "winit_fast":
            item.add_marker(ignore)
