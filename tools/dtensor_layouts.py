"""Measure what torch's own init and winit_fast give a sharded weight, layout by layout.

    python tools/dtensor_layouts.py            # starts 4 gloo ranks on 127.0.0.1

For one (8, 12) weight it fills a DTensor on 4 CPU ranks under several layouts, gathers it
with ``full_tensor()`` and compares it with the same call on one process: torch's
``nn.init.normal_`` after ``torch.manual_seed(0)`` on every rank, FSDP2's
``reset_parameters()``, and ``winit_fast.torch.normal_(seed=0)``. Prints the Markdown table
quoted in docs/sharded.md, then the time one rank takes to fill its shard of a large weight.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time

WORLD = 4
SHAPE = (8, 12)
BIG = (8192, 4096)


def _launch() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = str(probe.getsockname()[1])
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    ranks = [
        subprocess.Popen([sys.executable, __file__, str(rank), port], env=env)
        for rank in range(WORLD)
    ]
    sys.exit(max(process.wait() for process in ranks))


def _rank(rank: int, port: str) -> None:
    os.environ.update(MASTER_ADDR="127.0.0.1", MASTER_PORT=port)
    import logging
    import warnings

    import torch
    import torch.distributed as dist
    from torch import nn
    from torch.distributed.device_mesh import init_device_mesh
    from torch.distributed.fsdp import fully_shard
    from torch.distributed.tensor import Replicate, Shard, empty

    import winit_fast.torch as wft

    warnings.filterwarnings("ignore", message="DTensor random operators")
    logging.getLogger("torch.distributed.tensor._redistribute").setLevel(logging.ERROR)
    dist.init_process_group("gloo", rank=rank, world_size=WORLD)
    mesh1, mesh2 = init_device_mesh("cpu", (4,)), init_device_mesh("cpu", (2, 2))
    layouts = {
        "Shard(0), 4 ranks": (mesh1, [Shard(0)]),
        "Shard(1), 4 ranks": (mesh1, [Shard(1)]),
        "[Shard(0), Shard(1)], 2x2": (mesh2, [Shard(0), Shard(1)]),
        "Replicate, 4 ranks": (mesh1, [Replicate()]),
    }

    def torch_normal(t: torch.Tensor) -> None:
        torch.manual_seed(0)
        nn.init.normal_(t)

    def winit_normal(t: torch.Tensor) -> None:
        wft.normal_(t, seed=0)

    rows = []
    for label, fill in (("torch nn.init.normal_", torch_normal), ("winit_fast", winit_normal)):
        one = torch.empty(SHAPE)
        fill(one)
        gathered = {}
        for layout, (mesh, placements) in layouts.items():
            sharded = empty(*SHAPE, device_mesh=mesh, placements=placements)
            fill(sharded)
            gathered[layout] = sharded.full_tensor()
        rows += [(label, layout, full, one) for layout, full in gathered.items()]

    # FSDP2: a Linear built on meta, sharded on dim 0, materialized, reset by torch
    with torch.device("meta"):
        layer = nn.Linear(SHAPE[1], SHAPE[0])
    fully_shard(layer, mesh=mesh1)
    layer.to_empty(device="cpu")
    torch.manual_seed(0)
    layer.reset_parameters()
    torch.manual_seed(0)
    plain = nn.Linear(SHAPE[1], SHAPE[0])
    fsdp_full = layer.weight.full_tensor()
    rows.append(("torch reset_parameters()", "FSDP2 fully_shard, 4 ranks", fsdp_full, plain.weight))
    wft.init_module(layer, "kaiming_uniform", seed=0)
    reference = wft.init_module(nn.Linear(SHAPE[1], SHAPE[0]), "kaiming_uniform", seed=0)
    rows.append(
        (
            "winit_fast init_module",
            "FSDP2 fully_shard, 4 ranks",
            layer.weight.full_tensor(),
            reference.weight,
        )
    )

    timing = _time_shards(rank, mesh1)
    if rank == 0:
        _report(rows, timing)
    dist.barrier()
    os._exit(0)  # the gloo teardown can abort at exit


def _quarters_equal(full) -> str:
    """Whether the 4 row blocks (what 4 Shard(0) ranks hold) are copies of each other."""
    blocks = full.reshape(4, -1)
    same = all(bool((blocks[k] == blocks[0]).all()) for k in range(1, 4))
    return "yes" if same else "no"


def _report(rows, timing) -> None:
    import torch

    print(f"torch {torch.__version__}, gloo, {WORLD} CPU ranks, weight {SHAPE}\n")
    print("| init | layout | equal to 1 process | equal elements | 4 row blocks identical |")
    print("| --- | --- | --- | --- | --- |")
    for label, layout, full, one in rows:
        equal = full.detach() == one.detach()
        same = "yes" if bool(equal.all()) else "no"
        share = f"{int(equal.sum())}/{equal.numel()}"
        print(f"| {label} | {layout} | {same} | {share} | {_quarters_equal(full.detach())} |")
    print(f"\nOne rank's shard of a {BIG} float32 normal_, best of 5, OMP_NUM_THREADS=1:\n")
    for layout, seconds in timing.items():
        print(f"- {layout}: {seconds * 1e3:.1f} ms")


def _time_shards(rank: int, mesh) -> dict[str, float]:
    import torch
    from torch.distributed.tensor import Shard, empty

    import winit_fast.torch as wft

    def best(fill) -> float:
        times = []
        for _ in range(5):
            start = time.perf_counter()
            fill()
            times.append(time.perf_counter() - start)
        return min(times)

    whole = torch.empty(BIG)
    results = {"whole weight, 1 process": best(lambda: wft.normal_(whole, seed=0))}
    for dim in (0, 1):
        sharded = empty(*BIG, device_mesh=mesh, placements=[Shard(dim)])
        results[f"Shard({dim}) over 4 ranks, rank 0's shard"] = best(
            lambda sharded=sharded: wft.normal_(sharded, seed=0)
        )
    return results


if __name__ == "__main__":
    if len(sys.argv) == 1:
        _launch()
    else:
        _rank(int(sys.argv[1]), sys.argv[2])
