"""WFDB records and annotations as typed results, read through the ``wfdb`` package."""

from __future__ import annotations

import datetime
import os
import re
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

__all__ = ["Annotations", "Record", "read_annotations", "read_record"]


@dataclass(frozen=True)
class Record:
    """One ECG recording.

    Attributes
    ----------
    signal : numpy.ndarray
        Samples ``[n_samples, n_leads]`` in mV (physical units), float32 or float64.
        Pass ``axis=0`` to :mod:`ecgkit.signal` functions, or use :attr:`leads_first`.
    fs : float
        Sampling rate in Hz.
    lead_names : tuple of str
        Name of each lead, e.g. ``("MLII", "V5")``.
    record_id : str
        Record name, e.g. ``"100"``.
    start_s : float
        Time of the first sample in seconds on the recording's own clock: a text file's
        time column gives it (a CSV cut from a longer recording may start at 3600 s);
        0 otherwise.
    start_time : str or None
        Date and time of day of the first sample as its file states it, ISO 8601
        (``"2024-01-31T10:00:00"``; ``"10:00:00"`` where a WFDB header gives a time and no
        date): a WFDB header's base date and time, an EDF/BDF header's start (which an
        anonymised file sets to 1985-01-01). None where the file states none.
    """

    signal: NDArray[np.floating]
    fs: float
    lead_names: tuple[str, ...]
    record_id: str
    start_s: float = 0.0
    start_time: str | None = None

    @property
    def leads_first(self) -> NDArray[np.floating]:
        """The signal as ``[n_leads, n_samples]`` (a view, no copy)."""
        return self.signal.T

    @property
    def n_samples(self) -> int:
        """Number of samples per lead."""
        return int(self.signal.shape[0])

    @property
    def duration_s(self) -> float:
        """Length of the record in seconds."""
        return self.n_samples / self.fs


@dataclass(frozen=True)
class Annotations:
    """Annotations of one record (beats, rhythm changes, noise, comments).

    Attributes
    ----------
    sample : numpy.ndarray of int64, shape (n,)
        Sample index of each annotation.
    symbol : numpy.ndarray of str, shape (n,)
        Annotation code, e.g. ``"N"``, ``"V"``, ``"+"`` (rhythm change), ``"~"`` (noise).
    aux_note : numpy.ndarray of str, shape (n,)
        Auxiliary text, e.g. ``"(AFIB"`` on a rhythm change; empty where there is none.
    fs : float
        Sampling rate of ``sample`` in Hz.
    """

    sample: NDArray[np.int64]
    symbol: NDArray[np.str_]
    aux_note: NDArray[np.str_]
    fs: float

    def __len__(self) -> int:
        return int(self.sample.size)

    def select(self, symbols: set[str] | frozenset[str]) -> Annotations:
        """Return the annotations whose symbol is in ``symbols``."""
        keep = np.isin(self.symbol, sorted(symbols))
        return Annotations(self.sample[keep], self.symbol[keep], self.aux_note[keep], self.fs)


# millivolts per unit of each voltage unit ecgkit reads, keys lower-case: the micro sign
# (U+00B5) is what EDF headers use, the Greek mu (U+03BC) what some writers put instead
_MV_PER_UNIT: dict[str, float] = {
    "mv": 1.0,
    "millivolt": 1.0,
    "millivolts": 1.0,
    "uv": 1e-3,
    "\u00b5v": 1e-3,
    "\u03bcv": 1e-3,
    "microvolt": 1e-3,
    "microvolts": 1e-3,
    "v": 1e3,
    "volt": 1e3,
    "volts": 1e3,
}


def _mv_per_unit(unit: str) -> float | None:
    """Return the factor that turns values in ``unit`` into mV, or None for a non-voltage."""
    return _MV_PER_UNIT.get(unit.strip().lower())


# a WFDB record line's base time, [[HH:]MM:]SS[.sss], and the month names of the
# Challenge 2020 headers' dates (DD-Mon-YYYY)
_TIME = re.compile(r"(?:(\d{1,2}):)?(\d{1,2}):(\d{1,2}(?:\.\d+)?)")
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")

