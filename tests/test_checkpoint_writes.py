"""Seed checkpoints are written as a database writes a file: an existing file survives every
failure (an exception, a SIGKILL, a full disk, a file-size limit) until the new one is whole,
nothing loadable is ever left half written, two writers never mix, and plans that cannot be
written are refused before the first byte with an error naming the tensor."""

from __future__ import annotations

import errno
import os
import signal
import subprocess
import sys
import textwrap

import pytest
from support import fill

from winit_fast import safetensors as wst
from winit_fast.safetensors import plan, save_init, write

st_numpy = pytest.importorskip("safetensors.numpy", reason="needs safetensors")
posix_only = pytest.mark.skipif(os.name != "posix", reason="needs POSIX (signals, flock)")

SPEC = {f"layers.{i}.weight": ((256, 256), "float32") for i in range(4)}  # 1 MiB of data
OPTIONS = {"scheme": "he_normal", "block_bytes": 1 << 14}


def loadable(path) -> bool:
    """Whether safetensors reads ``path`` as a checkpoint."""
    try:
        st_numpy.load_file(str(path))
    except Exception:  # safetensors' own SafetensorError, or an OSError
        return False
    return True


def reference(tmp_path, seed, spec=SPEC, name="reference"):
    """The bytes one writer gives for ``seed``, written in a folder of their own."""
    folder = tmp_path / name
    folder.mkdir(exist_ok=True)
    save_init(folder / f"{seed}.safetensors", spec, seed=seed, **OPTIONS)
    return (folder / f"{seed}.safetensors").read_bytes()


def old_file(folder):
    """A good checkpoint already at the path (seed 1), and its bytes."""
    path = folder / "model.safetensors"
    save_init(path, {"old.weight": ((8, 8), "float32")}, scheme="he_normal", seed=1)
    return path, path.read_bytes()


def others(folder, path):
    """Every file in ``folder`` but ``path``."""
    return sorted(p.name for p in folder.iterdir() if p.name != path.name)


WRITER = textwrap.dedent(
    """
    import sys, time
    from winit_fast.safetensors import save_init
    path, stop = sys.argv[1], sys.argv[5]
    seed, k, n = (int(word) for word in sys.argv[2:5])

    def progress(done, total):
        if stop == "stop" and done > total // 3:  # mid-file: say so, then wait to be killed
            print("mid-file", flush=True)
            time.sleep(600)
        if stop == "slow":
            time.sleep(0.002)  # interleave with a concurrent writer

    save_init(path, {spec!r}, seed=seed, part=(k, n), progress=progress, **{options!r})
    """
).format(spec=SPEC, options=OPTIONS)


