"""Run-time SIMD dispatch: levels, the WINIT_FAST_SIMD switch, and identical bytes."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
import pytest
from support import CORE, needs_core, same_bytes, simd_levels

import winit_fast as wf

pytestmark = needs_core


def test_runtime_info_reports_the_level_in_use():
    info = CORE.runtime_info()
    assert info["simd"] in CORE.simd_levels()
    assert info["simd_available"] == CORE.simd_levels()[-1]


def test_levels_are_those_of_one_architecture():
    levels = CORE.simd_levels()
    assert levels[0] == "scalar"
    if "neon" in levels:  # AArch64
        assert levels == ("scalar", "neon")
    else:  # x86-64 (or a build without SIMD kernels): a prefix of the x86 chain
        assert levels == CORE.SIMD_LEVELS[: len(levels)]
        assert "sse2" in levels or levels == ("scalar",)


def test_set_simd_never_goes_above_the_cpu():
    best = CORE.simd_available()
    foreign = "avx2" if best == "neon" else "neon"  # a level of the other architecture
    try:
        assert CORE.set_simd("avx512") == best  # the top level is clamped to the CPU's
        assert CORE.set_simd(foreign) == best
        assert CORE.set_simd("scalar") == "scalar"
    finally:
        CORE.set_simd(best)
    with pytest.raises(ValueError, match="simd level"):
        CORE.set_simd("avx1024")


def import_with_simd(level: str) -> tuple[str, list[str]]:
    """show_config()["simd"] and the WINIT_FAST_SIMD warnings of a fresh import with
    WINIT_FAST_SIMD=level."""
    env = {**os.environ, "WINIT_FAST_SIMD": level}
    env.pop("WINIT_FAST_PURE_PYTHON", None)
    code = (
        "import json, warnings\n"
        "with warnings.catch_warnings(record=True) as caught:\n"
        "    warnings.simplefilter('always')\n"
        "    import winit_fast as wf\n"
        "    simd = wf.show_config()['simd']\n"
        "print(json.dumps([simd, [str(w.message) for w in caught]]))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    simd, messages = json.loads(result.stdout)
    return simd, [m for m in messages if "WINIT_FAST_SIMD" in m]


@pytest.mark.parametrize("level", ["scalar", "sse2", "avx2", "avx512", "neon"])
def test_environment_switch(level):
    simd, warned = import_with_simd(level)
    if level in simd_levels():
        assert (simd, warned) == (level, [])
    else:  # above this CPU's best, or another architecture's: the best, with a warning
        best = CORE.simd_available()
        assert simd == best
        assert warned == [
            f"winit_fast: WINIT_FAST_SIMD={level} is not available on this CPU; using {best}"
        ]


CALLS = {
    "uniform": lambda dt, t: wf.uniform(
        300_007, -3.0, 5.0, seed=1, dtype=dt, offset=3, n_threads=t
    ),
    "normal": lambda dt, t: wf.normal(300_007, 1.0, 2.0, seed=2, dtype=dt, offset=1, n_threads=t),
    "truncated": lambda dt, t: wf.truncated_normal(
        300_007, seed=3, dtype=dt, offset=5, n_threads=t
    ),
    "raw": lambda dt, t: wf.random_raw(300_007, seed=4, offset=7),
}


@pytest.mark.parametrize("name", sorted(CALLS))
@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.float16])
def test_every_level_gives_the_same_bytes(name, dtype):
    results = {}
    best = CORE.simd_available()
    try:
        for level in simd_levels():
            CORE.set_simd(level)
            for threads in (1, 2, 3):
                results[(level, threads)] = CALLS[name](dtype, threads)
    finally:
        CORE.set_simd(best)
    reference = next(iter(results.values()))
    for key, result in results.items():
        assert same_bytes(result, reference), key
