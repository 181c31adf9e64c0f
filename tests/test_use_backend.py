"""``wf.use_backend``: the one switch between the compiled core and the NumPy fallback."""

from __future__ import annotations

import os
import subprocess
import sys
import threading

import numpy as np
import pytest
from support import needs_core, run_without_core, same_bytes

import winit_fast as wf


def test_the_block_switches_and_restores():
    before = wf.show_config()["backend"]
    with wf.use_backend("python") as name:
        assert name == "python"
        assert wf.show_config()["backend"] == "python"
        assert wf.show_config()["fallback_reason"] == "use_backend('python')"
    assert wf.show_config()["backend"] == before


@needs_core
def test_nested_blocks_restore_in_order():
    with wf.use_backend("python"):
        with wf.use_backend("c"):
            assert wf.show_config()["backend"] == "c"
        assert wf.show_config()["backend"] == "python"


def test_an_error_inside_the_block_still_restores():
    before = wf.show_config()["backend"]
    with pytest.raises(ZeroDivisionError), wf.use_backend("python"):
        1 / 0  # noqa: B018
    assert wf.show_config()["backend"] == before


@pytest.mark.parametrize("name", ["C", "numpy", None, 1])
def test_unknown_names_are_refused(name):
    with pytest.raises(ValueError, match="backend must be one of"):
        with wf.use_backend(name):
            pass


@needs_core
def test_both_backends_give_the_same_bytes_through_every_layer():
    results = []
    for name in ("c", "python"):
        with wf.use_backend(name):
            g = wf.Generator(seed=3)
            results.append(
                [
                    wf.uniform(33, seed=1, dtype=np.float64),
                    wf.he_normal((7, 9), seed=2),
                    g.glorot_uniform((5, 5)),
                    wf.constant(4, 0.25),
                    wf.random_raw(9, seed=4),
                ]
            )
    for a, b in zip(*results, strict=True):
        assert same_bytes(a, b)


@needs_core
def test_the_choice_is_local_to_a_thread():
    """A thread keeps its own choice; a new thread starts at the default (a contextvar)."""
    inside, entered, leave = [], threading.Event(), threading.Event()

    def other_thread():
        inside.append(wf.show_config()["backend"])
        with wf.use_backend("python"):
            entered.set()
            leave.wait(10)

    with wf.use_backend("c"):
        worker = threading.Thread(target=other_thread)
        worker.start()
        assert entered.wait(10)
        assert wf.show_config()["backend"] == "c"  # the other thread's block does not leak
        leave.set()
        worker.join()
    assert inside == [wf.BACKEND]


def test_c_without_the_core_names_the_cause():
    stdout = run_without_core(
        "import warnings; warnings.simplefilter('ignore')\n"
        "import winit_fast as wf\n"
        "try:\n"
        "    with wf.use_backend('c'): pass\n"
        "except RuntimeError as exc:\n"
        "    print(exc)\n"
    )
    assert "backend 'c' is not available" in stdout
    assert "not built or failed to import" in stdout and "pip install" in stdout


@needs_core
def test_the_env_default_can_still_be_switched_to_c():
    """WINIT_FAST_PURE_PYTHON=1 sets the default only; use_backend('c') loads the core."""
    code = (
        "import winit_fast as wf\n"
        "with wf.use_backend('c'):\n"
        "    inside = wf.show_config()['backend']\n"
        "print(wf.BACKEND, inside, wf.show_config()['backend'])\n"
    )
    env = {**os.environ, "WINIT_FAST_PURE_PYTHON": "1"}
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    )
    assert result.stdout.split() == ["python", "c", "python"]