def writer(path, seed, k=0, n=1, stop=""):
    return subprocess.Popen(
        [sys.executable, "-c", WRITER, str(path), str(seed), str(k), str(n), stop or "-"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def kill_mid_file(path, seed, k=0, n=1):
    child = writer(path, seed, k, n, stop="stop")
    assert child.stdout.readline() == b"mid-file\n", child.stderr.read().decode()
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=30)
    assert child.returncode == -signal.SIGKILL


@posix_only
@pytest.mark.parametrize("n", [1, 2], ids=["one writer", "part 0 of 2"])
def test_sigkill_mid_file_keeps_the_old_file_and_leaves_nothing_loadable(tmp_path, n):
    path, old = old_file(tmp_path)
    kill_mid_file(path, seed=7, k=0, n=n)
    assert path.read_bytes() == old
    left = others(tmp_path, path)
    assert len(left) == 1 and left[0].startswith(".model.safetensors.")  # hidden, not PATH
    assert left[0].endswith(".tmp" if n == 1 else ".partial")
    assert not loadable(tmp_path / left[0])  # its header is written last


@posix_only
def test_a_killed_part_is_run_again_and_the_file_completes(tmp_path):
    path, old = old_file(tmp_path)
    kill_mid_file(path, seed=7, k=1, n=2)
    assert write(plan(path, SPEC, seed=7, part=(0, 2), **OPTIONS)) is False  # 1 is not done
    assert path.read_bytes() == old  # part 1 has not finished: the old file stays
    rerun = writer(path, 7, 1, 2)
    assert rerun.wait(timeout=120) == 0, rerun.stderr.read().decode()
    assert path.read_bytes() == reference(tmp_path, 7)
    assert others(tmp_path, path) == ["reference"]  # the staging file is gone


def test_parts_keep_the_old_file_until_the_last_one_finishes(tmp_path):
    path, old = old_file(tmp_path)
    checked = [plan(path, SPEC, seed=3, part=(k, 3), **OPTIONS) for k in range(3)]
    assert [write(checked[k]) for k in (2, 0)] == [False, False]
    assert path.read_bytes() == old
    staging = tmp_path / os.path.basename(checked[0].staging)
    assert staging.exists() and not loadable(staging)
    assert write(checked[1]) is True  # the last one puts the whole file in place
    assert path.read_bytes() == reference(tmp_path, 3)
    assert not staging.exists()


def test_an_exception_in_a_part_keeps_the_old_file(tmp_path):
    path, old = old_file(tmp_path)

    def fail(done, total):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        save_init(path, SPEC, seed=3, part=(0, 2), progress=fail, **OPTIONS)
    save_init(path, SPEC, seed=3, part=(1, 2), **OPTIONS)
    assert path.read_bytes() == old  # part 0 never reported: no file is put in place
    assert not any(loadable(tmp_path / name) for name in others(tmp_path, path))


@posix_only
def test_two_writers_to_one_path_never_mix(tmp_path):
    """Each builds its own file; the later rename wins, whole."""
    path = tmp_path / "model.safetensors"
    children = [writer(path, seed, stop="slow") for seed in (11, 12)]
    for child in children:
        assert child.wait(timeout=120) == 0, child.stderr.read().decode()
    assert path.read_bytes() in (reference(tmp_path, 11), reference(tmp_path, 12))
    assert others(tmp_path, path) == ["reference"]


@posix_only
def test_two_plans_written_in_parts_to_one_path_never_mix(tmp_path):
    """Different plans stage in different files: whichever finishes last wins, whole."""
    path = tmp_path / "model.safetensors"
    children = [writer(path, seed, k, 2, stop="slow") for seed in (21, 22) for k in (0, 1)]
    for child in children:
        assert child.wait(timeout=120) == 0, child.stderr.read().decode()
    assert path.read_bytes() in (reference(tmp_path, 21), reference(tmp_path, 22))
    assert others(tmp_path, path) == ["reference"]


def test_a_symlink_at_the_path_is_replaced_not_followed(tmp_path):
    victim = tmp_path / "victim"
    victim.write_bytes(b"keep me")
    path = tmp_path / "model.safetensors"
    path.symlink_to(victim)
    save_init(path, SPEC, seed=3, **OPTIONS)
    assert victim.read_bytes() == b"keep me"
    assert not path.is_symlink() and path.read_bytes() == reference(tmp_path, 3)


@posix_only
def test_a_symlink_planted_at_the_staging_name_is_not_followed(tmp_path):
    victim = tmp_path / "victim"
    victim.write_bytes(b"keep me")
    path = tmp_path / "model.safetensors"
    checked = plan(path, SPEC, seed=3, part=(0, 2), **OPTIONS)
    os.symlink(victim, checked.staging)
    with pytest.raises(OSError) as error:
        write(checked)
    assert error.value.errno == errno.ELOOP
    assert victim.read_bytes() == b"keep me" and not path.exists()


# ---- plans that cannot be written are refused before the first byte -----------------------


@pytest.mark.parametrize(
    ("shape", "error", "match"),
    [
        ((2**60,), OSError, r"it is full at params\['big.weight'\]"),
        ((2**44,), OSError, r"it is full at params\['big.weight'\]"),
        ((10**30, 2), ValueError, r"params\['big.weight'\].*past 2\*\*63 bytes"),
        ((2**40, 2**40), ValueError, r"params\['big.weight'\].*past 2\*\*63 bytes"),
    ],
)
def test_sizes_no_disk_can_take_are_refused_naming_the_tensor(tmp_path, shape, error, match):
    spec = {"small.weight": ((4, 4), "float32"), "big.weight": (shape, "float32")}
    with pytest.raises(error, match=match):
        save_init(tmp_path / "x.safetensors", spec, scheme="he_normal", seed=0)
    assert list(tmp_path.iterdir()) == []


def test_a_header_over_the_safetensors_limit_is_refused(tmp_path):
    too_long = {"note": "x" * wst.HEADER_LIMIT}
    with pytest.raises(ValueError, match=r"over safetensors' limit .*'__metadata__'"):
        save_init(tmp_path / "x.safetensors", SPEC, seed=0, metadata=too_long, **OPTIONS)
    assert list(tmp_path.iterdir()) == []


def test_a_lone_surrogate_in_a_name_is_a_value_error(tmp_path):
    with pytest.raises(ValueError, match="params names must be UTF-8 text"):
        save_init(tmp_path / "x", {"w\ud800": ((2, 2), "float32")}, scheme="he_normal", seed=0)


@pytest.mark.parametrize(
    ("name", "error", "match"),
    [
        ("", ValueError, "path must name a file"),
        ("missing/x.safetensors", FileNotFoundError, "folder .* does not exist"),
        (".", IsADirectoryError, "is a folder"),
    ],
)
def test_path_mistakes_are_named(tmp_path, monkeypatch, name, error, match):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(error, match=match):
        save_init(name, SPEC, seed=0, **OPTIONS)
    assert list(tmp_path.iterdir()) == []


# ---- a full disk, a file-size limit -------------------------------------------------------


def test_a_plan_bigger_than_the_free_space_is_refused(small_disk):
    path, old = old_file(small_disk)
    spec = {**SPEC, "layers.9.weight": ((512, 512), "float32")}  # 2 MiB in all
    with pytest.raises(OSError, match=r"has free .*it is full at params\['layers.9.weight'\]"):
        save_init(path, spec, seed=0, **OPTIONS)
    assert path.read_bytes() == old and others(small_disk, path) == []


@pytest.mark.parametrize("part", [None, (0, 1), (1, 2)])
def test_a_disk_that_fills_during_the_write_loses_nothing(small_disk, part):
    path, old = old_file(small_disk)
    checked = plan(path, SPEC, seed=0, part=part, **OPTIONS)  # fits now...
    fill(small_disk, leave=1 << 18)  # ...but not once another file takes the space
    with pytest.raises(OSError) as error:
        write(checked)
    assert error.value.errno == errno.ENOSPC
    assert path.read_bytes() == old
    (small_disk / "filler").unlink()  # (safetensors maps files: no page of a full tmpfs)
    left = others(small_disk, path)
    assert left == ([] if checked.staging is None else [os.path.basename(checked.staging)])
    assert not any(loadable(small_disk / name) for name in left)


@posix_only
def test_a_file_size_limit_is_refused_or_loses_nothing(tmp_path):
    """``ulimit -f``: a plan over it is refused; a limit set after the plan stops the write
    (EFBIG) and the old file stays. In a child, whose limit does not touch pytest."""
    path, old = old_file(tmp_path)
    code = textwrap.dedent(
        f"""
        import errno, resource
        from winit_fast.safetensors import plan, write
        checked = plan({str(path)!r}, {SPEC!r}, seed=0, **{OPTIONS!r})
        resource.setrlimit(resource.RLIMIT_FSIZE, (1 << 19, resource.RLIM_INFINITY))
        try:
            write(checked)
        except OSError as error:
            print("write:", errno.errorcode[error.errno])
        try:
            plan({str(path)!r}, {SPEC!r}, seed=0, **{OPTIONS!r})
        except OSError as error:
            print("plan:", errno.errorcode[error.errno], error.strerror)
        """
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "write: EFBIG"
    assert lines[1].startswith("plan: EFBIG") and "ulimit -f" in lines[1]
    assert "params['layers.1.weight']" in lines[1]  # 512 KiB fit: the second tensor does not
    assert path.read_bytes() == old and others(tmp_path, path) == []
