"""``winit-fast seed-checkpoint SPEC OUT``: a streamed seed checkpoint from a JSON/TOML spec.

The spec maps each parameter name to its shape, or to ``{"shape": [...], "dtype": "..."}``::

    {"embed.weight": [50304, 4096],
     "layers.0.attn.qkv.weight": {"shape": [12288, 4096], "dtype": "bfloat16"},
     "layers.0.norm.weight": [4096]}

or, in TOML (names with dots are quoted keys)::

    "embed.weight" = [50304, 4096]
    "layers.0.norm.weight" = { shape = [4096], dtype = "float32" }

The file is written by :func:`winit_fast.safetensors.save_init`; a bad spec is a usage error
(exit status 2, one line naming the entry) and nothing is written.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from winit_fast import _schemes

PROG = "winit-fast seed-checkpoint"


class SpecError(ValueError):
    """A spec that cannot be read or does not describe tensors."""


HELP = "write a safetensors seed checkpoint block by block from a JSON/TOML spec"


def add_options(sub: argparse.ArgumentParser) -> None:
    """The options of the ``seed-checkpoint`` subcommand, for ``cli.build_parser``."""
    sub.add_argument("spec", help="JSON or TOML file: name -> shape or {shape, dtype}")
    sub.add_argument("out", help="the .safetensors file to write")
    sub.add_argument(
        "--scheme",
        default="he_normal",
        choices=tuple(_schemes.SCHEME_FUNCTIONS),
        metavar="SCHEME",
        help=f"init_module's scheme for the weights: {', '.join(_schemes.SCHEME_FUNCTIONS)}",
    )
    sub.add_argument("--seed", type=int, required=True, help="0 <= seed < 2**64")
    sub.add_argument("--dtype", default="float32", help="dtype of entries that give none")
    sub.add_argument("--bias", type=float, default=0.0, help="value of the biases")
    sub.add_argument("--norm", type=float, default=1.0, help="value of the norm scales")
    sub.add_argument("--block-mb", type=float, default=64.0, help="largest block, in MiB")
    sub.add_argument(
        "--part", default=None, metavar="K/N", help="write only process K's share of N"
    )
    sub.add_argument("--quiet", action="store_true", help="no progress bar")


def run(args: argparse.Namespace) -> int:
    """Validate everything, then write; a usage error is one line on stderr and status 2."""
    from winit_fast import safetensors as wst
    from winit_fast.reference.progress import progress_bar

    try:
        spec = read_spec(args.spec, args.dtype)
        part = _part(args.part)
        if not args.block_mb > 0:
            raise SpecError(f"--block-mb must be > 0, got {args.block_mb}")
        checked = wst.plan(
            args.out,
            spec,
            scheme=args.scheme,
            seed=args.seed,
            bias=args.bias,
            norm=args.norm,
            block_bytes=max(1, int(args.block_mb * (1 << 20))),
            part=part,
        )
    except (SpecError, TypeError, ValueError, OverflowError) as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return 2
    with progress_bar(enabled=not args.quiet) as update:
        label = args.out if part is None else f"{args.out} (part {part[0]}/{part[1]})"
        wst.write(checked, progress=lambda done, total: update(label, done, total))
    size = checked.file_bytes
    print(f"wrote {args.out}: {len(checked.tensors)} tensors, {size:,} bytes", file=sys.stderr)
    return 0


def read_spec(path: str, default_dtype: str) -> dict[str, tuple[Any, Any]]:
    """``name -> (shape, dtype)`` from a JSON or TOML file (TOML by the ``.toml`` suffix)."""
    try:
        with open(path, "rb") as handle:
            raw = handle.read()
    except OSError as exc:
        raise SpecError(f"cannot read spec {path}: {exc.strerror}") from None
    try:
        data = _parse_toml(raw) if path.endswith(".toml") else json.loads(raw)
    except ValueError as exc:  # json.JSONDecodeError and tomllib.TOMLDecodeError
        raise SpecError(f"spec {path} is not valid {_kind(path)}: {exc}") from None
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
            spec[name] = (entry["shape"], entry.get("dtype", default_dtype))
        elif isinstance(entry, list):
            spec[name] = (entry, default_dtype)
        else:
            raise SpecError(f"spec entry {name!r} must be a shape (a list of ints), got {entry!r}")
    return spec


def _kind(path: str) -> str:
    return "TOML" if path.endswith(".toml") else "JSON"


def _parse_toml(raw: bytes) -> Any:
    try:
        import tomllib
    except ImportError:  # Python 3.10
        try:
            import tomli as tomllib
        except ImportError:
            raise SpecError("TOML specs need Python >= 3.11 or the package tomli") from None
    return tomllib.loads(raw.decode())


def _part(text: str | None) -> tuple[int, int] | None:
    if text is None:
        return None
    try:
        k, n = (int(x) for x in text.split("/"))
    except ValueError:
        raise SpecError(f"--part must be K/N (process K of N), got {text!r}") from None
    return k, n
