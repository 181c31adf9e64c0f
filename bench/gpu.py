"""The Triton kernels on a CUDA GPU: the same bytes as the CPU core, then the speed against
torch's own fills on the same GPU.

    python bench/gpu.py                 # on a machine with a CUDA GPU (torch + triton)
    python bench/gpu.py --quick         # the byte checks and one size (2^24)
    python bench/gpu.py --cpu-smoke     # the byte checks only, small, on the CPU under
                                        # Triton's interpreter (no GPU: what CI runs)

1. Bytes: every family (raw words, uniform, normal, truncated normal) in float32, float64,
   float16 and bfloat16, laid out as a contiguous tensor, at an offset (mid-block), a column
   block, and the Shard(0)/Shard(1) blocks of 2 and 4 ranks put together, each compared with
   the C core's result for the same call on the host: one PASS or FAIL line per case, and a
   digest of all the bytes (two GPUs that print the same digest gave the same bytes).
2. Speed (CUDA events, after warm-up; the median of repeats): winit_fast's uniform, normal
   and truncated normal against torch's ``uniform_``, ``normal_`` and
   ``nn.init.trunc_normal_`` filling the same float32 tensor, 2^20 to 2^28 elements. A ratio
   is torch's time over ours (above 1: faster than torch). Targets: uniform and normal at least
   0.8, truncated normal at least 5.

The kernels are driven through the backend interface (``winit_fast._triton``), with the
parameters the public functions compute. Exit status: 0 when every byte check passes, 1 when
one fails, 2 without a GPU (and without --cpu-smoke).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import statistics
import sys

if "--cpu-smoke" in sys.argv:  # the interpreter is chosen when the kernels are defined
    os.environ["TRITON_INTERPRET"] = "1"

import numpy as np

import winit_fast as wf
from winit_fast import _blocks, _distributions
from winit_fast import _validation as v

TARGETS = {"uniform": 0.8, "normal": 0.8, "truncated_normal": 5.0}
DTYPES = {"float32": np.float32, "float64": np.float64, "float16": np.float16, "bfloat16": None}
SEED, STREAM = 20240611, "gpu.check"

# family -> (public NumPy function with its parameters, the backend's parameters for a dtype)
FAMILIES = {
    "raw_u32": (lambda shape, **kw: wf.random_raw(int(np.prod(shape)), **kw).reshape(shape), None),
    "uniform": (
        lambda shape, **kw: wf.uniform(shape, -0.05, 0.05, **kw),
        lambda dt: _distributions._uniform_params(-0.05, 0.05, dt),
    ),
    "normal": (
        lambda shape, **kw: wf.normal(shape, 0.0, 0.02, **kw),
        lambda dt: _distributions._normal_params(0.0, 0.02, dt),
    ),
    "truncated_normal": (
        lambda shape, **kw: wf.truncated_normal(shape, 0.0, 0.02, a=-3.0, b=3.0, **kw),
        lambda dt: _distributions._truncation_params(0.0, 0.02, -3.0, 3.0, dt)[0],
    ),
}


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--cpu-smoke", action="store_true", help="byte checks only, small, on the CPU (interpreter)"
    )
    parser.add_argument("--quick", action="store_true", help="byte checks and one size (2^24)")
    parser.add_argument("--sizes", default="20,22,24,26,28", help="log2 sizes of the speed runs")
    parser.add_argument("--repeats", type=int, default=20, help="timed calls per figure")
    return parser.parse_args(argv)


# ---- bytes -------------------------------------------------------------------------------


def layouts(small: bool) -> dict:
    """name -> (shape of the whole tensor, offset, list of index= blocks put together along
    ``axis``, axis): the blocks are filled one by one on the device, as ranks would."""
    rows, cols = (24, 40) if small else (1024, 1000)
    n = 1030 if small else 2**20 + 3
    shard = lambda parts, axis: [  # noqa: E731 (torch.chunk's split, as DTensor's Shard)
        (slice(None),) * axis
        + (slice(i, min(i + -(-(rows, cols)[axis] // parts), (rows, cols)[axis])),)
        for i in range(0, (rows, cols)[axis], -(-(rows, cols)[axis] // parts))
    ]
    return {
        "contiguous": ((n,), 0, [None], 0),
        "offset 5": ((n,), 5, [None], 0),
        "column block": ((rows, cols), 3, [np.s_[:, cols // 10 : cols // 10 + cols // 2]], 1),
        "2 shards, dim 0": ((rows, cols), 0, shard(2, 0), 0),
        "2 shards, dim 1": ((rows, cols), 0, shard(2, 1), 1),
        "4 shards, dim 1": ((rows, cols), 0, shard(4, 1), 1),
    }


def host_reference(family: str, dtype, shape, offset: int, index) -> np.ndarray:
    draw, _ = FAMILIES[family]
    kwargs = dict(seed=SEED, stream=STREAM, offset=offset)
    if family != "raw_u32":
        kwargs["dtype"] = dtype
    with wf.use_backend("c"):
        whole = draw(shape, **kwargs)
    return whole if index is None else whole[index]


def device_fill(backend, torch, device, family: str, dtype, shape, offset: int, index):
    """The block ``index`` (None: all) of the tensor, filled by the Triton kernels on device."""
    np_dtype = np.dtype(np.uint32) if family == "raw_u32" else np.dtype(dtype)
    block = _blocks.resolve(shape, index if index is not None else ())
    target = torch.empty(block.shape, dtype=torch_dtype(torch, np_dtype), device=device)
    _, params = FAMILIES[family]
    values = () if params is None else params(np_dtype)
    stream = v.stream_id(STREAM)
    per = v.per_block(np_dtype)
    for rect in block.rectangles():  # as _blocks.fill hands the runs to a backend
        first, phase = divmod(offset + rect.start, per)
        runs = (
            first,
            phase,
            rect.length,
            rect.counts,
            rect.stream_steps,
            rect.out_start,
            rect.out_steps,
        )
        backend.fill_runs(target, family, SEED, stream, runs, values, 1)
    return target


def torch_dtype(torch, dtype: np.dtype):
    if dtype.name == "bfloat16":
        return torch.bfloat16
    return {"uint32": torch.uint32}.get(dtype.name) or torch.from_numpy(np.empty(0, dtype)).dtype


def host_bytes(torch, values) -> bytes:
    return values.detach().cpu().contiguous().view(torch.uint8).numpy().tobytes()


def check_bytes(backend, torch, device, small: bool) -> tuple[int, int, str]:
    """Runs every byte case; (passed, failed, digest of the device's bytes)."""
    digest = hashlib.sha256()
    passed = failed = 0
    for family in FAMILIES:
        for dtype_name, dtype in DTYPES.items():
            if family == "raw_u32" and dtype_name != "float32":
                continue
            dtype = v.bfloat16() if dtype is None else dtype
            label_dtype = "uint32" if family == "raw_u32" else dtype_name
            for name, (shape, offset, indexes, axis) in layouts(small).items():
                parts = [
                    device_fill(backend, torch, device, family, dtype, shape, offset, i)
                    for i in indexes
                ]
                got = host_bytes(torch, torch.cat(parts, dim=axis).contiguous())
                expected = np.ascontiguousarray(
                    np.concatenate(
                        [host_reference(family, dtype, shape, offset, i) for i in indexes],
                        axis=axis,
                    )
                ).tobytes()
                digest.update(got)
                ok = got == expected
                passed += ok
                failed += not ok
                print(f"{'PASS' if ok else 'FAIL'}  {family:16} {label_dtype:8} {name}", flush=True)
    return passed, failed, digest.hexdigest()[:16]


# ---- speed -------------------------------------------------------------------------------


def median_ms(torch, fill, repeats: int) -> float:
    """The median time of one call of fill, in ms, from CUDA events (after 3 warm-up calls)."""
    for _ in range(3):
        fill()
    times = []
    for _ in range(repeats):
        begin, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        begin.record()
        fill()
        end.record()
        end.synchronize()
        times.append(begin.elapsed_time(end))
    return statistics.median(times)


def check_speed(backend, torch, sizes: list[int], repeats: int) -> list[str]:
    """Prints one line per family and size; returns the families below their target at the
    largest size."""
    stream = v.stream_id(STREAM)
    theirs = {
        "uniform": lambda t: t.uniform_(-0.05, 0.05),
        "normal": lambda t: t.normal_(0.0, 0.02),
        "truncated_normal": lambda t: torch.nn.init.trunc_normal_(t, 0.0, 0.02, -0.06, 0.06),
    }
    below = []
    print(
        f"\n{'fill':17} {'size':>5} {'ours ms':>9} {'GB/s':>7} {'torch ms':>9} {'ratio':>6}  target"
    )
    for family, torch_fill in theirs.items():
        params = FAMILIES[family][1](np.dtype(np.float32))
        for log2 in sizes:
            out = torch.empty(2**log2, dtype=torch.float32, device="cuda")

            def ours(out=out, family=family, params=params):
                backend.fill(out, family, SEED, stream, 0, 0, params, 1)

            mine = median_ms(torch, ours, repeats)
            other = median_ms(torch, lambda out=out, fill=torch_fill: fill(out), repeats)
            ratio = other / mine
            meets = ratio >= TARGETS[family]
            if log2 == sizes[-1] and not meets:
                below.append(family)
            rate = out.numel() * 4 / mine / 1e6
            verdict = f">= {TARGETS[family]}: {'met' if meets else 'BELOW'}"
            figures = f"{mine:9.3f} {rate:7.0f} {other:9.3f} {ratio:6.2f}"
            print(f"{family:17} 2^{log2:<3} {figures}  {verdict}")
    return below


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    import torch

    from winit_fast._triton import load

    if args.cpu_smoke:
        device = "cpu"
    elif not torch.cuda.is_available():
        print(
            "bench/gpu.py needs a CUDA GPU: torch.cuda.is_available() is False here "
            f"(torch {torch.__version__}). Run it with --cpu-smoke to check the kernels' bytes "
            "on the CPU under Triton's interpreter.",
            file=sys.stderr,
        )
        return 2
    else:
        device = "cuda"
    backend = load()
    info = backend.runtime_info()
    cuda = torch.version.cuda or "none"
    versions = f"torch {torch.__version__} (CUDA {cuda}), triton {info['triton']}"
    print(f"winit_fast {wf.__version__}, {versions}")
    print(f"device: {info['device']}{' (Triton interpreter)' if info['interpreter'] else ''}\n")
    passed, failed, digest = check_bytes(backend, torch, device, small=args.cpu_smoke)
    print(f"\nbytes: {passed} passed, {failed} failed; digest of the device's bytes {digest}")
    if not args.cpu_smoke:
        sizes = [24] if args.quick else [int(s) for s in args.sizes.split(",")]
        below = check_speed(backend, torch, sizes, args.repeats)
        print(
            f"\nspeed targets at 2^{sizes[-1]}: "
            + ("all met" if not below else "below: " + ", ".join(below))
        )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