#: Bytes per sample of the WFDB storage formats (212 and 310/311 pack samples in bits).
_BYTES_PER_SAMPLE = {"8": 1.0, "16": 2.0, "24": 3.0, "32": 4.0, "61": 2.0, "80": 1.0,
                     "160": 2.0, "212": 1.5, "310": 4 / 3, "311": 4 / 3}  # fmt: skip


@dataclass(frozen=True)
class _HeaderFacts:
    n_signals: int
    fs: float | None
    n_samples: int | None
    # signal file -> (format, samples it stores per frame, bytes before the first sample)
    files: dict[str, tuple[str, int, int]]
    start_time: str | None = None
    # per signal line: False where its gain is 0 or missing (WFDB: amplitude uncalibrated);
    # empty for a multi-segment record
    calibrated: tuple[bool, ...] = ()
    # a multi-segment record's (segment name, samples); "~" is a null segment, a gap
    segments: tuple[tuple[str, int], ...] = ()


def _header_facts(header: Path) -> _HeaderFacts:
    """The record line and signal files of a single-segment WFDB header, checked.

    wfdb reads a sampling rate of ``abc`` or ``-360`` as its default 250 Hz and ``0`` as
    0 Hz; ecgkit refuses them, naming the file and the field.
    """
    lines = [
        line.split()
        for line in header.read_text(encoding="latin-1").splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]
    if not lines or len(lines[0]) < 2:
        raise ValueError(f"{header}: no record line (name, number of signals, ...)")
    record = lines[0]
    if not record[1].isdigit():
        raise ValueError(f"{header}: the number of signals must be an integer, got {record[1]!r}")
    fs = None
    if len(record) > 2:
        text = record[2].split("/")[0].split("(")[0]
        try:
            fs = float(text)
        except ValueError:
            raise ValueError(
                f"{header}: the sampling rate must be a number in Hz, got {record[2]!r}"
            ) from None
        if not (np.isfinite(fs) and fs > 0):
            raise ValueError(f"{header}: the sampling rate must be > 0 Hz, got {record[2]!r}")
    n_samples = None
    if len(record) > 3:
        if not record[3].isdigit():
            raise ValueError(
                f"{header}: the number of samples must be an integer, got {record[3]!r}"
            )
        n_samples = int(record[3])
    start_time = _start_time(record[4:6])
    if "/" in record[0]:
        # a multi-segment header ("name/segments") lists segments, each with its own header
        count = record[0].split("/", 1)[1]
        listed = lines[1 : 1 + int(count)] if count.isdigit() else []
        segments = tuple(
            (fields[0], int(fields[1]) if len(fields) > 1 and fields[1].isdigit() else 0)
            for fields in listed
        )
        return _HeaderFacts(int(record[1]), fs, n_samples, {}, start_time, (), segments)
    files: dict[str, tuple[str, int, int]] = {}
    calibrated = []
    for fields in lines[1 : 1 + int(record[1])]:
        calibrated.append(len(fields) > 2 and _gain(fields[2]) != 0.0)
        if len(fields) >= 2:
            # format[xsamples per frame][:skew][+byte offset], e.g. "212", "16x4", "16+24"
            spec = re.fullmatch(r"(\d+)(?:x(\d+))?(?::(\d+))?(?:\+(\d+))?", fields[1])
            if spec is None:
                continue  # wfdb names what it cannot read
            fmt, per_frame, _, offset = spec.groups()
            previous = files.get(fields[0], (fmt, 0, 0))
            files[fields[0]] = (
                previous[0],
                previous[1] + int(per_frame or 1),
                max(previous[2], int(offset or 0)),
            )
    return _HeaderFacts(int(record[1]), fs, n_samples, files, start_time, tuple(calibrated))


def _gain(field: str) -> float | None:
    """The ADC gain of a signal line's ``gain[(baseline)][/units]`` field, None if unread."""
    try:
        return float(re.split(r"[(/]", field, maxsplit=1)[0])
    except ValueError:
        return None  # wfdb names what it cannot read


