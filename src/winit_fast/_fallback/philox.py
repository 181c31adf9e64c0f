"""Philox4x32-10 over arrays of counters: the mirror of ``csrc/wf_philox.h``."""

from __future__ import annotations

import numpy as np

M0 = np.uint64(0xD2511F53)
M1 = np.uint64(0xCD9E8D57)
W0 = 0x9E3779B9
W1 = 0xBB67AE85
ROUNDS = 10
MASK32 = 0xFFFFFFFF
# Blocks evaluated per step by the fills: bounds the temporaries to a few tens of MB.
STEP_BLOCKS = 1 << 18


def philox4x32_10(
    c0: np.ndarray, c1: np.ndarray, c2: np.ndarray, c3: np.ndarray, k0: int, k1: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The four output words for counters ``(c0, c1, c2, c3)`` (uint32 arrays) and key."""
    for _ in range(ROUNDS):
        p0 = c0.astype(np.uint64) * M0
        p1 = c2.astype(np.uint64) * M1
        hi0, lo0 = (p0 >> np.uint64(32)).astype(np.uint32), p0.astype(np.uint32)
        hi1, lo1 = (p1 >> np.uint64(32)).astype(np.uint32), p1.astype(np.uint32)
        c0, c1, c2, c3 = hi1 ^ c1 ^ np.uint32(k0), lo1, hi0 ^ c3 ^ np.uint32(k1), lo0
        k0 = (k0 + W0) & MASK32
        k1 = (k1 + W1) & MASK32
    return c0, c1, c2, c3


def block_words(
    seed: int, stream: int, first_block: int, n_blocks: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Words x0..x3 of blocks ``first_block .. first_block + n_blocks - 1`` (mod 2**64)."""
    blocks = np.arange(n_blocks, dtype=np.uint64) + np.uint64(first_block)
    c0 = (blocks & np.uint64(MASK32)).astype(np.uint32)
    c1 = (blocks >> np.uint64(32)).astype(np.uint32)
    c2 = np.full(n_blocks, stream & MASK32, dtype=np.uint32)
    c3 = np.full(n_blocks, stream >> 32, dtype=np.uint32)
    return philox4x32_10(c0, c1, c2, c3, seed & MASK32, seed >> 32)
