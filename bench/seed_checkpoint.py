"""Peak memory of a streamed seed checkpoint against the size of the file it writes.

Writes a safetensors file of ``--gb`` GiB of weights with ``winit_fast.safetensors.save_init``
in a fresh process and reports that process's peak resident memory (``VmHWM``) before and
after the write, so the difference is what writing the file cost. ``--naive`` also measures the
usual way (build every tensor in memory, then ``safetensors.numpy.save_file``) in another fresh
process. ``--parts N`` writes the file with N processes at once (``part=(k, N)``).

    python bench/seed_checkpoint.py --gb 4 --block-mb 64 --naive

Linux only (``/proc/self/status``). The file is written under ``--dir`` (default: a
temporary directory) and removed unless ``--keep``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

CHILD = r"""
import json, sys, time
import numpy as np

def vmhwm_kib():
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])

from winit_fast import _interface as wfi
from winit_fast.safetensors import save_init
import safetensors, safetensors.numpy

mode, path, n_layers, width, block_bytes, part = sys.argv[1:7]
n_layers, width, block_bytes, k = int(n_layers), int(width), int(block_bytes), int(part)
spec = {}
for i in range(n_layers):
    spec[f"layers.{i}.weight"] = ((width, width), "float32")
    spec[f"layers.{i}.bias"] = ((width,), "float32")
small = {"w.weight": ((64, 64), "float32")}
save_init(path + f".warm{k}", small, scheme="he_normal", seed=0)  # imports, first calls
before = vmhwm_kib()
start = time.perf_counter()
if mode == "stream":
    parts = None if k < 0 else (k, int(sys.argv[7]))
    save_init(path, spec, scheme="he_normal", seed=0, block_bytes=block_bytes, part=parts)
else:  # the usual way: every tensor in memory, then one save_file
    arrays = {}
    for name, (shape, dtype) in spec.items():
        if len(shape) >= 2:
            arrays[name] = wfi.weight("he_normal", shape, seed=0, stream=name)
        else:
            arrays[name] = np.zeros(shape, dtype=np.float32)
    safetensors.numpy.save_file(arrays, path)
seconds = time.perf_counter() - start
print(json.dumps({"before_kib": before, "after_kib": vmhwm_kib(), "seconds": seconds}))
"""


def run_child(mode: str, path: str, args: argparse.Namespace, k: int = -1) -> subprocess.Popen:
    argv = [
        sys.executable,
        "-c",
        CHILD,
        mode,
        path,
        str(args.layers),
        str(args.width),
        str(int(args.block_mb * (1 << 20))),
        str(k),
        str(args.parts),
    ]
    return subprocess.Popen(argv, stdout=subprocess.PIPE, text=True)


def finish(worker: subprocess.Popen) -> dict:
    out, _ = worker.communicate()
    if worker.returncode != 0:
        raise SystemExit(f"child failed with status {worker.returncode}")
    return json.loads(out)


def verify(path: str, args: argparse.Namespace) -> None:
    """A few rows of every weight, read back through safetensors, equal ``index=`` blocks."""
    import numpy as np
    import safetensors

    from winit_fast import _interface as wfi

    shape = (args.width, args.width)
    with safetensors.safe_open(path, "np") as handle:
        for i in range(args.layers):
            name = f"layers.{i}.weight"
            rows = slice(args.width // 2, args.width // 2 + 3)
            got = handle.get_slice(name)[rows]
            want = wfi.weight("he_normal", shape, seed=0, stream=name, index=(rows,))
            assert np.asarray(got).tobytes() == want.tobytes(), name


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--gb", type=float, default=4.0, help="GiB of weights in the file")
    parser.add_argument("--width", type=int, default=8192, help="weights are (width, width)")
    parser.add_argument("--block-mb", type=float, default=64.0)
    parser.add_argument("--parts", type=int, default=1, help="processes writing one file")
    parser.add_argument("--naive", action="store_true", help="also measure save_file")
    parser.add_argument("--dir", default=None)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    args.layers = max(1, round(args.gb * (1 << 30) / (4 * args.width * args.width)))
    directory = args.dir or tempfile.mkdtemp(prefix="seed-checkpoint-")
    path = os.path.join(directory, "seed.safetensors")
    start = time.perf_counter()
    if args.parts == 1:
        results = [finish(run_child("stream", path, args))]
    else:
        workers = [run_child("stream", path, args, k) for k in range(args.parts)]
        results = [finish(w) for w in workers]
    wall = time.perf_counter() - start
    size = os.path.getsize(path)
    verify(path, args)
    print(f"file: {size / 2**30:.2f} GiB ({args.layers} x ({args.width}, {args.width}) float32)")
    for k, r in enumerate(results):
        grown = (r["after_kib"] - r["before_kib"]) / 1024
        print(
            f"save_init, block {args.block_mb:g} MiB, process {k}/{args.parts}: "
            f"peak RSS {r['after_kib'] / 1024:.0f} MiB (was {r['before_kib'] / 1024:.0f} MiB "
            f"after imports: +{grown:.0f} MiB), {r['seconds']:.1f} s"
        )
    print(f"wall time {wall:.1f} s, {size / wall / 1e9:.2f} GB/s; spot check: equal")
    if args.naive:
        os.unlink(path)
        r = finish(run_child("naive", path, args))
        grown = (r["after_kib"] - r["before_kib"]) / 1024
        print(
            f"in memory + safetensors.numpy.save_file: peak RSS {r['after_kib'] / 1024:.0f} MiB "
            f"(+{grown:.0f} MiB), {r['seconds']:.1f} s"
        )
    if not args.keep:
        for name in os.listdir(directory):
            if name.startswith("seed.safetensors"):
                os.unlink(os.path.join(directory, name))
        if args.dir is None:
            os.rmdir(directory)


if __name__ == "__main__":
    main()