def _start_time(fields: list[str]) -> str | None:
    """The base time and date of a WFDB record line, ISO 8601, or None.

    WFDB writes ``HH:MM:SS[.sss] [DD/MM/YYYY]``; the PhysioNet/CinC Challenge 2020 headers
    write ``DD-Mon-YYYY HH:MM:SS``, which wfdb reads as a wrong time of day. Anything else
    states no start time.
    """
    if not fields:
        return None
    clock, day = fields[0], fields[1] if len(fields) > 1 else None
    if day is not None and _TIME.fullmatch(day) and not _TIME.fullmatch(clock):
        clock, day = day, clock
    match = _TIME.fullmatch(clock)
    if match is None:
        return None
    hours, minutes, seconds = match.groups()
    whole = int(float(seconds))
    try:
        time = datetime.time(
            int(hours or 0), int(minutes), whole, round((float(seconds) - whole) * 1e6)
        )
        date = _date(day) if day is not None else None
    except ValueError:
        return None
    if day is not None and date is None:
        return None
    return (datetime.datetime.combine(date, time) if date else time).isoformat()


def _date(text: str) -> datetime.date | None:
    """``DD/MM/YYYY`` (WFDB) or ``DD-Mon-YYYY`` (the Challenge 2020 headers); else None."""
    parts = re.fullmatch(r"(\d{1,2})([/-])(\w+)\2(\d{4})", text)
    if parts is None:
        return None
    day, _, month, year = parts.groups()
    if month.isdigit():
        number = int(month)
    elif month.lower() in _MONTHS:
        number = _MONTHS.index(month.lower()) + 1
    else:
        return None
    return datetime.date(int(year), number, int(day))


def _check_signal_files(base: Path, facts: _HeaderFacts) -> None:
    """Refuse a signal file that holds more or fewer samples than its header declares."""
    if facts.n_samples is None or "/" in base.name:
        return
    for name, (fmt, per_frame, offset) in facts.files.items():
        per_sample = _BYTES_PER_SAMPLE.get(fmt)
        file = base.parent / name
        if per_sample is None or not file.is_file():
            continue  # another format, or wfdb names the missing file
        # a frame holds one sample of each signal, or several of a faster one ("16x4");
        # the samples start after the byte offset ("16+24": a MATLAB file's header)
        frame_bytes = per_frame * per_sample
        size = file.stat().st_size - offset
        held = size / frame_bytes
        if abs(size - facts.n_samples * frame_bytes) >= frame_bytes:
            raise ValueError(
                f"{file}: holds {held:.0f} samples per signal but its header "
                f"{base.name}.hea declares {facts.n_samples}; the file is truncated or the "
                "header is wrong"
            )


def _record_base(path: str | Path) -> Path:
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(
            f"path must be a str or pathlib.Path naming a WFDB record, got {type(path).__name__}"
        )
    base = Path(path)
    return base.with_suffix("") if base.suffix in {".hea", ".dat", ".atr"} else base


