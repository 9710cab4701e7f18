"""Fetch PhysioNet databases over HTTP: checksummed, resumable, atomic."""

from __future__ import annotations

import os
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ecgkit._files import file_sha256

__all__ = ["DATABASES", "PHYSIONET_URL", "DownloadResult", "download"]

#: Where PhysioNet serves its files: ``{PHYSIONET_URL}/{name}/{version}/{file}``.
PHYSIONET_URL = "https://physionet.org/files"

#: Databases ecgkit knows by name, with the version fetched by default.
DATABASES: dict[str, str] = {"mitdb": "1.0.0"}

_CHECKSUMS = "SHA256SUMS.txt"
_CHUNK = 1 << 16
#: Largest checksum list read (PhysioNet's biggest are well under 1 MB).
_MAX_CHECKSUMS_BYTES = 16 << 20
#: A download that moves fewer bytes than this over ``stall_s`` seconds has stalled.
_STALL_BYTES = 1024


@dataclass(frozen=True)
class DownloadResult:
    """What :func:`download` did.

    Attributes
    ----------
    root : pathlib.Path
        Folder holding the database.
    downloaded : tuple of str
        Files fetched (in full or resumed) in this call.
    verified : tuple of str
        Files already present with the right checksum, left alone.
    """

    root: Path
    downloaded: tuple[str, ...]
    verified: tuple[str, ...]


def _parse_checksums(text: str) -> dict[str, str]:
    sums: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        parts = line.split(maxsplit=1)
        if len(parts) != 2 or len(parts[0]) != 64:
            raise ValueError(f"{_CHECKSUMS} line {number} is not '<sha256> <file>': {line!r}")
        name = parts[1].strip().lstrip("*")
        if name.startswith(("/", "..")) or "/../" in name:
            raise ValueError(f"{_CHECKSUMS} names a path outside the database: {name!r}")
        sums[name] = parts[0].lower()
    return sums


class _RangeNotSatisfiableError(OSError):
    """The server has no bytes past the requested offset: the partial file is complete."""


def _open(url: str, timeout_s: float, start: int = 0) -> urllib.response.addinfourl:
    request = urllib.request.Request(url, headers={"User-Agent": "ecgkit"})
    if start:
        request.add_header("Range", f"bytes={start}-")
    try:
        return urllib.request.urlopen(request, timeout=timeout_s)  # type: ignore[no-any-return]
    except urllib.error.HTTPError as error:
        if error.code == 416 and start:
            raise _RangeNotSatisfiableError(url) from error
        raise OSError(f"HTTP {error.code} fetching {url}") from error
    except urllib.error.URLError as error:
        raise OSError(f"cannot reach {url}: {error.reason}") from error


@dataclass
class _Clock:
    """The call's deadline and the stall watch: bytes seen over the last ``stall_s``."""

    deadline: float
    stall_s: float
    window_start: float = 0.0
    window_bytes: int = 0

    def tick(self, n_bytes: int, what: str) -> None:
        now = time.monotonic()
        if now > self.deadline:
            raise TimeoutError(
                f"download deadline passed while fetching {what}; the partial file is kept, "
                "run download again to resume"
            )
        if not self.window_start:
            self.window_start = now
        self.window_bytes += n_bytes
        if now - self.window_start >= self.stall_s:
            if self.window_bytes < _STALL_BYTES:
                raise TimeoutError(
                    f"download of {what} stalled: {self.window_bytes} bytes in the last "
                    f"{now - self.window_start:.0f} s; the partial file is kept, run download "
                    "again to resume"
                )
            self.window_start, self.window_bytes = now, 0


def _expected_size(response: Any, start: int, resumed: bool) -> int | None:
    length = response.headers.get("Content-Length")
    if length is None or not str(length).isdigit():
        return None
    return int(length) + (start if resumed else 0)


def _fetch(url: str, target: Path, expected: str, timeout_s: float, bar: object | None,
           clock: _Clock) -> None:  # fmt: skip
    """Download ``url`` to ``target`` through ``target.part``, resuming a partial file."""
    part = target.with_name(target.name + ".part")
    start = part.stat().st_size if part.is_file() else 0
    try:
        response = _open(url, timeout_s, start)
    except _RangeNotSatisfiableError:
        response = None
    if response is not None:
        with response:
            # a server that ignores Range answers 200 with the whole file: start over
            resumed = start > 0 and response.status == 206
            size = _expected_size(response, start, resumed)
            if bar is not None and resumed:
                bar.update(start)  # type: ignore[attr-defined]
            clock.tick(0, target.name)
            with open(part, "ab" if resumed else "wb") as handle:
                while chunk := response.read(_CHUNK):
                    handle.write(chunk)
                    clock.tick(len(chunk), target.name)
                    if bar is not None:
                        bar.update(len(chunk))  # type: ignore[attr-defined]
            held = part.stat().st_size
            if size is not None and held < size:
                raise OSError(
                    f"connection dropped after {held} of {size} bytes of {target.name}; the "
                    "partial file is kept, run download again to resume"
                )
    actual = file_sha256(part)
    if actual != expected:
        part.unlink()
        raise ValueError(
            f"checksum mismatch for {target.name}: expected {expected}, got {actual}; "
            "the partial file was removed, run download again"
        )
    os.replace(part, target)


