"""One rank of the DTensor tests: every layout case, FSDP2 and TP, in one gloo job.

Run as ``python dtensor_worker.py RANK WORLD PORT OUT`` by ``test_dtensor_adapter.py``
(4 processes on 127.0.0.1). Starting processes that import torch costs seconds, so one job runs
all cases; rank 0 writes ``{case id: None or the failure}`` to ``OUT`` as JSON.

Each layout case fills a DTensor with a ``winit_fast.torch`` function on every rank (no
communication), gathers it with ``full_tensor()`` and compares its bytes with the same call
on a plain tensor of the global shape, for float32, float64, float16 and bfloat16.

The case table below is plain data, so the test module can import it without torch.distributed.
"""

from __future__ import annotations

import itertools
import json
import os
import sys
import traceback
from collections.abc import Callable
from datetime import timedelta
from typing import Any

WORLD = 4

# name -> (mesh shape, placements, global shape). "S0": Shard(0), "R": Replicate(),
# "SS0/2": _StridedShard(0, split_factor=2) (what FSDP2 over TP gives a colwise weight).
LAYOUTS: dict[str, tuple[tuple[int, ...], tuple[str, ...], tuple[int, ...]]] = {
    "S0": ((4,), ("S0",), (8, 12)),
    "S1": ((4,), ("S1",), (8, 12)),
    "S0-uneven-10-rows": ((4,), ("S0",), (10, 6)),
    "S0-empty-rank": ((4,), ("S0",), (3, 8)),
    "S1-uneven": ((4,), ("S1",), (6, 10)),
    "S2-3d-uneven": ((4,), ("S2",), (4, 6, 9)),
    "S2-conv-empty-rank": ((4,), ("S2",), (8, 6, 3, 3)),
    "R": ((4,), ("R",), (8, 12)),
    "S0,S1": ((2, 2), ("S0", "S1"), (8, 12)),
    "R,S1": ((2, 2), ("R", "S1"), (8, 12)),
    "S0,S0-uneven": ((2, 2), ("S0", "S0"), (10, 6)),
    "S1,S0-conv": ((2, 2), ("S1", "S0"), (6, 4, 3, 3)),
    "SS0/2,S0": ((2, 2), ("SS0/2", "S0"), (8, 12)),
    "SS0/2,S1": ((2, 2), ("SS0/2", "S1"), (8, 12)),
    "S1,SS1/2": ((2, 2), ("S1", "SS1/2"), (8, 12)),
    "SS1/2,S1-conv": ((2, 2), ("SS1/2", "S1"), (4, 8, 3, 3)),
}

# name -> the call, as source text evaluated with t (the tensor), wft, wf (for reading).
FUNCTIONS: dict[str, str] = {
    "uniform_": "wft.uniform_(t, -0.5, 0.5, seed=1, stream='w')",
    "normal_": "wft.normal_(t, 0.1, 0.02, seed=2, stream=7)",
    "trunc_normal_": "wft.trunc_normal_(t, 0.0, 0.5, a=-0.6, b=0.9, seed=3)",
    "xavier_uniform_": "wft.xavier_uniform_(t, gain=0.5, seed=4)",
    "xavier_uniform_gain0": "wft.xavier_uniform_(t, gain=0.0, seed=4)",
    "xavier_normal_": "wft.xavier_normal_(t, seed=5, stream='x')",
    "kaiming_uniform_": "wft.kaiming_uniform_(t, a=0.1, mode='fan_out', seed=6)",
    "kaiming_normal_": "wft.kaiming_normal_(t, nonlinearity='relu', seed=7)",
    "constant_": "wft.constant_(t, 0.25)",
    "zeros_": "wft.zeros_(t)",
    "ones_": "wft.ones_(t)",
    "eye_": "wft.eye_(t)",
    "dirac_": "wft.dirac_(t, groups=2)",
    "orthogonal_": "wft.orthogonal_(t, gain=1.5, seed=8)",
    "sparse_": "wft.sparse_(t, 0.3, seed=9)",
    "generator": "g = wf.Generator(10, 'g'); wft.normal_(t, generator=g); "
    "wft.kaiming_uniform_(t, generator=g)",
    "scheme_he_normal": "wft.SCHEMES['he_normal'](t, seed=11, stream='0.weight')",
    "scheme_glorot_uniform": "wft.SCHEMES['glorot_uniform'](t, seed=12, stream='w')",
}