def read_record(
    path: str | Path,
    *,
    dtype: type[np.floating] = np.float64,
    leads: list[int] | None = None,
    missing: str = "raise",
) -> Record:
    """Read a WFDB record.

    Parameters
    ----------
    path : str or pathlib.Path
        Record path without extension (``mitdb/100``); a ``.hea``/``.dat`` suffix is
        accepted.
    dtype : numpy float type
        ``np.float64`` (default) or ``np.float32``.
    leads : list of int, optional
        Read only these leads (channel numbers).
    missing : {"raise", "keep"}
        What WFDB's invalid sample value (a lost or missing sample) does: ``"raise"`` a
        ``ValueError``; ``"keep"`` it as NaN (:func:`ecgkit.annotate.prepare_beats` takes
        such stretches as gaps).

    Returns
    -------
    Record
        Samples in mV: each lead is converted from the unit its header states (``mV``,
        ``uV``/``µV`` times 1e-3, ``V`` times 1e3; WFDB's default when the header states
        none is mV). A lead without a stored name is called ``lead<k>``, k its channel.

    Warns
    -----
    UserWarning
        When a lead read has a gain of 0 or none in the header, WFDB's mark of an
        uncalibrated amplitude: it is read at WFDB's default of 200 units per physical
        unit, so its values in mV are nominal.

    Raises
    ------
    FileNotFoundError
        When the header or a signal file is missing, naming the file.
    TypeError
        When ``path`` is not a str or path, or ``dtype`` is not a float type.
    ValueError
        When the files cannot be parsed, naming the record; when the header's sampling rate
        or length is not a positive number, or a signal file holds more or fewer samples
        than the header declares, naming the file and the field; when a lead read is not in
        a voltage unit (e.g. ``mmHg``), naming the lead and its unit.
    """
    import wfdb

    base = _record_base(path)
    # not with_suffix: record names may contain dots ("rec.1")
    header = base.with_name(base.name + ".hea")
    if not header.is_file():
        raise FileNotFoundError(f"WFDB header not found: {header}")
    if dtype not in (np.float32, np.float64):
        raise TypeError(f"dtype must be numpy.float32 or numpy.float64, got {dtype!r}")
    if missing not in ("raise", "keep"):
        raise ValueError(f'missing must be "raise" or "keep", got {missing!r}')
    facts = _header_facts(header)
    _check_signal_files(base, facts)
    try:
        if _null_segments_without_layout(facts):
            rec = _join_segments(base, leads)
        else:
            rec = wfdb.rdrecord(str(base), channels=leads, return_res=64)
    except FileNotFoundError as error:
        raise FileNotFoundError(f"signal file of record {base} not found: {error}") from error
    except Exception as error:  # wfdb raises bare Exceptions and ValueErrors on bad files
        raise ValueError(f"cannot read WFDB record {base}: {error}") from error
    if rec.p_signal is None:
        raise ValueError(f"WFDB record {base} has no signal")
    names = _lead_names(rec.sig_name, leads)
    factors = []
    for name, unit in zip(names, rec.units or ["mV"] * len(names), strict=True):
        factor = _mv_per_unit(unit or "mV")
        if factor is None:
            raise ValueError(
                f"record {base}: lead {name!r} is in {unit!r}, not in V, mV or uV; "
                "read only the ECG leads with leads=[...]"
            )
        factors.append(factor)
    _warn_uncalibrated(base, facts, leads, names)
    p_signal = rec.p_signal
    if any(f != 1.0 for f in factors):
        # scale in float64 before a float32 cast so that uV records lose no precision
        p_signal = p_signal * np.asarray(factors)
    signal = np.asarray(p_signal, dtype=dtype)
    if missing == "raise" and not np.isfinite(signal).all():
        # WFDB marks invalid samples with the format's NaN code; never hand them on silently
        raise ValueError(
            f"record {base} contains invalid (NaN) samples; read it with missing='keep' to "
            "keep them as NaN (ecgkit annotate does, and takes them as gaps)"
        )
    return Record(
        signal=signal,
        fs=float(rec.fs),
        lead_names=tuple(names),
        record_id=str(rec.record_name),
        start_time=facts.start_time,
    )


def _null_segments_without_layout(facts: _HeaderFacts) -> bool:
    """A fixed-layout multi-segment record with a null segment, which wfdb cannot join."""
    segments = facts.segments
    # a variable layout starts with a layout segment of 0 samples; wfdb joins those itself
    return bool(segments) and segments[0][1] > 0 and any(name == "~" for name, _ in segments)


def _join_segments(base: Path, leads: list[int] | None) -> Any:
    """A fixed-layout multi-segment record as one ``wfdb.Record``, null segments as NaN."""
    import wfdb

    multi = wfdb.rdrecord(str(base), channels=leads, m2s=False, return_res=64)
    present = [segment for segment in multi.segments if segment is not None]
    if not present:
        raise ValueError("every segment is a null segment ('~'): the record holds no samples")
    first = present[0]
    for segment in present[1:]:
        if list(segment.sig_name) != list(first.sig_name):
            raise ValueError(
                f"segment {segment.record_name} has signals {segment.sig_name}, the first "
                f"{first.sig_name}; a fixed layout needs the same signals in every segment"
            )
    width = first.p_signal.shape[1]
    blocks = [
        np.full((int(length), width), np.nan) if segment is None else segment.p_signal
        for segment, length in zip(multi.segments, multi.seg_len, strict=True)
    ]
    units = [
        # the same lead may be stored in other units (and gains) in another segment
        {str(segment.units[k]) for segment in present}
        for k in range(width)
    ]
    if any(len(unit) > 1 for unit in units):
        raise ValueError("its segments store a lead in different units")
    return wfdb.Record(
        record_name=multi.record_name,
        fs=multi.fs,
        n_sig=width,
        sig_len=int(sum(multi.seg_len)),
        p_signal=np.concatenate(blocks),
        sig_name=list(first.sig_name),
        units=list(first.units),
    )


