"""winit_fast on a CUDA GPU: the same bytes as on the CPU, then the speed against torch's own
fills on the same GPU. One command, nothing to install beyond torch and triton:

    python bench/gpu.py                 # on a machine with a CUDA GPU (a few minutes)
    python bench/gpu.py --quick         # the byte checks and one size (2^24)
    python bench/gpu.py --cpu-smoke     # the byte checks only, small, on the CPU under
                                        # Triton's interpreter (no GPU: what CI runs)

From a checkout it runs the checkout's winit_fast (``src/``; build the C core with ``python
setup.py build_ext --inplace`` for speed, or the NumPy fallback is the CPU reference: the
same bytes). Checks, each one PASS or FAIL line, compared byte for byte with the CPU:

1. kernels: every family (raw words, uniform, normal, truncated normal) in float32, float64,
   float16 and bfloat16, laid out as a contiguous range, at an offset (mid-block), and (not
   the raw words) a column block and the Shard(0)/Shard(1) blocks of 2 and 4 ranks put
   together (``index=``), through the public NumPy API under ``use_backend("triton")``; with
   a digest of all the bytes (two GPUs that print the same digest gave the same bytes);
2. torch: every ``winit_fast.torch`` in-place function on CUDA tensors, contiguous, transposed
   and sliced, written on a side stream (the current one), and ``init_module`` of a model
   on the GPU;
3. fast_init: a model built on the GPU (``with torch.device("cuda"), fast_init(seed=0)``,
   its fills written there by the kernels; on the CPU under ``use_backend("triton")``, the
   same path) against the same build on the CPU, parameter by parameter (and the elements
   written, when fast_init counts them).

Then the speed (CUDA events, after warm-up; the median of repeats): ``winit_fast.torch``'s
``uniform_``, ``normal_`` and ``trunc_normal_`` against torch's ``uniform_``, ``normal_`` and
``nn.init.trunc_normal_`` filling the same float32 CUDA tensor, 2^20 to 2^28 elements. A ratio
is torch's time over ours (above 1: faster than torch). Targets: uniform and normal at least
0.8, truncated normal at least 5.

Exit status: 0 when every byte check passes, 1 when one fails, 2 without a GPU (and without
--cpu-smoke). The speed targets are reported, not part of the status.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import hashlib
import importlib.util
import os
import statistics
import sys
import time
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

if "--cpu-smoke" in sys.argv:  # the interpreter is chosen when the kernels are defined
    os.environ["TRITON_INTERPRET"] = "1"
if importlib.util.find_spec("winit_fast") is None:  # a checkout: its own source
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

import numpy as np

import winit_fast as wf

TARGETS = {"uniform": 0.8, "normal": 0.8, "truncated_normal": 5.0}
DTYPES = ("float32", "float64", "float16", "bfloat16")
SEED, STREAM = 20240611, "gpu.check"

# family -> the public NumPy function with its parameters
FAMILIES: dict[str, Callable[..., np.ndarray]] = {
    "raw_u32": lambda shape, **kw: wf.random_raw(int(np.prod(shape)), **kw).reshape(shape),
    "uniform": lambda shape, **kw: wf.uniform(shape, -0.05, 0.05, **kw),
    "normal": lambda shape, **kw: wf.normal(shape, 0.0, 0.02, **kw),
    "truncated_normal": lambda shape, **kw: wf.truncated_normal(shape, 0.0, 0.02, a=-3, b=3, **kw),
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


class Tally:
    """The PASS/FAIL lines of one group of checks, and a digest of the device's bytes."""

    def __init__(self, name: str) -> None:
        self.name, self.passed, self.failed, self.skipped = name, 0, 0, 0
        self.digest = hashlib.sha256()
        self.seconds = 0.0

    def check(self, label: str, compare: Callable[[], tuple[bytes, bytes]]) -> None:
        """One case: compare() gives (device bytes, CPU bytes); an exception is a FAIL."""
        begin = time.perf_counter()
        try:
            got, expected = compare()
        except Exception as exc:  # a failing case must not stop the others
            if isinstance(exc, Skip) or (isinstance(exc, ImportError) and "ml_dtypes" in str(exc)):
                self.skipped += 1  # bfloat16 in NumPy without ml_dtypes
                print(f"SKIP  {label}: {exc}", flush=True)
                return
            self.failed += 1
            self.seconds += time.perf_counter() - begin
            where = traceback.extract_tb(exc.__traceback__)[-1]
            print(f"FAIL  {label}: {type(exc).__name__}: {exc} ({where.name}:{where.lineno})")
            return
        self.seconds += time.perf_counter() - begin
        self.digest.update(got)
        ok = got == expected
        self.passed += ok
        self.failed += not ok
        print(f"{'PASS' if ok else 'FAIL'}  {label}", flush=True)

    def summary(self) -> str:
        skipped = f", {self.skipped} skipped" if self.skipped else ""
        return (
            f"{self.name:9} {self.passed} passed, {self.failed} failed{skipped} "
            f"(digest {self.digest.hexdigest()[:16]}, {self.seconds:.0f} s)"
        )


