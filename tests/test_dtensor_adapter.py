"""DTensor, FSDP2 and TP: each rank fills its shard; ``full_tensor()`` equals the plain call.

One real gloo job of 4 processes on 127.0.0.1 runs every case (``dtensor_worker.py``, where
the cases are described); each test below reads the verdict of one case from it. Byte
comparisons are made in the job by rank 0, on the gathered tensor.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

torch = pytest.importorskip("torch", reason="needs torch")
pytest.importorskip("ml_dtypes", reason="needs ml_dtypes (bfloat16)")
if not (torch.distributed.is_available() and torch.distributed.is_gloo_available()):
    pytest.skip("needs torch.distributed with the gloo backend", allow_module_level=True)

import dtensor_worker as worker  # noqa: E402

JOB_TIMEOUT_S = 300  # a hung collective fails the tests instead of hanging CI


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def verdicts(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    out = tmp_path_factory.mktemp("dtensor") / "results.json"
    port = str(_free_port())
    script = str(Path(worker.__file__))
    # one OpenMP thread per rank: 4 ranks share the machine's cores
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    if sys.platform.startswith("linux"):  # gloo on the loopback, whatever the hostname says
        env.setdefault("GLOO_SOCKET_IFNAME", "lo")
    ranks = [
        subprocess.Popen(
            [sys.executable, script, str(rank), str(worker.WORLD), port, str(out)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for rank in range(worker.WORLD)
    ]
    logs = []
    try:
        for process in ranks:
            logs.append(process.communicate(timeout=JOB_TIMEOUT_S)[0])
    finally:
        for process in ranks:
            if process.poll() is None:
                process.kill()
    if not out.exists():
        pytest.fail("the gloo job wrote no results:\n" + "\n".join(log[-3000:] for log in logs))
    results: dict[str, Any] = json.loads(out.read_text())
    if results.get("job"):
        pytest.fail("the gloo job failed:\n" + "\n".join(results["job"]))
    return results


def _verdict(verdicts: dict[str, Any], case: str) -> None:
    assert case in verdicts, f"the job did not run {case}"
    failures = verdicts[case]
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("case", worker.case_ids())
def test_layout_equals_plain_call(verdicts, case):
    """full_tensor() of the sharded fill == the call on a plain tensor, all 4 dtypes."""
    _verdict(verdicts, case)


@pytest.mark.parametrize("case", worker.offload_case_ids())
def test_cpu_shards_on_a_cuda_mesh_are_filled_on_the_cpu(verdicts, case):
    """FSDP2's CPU offload: the mesh's device type is "cuda", the local shards are on the
    CPU; each is filled on the CPU, and full_tensor() equals the call on a plain tensor."""
    _verdict(verdicts, case)


needs_triton = pytest.mark.skipif(
    not worker._has_triton(), reason="needs triton under TRITON_INTERPRET=1 (tests/conftest.py)"
)


@needs_triton
@pytest.mark.parametrize("case", worker.triton_case_ids())
def test_shards_written_by_the_gpu_kernels(verdicts, case):
    """Each rank's shard written by the GPU kernels (on the CPU, under Triton's
    interpreter, through the path a CUDA shard takes): full_tensor() equals the plain call
    on the C core."""
    _verdict(verdicts, case)


@pytest.mark.parametrize(
    "case",
    [
        *worker.MODULE_CASES,
        *(pytest.param(c, marks=needs_triton) for c in worker.TRITON_MODULE_CASES),
    ],
)
def test_sharded_module_equals_unsharded(verdicts, case):
    """meta -> fully_shard / parallelize_module -> to_empty -> init_module: every
    parameter's full_tensor() and the forward pass equal the unsharded model's (also with
    the shards written by the GPU kernels: "triton")."""
    _verdict(verdicts, case)


@pytest.mark.parametrize("case", worker.ERROR_CASES)
def test_bad_dtensor_is_refused_before_writing(verdicts, case):
    """Partial, seed=None, wrong rank, inconsistent local shape: a clear error on every
    rank, and the tensor untouched."""
    _verdict(verdicts, f"error-{case}")


def test_plain_tensors_are_not_dtensors():
    import winit_fast.torch._dtensor as dtensor

    assert not dtensor.is_dtensor(torch.empty(3))
    assert not dtensor.is_dtensor(None)
