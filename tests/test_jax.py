"""winit_fast.jax: the sharded cases on 8 CPU devices (in a subprocess), and a 2-process job.

The cases are in ``jax_cases.py``; they need ``XLA_FLAGS=--xla_force_host_platform_device_count=8``
set before JAX creates its CPU backend, which this process may already have done (Keras imports
jax even on the torch backend), so they run in one fresh pytest process and its report is
shown here when it fails. (The lazy import and the ImportError naming the extra are tested
with the other adapters' in test_adapters_runtime.py.)
"""

from __future__ import annotations

import importlib.util
import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).parent
FLAGS = f"{os.environ.get('XLA_FLAGS', '')} --xla_force_host_platform_device_count=8".strip()
CHILD_ENV = {"XLA_FLAGS": FLAGS, "JAX_PLATFORMS": "cpu"}


@pytest.mark.skipif(importlib.util.find_spec("jax") is None, reason="needs jax")
def test_jax_cases_on_eight_devices(request):
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"]
    if request.config.inipath is not None:
        command += ["-c", str(request.config.inipath), "--rootdir", str(request.config.rootpath)]
    result = subprocess.run(
        [*command, str(HERE / "jax_cases.py")],
        env={**os.environ, **CHILD_ENV},
        capture_output=True,
        text=True,
        timeout=900,
    )
    report = result.stdout[-8000:] + result.stderr[-2000:]
    assert result.returncode == 0, report
    assert " passed" in report and "skipped" not in report, report


# Two JAX processes (4 CPU devices each) form one 8-device job through jax.distributed, as two
# hosts would: each builds the same arrays from the same arguments and generates only the
# blocks of its own devices.
WORKER = """
import json, sys
import jax
import numpy as np
jax.distributed.initialize(coordinator_address=sys.argv[2], num_processes=2,
                           process_id=int(sys.argv[1]))
import winit_fast as wf
import winit_fast.jax as wfj
from jax.sharding import NamedSharding, PartitionSpec as P

generated = []
make_block = wfj._block_function
def counting(*args):
    block = make_block(*args)
    def counted(index):
        generated.append([[s.start, s.stop] for s in index])
        return block(index)
    return counted
wfj._block_function = counting

mesh = jax.make_mesh((2, 4), ("x", "y"))
report = {"devices": len(jax.devices()), "local": len(jax.local_devices()), "layouts": []}
for spec in (P("x", "y"), P("y", "x"), P(None, ("x", "y"))):
    del generated[:]
    array = wfj.make_array("he_normal", (16, 24), NamedSharding(mesh, spec), seed=3, stream="w")
    want = wf.he_normal((16, 24), seed=3, stream="w")
    equal = all(np.asarray(s.data).tobytes() == want[s.index].tobytes()
                for s in array.addressable_shards)
    report["layouts"].append({"equal": equal, "blocks": list(generated)})
print(json.dumps(report), flush=True)
jax.distributed.shutdown()
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.skipif(importlib.util.find_spec("jax") is None, reason="needs jax")
def test_two_processes_generate_only_their_own_blocks():
    address = f"127.0.0.1:{free_port()}"
    env = {
        **os.environ,
        "XLA_FLAGS": "--xla_force_host_platform_device_count=4",
        "JAX_PLATFORMS": "cpu",
    }
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, str(k), address],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for k in range(2)
    ]
    reports = []
    try:
        for worker in workers:
            out, err = worker.communicate(timeout=300)
            assert worker.returncode == 0, err[-3000:]
            reports.append(json.loads(out.strip().splitlines()[-1]))
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.kill()
    for report in reports:
        assert (report["devices"], report["local"]) == (8, 4)
    for layout in range(3):
        mine = [r["layouts"][layout] for r in reports]
        assert all(m["equal"] for m in mine)
        blocks = [sorted(map(str, m["blocks"])) for m in mine]
        assert len(blocks[0]) == len(blocks[1]) == 4  # each process: its 4 devices' blocks
        assert not set(blocks[0]) & set(blocks[1])  # and none of the other's