class Skip(Exception):
    """A case that cannot run here (said on its SKIP line)."""


def numpy_dtype(name: str) -> Any:
    if name != "bfloat16":
        return np.dtype(name)
    try:
        import ml_dtypes
    except ImportError:
        raise Skip("NumPy's bfloat16 needs the package ml_dtypes") from None
    return np.dtype(ml_dtypes.bfloat16)


def host_bytes(values: Any) -> bytes:
    """The bytes of a NumPy array or of a torch tensor on any device."""
    if isinstance(values, np.ndarray):
        return np.ascontiguousarray(values).tobytes()
    import torch

    return values.detach().cpu().contiguous().view(torch.uint8).numpy().tobytes()


# ---- 1. the kernels, through the NumPy API -----------------------------------------------


def layouts(small: bool) -> dict[str, tuple[tuple[int, ...], int, list[Any], int]]:
    """name -> (shape of the whole tensor, offset, the index= blocks put together along
    ``axis``, axis): each block is filled on its own, as a rank fills its shard."""
    rows, cols = (24, 40) if small else (1024, 1000)
    n = 1030 if small else 2**20 + 3

    def shards(parts: int, axis: int) -> list[Any]:  # torch.chunk's split, as Shard(axis)
        size = (rows, cols)[axis]
        step = -(-size // parts)
        return [
            (slice(None),) * axis + (slice(i, min(i + step, size)),) for i in range(0, size, step)
        ]

    return {
        "contiguous": ((n,), 0, [None], 0),
        "offset 5": ((n,), 5, [None], 0),
        "column block": ((rows, cols), 3, [np.s_[:, cols // 10 : cols // 10 + cols // 2]], 1),
        "2 shards, dim 0": ((rows, cols), 0, shards(2, 0), 0),
        "2 shards, dim 1": ((rows, cols), 0, shards(2, 1), 1),
        "4 shards, dim 1": ((rows, cols), 0, shards(4, 1), 1),
    }


def kernel_case(family: str, dtype_name: str, layout: tuple) -> tuple[bytes, bytes]:
    """The blocks of ``layout`` filled on the device, put together, and the CPU's whole
    tensor's same elements."""
    draw = FAMILIES[family]
    shape, offset, indexes, axis = layout
    kwargs: dict[str, Any] = {"seed": SEED, "stream": STREAM, "offset": offset}
    if family != "raw_u32":
        kwargs["dtype"] = numpy_dtype(dtype_name)
    with wf.use_backend("triton"):  # filled on the device, copied back
        got = [
            draw(shape, **kwargs) if i is None else draw(shape, index=i, **kwargs) for i in indexes
        ]
    whole = draw(shape, **kwargs)  # the CPU's
    expected = [whole if index is None else whole[index] for index in indexes]
    return host_bytes(np.concatenate(got, axis=axis)), host_bytes(np.concatenate(expected, axis))


def kernel_checks(small: bool) -> Tally:
    tally = Tally("kernels")
    for family in FAMILIES:
        for dtype_name in DTYPES[:1] if family == "raw_u32" else DTYPES:
            label_dtype = "uint32" if family == "raw_u32" else dtype_name
            for name, layout in layouts(small).items():
                if family == "raw_u32" and layout[2] != [None]:
                    continue  # random_raw has no index=: the float families prove the runs
                case = functools.partial(kernel_case, family, dtype_name, layout)
                tally.check(f"{family:16} {label_dtype:8} {name}", case)
    return tally


# ---- 2. winit_fast.torch on device tensors -------------------------------------------------


def torch_calls() -> dict[str, Callable[[Any], Any]]:
    """name -> an in-place call on a tensor t: every torch.nn.init twin, with non-default
    arguments ("(host)": computed on the host and copied). tests/test_torch_gpu.py runs them
    too."""
    import winit_fast.torch as wft

    return {
        "uniform_": lambda t: wft.uniform_(t, -0.3, 0.2, seed=1, stream="w"),
        "normal_": lambda t: wft.normal_(t, 0.1, 0.02, seed=2),
        "trunc_normal_": lambda t: wft.trunc_normal_(t, 0.0, 0.02, a=-0.04, b=0.03, seed=3),
        "xavier_uniform_": lambda t: wft.xavier_uniform_(t, gain=0.5, seed=4),
        "xavier_normal_": lambda t: wft.xavier_normal_(t, seed=5),
        "kaiming_uniform_": lambda t: wft.kaiming_uniform_(t, a=0.1, mode="fan_out", seed=6),
        "kaiming_normal_": lambda t: wft.kaiming_normal_(t, nonlinearity="relu", seed=7),
        "constant_": lambda t: wft.constant_(t, 0.1),
        "zeros_": wft.zeros_,
        "eye_ (host)": wft.eye_,
        "orthogonal_ (host)": lambda t: wft.orthogonal_(t, seed=8),
        "sparse_ (host)": lambda t: wft.sparse_(t, 0.3, seed=9),
        "generator": lambda t: wft.normal_(t, generator=wf.Generator(3, "g")),
    }


def torch_layouts(torch: Any, device: str, small: bool) -> dict[str, Callable[[Any], Any]]:
    """name -> make(dtype): a device tensor of shape (rows, cols), laid out as named."""
    rows, cols = (24, 40) if small else (1024, 1000)

    def sliced(dtype: Any) -> Any:
        return torch.full((2 * rows + 3, cols + 7), 7.0, dtype=dtype, device=device)[3::2, 5:-2]

    return {
        "contiguous": lambda dtype: torch.full((rows, cols), 7.0, dtype=dtype, device=device),
        "transposed": lambda dtype: torch.full((cols, rows), 7.0, dtype=dtype, device=device).T,
        "sliced": sliced,
    }


@contextlib.contextmanager
def on_the_device(torch: Any, device: str) -> Iterator[None]:
    """The calls as a CUDA tensor gets them: on a side stream (the current one); on the CPU
    (--cpu-smoke), a CPU tensor takes the same path under use_backend("triton")."""
    if device == "cpu":
        with wf.use_backend("triton"):
            yield
        return
    side = torch.cuda.Stream()
    side.wait_stream(torch.cuda.current_stream())
    with torch.cuda.stream(side):
        yield
    torch.cuda.current_stream().wait_stream(side)


def torch_checks(torch: Any, device: str, small: bool) -> Tally:
    tally = Tally("torch")
    dtypes = {"float32": torch.float32, "float64": torch.float64}
    dtypes.update(float16=torch.float16, bfloat16=torch.bfloat16)
    for function, call in torch_calls().items():
        for dtype_name, dtype in dtypes.items():
            for layout, make in torch_layouts(torch, device, small).items():

                def compare(call=call, dtype=dtype, make=make) -> tuple[bytes, bytes]:
                    tensor = make(dtype)
                    pointer = tensor.data_ptr()
                    with on_the_device(torch, device):
                        call(tensor)
                    if tensor.data_ptr() != pointer:
                        raise AssertionError("the tensor was replaced, not filled in place")
                    expected = call(torch.empty(tuple(tensor.shape), dtype=dtype))
                    return host_bytes(tensor), host_bytes(expected)

                tally.check(f"{function:18} {dtype_name:8} {layout}", compare)
    tally.check("init_module        model    he_normal", lambda: module_bytes(torch, device))
    return tally


def model(torch: Any) -> Any:
    """A small model with the usual parameter kinds: embedding, attention, MLP, norms."""
    from torch import nn

    torch.manual_seed(0)
    return nn.Sequential(
        nn.Embedding(100, 64),
        nn.TransformerEncoderLayer(64, 4, dim_feedforward=128, batch_first=True),
        nn.LayerNorm(64),
        nn.Linear(64, 10),
    )


def parameter_bytes(module: Any) -> bytes:
    return b"".join(host_bytes(p) for p in module.parameters())


def module_bytes(torch: Any, device: str) -> tuple[bytes, bytes]:
    import winit_fast.torch as wft

    with on_the_device(torch, device):
        mine = wft.init_module(model(torch).to(device), "he_normal", seed=4)
    expected = wft.init_module(model(torch), "he_normal", seed=4)
    return parameter_bytes(mine), parameter_bytes(expected)


# ---- 3. fast_init on the device -------------------------------------------------------------


def fast_init_checks(torch: Any, device: str) -> Tally:
    import winit_fast.torch as wft

    tally = Tally("fast_init")
    built = {}

    def build(where: str) -> Any:
        backend = wf.use_backend("triton") if where == device == "cpu" else contextlib.nullcontext()
        with backend, torch.device(where), wft.fast_init(seed=0) as session:
            built[where] = (model(torch), session)
        return built[where][0]

    def compare() -> tuple[bytes, bytes]:
        mine = build(device)
        if any(p.device.type != device for p in mine.parameters()):
            raise AssertionError(f"the model was not built on {device}")
        if built[device][1].calls == 0:  # not served: torch's own init on the device
            raise AssertionError(f"fast_init served no fill on {device}")
        return parameter_bytes(mine), parameter_bytes(build("cpu"))

    tally.check(f"fast_init          model    built on {device}", compare)
    if device in built:
        mine, session = built[device]
        total = sum(p.numel() for p in mine.parameters())
        written = getattr(session, "written", None)
        if written is None:
            print(f"      ({session.calls} fills served; this fast_init does not count writes)")
        elif session.calls == 0:  # nothing served on this device: nothing to count
            print(f"      (fast_init served no fill on {device}: torch's init)")
        else:
            tally.check(
                f"fast_init          written once ({written} of {total} elements)",
                lambda: (str(written).encode(), str(total).encode()),
            )
    return tally


# ---- speed --------------------------------------------------------------------------------


def median_ms(torch: Any, fill: Callable[[], Any], repeats: int) -> float:
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


def check_speed(torch: Any, sizes: list[int], repeats: int) -> list[str]:
    """One line per fill and size; returns the verdicts at the largest size."""
    import winit_fast.torch as wft

    pairs = {
        "uniform": (
            lambda t: wft.uniform_(t, -0.05, 0.05, seed=SEED),
            lambda t: t.uniform_(-0.05, 0.05),
        ),
        "normal": (lambda t: wft.normal_(t, 0.0, 0.02, seed=SEED), lambda t: t.normal_(0.0, 0.02)),
        "truncated_normal": (
            lambda t: wft.trunc_normal_(t, 0.0, 0.02, -0.06, 0.06, seed=SEED),
            lambda t: torch.nn.init.trunc_normal_(t, 0.0, 0.02, -0.06, 0.06),
        ),
    }
    verdicts = []
    print(
        f"\n{'fill':17} {'size':>5} {'ours ms':>9} {'GB/s':>7} {'torch ms':>9} {'ratio':>6}  target"
    )
    for family, (ours, theirs) in pairs.items():
        for log2 in sizes:
            out = torch.empty(2**log2, dtype=torch.float32, device="cuda")
            mine = median_ms(torch, lambda out=out, fill=ours: fill(out), repeats)
            other = median_ms(torch, lambda out=out, fill=theirs: fill(out), repeats)
            ratio = other / mine
            meets = ratio >= TARGETS[family]
            rate = out.numel() * 4 / mine / 1e6
            verdict = f">= {TARGETS[family]}: {'met' if meets else 'BELOW'}"
            figures = f"{mine:9.3f} {rate:7.0f} {other:9.3f} {ratio:6.2f}"
            print(f"{family:17} 2^{log2:<3} {figures}  {verdict}")
            if log2 == sizes[-1]:
                verdicts.append(f"{family} {ratio:.2f}x ({verdict})")
            del out
    return verdicts


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    begin = time.perf_counter()
    import torch

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
    with wf.use_backend("triton"):
        info = wf.show_config()
    reference = wf.show_config()["backend"]
    cuda = torch.version.cuda or "none"
    print(f"winit_fast {wf.__version__}, torch {torch.__version__} (CUDA {cuda}), "
          f"triton {info['triton']}; CPU reference: the {reference!r} backend")  # fmt: skip
    where = f"{info['device']}{' (Triton interpreter)' if info['interpreter'] else ''}"
    print(f"device: {where}\n")
    tallies = [kernel_checks(small=args.cpu_smoke)]
    print()
    tallies.append(torch_checks(torch, device, small=args.cpu_smoke))
    print()
    tallies.append(fast_init_checks(torch, device))
    verdicts = []
    if not args.cpu_smoke:
        sizes = [24] if args.quick else [int(s) for s in args.sizes.split(",")]
        verdicts = check_speed(torch, sizes, args.repeats)
    failed = sum(tally.failed for tally in tallies)
    print("\nSUMMARY")
    for tally in tallies:
        print(f"  {tally.summary()}")
    if verdicts:
        print(f"  speed at 2^{sizes[-1]} (torch's time / ours): " + "; ".join(verdicts))
    print(f"  {time.perf_counter() - begin:.0f} s in all")
    print(f"RESULT: {'FAIL' if failed else 'PASS'} (bytes: {failed} failed)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
