"""The winit-fast command line (also: python -m winit_fast)."""

from __future__ import annotations

import argparse
import difflib
import itertools
import os
import sys
from collections.abc import Callable, Sequence
from typing import Any

from winit_fast import __version__, _seed_checkpoint
from winit_fast._cli_support import SEED_LIMIT, CommandError, describe, same_files
from winit_fast._cli_support import output_file as _output
from winit_fast._cli_support import seed as _seed
from winit_fast._interface import MAX_THREADS, byte_size

DTYPES = ("float32", "float64", "float16", "bfloat16")
# The reference trainer's commands: their options and modules are loaded only when one of
# them is asked for, so `winit-fast config`, `raw` and `bench` never import the trainer.
REFERENCE_COMMANDS = {
    "train": ("train_command", "train the reference MLP once"),
    "compare-inits": ("compare_inits_command", "train the MLP from each init"),
    "activations": (
        "activations_command",
        "per-layer std of activations and gradients in a deep MLP",
    ),
    "depth-study": (
        "depth_study_command",
        "train a deep MLP or residual MLP from each depth-aware scheme",
    ),
}


class HelpFormatter(argparse.ArgumentDefaultsHelpFormatter):
    """Every option's help ends with its default, except where there is none to show."""

    def _get_help_string(self, action: argparse.Action) -> str | None:
        if not action.help:
            return action.help
        if action.default is None or action.default is False or "%(default)" in action.help:
            return action.help
        return super()._get_help_string(action)


# ---- argument types: each raises ArgumentTypeError, which argparse turns into a usage error


def _int_at_least(low: int) -> Callable[[str], int]:
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected an int, got {text!r}") from None
        if value < low:
            raise argparse.ArgumentTypeError(f"expected an int >= {low}, got {value}")
        return value

    return parse


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"expected a finite number > 0, got {text}")
    return value


def _data_source(text: str) -> str:
    """``digits`` or an ``.npz`` holding ``X`` and ``y`` (only its list of arrays is read)."""
    if text == "digits":
        return text
    if not os.path.isfile(text):
        raise argparse.ArgumentTypeError(f"expected 'digits' or an .npz file; {text!r} is neither")
    import zipfile

    import numpy as np

    try:
        loaded = np.load(text, allow_pickle=False, mmap_mode="r")  # an .npy is not read
    except (OSError, ValueError, EOFError, zipfile.BadZipFile):  # text, pickle, damaged zip
        loaded = None
    names = list(loaded) if isinstance(loaded, np.lib.npyio.NpzFile) else None
    if isinstance(loaded, np.lib.npyio.NpzFile):
        loaded.close()
    if names is None:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not an .npz file; save one with numpy.savez(path, X=..., y=...)"
        )
    missing = [name for name in ("X", "y") if name not in names]
    if missing:
        raise argparse.ArgumentTypeError(f"{text!r} lacks {', '.join(missing)}; it holds {names}")
    return text


def _stream(text: str) -> int | str:
    """An int stream id (>= 0) or a name; ``-1`` is a mistake, not the name "-1"."""
    try:
        value = int(text, 0)
    except ValueError:
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:  # bytes of the command line that are not UTF-8
            raise argparse.ArgumentTypeError(f"expected UTF-8 text, got {text!r}") from None
        return text
    if not 0 <= value < SEED_LIMIT:
        raise argparse.ArgumentTypeError(f"expected 0 <= stream < 2**64 or a name, got {value}")
    return value


SIZE_LIMIT = 1 << 62  # elements: beyond any buffer, and what eval_size computes at most


def eval_size(part: str) -> int:
    """``"1000"``, ``"2**20"`` or ``"1e6"`` as an int in ``[0, 2**62]``; ValueError else."""
    part = part.strip()
    if "**" in part:
        base_text, exponent_text = part.split("**", 1)
        base, exponent = int(base_text), int(exponent_text)
        if base < 0 or exponent < 0:
            raise ValueError(f"expected a non-negative base and exponent, got {part!r}")
        if base > 1 and exponent > SIZE_LIMIT.bit_length():  # would not fit: never computed
            raise ValueError(f"{part} is over 2**62")
        value = base**exponent
    elif "e" in part.lower():
        number = float(part)
        if not 0 <= number <= SIZE_LIMIT or number != int(number):
            raise ValueError(f"expected a whole number in [0, 2**62], got {part!r}")
        value = int(number)
    else:
        value = int(part)
    if not 0 <= value <= SIZE_LIMIT:
        raise ValueError(f"expected a size in [0, 2**62], got {part!r}")
    return value