def applies(function: str, shape: tuple[int, ...]) -> bool:
    """Whether ``function`` takes a tensor of ``shape`` (torch's own rank rules)."""
    if function in ("eye_", "sparse_"):
        return len(shape) == 2
    if function == "dirac_":
        return 3 <= len(shape) <= 5 and shape[0] % 2 == 0
    return True


def case_ids() -> list[str]:
    return [
        f"{function}-{layout}"
        for layout, (_, _, shape) in LAYOUTS.items()
        for function in FUNCTIONS
        if applies(function, shape)
    ]


# The GPU path on the CPU mesh: the same cases under use_backend("triton") (the shards are
# written by the GPU kernels, under Triton's interpreter: small, it is slow), and CPU shards
# on a CUDA-typed mesh (FSDP2's CPU offload), filled on the CPU.
TRITON_LAYOUTS = ("S0-uneven-10-rows", "S1-uneven", "SS0/2,S1", "S1,SS1/2")
TRITON_FUNCTIONS = (
    "uniform_",
    "trunc_normal_",
    "kaiming_normal_",
    "constant_",
    "orthogonal_",
    "generator",
)
OFFLOAD_LAYOUTS = ("S0", "S1-uneven", "S2-conv-empty-rank", "SS0/2,S1", "S1,SS1/2")
OFFLOAD_FUNCTIONS = ("uniform_", "trunc_normal_", "xavier_uniform_", "ones_", "orthogonal_")


def triton_case_ids() -> list[str]:
    return [f"triton {f}-{layout}" for layout in TRITON_LAYOUTS for f in TRITON_FUNCTIONS]


def offload_case_ids() -> list[str]:
    return [f"offload {f}-{layout}" for layout in OFFLOAD_LAYOUTS for f in OFFLOAD_FUNCTIONS]


MODULE_CASES = ("fsdp2", "fsdp2-norm-bias", "fsdp2-orthogonal", "hsdp", "tp", "fsdp2+tp")
TRITON_MODULE_CASES = ("fsdp2+tp triton",)
ERROR_CASES = (
    "partial",
    "seed-none",
    "bad-rank",
    "bad-local-shape",
    "meta-shard",
    "init-module-partial",
    "init-module-seed-none",
)


# ---------------------------------------------------------------------------- the job


def _placement(spec: str) -> Any:
    from torch.distributed.tensor import Replicate, Shard
    from torch.distributed.tensor.placement_types import _StridedShard

    if spec == "R":
        return Replicate()
    if spec.startswith("SS"):
        dim, factor = spec[2:].split("/")
        return _StridedShard(int(dim), split_factor=int(factor))
    return Shard(int(spec[1:]))


def _bits(tensor: Any) -> Any:
    import torch

    size = tensor.element_size()
    return tensor.detach().contiguous().view({2: torch.int16, 4: torch.int32, 8: torch.int64}[size])


def _run(code: str, tensor: Any) -> None:
    import winit_fast as wf
    import winit_fast.torch as wft

    exec(code, {"wf": wf, "wft": wft, "t": tensor})  # the table's calls, on this tensor


def layout_cases(
    rank: int,
    results: dict[str, Any],
    layouts: tuple[str, ...] = tuple(LAYOUTS),
    functions: tuple[str, ...] = tuple(FUNCTIONS),
    kind: str = "",
) -> None:
    """The cases ``functions`` x ``layouts``, each function filling the same DTensor on every
    rank; ``kind`` "triton ": under ``use_backend("triton")``; "offload ": CPU shards on a
    CUDA-typed mesh (see :func:`_offloaded`)."""
    import contextlib

    import torch
    from torch.distributed.device_mesh import init_device_mesh
    from torch.distributed.tensor import empty

    import winit_fast as wf

    meshes = {shape: init_device_mesh("cpu", shape) for shape in {(4,), (2, 2)}}
    dtypes = (torch.float32, torch.float64, torch.float16, torch.bfloat16)

    def backend() -> Any:
        return wf.use_backend("triton") if kind == "triton " else contextlib.nullcontext()

    for layout in layouts:
        mesh_shape, specs, shape = LAYOUTS[layout]
        placements = [_placement(spec) for spec in specs]
        for function in functions:
            if not applies(function, shape):
                continue
            failures = []
            for dtype in dtypes:
                sharded = empty(
                    *shape, dtype=dtype, device_mesh=meshes[mesh_shape], placements=placements
                )
                filled = _offloaded(sharded) if kind == "offload " else sharded
                try:
                    with backend():  # no communication: see the module cases' _in_turns
                        _run(FUNCTIONS[function], filled)
                except Exception:  # every rank still joins the gather below
                    failures.append(f"rank {rank} {dtype}: {traceback.format_exc(limit=3)}")
                full = sharded.full_tensor()  # the same local shards, gathered on the CPU mesh
                if rank == 0:
                    plain = torch.empty(shape, dtype=dtype)
                    _run(FUNCTIONS[function], plain)
                    if not torch.equal(_bits(full), _bits(plain)):
                        differ = int((_bits(full) != _bits(plain)).sum())
                        failures.append(f"{dtype}: {differ} of {plain.numel()} elements differ")
            results[f"{kind}{function}-{layout}"] = failures or None