def _lead_names(sig_name: object, channels: list[int] | None) -> list[str]:
    """The names of the channels read; ``lead<k>`` (k its channel) where the header has none."""
    stored = list(sig_name) if isinstance(sig_name, list | tuple) else []
    numbers = channels if channels is not None else list(range(len(stored)))
    return [str(name) if name else f"lead{k}" for name, k in zip(stored, numbers, strict=True)]


def _warn_uncalibrated(
    base: Path, facts: _HeaderFacts, leads: list[int] | None, names: list[str]
) -> None:
    """Warn where a lead read has no gain: WFDB's mark of an uncalibrated amplitude."""
    read = range(len(names)) if leads is None else leads
    flags = [facts.calibrated[k] if k < len(facts.calibrated) else True for k in read]
    uncalibrated = [name for name, ok in zip(names, flags, strict=True) if not ok]
    if uncalibrated:
        detail = ("leads " if len(uncalibrated) > 1 else "lead ") + ", ".join(
            repr(name) for name in uncalibrated
        )
        warnings.warn(
            f"record {base}: the header gives {detail} a gain of 0 or none, WFDB's mark of "
            "an uncalibrated amplitude; read at WFDB's default of 200 units per mV, so the "
            "amplitudes (and the mV limits of the flat, clipped and spike checks) are nominal",
            UserWarning,
            stacklevel=3,
        )


def read_annotations(path: str | Path, extension: str = "atr") -> Annotations:
    """Read a WFDB annotation file.

    Parameters
    ----------
    path : str or pathlib.Path
        Record path without extension (``mitdb/100``).
    extension : str
        Annotator name: ``"atr"`` for the reference annotations.

    Returns
    -------
    Annotations

    Raises
    ------
    FileNotFoundError
        When the annotation file is missing, naming it.
    TypeError
        When ``path`` is not a str or path, or ``extension`` is not a str.
    ValueError
        When ``extension`` is empty or holds a dot or a path separator; when the file is
        empty or cannot be parsed, or when its samples are out of time order or outside the
        record (when the record's header is beside it), naming the file.
    """
    import wfdb

    base = _record_base(path)
    if not isinstance(extension, str):
        raise TypeError(
            f"extension must be a str naming the annotator, such as 'atr', got "
            f"{type(extension).__name__}"
        )
    if not extension or any(c in extension for c in "./\\\0") or extension != extension.strip():
        raise ValueError(
            f"extension must name the annotator, such as 'atr' (no dot, no path), got {extension!r}"
        )
    # not with_suffix: record names may contain dots ("rec.1"), and wfdb appends the
    # extension to the whole name
    file = base.with_name(f"{base.name}.{extension}")
    if not file.is_file():
        raise FileNotFoundError(f"WFDB annotation file not found: {file}")
    if file.stat().st_size == 0:
        raise ValueError(f"WFDB annotation file {file} is empty")
    try:
        ann = wfdb.rdann(str(base), extension)
    except Exception as error:
        raise ValueError(f"cannot read WFDB annotations {file}: {error}") from error
    n = len(ann.sample)
    samples = np.asarray(ann.sample, dtype=np.int64)
    header = base.with_name(base.name + ".hea")
    length = _header_facts(header).n_samples if header.is_file() else None
    outside = (samples < 0) | (samples > (length if length is not None else np.inf))
    if outside.any() or (n > 1 and np.any(np.diff(samples) < 0)):
        where = (
            f"sample {samples[outside][0]} outside the record's {length} samples"
            if outside.any()
            else "samples out of time order"
        )
        raise ValueError(f"{file} is not a valid WFDB annotation file ({where})")
    aux = ann.aux_note if ann.aux_note is not None else [""] * n
    return Annotations(
        sample=samples,
        symbol=np.asarray(ann.symbol, dtype=str),
        aux_note=np.asarray([a.rstrip("\x00") for a in aux], dtype=str),
        fs=float(ann.fs) if ann.fs else float("nan"),
    )