def _sizes(text: str) -> tuple[int, ...]:
    try:
        sizes = tuple(eval_size(part) for part in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected sizes like 1000,2**20,1e6 (each at most 2**62); got {text!r}"
        ) from None
    if not sizes or min(sizes) < 1:
        raise argparse.ArgumentTypeError("expected positive sizes, e.g. 1000,2**20")
    memory = _physical_memory()
    if memory and max(sizes) * 8 > memory // 2:  # a float64 buffer, and room for the rest
        raise argparse.ArgumentTypeError(
            f"{max(sizes):,} elements need {max(sizes) * 8 / 2**30:.1f} GiB as float64; "
            f"this machine has {memory / 2**30:.1f} GiB"
        )
    return sizes


def _physical_memory() -> int | None:
    try:
        return os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (AttributeError, OSError, ValueError):
        return None


def _size(text: str) -> int:
    (size,) = _sizes(text) if "," not in text else (0,)
    if size < 1024 or size % 1024:
        raise argparse.ArgumentTypeError(f"expected one multiple of 1024, got {text!r}")
    return size


def _ints(low: int, high: int | None = None) -> Callable[[str], list[int]]:
    def parse(text: str) -> list[int]:
        try:
            values = [int(part) for part in text.split(",") if part.strip()]
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"expected comma-separated ints, got {text!r}"
            ) from None
        if not values or min(values) < low:
            raise argparse.ArgumentTypeError(
                f"expected comma-separated ints >= {low}, got {text!r}"
            )
        if high is not None and max(values) > high:
            raise argparse.ArgumentTypeError(
                f"expected comma-separated ints <= {high}, got {text!r}"
            )
        return values

    return parse


def _choices(valid: Sequence[str]) -> Callable[[str], tuple[str, ...]]:
    """Comma-separated names, each one of ``valid`` (with a suggestion for a typo)."""

    def parse(text: str) -> tuple[str, ...]:
        names = tuple(part.strip() for part in text.split(",") if part.strip())
        if not names:
            raise argparse.ArgumentTypeError(f"expected comma-separated names of {valid}")
        for name in names:
            if name not in valid:
                raise argparse.ArgumentTypeError(
                    f"{name!r} is not one of {', '.join(valid)}{_suggest(name, valid)}"
                )
        return names

    return parse