def _offloaded(sharded: Any) -> Any:
    """The DTensor FSDP2 makes with ``CPUOffloadPolicy``: the same CPU local shard (shared
    memory) and placements on a mesh of device type "cuda", built as FSDP2 builds its
    sharded parameters (``_from_local_no_grad``); the mesh creates no process groups, so no
    GPU is needed to make it."""
    from torch.distributed.device_mesh import DeviceMesh
    from torch.distributed.fsdp._fully_shard._fsdp_common import _from_local_no_grad
    from torch.distributed.tensor._dtensor_spec import DTensorSpec, TensorMeta

    mesh = sharded.device_mesh
    cuda_mesh = DeviceMesh("cuda", mesh.mesh, _init_backend=False)
    meta = TensorMeta(sharded.shape, sharded.stride(), sharded.dtype)
    offloaded = _from_local_no_grad(
        sharded.to_local(), DTensorSpec(cuda_mesh, tuple(sharded.placements), tensor_meta=meta)
    )
    assert offloaded.device_mesh.device_type == "cuda" and offloaded.to_local().device.type == "cpu"
    return offloaded


def _net(device: str, tp: bool) -> Any:
    import torch
    from torch import nn

    class Mlp(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            if tp:  # TP needs the feature dims to split evenly over its ranks
                self.embed = nn.Embedding(9, 12)
                self.up = nn.Linear(12, 16)
                self.down = nn.Linear(16, 12)
            else:  # uneven rows for FSDP2: 9, 10 and 3 rows over 4 ranks
                self.embed = nn.Embedding(9, 12)
                self.up = nn.Linear(12, 10)
                self.down = nn.Linear(10, 3)
            self.norm = nn.LayerNorm(self.down.out_features)
            self.rms = nn.RMSNorm(self.down.out_features)

        def forward(self, tokens: torch.Tensor) -> torch.Tensor:
            hidden = torch.relu(self.up(self.embed(tokens)))
            return self.rms(self.norm(self.down(hidden)))

    with torch.device(device):
        return Mlp()


def _tp_plan() -> dict[str, Any]:
    from torch.distributed.tensor.parallel import ColwiseParallel, RowwiseParallel

    return {"up": ColwiseParallel(), "down": RowwiseParallel()}


_TURNS = itertools.count()


def _in_turns(rank: int, work: Callable[[], Any]) -> None:
    """Rank 0 does ``work`` while the others wait on a key of the TCP store (not in gloo),
    then the others do it while rank 0 waits: work that communicated would find no partner
    and time out instead of passing."""
    import torch.distributed as dist

    store = dist.distributed_c10d._get_default_store()
    key = f"turn-{next(_TURNS)}"
    if rank == 0:
        work()
        store.set(key, "rank 0 done")
        store.wait([f"{key}-others"])
    else:
        store.wait([key])
        work()
        if store.add(f"{key}-count", 1) == WORLD - 1:
            store.set(f"{key}-others", "done")


def module_case(case: str, rank: int) -> list[str]:
    import contextlib

    import torch
    from torch.distributed.device_mesh import init_device_mesh
    from torch.distributed.fsdp import fully_shard
    from torch.distributed.tensor import DTensor
    from torch.distributed.tensor.parallel import parallelize_module

    import winit_fast as wf
    import winit_fast.torch as wft

    triton = case.endswith(" triton")
    case = case.removesuffix(" triton")
    scheme = "orthogonal" if case == "fsdp2-orthogonal" else "he_normal"
    keywords = {"bias": 0.125, "norm": 0.5} if case == "fsdp2-norm-bias" else {}
    tp = case in ("tp", "fsdp2+tp")
    model = _net("meta", tp)
    if case == "tp":
        parallelize_module(model, init_device_mesh("cpu", (4,)), _tp_plan())
    elif case == "fsdp2+tp":
        mesh = init_device_mesh("cpu", (2, 2), mesh_dim_names=("dp", "tp"))
        parallelize_module(model, mesh["tp"], _tp_plan())
        fully_shard(model.up, mesh=mesh["dp"])
        fully_shard(model, mesh=mesh["dp"])
    else:  # HSDP: a 2-D mesh, replicated over dim 0 and sharded over dim 1
        if case == "hsdp":
            mesh = init_device_mesh("cpu", (2, 2), mesh_dim_names=("replicate", "shard"))
        else:
            mesh = init_device_mesh("cpu", (4,))
        fully_shard(model.up, mesh=mesh)
        fully_shard(model, mesh=mesh)
    model.to_empty(device="cpu")

    def init() -> None:
        with wf.use_backend("triton") if triton else contextlib.nullcontext():
            wft.init_module(model, scheme, seed=5, **keywords)

    _in_turns(rank, init)
    reference = wft.init_module(_net("cpu", tp), scheme, seed=5, **keywords)

    failures = []
    placements = set()
    for (name, parameter), (_, expected) in zip(
        model.named_parameters(), reference.named_parameters(), strict=True
    ):
        full = parameter.full_tensor() if isinstance(parameter, DTensor) else parameter
        if isinstance(parameter, DTensor):
            placements.update(type(p).__name__ for p in parameter.placements)
        if rank == 0 and not torch.equal(_bits(full), _bits(expected)):
            failures.append(f"{name}: full_tensor() differs from the unsharded init_module")
    wanted = {"fsdp2+tp": "_StridedShard", "hsdp": "Replicate"}.get(case, "Shard")
    if wanted not in placements:  # the case must exercise the layout it is named after
        failures.append(f"no {wanted} placement (placements {sorted(placements)})")

    tokens = torch.arange(18).reshape(3, 6) % 9
    with torch.no_grad():
        out, want = model(tokens), reference(tokens)
    out = out.full_tensor() if isinstance(out, DTensor) else out
    if rank == 0:
        # FSDP2 gathers the same weights and runs the same ops: the same bytes. TP sums
        # partial products over ranks, in another order: equal to rounding.
        same = torch.equal(out, want) if not tp else torch.allclose(out, want, atol=1e-5)
        if not same:
            failures.append(f"forward differs by {float((out - want).abs().max())}")
    return failures


def error_case(case: str, rank: int) -> list[str]:
    import torch
    from torch.distributed.device_mesh import init_device_mesh
    from torch.distributed.tensor import DTensor, Partial, Shard, distribute_tensor, empty

    import winit_fast.torch as wft

    mesh = init_device_mesh("cpu", (4,))
    expect: tuple[type, str]
    if case == "partial":
        tensor = DTensor.from_local(torch.full((4, 4), 3.0), mesh, [Partial()])
        call: Callable[[], Any] = lambda: wft.normal_(tensor, seed=0)  # noqa: E731
        expect = (ValueError, "Partial")
    elif case == "seed-none":
        tensor = empty(8, 4, device_mesh=mesh, placements=[Shard(0)])
        tensor.to_local().fill_(3.0)
        call = lambda: wft.kaiming_normal_(tensor)  # noqa: E731
        expect = (ValueError, "seed")
    elif case == "bad-rank":
        tensor = empty(8, 4, device_mesh=mesh, placements=[Shard(0)])
        tensor.to_local().fill_(3.0)
        call = lambda: wft.dirac_(tensor)  # noqa: E731
        expect = (ValueError, "tensor must have 3, 4 or 5 dimensions")
    elif case == "bad-local-shape":
        # the global shape says 4 rows per rank; the local tensors hold 3
        local = torch.full((3, 4), 3.0)
        tensor = DTensor.from_local(local, mesh, [Shard(0)], shape=(16, 4), stride=(4, 1))
        call = lambda: wft.uniform_(tensor, seed=0)  # noqa: E731
        expect = (ValueError, "local shard has shape")
    elif case == "meta-shard":  # sharded on meta, not yet to_empty()'d
        from torch.distributed.fsdp import fully_shard

        with torch.device("meta"):
            layer = torch.nn.Linear(4, 8)
        fully_shard(layer, mesh=mesh)
        tensor = torch.full((2, 4), 3.0)  # nothing on meta can be written: a stand-in
        call = lambda: wft.init_module(layer, seed=0)  # noqa: E731
        expect = (ValueError, "device meta.*to_empty")
    elif case == "init-module-partial":  # the first parameters are fine, the last is Partial
        model = torch.nn.Sequential(torch.nn.Linear(4, 4), torch.nn.Linear(4, 4))
        with torch.no_grad():
            model[0].weight.fill_(3.0)
        model[1].weight = torch.nn.Parameter(
            DTensor.from_local(torch.full((4, 4), 3.0), mesh, [Partial()])
        )
        tensor = model[0].weight
        call = lambda: wft.init_module(model, seed=0)  # noqa: E731
        expect = (ValueError, "'1.weight'.*Partial")
    else:  # init-module-seed-none: a plain first layer, then a sharded one
        model = torch.nn.Sequential(torch.nn.Linear(4, 4), torch.nn.Linear(4, 8))
        with torch.no_grad():
            model[0].weight.fill_(3.0)
        model[1].weight = torch.nn.Parameter(distribute_tensor(torch.zeros(8, 4), mesh, [Shard(0)]))
        tensor = model[0].weight
        call = lambda: wft.init_module(model, seed=None)  # noqa: E731
        expect = (ValueError, "seed must be an int for a sharded module")
    import re

    try:
        call()
    except expect[0] as exc:
        if not re.search(expect[1], str(exc)):
            return [f"rank {rank}: message {str(exc)!r} does not match {expect[1]!r}"]
    else:
        return [f"rank {rank}: no {expect[0].__name__}"]
    local = tensor.to_local() if isinstance(tensor, DTensor) else tensor
    if not bool((local == 3.0).all()):
        return [f"rank {rank}: the tensor was written before the error"]
    return []


def _has_triton() -> bool:
    """Whether the GPU path can run here: triton installed, under its interpreter (the tests
    set TRITON_INTERPRET=1)."""
    import importlib.util

    return (
        importlib.util.find_spec("triton") is not None and os.environ.get("TRITON_INTERPRET") == "1"
    )


def _guarded(run: Callable[[str, int], list[str]], case: str, rank: int) -> list[str] | None:
    try:
        return run(case, rank) or None
    except Exception:
        return [f"rank {rank}: {traceback.format_exc(limit=6)}"]


def main() -> None:
    rank, world, port, out = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4]
    os.environ.update(MASTER_ADDR="127.0.0.1", MASTER_PORT=port)
    import logging

    import torch.distributed as dist

    # gathering _StridedShard warns that it takes two all-gathers: true, and not our subject
    logging.getLogger("torch.distributed.tensor._redistribute").setLevel(logging.ERROR)
    # a collective that waits for a partner fails within a minute instead of hanging
    dist.init_process_group("gloo", rank=rank, world_size=world, timeout=timedelta(seconds=60))
    results: dict[str, Any] = {}
    try:
        layout_cases(rank, results)
        layout_cases(rank, results, OFFLOAD_LAYOUTS, OFFLOAD_FUNCTIONS, "offload ")
        if _has_triton():
            layout_cases(rank, results, TRITON_LAYOUTS, TRITON_FUNCTIONS, "triton ")
        # A case that raises on every rank fails alone (one that raises on some ranks only
        # leaves the others in a collective: the test's timeout catches that).
        for case in MODULE_CASES + (TRITON_MODULE_CASES if _has_triton() else ()):
            results[case] = _guarded(module_case, case, rank)
        for case in ERROR_CASES:
            results[f"error-{case}"] = _guarded(error_case, case, rank)
    except Exception:
        results["job"] = [f"rank {rank}: {traceback.format_exc()}"]
    gathered: list[Any] = [None] * world
    dist.all_gather_object(gathered, results)
    if rank == 0:
        merged: dict[str, Any] = {}
        for part in gathered:
            for key, value in part.items():
                merged[key] = (merged.get(key) or []) + (value or []) or None
        with open(out, "w") as handle:
            json.dump(merged, handle)
    dist.barrier()
    sys.stdout.flush()
    os._exit(0)  # the gloo teardown can abort at exit; the results are written


if __name__ == "__main__":
    main()