def download(
    name: str,
    root: str | Path,
    *,
    base_url: str | None = None,
    version: str | None = None,
    files: list[str] | None = None,
    progress: bool = True,
    timeout_s: float = 60.0,
    deadline_s: float = 6 * 3600.0,
    stall_s: float = 60.0,
) -> DownloadResult:
    """Download a PhysioNet database into ``root``, verifying every file's SHA-256.

    The database's ``SHA256SUMS.txt`` is fetched first; each listed file that is missing or
    wrong is downloaded to ``<file>.part`` (continuing an interrupted ``.part`` with an HTTP
    range request), checked, then renamed into place, so ``root`` never holds a half-written
    or unverified file under its real name. Files already present and correct are skipped.

    Parameters
    ----------
    name : str
        Database name, e.g. ``"mitdb"`` (see :data:`DATABASES`).
    root : str or pathlib.Path
        Destination folder (created if missing).
    base_url : str, optional
        URL of the database folder (the one holding ``SHA256SUMS.txt``). Defaults to
        ``{PHYSIONET_URL}/{name}/{version}``; point it at a mirror or a local server.
    version : str, optional
        Database version; defaults to the one in :data:`DATABASES`.
    files : list of str, optional
        Fetch only these files (or every file of these records when a name has no
        extension, e.g. ``["100", "101"]``).
    progress : bool
        Show a tqdm progress bar (off when not on a terminal).
    timeout_s : float
        Network timeout of each request and each read, in seconds.
    deadline_s : float
        The whole call fails (``TimeoutError``) past this many seconds.
    stall_s : float
        A download that moves fewer than 1 KB over this many seconds has stalled and fails
        (``TimeoutError``), however it trickles.

    Returns
    -------
    DownloadResult

    Raises
    ------
    ValueError
        Unknown database, bad checksum list, or a file whose checksum does not match.
    OSError
        When the server cannot be reached or answers with an HTTP error, when the
        connection drops before a file's end, or (``TimeoutError``) past the deadline or on
        a stall. The ``.part`` file is kept in each case, and the next call resumes it.
    """
    if base_url is None:
        if name not in DATABASES:
            raise ValueError(f"name must be one of {sorted(DATABASES)}, got {name!r}")
        base_url = f"{PHYSIONET_URL}/{name}/{version or DATABASES[name]}"
    base_url = base_url.rstrip("/")
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    if not (timeout_s > 0 and deadline_s > 0 and stall_s > 0):
        raise ValueError(
            f"timeout_s, deadline_s and stall_s must be > 0 s, got {timeout_s!r}, "
            f"{deadline_s!r} and {stall_s!r}"
        )
    clock = _Clock(deadline=time.monotonic() + deadline_s, stall_s=stall_s)
    with _open(f"{base_url}/{_CHECKSUMS}", timeout_s) as response:
        text = response.read(_MAX_CHECKSUMS_BYTES + 1)
    if len(text) > _MAX_CHECKSUMS_BYTES:
        raise ValueError(
            f"{base_url}/{_CHECKSUMS} is larger than {_MAX_CHECKSUMS_BYTES >> 20} MB: not a "
            "checksum list"
        )
    try:
        sums = _parse_checksums(text.decode("utf-8"))
    except UnicodeDecodeError as error:
        raise ValueError(f"{base_url}/{_CHECKSUMS} is not text: {error}") from error
    wanted = sums
    if files is not None:
        requested = set(files)
        wanted = {f: s for f, s in sums.items() if f in requested or Path(f).stem in requested}
        unknown = {
            f for f in requested if f not in sums and not any(Path(g).stem == f for g in sums)
        }
        if unknown:
            raise ValueError(f"files not in {name}'s {_CHECKSUMS}: {sorted(unknown)}")
    verified: list[str] = []
    todo: list[str] = []
    for file, expected in sorted(wanted.items()):
        target = root / file
        if target.is_file() and file_sha256(target) == expected:
            verified.append(file)
        else:
            todo.append(file)
    bar = None
    if progress and todo:
        from tqdm.auto import tqdm

        bar = tqdm(desc=f"downloading {name}", unit="B", unit_scale=True, disable=None)
    try:
        for file in todo:
            target = root / file
            target.parent.mkdir(parents=True, exist_ok=True)
            _fetch(f"{base_url}/{file}", target, wanted[file], timeout_s, bar, clock)
    finally:
        if bar is not None:
            bar.close()
    return DownloadResult(root=root, downloaded=tuple(todo), verified=tuple(verified))
