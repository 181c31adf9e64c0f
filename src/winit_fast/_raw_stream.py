"""The raw Philox stream as bytes, for external test batteries (dieharder, PractRand)."""

from __future__ import annotations

from typing import Any, BinaryIO

from winit_fast._distributions import random_raw

WORDS_PER_WRITE = 1 << 20  # 4 MiB per write


def write_raw_stream(
    sink: BinaryIO, *, seed: int, stream: Any = 0, n_bytes: int | None = None
) -> int:
    """Writes words 0, 1, 2, ... of ``(seed, stream)`` as little-endian uint32 to ``sink``;
    ``n_bytes=None`` writes until the reader closes the pipe. Returns the bytes written."""
    if n_bytes is not None and n_bytes < 0:
        raise ValueError(f"n_bytes must be >= 0, got {n_bytes}")
    written, offset = 0, 0
    while n_bytes is None or written < n_bytes:
        words = random_raw(WORDS_PER_WRITE, seed=seed, stream=stream, offset=offset)
        chunk = words.astype("<u4", copy=False).tobytes()
        if n_bytes is not None:
            chunk = chunk[: n_bytes - written]
        sink.write(chunk)
        written += len(chunk)
        offset += WORDS_PER_WRITE
    sink.flush()
    return written


__all__ = ["write_raw_stream"]
