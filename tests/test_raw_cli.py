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
    assert child.wait(timeout=30) == 0  # an endless stream ends when its reader leaves
    assert len(head) == 1 << 16
    assert child.stderr.read() == b""


def test_raw_rejects_a_bad_seed(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["raw", "--seed", "-1", "--bytes", "4"])
    assert exit_info.value.code == 2 and "--seed" in capsys.readouterr().err


def run_raw(*argv, **options):
    return subprocess.run(
        [sys.executable, "-m", "winit_fast", "raw", "--seed", "1", *argv], **options
    )


needs_posix = pytest.mark.skipif(sys.platform == "win32", reason="needs POSIX (pty, /dev/full)")


@needs_posix
@pytest.mark.parametrize("force", [False, True])
def test_raw_refuses_a_terminal_unless_forced(force):
    import os
    import pty

    leader, follower = pty.openpty()
    try:
        result = run_raw(
            "--bytes",
            "64",
            *(["--force"] if force else []),
            stdout=follower,
            stderr=subprocess.PIPE,
        )
        written = os.read(leader, 4096) if force else b""
    finally:
        os.close(follower)
        os.close(leader)
    if force:
        assert result.returncode == 0 and len(written) >= 64  # (the tty may expand bytes)
    else:
        assert result.returncode == 2
        err = result.stderr.decode()
        assert "refusing to write binary to a terminal" in err and "--force" in err
        assert "Traceback" not in err


@needs_posix
def test_raw_to_a_full_device_is_one_line():
    with open("/dev/full", "wb") as full:
        result = run_raw("--bytes", "4096", stdout=full, stderr=subprocess.PIPE)
    err = result.stderr.decode()
    assert result.returncode == 1 and err.count("\n") == 1, err
    assert err.startswith("winit-fast raw: error: No space left on device")


@needs_posix
def test_raw_with_stdout_closed_is_one_line():
    result = subprocess.run(
        f"{sys.executable} -m winit_fast raw --seed 1 --bytes 64 >&-",
        shell=True,
        stderr=subprocess.PIPE,
    )
    err = result.stderr.decode()
    assert result.returncode == 1 and err.count("\n") == 1, err
    assert "stdout is closed" in err


def test_raw_bytes_cut_short_by_the_reader_exit_quietly_with_status_1():
    child = subprocess.Popen(
        [sys.executable, "-m", "winit_fast", "raw", "--seed", "1", "--bytes", str(1 << 30)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    child.stdout.read(1 << 16)
    child.stdout.close()
    assert child.wait(timeout=60) == 1  # the bytes asked for were not all delivered
    assert child.stderr.read() == b""
