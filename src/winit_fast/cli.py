"""The winit-fast command line (also: python -m winit_fast)."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from typing import Any

from winit_fast import _seed_checkpoint


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

    bench = commands.add_parser(
        "bench", help="throughput against numpy.random, torch.nn.init (if installed) and memset"
    )
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
    _seed_checkpoint.add_parser(commands)
    _add_reference_commands(commands)
    return parser


def _ints(text: str) -> list[int]:
    try:
        values = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected comma-separated ints, got {text!r}") from None
    if not values or min(values) < 0:
        raise argparse.ArgumentTypeError(f"expected comma-separated ints >= 0, got {text!r}")
    return values


def _names(text: str) -> list[str]:
    names = [part.strip() for part in text.split(",") if part.strip()]
    if not names:
        raise argparse.ArgumentTypeError("expected comma-separated names")
    return names


def _add_reference_commands(commands: argparse._SubParsersAction) -> None:
    """``train``, ``compare-inits``, ``activations``: the reference NumPy trainer's commands
    (their logic is in ``winit_fast.reference.commands``)."""
    from winit_fast.reference.depth_study import DEPTH_SCHEMES
    from winit_fast.reference.experiments import ACTIVATION_INITS, COMPARE_INITS
    from winit_fast.reference.functions import ACTIVATIONS
    from winit_fast.reference.optimizers import OPTIMIZERS

    def training_options(sub: argparse.ArgumentParser) -> None:
        sub.add_argument("--epochs", type=int, default=10)
        sub.add_argument("--batch-size", type=int, default=32)
        sub.add_argument("--hidden", type=_ints, default=[64], help="hidden sizes, e.g. 64,32")
        sub.add_argument("--activation", choices=ACTIVATIONS, default="relu")
        sub.add_argument("--optimizer", choices=tuple(OPTIMIZERS), default="adam")
        sub.add_argument("--lr", type=float, default=1e-3)
        sub.add_argument("--dtype", choices=("float32", "float64"), default="float32")
        sub.add_argument("--data", default="digits", help="'digits' (784 features) or an .npz")
        sub.add_argument("--train-size", type=int, help="use only the first N training rows")
        sub.add_argument("--quiet", action="store_true", help="no progress bar")
        sub.add_argument("--json", metavar="FILE", help="also write the results as JSON")
        sub.add_argument("--plot", metavar="FILE.png", help="draw loss and accuracy curves")

    train = commands.add_parser("train", help="train the reference MLP once")
    train.add_argument(
        "--init", default="he_normal", help="e.g. he_normal, numpy:he_normal, lsuv (first batch)"
    )
    train.add_argument("--seed", type=int, default=0)
    train.add_argument(
        "--backend", choices=("c", "python"), help="winit_fast backend drawing the weights"
    )
    training_options(train)

    compare = commands.add_parser("compare-inits", help="train the MLP from each init")
    compare.add_argument("--inits", type=_names, default=list(COMPARE_INITS))
    compare.add_argument("--seeds", type=_ints, default=[0], help="e.g. 0,1,2,3,4")
    training_options(compare)

    activations = commands.add_parser(
        "activations", help="per-layer std of activations and gradients in a deep MLP"
    )
    activations.add_argument("--depth", type=int, default=50)
    activations.add_argument("--width", type=int, default=256)
    activations.add_argument("--activation", choices=ACTIVATIONS, default="relu")
    activations.add_argument("--batch-size", type=int, default=256)
    activations.add_argument("--seed", type=int, default=0)
    activations.add_argument(
        "--inits",
        type=_names,
        help=f"default {','.join(ACTIVATION_INITS)}; with --residual {','.join(DEPTH_SCHEMES)}",
    )
    activations.add_argument(
        "--residual", action="store_true", help="residual blocks h + f(h) (--depth blocks)"
    )
    activations.add_argument("--json", metavar="FILE", help="also write the results as JSON")
    activations.add_argument("--plot", metavar="FILE.png", help="draw the std per layer")

    study = commands.add_parser(
        "depth-study", help="train a deep MLP or residual MLP from each depth-aware scheme"
    )
    study.add_argument("--schemes", type=_names, default=list(DEPTH_SCHEMES))
    study.add_argument("--residual", action="store_true", help="residual blocks h + f(h)")
    study.add_argument("--depth", type=int, default=32, help="hidden layers, or blocks")
    study.add_argument("--width", type=int, default=64)
    study.add_argument("--seed", type=int, default=0)
    study.add_argument("--epochs", type=int, default=3)
    study.add_argument("--batch-size", type=int, default=32)
    study.add_argument("--activation", choices=ACTIVATIONS, default="relu")
    study.add_argument("--optimizer", choices=tuple(OPTIMIZERS), default="adam")
    study.add_argument("--lr", type=float, default=1e-3)
    study.add_argument("--dtype", choices=("float32", "float64"), default="float32")
    study.add_argument("--data", default="digits", help="'digits' (784 features) or an .npz")
    study.add_argument("--train-size", type=int, help="use only the first N training rows")
    study.add_argument("--json", metavar="FILE", help="also write the results as JSON")
    study.add_argument("--plot", metavar="FILE.png", help="draw loss and accuracy curves")


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


REFERENCE_COMMANDS = {
    "train": "train_command",
    "compare-inits": "compare_inits_command",
    "activations": "activations_command",
    "depth-study": "depth_study_command",
}


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "bench":
        return run_bench_command(args)
    if args.command == "raw":
        return run_raw_command(args)
    if args.command == "seed-checkpoint":
        return _seed_checkpoint.run(args)
    if args.command in REFERENCE_COMMANDS:
        from winit_fast.reference import commands

        return getattr(commands, REFERENCE_COMMANDS[args.command])(args)
    if args.command == "config":
        import winit_fast

        winit_fast.show_config(print_out=True)
        return 0
    return 2  # unreachable: argparse requires a command


if __name__ == "__main__":
    sys.exit(main())
