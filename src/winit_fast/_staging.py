"""How a seed checkpoint reaches its path: as a database writes a file.

A file is built under another name in the target's folder and renamed onto the target in one
step (``os.replace``) only when it is whole and on disk (data and folder fsync'd). Until then
an existing file at the target is untouched, and the file being built is never loadable: its
first 8 bytes (the safetensors header length) stay zero until the last step writes the header.
A failure or an interrupt removes what was built; a ``SIGKILL`` can leave it behind under its
hidden name, where nothing reads it.

One process (:func:`replace_atomically`) builds a uniquely named ``.NAME.<random>.tmp``,
created exclusively (``O_EXCL``, so a symlink or another writer's file there is never
followed or shared). Two such writers each build their own file; the later rename wins, whole.

``n`` processes that fill one file together (:func:`fill_shared`) share one staging file,
``.NAME.<plan hash>.partial``: the same name in every process of one plan and a different one
for any other plan, so two plans never mix. The staging file holds ``n`` extra bytes past the
data, one flag per process, set after that process's data is fsync'd. Under an exclusive
``flock`` of the staging file, a process sets its flag and reads the others; the one that
sees every flag set writes the header, cuts the flags off and renames the file into place.
A process that crashed can be run again (its blocks are the same bytes); a crash of the one
that finishes is finished by any process of the plan run again.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import shutil
from collections.abc import Iterator
from typing import IO, Any

try:
    import fcntl
except ImportError:  # Windows: no flock, so no shared staging file
    fcntl = None  # type: ignore[assignment]

try:
    import resource
except ImportError:  # Windows: no file-size limit to read
    resource = None  # type: ignore[assignment]

__all__ = [
    "HAS_FILE_LOCKS",
    "Sink",
    "atomic_output",
    "fill_shared",
    "replace_atomically",
    "room",
    "staging_path",
]

HAS_FILE_LOCKS = fcntl is not None
_CREATE = (
    os.O_RDWR
    | os.O_CREAT
    | getattr(os, "O_NOFOLLOW", 0)  # never write through a symlink planted at the name
    | getattr(os, "O_CLOEXEC", 0)
    | getattr(os, "O_BINARY", 0)  # Windows
)


class Sink:
    """Where a writer puts its bytes: ``write_at(offset, data)`` into the file being built.
    ``complete`` turns true once the whole file is in place at the target."""

    def __init__(self, handle: IO[bytes]) -> None:
        self._handle = handle
        self.complete = False

    def write_at(self, offset: int, data: bytes | memoryview) -> None:
        self._handle.seek(offset)
        self._handle.write(data)


def room(path: str, staging: str | None = None) -> tuple[int, int, str]:
    """How many bytes a new file at ``path`` may take: ``(bytes, errno, why)``, the smaller of
    the free space of its folder's file system (plus what ``staging`` already holds there)
    and the process's file-size limit (``ulimit -f``)."""
    folder = os.path.dirname(path) or "."
    free = shutil.disk_usage(folder).free
    if staging is not None:
        with contextlib.suppress(FileNotFoundError):
            free += getattr(os.stat(staging), "st_blocks", 0) * 512
    if resource is not None:
        limit = resource.getrlimit(resource.RLIMIT_FSIZE)[0]
        if limit != resource.RLIM_INFINITY and limit < free:
            return limit, errno.EFBIG, "this process may write files of at most (ulimit -f)"
    return free, errno.ENOSPC, f"the file system of {folder} has free"


def staging_path(path: str, plan_id: str) -> str:
    """The shared staging file of the plan ``plan_id`` for ``path`` (same folder, hidden)."""
    folder, name = os.path.split(path)
    return os.path.join(folder, f".{name}.{plan_id}.partial")


@contextlib.contextmanager
def atomic_output(path: str | os.PathLike[str], mode: str = "wb") -> Iterator[IO[Any]]:
    """A file to write that appears at ``path`` in one step when the ``with`` ends (after an
    fsync); on any exception it is removed and ``path`` is as it was. For the commands'
    JSON, text and PNG outputs."""
    folder, name = os.path.split(os.fspath(path))
    temporary, fd = _create_unique(folder or ".", f".{name}.", ".tmp")
    try:
        with os.fdopen(fd, mode) as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise
    _sync_folder(folder)


@contextlib.contextmanager
def replace_atomically(path: str, header: bytes, size: int) -> Iterator[Sink]:
    """Build a file of ``size`` bytes whose first bytes are ``header``, then rename it onto
    ``path``. The body writes everything after the header; on any exception the file being
    built is removed and ``path`` is as it was."""
    with atomic_output(path, "r+b") as handle:
        handle.truncate(size)
        sink = Sink(handle)
        yield sink
        _write_header_last(handle, header)
    sink.complete = True


