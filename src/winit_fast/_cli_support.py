"""What the commands of ``winit-fast`` share: argument types and how a failure is reported.

A mistake in the arguments is a usage error (one line, exit status 2), found by argparse
through the types below (each raises ``ArgumentTypeError``) before any work starts. A failure
while the work runs (a full disk, too little memory, a data file that is not what it says) is
a :class:`CommandError` or an ``OSError``/``MemoryError``, which ``cli.main`` prints as one
line with exit status 1. Neither shows a traceback.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Iterable

__all__ = ["SEED_LIMIT", "CommandError", "describe", "output_file", "same_files", "seed"]

SEED_LIMIT = 1 << 64


class CommandError(Exception):
    """A failure while a command runs, with a message that says what to do."""


def seed(text: str) -> int:
    """A seed as every command takes it: decimal, ``0x``, ``0o`` or ``0b``, in ``[0, 2**64)``."""
    try:
        value = int(text, 0)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected an int (e.g. 42 or 0x2a), got {text!r}"
        ) from None
    if not 0 <= value < SEED_LIMIT:
        raise argparse.ArgumentTypeError(f"expected 0 <= seed < 2**64, got {value}")
    return value


def output_file(text: str) -> str:
    """A file to write (at the end of a run too): checked now, not after the run."""
    if not text:
        raise argparse.ArgumentTypeError("expected a file name, got ''")
    try:
        os.fsencode(text)
    except UnicodeError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a valid file name") from None
    if "\0" in text:
        raise argparse.ArgumentTypeError(f"{text!r} is not a valid file name (a NUL byte)")
    folder = os.path.dirname(os.path.abspath(text))
    if not os.path.isdir(folder):
        raise argparse.ArgumentTypeError(f"folder {folder!r} does not exist")
    if os.path.isdir(text) or text.endswith(("/", os.sep)):
        raise argparse.ArgumentTypeError(f"{text!r} is a folder; name a file in it")
    if not os.access(folder, os.W_OK) or (os.path.exists(text) and not os.access(text, os.W_OK)):
        raise argparse.ArgumentTypeError(f"cannot write {text!r}: permission denied")
    return text


def same_files(outputs: Iterable[str], inputs: Iterable[str]) -> tuple[str, str] | None:
    """The first output that is also an input or another output (the same file, through
    any path or link), as ``(output, other)``; None if there is none."""
    seen: dict[str, str] = {}
    for name in inputs:
        if os.path.exists(name):
            seen.setdefault(os.path.realpath(name), name)
    for name in outputs:
        real = os.path.realpath(name)
        if real in seen:
            return name, seen[real]
        seen[real] = name
    return None


def describe(error: BaseException) -> str:
    """One line for an ``OSError`` or ``MemoryError`` that ended a command."""
    if isinstance(error, MemoryError):
        detail = str(error) or "out of memory"
        return f"not enough memory: {detail}; try smaller sizes"
    if isinstance(error, OSError) and error.strerror:
        name = error.filename
        where = f" ({name})" if name and str(name) not in error.strerror else ""
        return f"{error.strerror}{where}"
    return str(error)
