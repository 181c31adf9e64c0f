"""Run by :func:`winit_fast.reference.backends.backend_weights` in a fresh process: reads a
pickled ``(layer_sizes, init, seed, dtype)`` on stdin, writes the weights and the backend's
name as an ``.npz`` on stdout."""

from __future__ import annotations

import io
import pickle
import sys
from typing import Any

import numpy as np


def main() -> None:
    import winit_fast as wf
    from winit_fast.reference.initialization import initial_weights

    # Only our own parent writes this pipe (see backend_weights); it is never user input.
    layer_sizes, init, seed, dtype = pickle.loads(sys.stdin.buffer.read())
    weights = initial_weights(layer_sizes, init, seed, np.dtype(dtype))
    arrays: dict[str, Any] = {"backend": np.array(wf.BACKEND)}
    for i, (kernel, bias) in enumerate(weights):
        arrays[f"W{i}"], arrays[f"b{i}"] = kernel, bias
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    sys.stdout.buffer.write(buffer.getvalue())


if __name__ == "__main__":
    main()
