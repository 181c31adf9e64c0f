"""Pin the golden values: run once per stream version, never to make a failing test pass.

``python tools/pin_golden.py`` writes tests/golden_values.json from the current build. The
table covers every public random function, both float dtypes, odd offsets, named streams and
seeds near 2**64.
"""

from __future__ import annotations

import hashlib
import json
import pathlib

import numpy as np

import winit_fast as wf

ROOT = pathlib.Path(__file__).resolve().parents[1]

CALLS = [
    ("raw_seed0", "random_raw", [16], {"seed": 0}),
    ("raw_offset", "random_raw", [33], {"seed": 2**64 - 1, "stream": 5, "offset": 2**66 - 40}),
    ("uniform_f32", "uniform", [[64, 33]], {"seed": 0}),
    ("uniform_f32_range", "uniform", [1001, -3.0, 7.5], {"seed": 42, "stream": "w"}),
    ("uniform_f64", "uniform", [[17, 5]], {"seed": 1, "dtype": "float64"}),
    ("uniform_f64_offset", "uniform", [99], {"seed": 7, "dtype": "float64", "offset": 12345}),
    ("normal_f32", "normal", [[64, 33]], {"seed": 0}),
    ("normal_f32_affine", "normal", [1001, 0.5, 0.02], {"seed": 3, "stream": "layer1.weight"}),
    ("normal_f32_odd_offset", "normal", [77], {"seed": 2**63, "offset": 4097}),
    ("normal_f64", "normal", [[17, 5]], {"seed": 1, "dtype": "float64"}),
    ("normal_f64_offset", "normal", [99, -1.0, 2.0], {"seed": 9, "dtype": "float64", "offset": 3}),
    ("normal_f32_large", "normal", [1 << 20], {"seed": 2024}),
    ("constant_f32", "constant", [10, -0.1], {}),
    ("truncated_f32", "truncated_normal", [[64, 33]], {"seed": 0}),
    ("truncated_f32_tiny_std", "truncated_normal", [1001, 0.0, 0.002], {"seed": 5, "offset": 3}),
    ("truncated_f64", "truncated_normal", [[17, 5], 1.0, 2.0], {"seed": 1, "dtype": "float64"}),
    ("truncated_f32_tail", "truncated_normal", [999], {"seed": 2, "a": 4.0, "b": 9.0}),
    (
        "truncated_f64_far",
        "truncated_normal",
        [99],
        {"seed": 2, "a": 20.0, "b": 21.0, "dtype": "float64"},
    ),
    ("normal_f16", "normal", [[33, 7], 0.0, 0.02], {"seed": 4, "dtype": "float16"}),
    ("truncated_bf16", "truncated_normal", [1000, 0.0, 0.02], {"seed": 4, "dtype": "bfloat16"}),
    ("uniform_f16", "uniform", [[100, 60], -1.0, 1.0], {"seed": 6, "dtype": "float16"}),
    ("he_normal", "he_normal", [[64, 32]], {"seed": 11}),
    ("he_uniform", "he_uniform", [[3, 3, 16, 8]], {"seed": 12}),
    ("glorot_normal", "glorot_normal", [[50, 70]], {"seed": 13, "dtype": "float64"}),
    ("glorot_uniform", "glorot_uniform", [[50, 70]], {"seed": 14, "stream": "dense/kernel"}),
    ("lecun_normal", "lecun_normal", [[16, 8, 3, 3]], {"seed": 15, "layout": "torch"}),
    ("lecun_uniform", "lecun_uniform", [[40, 30]], {"seed": 16, "dtype": "bfloat16"}),
    (
        "variance_scaling_untruncated",
        "variance_scaling",
        [[33, 17], 0.5, "fan_out", "untruncated_normal"],
        {"seed": 17},
    ),
    ("he_normal_100x60", "he_normal", [[100, 60]], {"seed": 18}),
    ("identity", "identity", [[3, 4], 0.5], {}),
]


def winit_fast_dtype(name: str) -> np.dtype:
    from winit_fast._validation import as_dtype

    return as_dtype(name)


def main() -> None:
    entries = []
    for ident, function, args, kwargs in CALLS:
        call_kwargs = dict(kwargs)
        if "dtype" in call_kwargs:
            call_kwargs["dtype"] = winit_fast_dtype(call_kwargs["dtype"])
        result = getattr(wf, function)(*args, **call_kwargs)
        entries.append(
            {
                "id": ident,
                "function": function,
                "args": args,
                "kwargs": kwargs,
                "sha256": hashlib.sha256(result.tobytes()).hexdigest(),
                "head": result.reshape(-1)[:4].astype(np.float64).tolist(),
            }
        )
    table = {"stream_version": wf.STREAM_VERSION, "backend": wf.BACKEND, "calls": entries}
    path = ROOT / "tests" / "golden_values.json"
    path.write_text(json.dumps(table, indent=1) + "\n")
    print(f"wrote {len(entries)} entries to {path}")


if __name__ == "__main__":
    main()
