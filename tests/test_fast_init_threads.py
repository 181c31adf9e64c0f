"""The QRs behind orthogonal initializers give the same bytes for any thread count.

``torch.nn.init.orthogonal_`` and ``parametrizations.orthogonal`` inside ``fast_init`` (torch's
QR on MKL) and ``wf.orthogonal`` (NumPy's QR on OpenBLAS) changed their last bits with the
thread count before their QRs were run on one thread: each test here compares 1 and 2
threads in this process (the thread count set as a user sets it) and failed on that code for
the shapes where the two differed on the 2-core machine (torch: all of them; NumPy: 300x200).
"""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest

import winit_fast as wf

SHAPES = [(256, 128), (512, 512), (1024, 256), (128, 256), (300, 200), (64, 64)]


def at_blas_threads(threads, compute):
    threadpoolctl = pytest.importorskip("threadpoolctl", reason="needs threadpoolctl")
    with threadpoolctl.threadpool_limits(limits=threads, user_api="blas"):
        return compute()


@pytest.mark.parametrize("shape", SHAPES)
def test_wf_orthogonal_has_the_same_bytes_on_1_and_2_blas_threads(shape):
    one, two = (
        at_blas_threads(n, lambda: wf.orthogonal(shape, seed=0, dtype=np.float64)) for n in (1, 2)
    )
    assert one.tobytes() == two.tobytes()


def test_wf_orthogonal_restores_the_blas_thread_count():
    threadpoolctl = pytest.importorskip("threadpoolctl", reason="needs threadpoolctl")
    with threadpoolctl.threadpool_limits(limits=2, user_api="blas"):
        before = [lib["num_threads"] for lib in threadpoolctl.threadpool_info()]
        wf.orthogonal((40, 30), seed=0)
        with pytest.raises(ValueError, match="gain"):
            wf.orthogonal((40, 30), float("nan"), seed=0)
        assert [lib["num_threads"] for lib in threadpoolctl.threadpool_info()] == before


torch = pytest.importorskip("torch", reason="needs torch")
import winit_fast.torch as wft  # noqa: E402


def at_torch_threads(threads, compute):
    before = torch.get_num_threads()
    torch.set_num_threads(threads)
    try:
        return compute()
    finally:
        torch.set_num_threads(before)


def fast_orthogonal(shape):
    with wft.fast_init(seed=0):
        return torch.nn.init.orthogonal_(torch.empty(shape))


def fast_parametrized(shape):
    with wft.fast_init(seed=0):
        layer = torch.nn.utils.parametrizations.orthogonal(torch.nn.Linear(*shape))
    return {name: value.clone() for name, value in layer.state_dict().items()}


@pytest.mark.parametrize("shape", SHAPES)
def test_orthogonal_inside_fast_init_has_the_same_bits_on_1_and_2_threads(shape):
    one, two = (at_torch_threads(n, lambda: fast_orthogonal(shape)) for n in (1, 2))
    assert torch.equal(one, two)


@pytest.mark.parametrize("shape", [(128, 256), (256, 256), (300, 200)])
def test_the_orthogonal_parametrization_inside_fast_init_is_thread_independent(shape):
    """Its base (geqrf, householder_product) is the state; the weight is its forward."""
    one, two = (at_torch_threads(n, lambda: fast_parametrized(shape)) for n in (1, 2))
    assert one.keys() == two.keys()
    assert "parametrizations.weight.0.base" in one
    for name in one:
        assert torch.equal(one[name], two[name]), name


def test_the_thread_count_is_restored_after_the_qr_and_after_its_error():
    def qr_then_bad_qr():
        with wft.fast_init(seed=0):
            torch.nn.init.orthogonal_(torch.empty(64, 32))
            assert torch.get_num_threads() == 2
            with pytest.raises(RuntimeError, match="mode"):
                torch.linalg.qr(torch.ones(4, 4), mode="no such mode")
            return torch.get_num_threads()

    assert at_torch_threads(2, qr_then_bad_qr) == 2


_CHILD = """
import sys, torch, winit_fast.torch as wft
with wft.fast_init(seed=0):
    w = torch.nn.init.orthogonal_(torch.empty(256, 128))
sys.stdout.write(w.numpy().tobytes().hex())
"""


def test_orthogonal_inside_fast_init_equals_a_one_thread_process():
    """Not only 1 vs 2 threads in one process: the bits of a process started on one thread."""
    env = {**os.environ, "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    child = subprocess.run(
        [sys.executable, "-c", _CHILD], capture_output=True, text=True, env=env, check=True
    )
    here = at_torch_threads(2, lambda: fast_orthogonal((256, 128)))
    assert child.stdout == here.numpy().tobytes().hex()
