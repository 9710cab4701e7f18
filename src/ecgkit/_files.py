"""File helpers shared by every layer: atomic writes and content hashes (no torch)."""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

__all__ = ["RunFolderLockedError", "atomic_write", "file_sha256", "run_lock"]


@contextmanager
def atomic_write(path: str | Path) -> Iterator[BinaryIO]:
    """Write ``path`` through a temporary file, so it is never half-written.

    Yields a binary handle on a temporary file beside ``path``, renamed onto ``path`` on
    success and deleted on any error. The data is flushed and fsync'ed before the rename;
    the parent folder is created.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        # mkstemp makes the file private (0600); a written file gets what the umask gives,
        # as open() would, so that shared folders and installed package data stay readable
        os.fchmod(fd, 0o666 & ~_umask())
        with os.fdopen(fd, "wb") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def file_sha256(path: str | Path, chunk_bytes: int = 1 << 20) -> str:
    """Hex SHA-256 of a file's content, read in chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(chunk_bytes):
            digest.update(chunk)
    return digest.hexdigest()


class RunFolderLockedError(OSError):
    """Another live process is writing to this run folder."""


_LOCK_NAME = ".ecgkit.lock"
# run folders this process holds, with how many nested holders (a run holds its folder,
# and the Trainer inside it holds it again)
_HELD: dict[Path, int] = {}


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, another user's
        return True
    return True


def _lock_owner(lock: Path) -> int | None:
    try:
        text = lock.read_text().split()
    except OSError:
        return None
    return int(text[0]) if text and text[0].isdigit() else None


@contextmanager
def run_lock(folder: str | Path) -> Iterator[Path]:
    """Hold ``folder`` for this process while the block runs; yields the folder.

    A lock file (``.ecgkit.lock``, holding the process id) is created exclusively; a second
    process gets :class:`RunFolderLockedError` naming the holder, while a lock left by a
    process that no longer runs is taken over (renamed away first, so two newcomers cannot
    both take it). Nested holds in one process are allowed. On taking the lock, temporary
    files of killed writers (``.*.tmp``) in the folder and its ``checkpoints/`` are removed;
    a folder this call created and that is still empty at the end (a run that failed before
    writing anything) is removed again.
    """
    path = Path(folder)
    if path.exists() and not path.is_dir():
        raise NotADirectoryError(f"{path} exists and is not a folder: choose another run folder")
    created = not path.exists()
    path.mkdir(parents=True, exist_ok=True)
    key = path.resolve()
    if _HELD.get(key):
        _HELD[key] += 1
        try:
            yield path
        finally:
            _HELD[key] -= 1
        return
    lock = path / _LOCK_NAME
    while True:
        try:
            fd = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o666 & ~_umask())
        except FileExistsError:
            owner = _lock_owner(lock)
            if owner is not None and owner != os.getpid() and _pid_alive(owner):
                raise RunFolderLockedError(
                    f"run folder {path} is in use by process {owner} ({lock}); wait for it "
                    "to finish or write elsewhere"
                ) from None
            try:  # stale: move it aside atomically, then try again
                os.rename(lock, path / f"{_LOCK_NAME}.stale.{os.getpid()}")
            except FileNotFoundError:
                pass  # another process took it over first
            else:
                (path / f"{_LOCK_NAME}.stale.{os.getpid()}").unlink(missing_ok=True)
            continue
        with os.fdopen(fd, "w") as handle:
            handle.write(f"{os.getpid()}\n")
        break
    _HELD[key] = 1
    try:
        for leftover in (*path.glob(".*.tmp"), *path.glob("checkpoints/.*.tmp")):
            if leftover.is_file():
                leftover.unlink(missing_ok=True)
        yield path
    finally:
        _HELD.pop(key, None)
        lock.unlink(missing_ok=True)
        if created and not any(path.iterdir()):  # a run that failed before writing
            path.rmdir()
