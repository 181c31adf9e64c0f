"""winit-fast raw: the stream for external batteries."""

from __future__ import annotations

import io
import subprocess
import sys

import numpy as np
import pytest

import winit_fast as wf
from winit_fast._raw_stream import write_raw_stream
from winit_fast.cli import main


def test_raw_bytes_are_the_words_in_order():
    sink = io.BytesIO()
    assert write_raw_stream(sink, seed=7, stream="x", n_bytes=4 * 3000 + 2) == 12002
    data = sink.getvalue()
    words = np.frombuffer(data[:12000], dtype="<u4")
    assert np.array_equal(words, wf.random_raw(3000, seed=7, stream="x"))
    assert data[12000:] == wf.random_raw(3001, seed=7, stream="x")[-1:].astype("<u4").tobytes()[:2]


def test_raw_command_line_writes_stdout():
    result = subprocess.run(
        [sys.executable, "-m", "winit_fast", "raw", "--seed", "3", "--bytes", "64"],
        capture_output=True,
        check=True,
    )
    assert np.array_equal(np.frombuffer(result.stdout, "<u4"), wf.random_raw(16, seed=3))


def test_raw_endless_stream_stops_quietly_when_the_reader_leaves():
    child = subprocess.Popen(
        [sys.executable, "-m", "winit_fast", "raw", "--seed", "1"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    head = child.stdout.read(1 << 16)
    child.stdout.close()
    child.wait(timeout=30)
    assert len(head) == 1 << 16
    assert b"Traceback" not in child.stderr.read()


def test_raw_rejects_a_bad_seed(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["raw", "--seed", "-1", "--bytes", "4"])
    assert exit_info.value.code == 2 and "--seed" in capsys.readouterr().err
