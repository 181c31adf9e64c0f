"""Guarantee 1: Philox4x32-10 reproduces the Random123 known-answer vectors."""

from __future__ import annotations

import os
import shutil
import subprocess

import numpy as np
import pytest
from support import TESTS, read_kat

import winit_fast as wf

KAT = read_kat()


def test_kat_file_has_vectors():
    assert len(KAT) >= 16


@pytest.mark.parametrize(("counter", "key", "expected"), KAT)
def test_philox4x32_public(counter, key, expected):
    out = wf.philox4x32(np.array(counter, np.uint32), np.array(key, np.uint32))
    assert out.dtype == np.uint32
    assert out.tolist() == expected


def test_philox4x32_each_backend(backend):
    counters = np.array([c for c, _, _ in KAT], np.uint32)
    for i, (_, key, expected) in enumerate(KAT):
        assert backend.philox4x32(counters[i : i + 1], key[0], key[1])[0].tolist() == expected


def test_philox4x32_batched_shape():
    counters = np.array([[c for c, _, _ in KAT[:4]]] * 3, np.uint32)  # shape (3, 4, 4)
    out = wf.philox4x32(counters, np.zeros(2, np.uint32))
    assert out.shape == (3, 4, 4)
    assert out[0, 0].tolist() == KAT[0][2]


@pytest.mark.parametrize(("counter", "key", "expected"), KAT)
def test_random_raw_reaches_every_counter(counter, key, expected):
    seed = key[0] | key[1] << 32
    block = counter[0] | counter[1] << 32
    stream = counter[2] | counter[3] << 32
    words = wf.random_raw(4, seed=seed, stream=stream, offset=4 * block)
    assert words.tolist() == expected
    # one word at a time from the middle of the block
    assert wf.random_raw(1, seed=seed, stream=stream, offset=4 * block + 2)[0] == expected[2]


@pytest.mark.skipif(shutil.which(os.environ.get("CC", "cc")) is None, reason="needs a C compiler")
def test_c_only_kat_program(tmp_path):
    """The C core checks the vectors on its own, without Python (csrc/tests/test_kat.c)."""
    root = TESTS.parent
    exe = tmp_path / "test_kat"
    cc = os.environ.get("CC", "cc")
    subprocess.run(
        [
            cc,
            "-std=c11",
            "-O2",
            "-Wall",
            "-Wextra",
            "-Wconversion",
            "-Werror",
            "-ffp-contract=off",
            "-o",
            exe,
            root / "csrc/tests/test_kat.c",
            root / "csrc/wf_info.c",
            root / "csrc/wf_parallel.c",
        ],
        check=True,
    )
    result = subprocess.run([exe, TESTS / "philox4x32_10_kat.txt"], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"{len(KAT)} passed, 0 failed" in result.stdout
