"""``winit-fast seed-checkpoint SPEC OUT``: a streamed seed checkpoint from a JSON/TOML spec.

The spec maps each parameter name to its shape, or to ``{"shape": [...], "dtype": "..."}``::

    {"embed.weight": [50304, 4096],
     "layers.0.attn.qkv.weight": {"shape": [12288, 4096], "dtype": "bfloat16"},
     "layers.0.norm.weight": [4096]}

or, in TOML (names with dots are quoted keys)::

    "embed.weight" = [50304, 4096]
    "layers.0.norm.weight" = { shape = [4096], dtype = "float32" }

The file is written by :func:`winit_fast.safetensors.save_init`. A bad spec or option is a
usage error (exit status 2, one line naming the entry) and nothing is written; a failure while
writing (a full disk) is one line with exit status 1, and the file at OUT is as it was.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from winit_fast import _schemes
from winit_fast._cli_support import CommandError, describe, output_file, same_files, seed

PROG = "winit-fast seed-checkpoint"
SPEC_LIMIT = 64 << 20  # a spec is names and shapes: more than this is not a spec


class SpecError(ValueError):
    """A spec that cannot be read or does not describe tensors."""


HELP = "write a safetensors seed checkpoint block by block from a JSON/TOML spec"


def part(text: str) -> tuple[int, int]:
    """``K/N``: process K of N, K counting from 0."""
    try:
        k, n = (int(x) for x in text.split("/"))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected K/N, process K of N with K counting from 0 (e.g. 0/4), got {text!r}"
        ) from None
    if not 0 <= k < n:
        raise argparse.ArgumentTypeError(
            f"K/N needs 0 <= K < N (K counts from 0: 0/{max(n, 1)} is the first part), got {text!r}"
        )
    return k, n


def block_mib(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of MiB, got {text!r}") from None
    if not 0 < value < 1 << 40:  # also refuses nan and inf
        raise argparse.ArgumentTypeError(f"expected a number of MiB > 0, got {text!r}")
    return value


def add_options(sub: argparse.ArgumentParser) -> None:
    """The options of the ``seed-checkpoint`` subcommand, for ``cli.build_parser``."""
    sub.add_argument("spec", help="JSON or TOML file: name -> shape or {shape, dtype}")
    sub.add_argument("out", type=output_file, help="the .safetensors file to write")
    sub.add_argument(
        "--scheme",
        default="he_normal",
        choices=tuple(_schemes.SCHEME_FUNCTIONS),
        metavar="SCHEME",
        help=f"init_module's scheme for the weights: {', '.join(_schemes.SCHEME_FUNCTIONS)}",
    )
    sub.add_argument("--seed", type=seed, required=True, help="0 <= seed < 2**64 (also 0x...)")
    sub.add_argument("--dtype", default="float32", help="dtype of entries that give none")
    sub.add_argument("--bias", type=float, default=0.0, help="value of the biases")
    sub.add_argument("--norm", type=float, default=1.0, help="value of the norm scales")
    sub.add_argument("--block-mb", type=block_mib, default=64.0, help="largest block, in MiB")
    sub.add_argument(
        "--part",
        type=part,
        default=None,
        metavar="K/N",
        help="write only process K's share of N (K counts from 0); the file appears when "
        "every part has finished",
    )
    sub.add_argument("--quiet", action="store_true", help="no progress bar")


def run(args: argparse.Namespace) -> int:
    """Validate everything, then write; a usage error is one line on stderr and status 2."""
    from winit_fast import safetensors as wst
    from winit_fast.reference.progress import progress_bar

    try:
        if same_files([args.out], [args.spec]):
            raise SpecError(f"OUT {args.out!r} is the spec itself; write the checkpoint elsewhere")
        spec = read_spec(args.spec, args.dtype)
        checked = wst.plan(
            args.out,
            spec,
            scheme=args.scheme,
            seed=args.seed,
            bias=args.bias,
            norm=args.norm,
            block_bytes=max(1, int(args.block_mb * (1 << 20))),
            part=args.part,
        )
    except (SpecError, TypeError, ValueError) as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return 2
    except (OSError, NotImplementedError) as exc:  # the disk cannot take it: not a usage error
        raise CommandError(describe(exc)) from None
    label = args.out if args.part is None else f"{args.out} (part {args.part[0]}/{args.part[1]})"
    try:
        with progress_bar(enabled=not args.quiet, unit="bytes") as update:
            complete = wst.write(checked, progress=lambda done, total: update(label, done, total))
    except (OSError, MemoryError) as exc:
        raise CommandError(f"writing {args.out} failed: {describe(exc)}; {_kept(args)}") from None
    size = checked.file_bytes
    if complete:
        print(f"wrote {args.out}: {len(checked.tensors)} tensors, {size:,} bytes", file=sys.stderr)
    else:
        k, n = args.part
        print(
            f"wrote part {k}/{n} of {args.out}; it appears when every part has finished",
            file=sys.stderr,
        )
    return 0


def _kept(args: argparse.Namespace) -> str:
    if args.part is None:
        return f"{args.out} is as it was"
    return f"{args.out} is as it was; run this part again to finish it"


def read_spec(path: str, default_dtype: str) -> dict[str, tuple[Any, Any]]:
    """``name -> (shape, dtype)`` from a JSON or TOML file (TOML by the ``.toml`` suffix)."""
    try:
        with open(path, "rb") as handle:
            raw = handle.read(SPEC_LIMIT + 1)
    except OSError as exc:
        raise SpecError(f"cannot read spec {path}: {exc.strerror}") from None
    if len(raw) > SPEC_LIMIT:
        raise SpecError(f"spec {path} is over {SPEC_LIMIT >> 20} MiB; it is not a spec")
    try:
        data = _parse_toml(raw) if path.endswith(".toml") else _parse_json(raw)
    except SpecError:
        raise
    except (ValueError, RecursionError) as exc:  # JSONDecodeError, TOMLDecodeError, nesting
        reason = "nested too deeply" if isinstance(exc, RecursionError) else str(exc)
        raise SpecError(f"spec {path} is not valid {_kind(path)}: {reason}") from None
    if not isinstance(data, dict) or not data:
        raise SpecError(f"spec {path} must be a non-empty table of name -> shape")
    spec = {}
    for name, entry in data.items():
        if isinstance(entry, dict):
            unknown = set(entry) - {"shape", "dtype"}
            if "shape" not in entry or unknown:
                raise SpecError(
                    f"spec entry {name!r} must be a shape or {{shape, dtype}}, got {entry!r}"
                )
            dtype = entry.get("dtype", default_dtype)
            if not isinstance(dtype, str):
                raise SpecError(f"spec entry {name!r}: dtype must be a name, got {dtype!r}")
            spec[name] = (entry["shape"], dtype)
        elif isinstance(entry, list):
            spec[name] = (entry, default_dtype)
        else:
            raise SpecError(f"spec entry {name!r} must be a shape (a list of ints), got {entry!r}")
    return spec


def _kind(path: str) -> str:
    return "TOML" if path.endswith(".toml") else "JSON"


def _parse_json(raw: bytes) -> Any:
    return json.loads(raw, object_pairs_hook=_no_duplicates)


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A JSON object, refusing a name given twice (json keeps the last one silently)."""
    table: dict[str, Any] = {}
    for key, value in pairs:
        if key in table:
            raise SpecError(f"spec names {key!r} twice")
        table[key] = value
    return table


def _parse_toml(raw: bytes) -> Any:
    try:
        import tomllib
    except ImportError:  # Python 3.10
        try:
            import tomli as tomllib
        except ImportError:
            raise SpecError("TOML specs need Python >= 3.11 or the package tomli") from None
    return tomllib.loads(raw.decode())
