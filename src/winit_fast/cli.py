"""The ``winit-fast`` command line (also ``python -m winit_fast``)."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from typing import Any


def _sizes(text: str) -> tuple[int, ...]:
    try:
        sizes = tuple(int(eval_size(part)) for part in text.split(","))
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"--sizes: {exc}") from None
    if not sizes or min(sizes) < 1:
        raise argparse.ArgumentTypeError("--sizes: give positive sizes, e.g. 1000,2**20")
    return sizes


def eval_size(part: str) -> int:
    """``"1000"``, ``"2**20"`` or ``"1e6"`` as an int."""
    part = part.strip()
    if "**" in part:
        base, exponent = part.split("**")
        return int(base) ** int(exponent)
    return int(float(part)) if "e" in part.lower() else int(part)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="winit-fast", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    bench = commands.add_parser("bench", help="throughput against numpy.random and memset")
    bench.add_argument("--quick", action="store_true", help="small sizes, finishes in seconds")
    bench.add_argument("--sizes", type=_sizes, help="comma-separated sizes, e.g. 1000,2**20")
    bench.add_argument("--dtypes", default=None, help="comma-separated, e.g. float32,float64")
    bench.add_argument("--methods", default=None, help="comma-separated: uniform,normal,zeros")
    bench.add_argument("--threads", default=None, help="comma-separated thread counts")
    bench.add_argument("--json", metavar="FILE", help="also write the results as JSON")
    bench.add_argument("--plot", metavar="FILE.png", help="draw throughput against size")

    raw = commands.add_parser("raw", help="write the raw Philox stream to stdout (for batteries)")
    raw.add_argument("--seed", type=int, required=True, help="the key, 0 <= seed < 2**64")
    raw.add_argument("--stream", default="0", help="stream id: an int or a name")
    raw.add_argument("--bytes", type=int, default=None, help="how many bytes (default: endless)")

    commands.add_parser("config", help="print show_config()")
    return parser


def run_bench_command(args: argparse.Namespace) -> int:
    from winit_fast.bench import extras
    from winit_fast.bench.report import format_targets, print_table, progress_printer, targets
    from winit_fast.bench.run import BenchConfig, as_json, machine_description, run_bench

    config = BenchConfig.quick() if args.quick else BenchConfig()
    if args.sizes:
        config.sizes = args.sizes
    if args.dtypes:
        config.dtypes = tuple(args.dtypes.split(","))
    if args.methods:
        config.methods = tuple(args.methods.split(","))
    if args.threads:
        config.threads = tuple(int(t) for t in args.threads.split(","))
    print("machine:", ", ".join(f"{k}={v}" for k, v in machine_description().items()))
    update, close = progress_printer()
    try:
        results = run_bench(config, progress=update)
    finally:
        close()
    print_table(results)
    checks: dict[str, Any] = {
        "small_call_us": extras.small_call(),
        "gil": extras.gil_overlap(1 << 20 if args.quick else 1 << 23),
        "extra_memory": extras.extra_memory(config.methods, 1 << 20 if args.quick else 1 << 24),
    }
    print(
        "\n(64, 64) call, allocation included (us):",
        ", ".join(f"{k} {v:.1f}" for k, v in checks["small_call_us"].items()),
    )
    print(
        f"two Python threads, n_threads=1 each: overlap {checks['gil']['overlap']:.2f}x "
        "(2.0 = fully parallel, the GIL is released during fills)"
    )
    print(
        "extra peak memory beyond the output (KiB):",
        ", ".join(f"{k} {v['extra_kib']}" for k, v in checks["extra_memory"].items()),
    )
    largest = max(config.sizes)
    print(f"\ntargets (float32, size {largest:,}, all threads):")
    print(format_targets(targets(results, largest)))
    if args.json:
        with open(args.json, "w") as handle:
            json.dump(as_json(results, config, checks), handle, indent=1)
        print(f"wrote {args.json}")
    if args.plot:
        from winit_fast.bench.plot import plot_throughput

        plot_throughput(results, args.plot)
        print(f"wrote {args.plot}")
    return 0


def run_raw_command(args: argparse.Namespace, out=None) -> int:
    """Words x0, x1, ... of the stream as little-endian uint32, from offset 0, until --bytes."""
    from winit_fast._raw_stream import write_raw_stream

    stream = int(args.stream) if args.stream.isdigit() else args.stream
    sink = out if out is not None else sys.stdout.buffer
    try:
        write_raw_stream(sink, seed=args.seed, stream=stream, n_bytes=args.bytes)
    except BrokenPipeError:  # the battery read what it needed and closed the pipe
        sys.stderr.close()
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "bench":
        return run_bench_command(args)
    if args.command == "raw":
        return run_raw_command(args)
    if args.command == "config":
        import winit_fast

        winit_fast.show_config(print_out=True)
        return 0
    return 2  # unreachable: argparse requires a command


if __name__ == "__main__":
    sys.exit(main())