def _suggest(name: str, valid: Sequence[str]) -> str:
    close = difflib.get_close_matches(name, list(valid), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


# Names that are not initializers but that the trainer's commands accept as an init.
_SCHEMES = ("lsuv", "fixup", "gpt2")


def _init_spec(text: str) -> str:
    """An ``--init`` of the trainer, checked before anything runs."""
    from winit_fast.initializers import NAMES
    from winit_fast.reference.initialization import TEXT_INIT_FORMS, layer_initializer

    if text in _SCHEMES:
        return text
    try:
        layer_initializer(text, 0)
    except (TypeError, ValueError):
        hint = _suggest(text, [*NAMES, *_SCHEMES])
        raise argparse.ArgumentTypeError(
            f"unknown init {text!r}{hint}; give {TEXT_INIT_FORMS}, or 'lsuv' ('fixup' and "
            "'gpt2' scale residual branches: activations --residual, depth-study --residual)"
        ) from None
    return text


def _init_specs(text: str) -> list[str]:
    specs = [part.strip() for part in text.split(",") if part.strip()]
    if not specs:
        raise argparse.ArgumentTypeError("expected comma-separated inits, e.g. he_normal,lsuv")
    return [_init_spec(spec) for spec in specs]


# ---- the parser -------------------------------------------------------------------------


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The whole parser; a reference command gets its options only when it is ``command``
    (``None``: every command), so other commands do not import the trainer."""
    parser = argparse.ArgumentParser(
        prog="winit-fast", description=__doc__, formatter_class=HelpFormatter
    )
    parser.add_argument("--version", action="version", version=f"winit-fast {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def add(name: str, help: str) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help, description=help, formatter_class=HelpFormatter)
        sub.set_defaults(subparser=sub)  # for usage errors found after parsing
        return sub

    _bench_options(add("bench", "throughput against numpy.random, torch.nn.init and memset"))

    raw = add("raw", "write the raw Philox stream to stdout (for test batteries)")
    raw.add_argument("--seed", type=_seed, required=True, help="the key, 0 <= seed < 2**64")
    raw.add_argument("--stream", type=_stream, default="0", help="stream id: an int or a name")
    raw.add_argument(
        "--bytes", type=_int_at_least(0), default=None, help="how many bytes (default: endless)"
    )
    raw.add_argument(
        "--force", action="store_true", help="write the binary stream even to a terminal"
    )

    add("config", "print the backend, SIMD level, OpenMP runtime and threads")
    _seed_checkpoint.add_options(add("seed-checkpoint", _seed_checkpoint.HELP))
    for name, (_, help_text) in REFERENCE_COMMANDS.items():
        sub = add(name, help_text)
        if command in (None, name):
            _REFERENCE_OPTIONS[name](sub)
    return parser


def _bench_options(bench: argparse.ArgumentParser) -> None:
    from winit_fast.bench.cases import METHODS

    size = bench.add_mutually_exclusive_group()
    size.add_argument(
        "--quick",
        action="store_true",
        help="smaller sizes: about 10 s on an idle 2-core machine (longer on a busy one)",
    )
    size.add_argument(
        "--full",
        action="store_true",
        help="the whole sweep: every size to 2**26, float64, every anchor library, memory and "
        "GIL checks (several minutes)",
    )
    bench.add_argument(
        "--sizes",
        type=_sizes,
        help="table sizes, comma-separated, e.g. 1000,2**20 (default: 4096,2**16,2**20; "
        "--quick 4096,2**20; --full also 2**26)",
    )
    bench.add_argument(
        "--dtypes",
        type=_choices(DTYPES),
        help=f"table dtypes, comma-separated: {', '.join(DTYPES)} (default: float32, and the "
        "16-bit ones at one size)",
    )
    bench.add_argument(
        "--methods",
        type=_choices(METHODS),
        help=f"table methods, comma-separated: {', '.join(METHODS)} (default: all; the headline "
        "always runs)",
    )
    bench.add_argument(
        "--threads",
        type=_ints(1, MAX_THREADS),
        help="comma-separated thread counts; the headline uses the largest (default: 1 and "
        "every core)",
    )
    bench.add_argument(
        "--headline-size",
        type=_size,
        help="elements of the headline's cases (default: 2**26; with --quick 2**22)",
    )
    bench.add_argument(
        "--json", metavar="FILE", type=_output, help="also write the results as JSON"
    )
    bench.add_argument(
        "--plot", metavar="FILE.png", type=_output, help="draw throughput against size"
    )
    bench.add_argument(
        "--save",
        metavar="PREFIX",
        type=_output,
        help="write PREFIX.txt (what is printed), PREFIX.json and PREFIX.png",
    )


def _training_options(sub: argparse.ArgumentParser) -> None:
    """What every training command shares (train and compare-inits add --hidden)."""
    from winit_fast.reference.functions import ACTIVATIONS
    from winit_fast.reference.optimizers import OPTIMIZERS

    sub.add_argument("--epochs", type=_int_at_least(1), default=10, help="passes over the data")
    sub.add_argument("--batch-size", type=_int_at_least(1), default=32, help="rows per step")
    sub.add_argument("--activation", choices=ACTIVATIONS, default="relu", help="hidden units")
    sub.add_argument("--optimizer", choices=tuple(OPTIMIZERS), default="adam", help="update rule")
    sub.add_argument("--lr", type=_positive_float, default=1e-3, help="learning rate")
    sub.add_argument("--dtype", choices=("float32", "float64"), default="float32", help="weights")
    sub.add_argument(
        "--data", type=_data_source, default="digits", help="'digits' (784 features) or an .npz"
    )
    sub.add_argument(
        "--train-size", type=_int_at_least(1), help="use only the first N training rows"
    )
    sub.add_argument("--json", metavar="FILE", type=_output, help="also write the results as JSON")
    sub.add_argument(
        "--plot", metavar="FILE.png", type=_output, help="draw loss and accuracy curves"
    )


def _train_options(train: argparse.ArgumentParser) -> None:
    train.add_argument(
        "--init",
        type=_init_spec,
        default="he_normal",
        help="an initializer name, numpy:NAME, random_normal:STD, or lsuv (on the first batch)",
    )
    train.add_argument("--seed", type=_seed, default=0, help="seeds the weights and shuffling")
    train.add_argument(
        "--backend",
        choices=("c", "python"),
        help="winit_fast backend drawing the weights (default: the one in use)",
    )
    train.add_argument("--quiet", action="store_true", help="no progress bar")
    train.add_argument("--hidden", type=_ints(1), default="64", help="hidden sizes, e.g. 64,32")
    _training_options(train)


def _compare_options(compare: argparse.ArgumentParser) -> None:
    from winit_fast.reference.experiments import COMPARE_INITS

    compare.add_argument(
        "--inits", type=_init_specs, default=",".join(COMPARE_INITS), help="inits to compare"
    )
    compare.add_argument(
        "--seeds", type=_ints(0), default="0", help="one run per seed, e.g. 0,1,2,3,4"
    )
    compare.add_argument("--quiet", action="store_true", help="no progress bar")
    compare.add_argument("--hidden", type=_ints(1), default="64", help="hidden sizes, e.g. 64,32")
    _training_options(compare)


def _activations_options(activations: argparse.ArgumentParser) -> None:
    from winit_fast.reference.depth_study import DEPTH_SCHEMES
    from winit_fast.reference.experiments import ACTIVATION_INITS
    from winit_fast.reference.functions import ACTIVATIONS

    activations.add_argument(
        "--depth", type=_int_at_least(1), default=50, help="hidden layers (or residual blocks)"
    )
    activations.add_argument("--width", type=_int_at_least(1), default=256, help="units per layer")
    activations.add_argument(
        "--activation", choices=ACTIVATIONS, default="relu", help="hidden units"
    )
    activations.add_argument(
        "--batch-size", type=_int_at_least(1), default=256, help="rows of standard normal input"
    )
    activations.add_argument("--seed", type=_seed, default=0, help="seeds the weights and input")
    activations.add_argument(
        "--inits",
        type=_init_specs,
        help=f"inits to compare (default: {','.join(ACTIVATION_INITS)}; with --residual "
        f"{','.join(DEPTH_SCHEMES)})",
    )
    activations.add_argument(
        "--residual", action="store_true", help="residual blocks h + f(h) (--depth blocks)"
    )
    activations.add_argument(
        "--json", metavar="FILE", type=_output, help="also write the results as JSON"
    )
    activations.add_argument(
        "--plot", metavar="FILE.png", type=_output, help="draw the std per layer"
    )


def _depth_study_options(study: argparse.ArgumentParser) -> None:
    from winit_fast.reference.depth_study import DEPTH_SCHEMES

    study.add_argument(
        "--schemes", type=_init_specs, default=",".join(DEPTH_SCHEMES), help="schemes to train"
    )
    study.add_argument("--residual", action="store_true", help="residual blocks h + f(h)")
    study.add_argument(
        "--depth", type=_int_at_least(1), default=32, help="hidden layers (or residual blocks)"
    )
    study.add_argument("--width", type=_int_at_least(1), default=64, help="units per layer")
    study.add_argument("--seed", type=_seed, default=0, help="seeds the weights and shuffling")
    _training_options(study)
    study.set_defaults(epochs=3)


_REFERENCE_OPTIONS: dict[str, Callable[[argparse.ArgumentParser], None]] = {
    "train": _train_options,
    "compare-inits": _compare_options,
    "activations": _activations_options,
    "depth-study": _depth_study_options,
}


def _check_residual_schemes(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """Fixup and GPT-2 scale residual branches: without --residual they are a usage error."""
    specs = getattr(args, "inits", None) or getattr(args, "schemes", None) or []
    if isinstance(getattr(args, "init", None), str):
        specs = [*specs, args.init]
    branch_only = [s for s in specs if s in ("fixup", "gpt2")]
    if branch_only and not getattr(args, "residual", False):
        where = (
            "with --residual"
            if hasattr(args, "residual")
            else "in activations --residual or depth-study --residual"
        )
        parser.error(f"{branch_only[0]!r} scales residual branches: use it {where}")


# ---- the commands -----------------------------------------------------------------------


def run_bench_command(args: argparse.Namespace) -> int:
    from winit_fast.bench.command import bench_command

    return bench_command(args)


def run_raw_command(args: argparse.Namespace, out: Any = None) -> int:
    """Words x0, x1, ... of the stream as little-endian uint32, from offset 0, until --bytes."""
    from winit_fast._raw_stream import write_raw_stream

    if out is None and sys.stdout is None:
        raise CommandError("stdout is closed; send it to a pipe or a file")
    sink = out if out is not None else sys.stdout.buffer
    write_raw_stream(sink, seed=args.seed, stream=args.stream, n_bytes=args.bytes)
    return 0


def _check_matplotlib(parser: argparse.ArgumentParser) -> None:
    """A plot is drawn at the end of a run: say now, not after it, that it cannot be."""
    import importlib.util

    if importlib.util.find_spec("matplotlib") is None:
        parser.error("--plot and --save need matplotlib: pip install matplotlib")


def _command_of(argv: Sequence[str]) -> str | None:
    """The subcommand named in ``argv`` (the first word that is not an option)."""
    return next((word for word in argv if not word.startswith("-")), None)


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    """The arguments, with every check that can be made before the work starts (a usage
    error exits with status 2)."""
    parser = build_parser(_command_of(argv))
    args = parser.parse_args(argv)
    subparser = args.subparser
    if getattr(args, "plot", None) or getattr(args, "save", None):
        _check_matplotlib(subparser)
    _check_files(subparser, args)
    if args.command == "raw" and not args.force and sys.stdout is not None and sys.stdout.isatty():
        subparser.error(
            "refusing to write binary to a terminal: pipe it into a test battery "
            "(winit-fast raw --seed 1 | dieharder -a -g 200) or pass --force"
        )
    if args.command in REFERENCE_COMMANDS:
        _check_residual_schemes(subparser, args)
        _check_memory(subparser, args)
    return args


def _check_files(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """No output may be an input or another output (it would be overwritten)."""
    save = getattr(args, "save", None)
    outputs = [getattr(args, name, None) for name in ("json", "plot")]
    outputs += [f"{save}.{suffix}" for suffix in ("txt", "json", "png")] if save else []
    data = getattr(args, "data", None)
    clash = same_files([o for o in outputs if o], [data] if data not in (None, "digits") else [])
    if clash:
        parser.error(f"{clash[0]!r} is also {clash[1]!r}: write each output to its own file")


def _check_memory(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """A network that cannot fit in memory is a mistake found now, not minutes later."""
    widths = [784] if hasattr(args, "data") else []  # the digits' features (an .npz: later)
    widths += getattr(args, "hidden", None) or [args.width] * (args.depth + 1)
    weights = sum(a * b for a, b in itertools.pairwise(widths))
    signals = args.batch_size * sum(widths)
    need = 8 * (4 * weights + 4 * signals)  # float64 weights, gradients, two moments; traces
    memory = _physical_memory()
    if memory and need > memory:
        parser.error(
            f"a network of layers {_layers(widths)} with --batch-size {args.batch_size} needs "
            f"about {byte_size(need)}; this machine has {byte_size(memory)}: use smaller "
            "layers or batches"
        )


def _layers(widths: list[int]) -> str:
    return "x".join(map(str, widths)) if len(widths) <= 6 else f"{widths[0]}x...x{widths[-1]}"


def run(args: argparse.Namespace) -> int:
    """Run the parsed command."""
    if args.command == "bench":
        return run_bench_command(args)
    if args.command == "raw":
        return run_raw_command(args)
    if args.command == "seed-checkpoint":
        return _seed_checkpoint.run(args)
    if args.command in REFERENCE_COMMANDS:
        from winit_fast.reference import commands

        return int(getattr(commands, REFERENCE_COMMANDS[args.command][0])(args))
    if args.command == "config":
        import winit_fast

        winit_fast.show_config(print_out=True)
        return 0
    return 2  # unreachable: argparse requires a command


def main(argv: Sequence[str] | None = None) -> int:
    """The command line; a failure while running is one line on stderr and status 1."""
    args = parse_args(list(sys.argv[1:] if argv is None else argv))
    try:
        return run(args)
    except BrokenPipeError:
        # The reader left (``| head``, a battery that read enough): stop quietly. Point
        # stdout at devnull so that the final flush does not fail again (Python's advice).
        _silence_stdout()
        return 0 if args.command == "raw" and args.bytes is None else 1
    except (CommandError, OSError, MemoryError) as exc:
        message = str(exc) if isinstance(exc, CommandError) else describe(exc)
        print(f"winit-fast {args.command}: error: {message}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"winit-fast {args.command}: interrupted", file=sys.stderr)
        return 130


def _silence_stdout() -> None:
    if sys.stdout is None:
        return
    try:
        fd = sys.stdout.fileno()
    except (OSError, ValueError):  # not a real file (captured, closed)
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, fd)
    os.close(devnull)


if __name__ == "__main__":
    sys.exit(main())