@contextlib.contextmanager
def fill_shared(
    path: str, staging: str, header: bytes, size: int, part: tuple[int, int]
) -> Iterator[Sink]:
    """Fill process ``k``'s share of the file that ``n`` processes build in ``staging``, and
    rename it onto ``path`` if this process is the last to finish (then ``sink.complete``)."""
    if fcntl is None:
        raise NotImplementedError("part= needs POSIX file locks (fcntl); write from one process")
    k, n = part
    with os.fdopen(_open_shared(staging, size, n), "r+b") as handle:
        sink = Sink(handle)
        yield sink
        handle.flush()
        os.fsync(handle.fileno())  # our blocks are on disk before our flag says so
        sink.complete = _report_done(handle, path, staging, header, size, k, n)


def _report_done(
    handle: IO[bytes], path: str, staging: str, header: bytes, size: int, k: int, n: int
) -> bool:
    """Set this process's flag; finish the file if every flag is set. Whether it is done."""
    assert fcntl is not None
    fd = handle.fileno()
    fcntl.flock(fd, fcntl.LOCK_EX)
    try:
        if not _is_named(staging, fd):
            # Finished by another process while we wrote: our flag was set by an earlier
            # run of this part (a crash after reporting), so the file was whole without us.
            return True
        if not _header_written(handle):
            handle.seek(size + k)
            handle.write(b"\1")
            handle.flush()
            os.fsync(fd)
            handle.seek(size)
            if handle.read(n) != b"\1" * n:
                return False  # others still write; the last of them finishes the file
            _write_header_last(handle, header)
        # complete (perhaps by a process that stopped before its rename): cut the flags off
        # and put the file in place
        handle.truncate(size)
        os.fsync(fd)
        os.replace(staging, path)
        _sync_folder(os.path.dirname(path))
        return True
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)


def _open_shared(staging: str, size: int, n: int) -> int:
    """The staging file: created as ``size`` zero bytes and ``n`` zero flags by the first
    process of the plan, opened as it is by the others."""
    assert fcntl is not None
    while True:
        fd = os.open(staging, _CREATE, 0o666)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            if not _is_named(staging, fd):
                os.close(fd)  # renamed into place between our open and our lock: a new run
                continue
            current = os.fstat(fd).st_size
            if current == 0:
                os.ftruncate(fd, size + n)
            elif current != size + n and not (current == size and os.pread(fd, 8, 0) != bytes(8)):
                # (size bytes with a header: complete, its flags cut off, not yet renamed)
                raise FileExistsError(
                    errno.EEXIST,
                    f"{staging} holds {current} bytes, not this plan's {size + n}; "
                    "remove it and run every part again",
                )
            fcntl.flock(fd, fcntl.LOCK_UN)
            return fd
        except BaseException:
            os.close(fd)
            raise


def _is_named(name: str, fd: int) -> bool:
    """Whether ``name`` is still the file open as ``fd`` (not renamed away or replaced)."""
    try:
        there = os.stat(name, follow_symlinks=False)
    except FileNotFoundError:
        return False
    here = os.fstat(fd)
    return (there.st_dev, there.st_ino) == (here.st_dev, here.st_ino)


def _header_written(handle: IO[bytes]) -> bool:
    handle.seek(0)
    return handle.read(8) != bytes(8)


def _write_header_last(handle: IO[bytes], header: bytes) -> None:
    """Data first and on disk, then the header that makes the file loadable, on disk too."""
    handle.flush()
    os.fsync(handle.fileno())
    handle.seek(0)
    handle.write(header)
    handle.flush()
    os.fsync(handle.fileno())


def _create_unique(folder: str, prefix: str, suffix: str) -> tuple[str, int]:
    """A new file of a random name (``O_EXCL``: never an existing file or a symlink), with
    the permissions of any new file (0666 less the umask), as ``tempfile.mkstemp`` does
    but without its 0600."""
    for _ in range(100):
        name = os.path.join(folder, f"{prefix}{secrets.token_hex(6)}{suffix}")
        try:
            return name, os.open(name, _CREATE | os.O_EXCL, 0o666)
        except FileExistsError:
            continue
    raise FileExistsError(errno.EEXIST, "no unused temporary name", folder)


def _sync_folder(folder: str) -> None:
    """fsync the folder, so the rename itself survives a power loss (POSIX only)."""
    if not hasattr(os, "O_DIRECTORY"):
        return
    fd = os.open(folder or ".", os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
