"""Equivalence (a): the C core and the NumPy fallback give byte-identical initial weights,
hence byte-identical training. Each backend is chosen with wf.use_backend (see
winit_fast.reference.backends)."""

from __future__ import annotations

import numpy as np
import pytest
from reference_support import toy_data
from support import needs_core, same_bytes

from winit_fast.reference import MLP
from winit_fast.reference.backends import backend_weights

pytestmark = needs_core


@pytest.mark.parametrize(
    ("init", "dtype"),
    [("he_normal", np.float32), ("glorot_uniform", np.float64), ("random_normal:0.01", np.float32)],
)
def test_initial_weights_are_byte_identical(init, dtype):
    c = backend_weights([30, 17, 5], init, seed=11, dtype=dtype, backend="c")
    python = backend_weights([30, 17, 5], init, seed=11, dtype=dtype, backend="python")
    for (wc, bc), (wp, bp) in zip(c, python, strict=True):
        assert same_bytes(wc, wp) and same_bytes(bc, bp)


def test_training_histories_are_byte_identical():
    data = toy_data(n=200)
    runs = []
    for backend in ("c", "python"):
        model = MLP([12, 16, 3], init="he_normal", seed=5, backend=backend)
        history = model.fit(data.X_train, data.y_train, epochs=3, validation_data=data[2:], seed=5)
        runs.append((history, model.weights))
    (history_c, weights_c), (history_python, weights_python) = runs
    assert history_c == history_python  # float equality, every epoch, every metric
    for (wc, bc), (wp, bp) in zip(weights_c, weights_python, strict=True):
        assert same_bytes(wc, wp) and same_bytes(bc, bp)
