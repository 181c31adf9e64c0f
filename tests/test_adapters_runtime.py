"""Adapters' runtime: lazy imports, threadpoolctl control of the OpenMP team, fork safety."""

from __future__ import annotations

import json
import multiprocessing
import subprocess
import sys

import pytest
from support import CORE, same_bytes

import winit_fast as wf

FRAMEWORKS = ("keras", "torch", "dask", "distributed", "jax", "tensorflow")
# Large enough that an n_threads=2 fill starts an OpenMP team (the serial cut-off is far lower).
PARALLEL_SIZE = 1 << 16
CHILD_TIMEOUT_S = 60  # a child that hangs in libgomp would never return

needs_openmp = pytest.mark.skipif(
    CORE is None or wf.show_config()["openmp"] is None,
    reason="needs the compiled extension winit_fast._core built with OpenMP",
)


def run_python(code: str) -> str:
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout


def test_import_winit_fast_imports_no_framework():
    code = (
        "import sys, json, winit_fast, winit_fast.initializers;"
        f"print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in {FRAMEWORKS!r})))"
    )
    assert json.loads(run_python(code)) == []


@pytest.mark.parametrize(
    ("module", "framework", "extra"),
    [
        ("keras", "keras", "keras"),
        ("torch", "torch", "torch"),
        ("dask", "dask.array", "dask"),
        ("jax", "jax", "jax"),
    ],
)
def test_adapter_without_its_framework_names_the_extra(module, framework, extra):
    # sys.modules[name] = None makes `import name` fail, as if the package were absent.
    code = (
        f"import sys; sys.modules[{framework!r}] = None\n"
        f"try:\n    import winit_fast.{module}\n"
        "except ImportError as exc:\n    print(exc)\n"
    )
    message = run_python(code)
    assert f'pip install "winit-fast[{extra}]"' in message  # quoted: zsh globs brackets
    if extra == "torch":  # and the CPU build, not PyPI's multi-GB CUDA wheel
        assert "--index-url https://download.pytorch.org/whl/cpu" in message


@needs_openmp
def test_threadpool_info_lists_the_openmp_runtime_of_the_core():
    pytest.importorskip("threadpoolctl", reason="needs threadpoolctl")
    # A fresh process: torch, imported by other tests, loads an OpenMP runtime of its own.
    code = (
        "import json, threadpoolctl, winit_fast; print(json.dumps(threadpoolctl.threadpool_info()))"
    )
    openmp = [entry for entry in json.loads(run_python(code)) if entry["user_api"] == "openmp"]
    assert [entry["prefix"] for entry in openmp] == [wf.show_config()["openmp"]]


@needs_openmp
def test_threadpool_limits_sets_the_default_thread_count():
    threadpoolctl = pytest.importorskip("threadpoolctl", reason="needs threadpoolctl")
    reference = wf.normal(PARALLEL_SIZE, seed=5, n_threads=1)
    # 3 is not this machine's core count on the test machines, so the change is visible.
    with threadpoolctl.threadpool_limits(limits=3, user_api="openmp"):
        assert wf.show_config()["max_threads"] == CORE.max_threads() == 3
        with threadpoolctl.threadpool_limits(1):
            assert wf.show_config()["max_threads"] == CORE.max_threads() == 1
            limited = wf.normal(PARALLEL_SIZE, seed=5)
        assert CORE.max_threads() == 3
    assert same_bytes(limited, reference)


def fork_context() -> multiprocessing.context.BaseContext:
    if "fork" not in multiprocessing.get_all_start_methods():
        pytest.skip("needs the fork start method (POSIX)")
    return multiprocessing.get_context("fork")


# GNU libgomp keeps the parent's thread pool in a forked child, whose next parallel region
# would wait forever for threads that fork did not copy; the C core's pthread_atfork handler
# (csrc/wf_parallel.c) makes every fill in such a child serial. Same bytes either way.
@pytest.mark.parametrize("child_threads", [1, 2, None])
def test_forked_child_fills_after_a_parallel_fill_in_the_parent(child_threads):
    context = fork_context()
    parent = wf.normal(PARALLEL_SIZE, seed=9, n_threads=2)  # starts the parent's OpenMP team
    timeout = CHILD_TIMEOUT_S
    with context.Pool(1) as pool:  # leaving the block terminates a hung child
        result = pool.apply_async(
            wf.normal, (PARALLEL_SIZE,), {"seed": 9, "n_threads": child_threads}
        )
        child = result.get(timeout=timeout)
    assert same_bytes(child, parent)
