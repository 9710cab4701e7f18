"""Read a recording of your own from WFDB, EDF/EDF+/BDF, CSV/TSV/TXT or NumPy files.

:func:`read_signal` picks the reader by the file's extension and returns a
:class:`~ecgkit.data.Record`: samples ``[n_samples, n_leads]`` in mV, the sampling rate in Hz,
the lead names and the file's stem as ``record_id``.

Physical units
--------------
Every reader hands back millivolts. The factor applied to a channel depends on its unit,
compared case-insensitively: ``mV`` is kept as it is, ``uV`` or ``µV`` is multiplied by
1e-3 and ``V`` by 1e3. Any other unit (``mmHg``, ``degC``, ...) raises ``ValueError``
naming the file, the channel and the unit.

* WFDB: each channel's ``units`` from the header (WFDB's default when it names none is mV).
* EDF/BDF: each signal's physical dimension; a signal that leaves it empty takes
  ``units=`` when given, else it is an error.
* CSV/TSV/TXT, NPY, NPZ: these formats store no unit; values are taken as mV unless
  ``units=`` says otherwise.
"""

from __future__ import annotations

import codecs
import csv
import dataclasses
import itertools
import math
import numbers
import os
import re
import warnings
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ecgkit.data.leads import named_like_ecg
from ecgkit.data.records import Record, _lead_names, _mv_per_unit, read_record
from ecgkit.signal._validation import check_fs

__all__ = ["read_signal"]

FloatArray = NDArray[np.floating[Any]]

_FORMATS: dict[str, str] = {
    ".hea": "wfdb",
    ".dat": "wfdb",
    ".edf": "edf",
    ".bdf": "edf",
    ".csv": "text",
    ".tsv": "text",
    ".txt": "text",
    ".npy": "npy",
    ".npz": "npz",
}
_SUPPORTED = (
    "WFDB (.hea, .dat, or the record name without extension), EDF/EDF+/BDF (.edf, .bdf), "
    "text with a header row (.csv, .tsv, .txt) and NumPy (.npy, .npz)"
)
# a text file's time column, by its name (lower case, runs of separators, brackets and
# '#' read as one space): a time word alone is seconds; with a unit after it, that unit
_TIME_WORDS = frozenset({"time", "t", "timestamp", "time stamp", "elapsed", "elapsed time"})
_SECONDS_PER_UNIT = {
    "s": 1.0, "sec": 1.0, "secs": 1.0, "second": 1.0, "seconds": 1.0,
    "ms": 1e-3, "msec": 1e-3, "millisecond": 1e-3, "milliseconds": 1e-3,
    "us": 1e-6, "µs": 1e-6, "usec": 1e-6, "microsecond": 1e-6, "microseconds": 1e-6,
}  # fmt: skip
# a unit alone names a time column too, where it cannot be a lead's name
_UNIT_NAMES = frozenset({"sec", "secs", "seconds", "ms", "msec", "milliseconds"})
# ... and these name a column of sample numbers (no rate: fs must be given)
_SAMPLE_NUMBER_WORDS = frozenset(
    {"sample", "samples", "sample no", "sample number", "sample index", "index", "idx"}
)
_NAME_SEPARATORS = re.compile(r"[\s_\-.#:/()\[\]]+")
# a row of units under the header (PhysioNet's CSV exports: 'seconds','mV','mV', or the
# ATM's 'hh:mm:ss.mmm' for a time column written as a clock, '0:01.250')
_CLOCK_FORMATS = frozenset({"hh:mm:ss.mmm", "hh:mm:ss", "mm:ss.mmm", "mm:ss", "h:mm:ss.mmm"})
_QUOTES = "'\""
# a time column that gives a rate under this is in another unit than its name says (or
# holds sample numbers): a QRS complex, about 0.1 s, needs more than one sample
_LOWEST_TIME_COLUMN_RATE_HZ = 10.0
# a lead column that rises by one step (within _RATE_TOLERANCE) on each of its first rows,
# this many or all, is a clock (time or sample numbers), never an ECG
_CLOCK_CHECK_ROWS = 1000
_CLOCK_MIN_ROWS = 50
_MISSING_CELLS = frozenset({"", "nan", "na", "n/a", "null"})
_EDF_ANNOTATIONS = frozenset({"EDF Annotations", "BDF Annotations"})
# two leads of the same file must agree on fs within this share; so must a given fs and
# the rate a file stores, and the steps of a time column
_RATE_TOLERANCE = 0.01
# rows handled at once when converting or scanning a long recording, so that no temporary
# array is as large as the recording itself
_CHUNK_ROWS = 1 << 20
# a .npy whose first axis is this short and shorter than the second is leads-first
_MAX_LEADS = 16


def read_signal(
    path: str | Path,
    *,
    fs: float | None = None,
    leads: Sequence[str | int] | None = None,
    units: str | None = None,
    time_column: str | None = None,
    missing: str = "raise",
) -> Record:
    """Read an ECG recording from a WFDB, EDF/BDF, CSV/TSV/TXT or NumPy file.

    The format follows the extension (case-insensitive):

    * ``.hea``, ``.dat``, a record name whose ``.hea`` exists, or any other signal file
      beside a ``.hea`` of its name (the PhysioNet/CinC Challenges' ``.mat``, read at the
      header's byte offset): WFDB, through :func:`ecgkit.data.read_record`.
    * ``.edf``, ``.bdf``: EDF, EDF+ (continuous) and 24-bit BDF/BDF+, through pyedflib.
      EDF+ annotation channels are skipped. Channels sampled at another rate than the ECG
      channels (the most common rate among channels labelled like ECG leads, else among
      all) are skipped with a warning; name them in ``leads`` to read them instead.
    * ``.csv``, ``.tsv``, ``.txt``: one column per lead under a header row of lead names
      (``.txt`` may be tab-, comma-, semicolon- or whitespace-separated). A time column
      (``time``, ``t``, ``timestamp`` or ``elapsed time``, in seconds, or with a unit
      after it: ``time_s``, ``Time (s)``, ``time_ms``, ``time [ms]``, ``time_us``; or
      ``seconds``, ``ms``; or the one named by ``time_column``, in seconds unless its
      name says otherwise) gives ``fs``, which must come out at 10 Hz or more: its
      steps must be uniform within 1 %, and
      ``fs = (n - 1) / (t[-1] - t[0])``, the mean step, which is immune to the rounding of
      each written time stamp; a step of a whole number of steps means rows missing, which
      are missing samples. A column of sample numbers (``sample``, ``Sample #``,
      ``index``) is read as such: ``fs`` must be given, and a skipped number is a
      missing sample. Empty cells and ``NaN`` are missing samples (a row of empty
      cells too); a blank line with samples after it raises. Lines starting with ``#``
      before the header row (a device's notes) are skipped; the last of them is the
      header where numbers follow it (``np.savetxt(path, x, header="time,MLII")`` writes
      ``# time,MLII``). Names may be quoted (``'MLII'``); a row of units under the
      header (PhysioNet's exports: ``'seconds','mV','mV'``, or the ATM's
      ``'hh:mm:ss.mmm'`` with clock times ``'0:01.250'``) gives the time column's unit
      (a column of time units is the time column) and each lead's, which win over
      ``units``. Time stamps rounded coarser than 1 % of the step (a 360-Hz record in ms)
      may be off by their rounding, and a whole number of Hz within it is the rate.
      A column that rises by one even step on every row under a name
      the reader does not know (or a NumPy file's column) is a clock, not an ECG, and
      raises; a second clock column (sample numbers beside time) is left out. The text
      is UTF-8, or UTF-16 or UTF-32 with a byte-order mark (a spreadsheet's "Unicode
      text" export).
    * ``.npy``: ``[n_samples]`` (one lead) or ``[n_samples, n_leads]``; ``.npz``: the array
      ``signal`` (or the archive's only array), with optional ``fs`` (Hz) and
      ``lead_names``. Leads without a stored name are called ``lead0``, ``lead1``, ...

    Parameters
    ----------
    path : str or pathlib.Path
        The file.
    fs : float, optional
        Sampling rate in Hz. Required when the file stores none (text without a time
        column, ``.npy``, ``.npz`` without ``fs``); otherwise it must agree with the stored
        rate within 1 %, and the given value is used.
    leads : sequence of str or int, optional
        Leads to read, by name or by index (position among the file's leads: time and
        sample-number columns and EDF+ annotation channels do not count), in the order
        wanted. All leads by default.
    units : str, optional
        Unit of values whose file states none: ``"mV"`` (default), ``"uV"`` (or ``"µV"``)
        or ``"V"``, converted as in Notes. A unit a WFDB or EDF header states always wins.
    time_column : str, optional
        Name of the time column of a text file, when it is not one of the names above:
        in seconds, unless its name ends in a unit as above (``"Zeit (ms)"``).
    missing : {"raise", "keep"}
        What a missing sample (NaN, an empty cell, infinite; a WFDB record's invalid
        sample value) does: ``"raise"`` a ``ValueError`` that says where the missing runs
        are; ``"keep"`` it as NaN, for :func:`ecgkit.annotate.prepare_beats` (and
        ``ecgkit annotate``), which take such stretches as gaps.

    Returns
    -------
    Record
        ``signal`` ``[n_samples, n_leads]`` in mV, float64 (a float32 ``.npy``/``.npz``
        stays float32), ``fs`` in Hz, ``lead_names``, the file's stem as
        ``record_id``, ``start_s`` (a time column's first value, else 0) and
        ``start_time`` (the date and time a WFDB or EDF/BDF header states, ISO 8601,
        else None).

    Raises
    ------
    FileNotFoundError
        When the file (or a WFDB record's header or signal file) does not exist.
    ValueError
        Naming the file and what to do: unknown extension, missing ``fs``, ``fs <= 0`` or
        not finite, a text file without a header row, a cell that is not a number (line
        and column), a row with too few or too many cells (line), a blank line inside the
        data (line), missing (NaN or empty)
        samples (the first run's sample and time, and how many in all), an uneven time
        column, a lead not in the file (the leads there), leads at different rates, a
        unit that is not a voltage, an empty signal, a leads-first ``.npy``.
    TypeError
        When an argument has the wrong type.

    Notes
    -----
    Units: the samples come back in mV. A channel in ``mV`` is kept as it is, one in
    ``uV`` or ``µV`` is multiplied by 1e-3, one in ``V`` by 1e3 (units compared
    case-insensitively); any other unit raises ``ValueError``. The unit of a channel is,
    for WFDB, its ``units`` in the header (mV when the header names none); for EDF/BDF,
    its physical dimension, or ``units`` when that is empty (else ``ValueError``); for
    text and NumPy files, ``units`` (mV when not given).

    Memory: a ``.npy`` is memory-mapped and converted in chunks of rows into the returned
    array, so a 24-hour recording occupies memory once (float32 and float64 files keep
    their dtype; any other is converted to float64). An ``.npz`` member is decompressed
    into memory first, then converted; a text file is parsed into one float64 table; an
    EDF/BDF file is read one channel at a time into the returned array.

    Examples
    --------
    >>> from ecgkit.data import read_signal
    >>> record = read_signal("holter.csv", leads=["II"], units="uV")  # doctest: +SKIP
    >>> record.signal.shape, record.fs  # doctest: +SKIP
    ((86400000, 1), 1000.0)
    """
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path must be a str or pathlib.Path, got {type(path).__name__}")
    file = Path(path)
    rate = _check_fs(fs, file)
    wanted = _check_leads(leads)
    factor = _units_factor(units)
    if time_column is not None and not isinstance(time_column, str):
        raise TypeError(f"time_column must be a str, got {type(time_column).__name__}")
    if missing not in ("raise", "keep"):
        raise ValueError(f'missing must be "raise" or "keep", got {missing!r}')
    kind = _format_of(file)
    if time_column is not None and kind != "text":
        raise ValueError(
            f"time_column applies to text files (.csv, .tsv, .txt), not to {file}; leave it out"
        )
    if kind == "wfdb":
        record = _read_wfdb(file, rate, wanted)
    elif kind == "edf":
        record = _read_edf(file, rate, wanted, factor)
    elif kind == "text":
        record = _read_text(file, rate, wanted, factor, time_column)
    elif kind == "npy":
        record = _read_npy(file, rate, wanted, factor)
    else:
        record = _read_npz(file, rate, wanted, factor)
    if missing == "raise":
        _check_finite(record.signal, record.fs, record.lead_names, file)
    return record


def _format_of(file: Path) -> str:
    """Return the reader for ``file`` after checking that it exists."""
    ext = file.suffix.lower()
    if ext in _FORMATS and file.is_file():
        return _FORMATS[ext]
    if _wfdb_record_name(file) is not None:
        return "wfdb"
    if file.is_dir():
        raise IsADirectoryError(f"{file} is a folder; give one recording file")
    if ext in _FORMATS:
        raise FileNotFoundError(f"no such file: {file}")
    if not ext:
        raise FileNotFoundError(
            f"no such file: {file} (nor a WFDB header {file.name}.hea); read_signal reads "
            f"{_SUPPORTED}"
        )
    raise ValueError(f"{file}: unknown extension {ext!r}; read_signal reads {_SUPPORTED}")


def _check_fs(fs: object, file: Path) -> float | None:
    if fs is None:
        return None
    try:
        return check_fs(fs)
    except ValueError as error:
        raise ValueError(f"{error}; pass the sampling rate of {file} in Hz, e.g. fs=360") from None


def _check_leads(leads: object) -> tuple[str | int, ...] | None:
    if leads is None:
        return None
    if isinstance(leads, (str, bytes)):
        raise TypeError(f"leads must be a sequence of names or indices, e.g. [{leads!r}]")
    if not isinstance(leads, Iterable):
        raise TypeError(f"leads must be a sequence of names or indices, got {type(leads).__name__}")
    items = tuple(leads)
    if not items:
        raise ValueError("leads must name at least one lead, got an empty sequence")
    for item in items:
        if isinstance(item, bool) or not isinstance(item, (str, numbers.Integral)):
            raise TypeError(
                f"leads must hold lead names (str) or indices (int), got {item!r} "
                f"({type(item).__name__})"
            )
    return tuple(item if isinstance(item, str) else int(item) for item in items)


def _units_factor(units: object) -> float | None:
    """Return the factor to mV of ``units``, or None when not given."""
    if units is None:
        return None
    if not isinstance(units, str):
        raise TypeError(f"units must be a str such as 'mV' or 'uV', got {type(units).__name__}")
    factor = _mv_per_unit(units)
    if factor is None:
        raise ValueError(f"units must be 'uV' (or 'µV'), 'mV' or 'V', got {units!r}")
    return factor


def _select(names: Sequence[str], leads: tuple[str | int, ...], file: Path) -> list[int]:
    """Positions in ``names`` of the requested leads, in the order requested."""
    available = ", ".join(repr(n) for n in names)
    picked: list[int] = []
    for item in leads:
        if isinstance(item, str):
            matches = [i for i, name in enumerate(names) if name == item]
            if not matches:
                raise ValueError(
                    f"{file} has no lead {item!r}; its leads are {available} "
                    f"(select by name or by index 0..{len(names) - 1})"
                )
            if len(matches) > 1:
                raise ValueError(
                    f"{file} has {len(matches)} leads named {item!r} (indices {matches}); "
                    "select one by index"
                )
            index = matches[0]
        else:
            if not 0 <= item < len(names):
                raise ValueError(
                    f"lead index {item} is out of range: {file} has {len(names)} lead(s), "
                    f"{available} (indices 0..{len(names) - 1})"
                )
            index = item
        if index in picked:
            raise ValueError(f"leads selects lead {names[index]!r} of {file} twice")
        picked.append(index)
    return picked


def _settle_fs(given: float | None, stored: float, source: str, file: Path) -> float:
    """The sampling rate to use when the file states ``stored`` and the caller ``given``."""
    if not math.isfinite(stored) or stored <= 0:
        raise ValueError(
            f"{file} states an invalid sampling rate ({source}: {stored!r} Hz); fix the file "
            "or write it without one and pass fs=..."
        )
    if given is None:
        return stored
    if abs(given - stored) > _RATE_TOLERANCE * stored:
        raise ValueError(
            f"fs={given:g} Hz disagrees with the {stored:.6g} Hz of {file} ({source}) by more "
            "than 1 %; pass the right fs or leave it out"
        )
    return given


def _require_fs(given: float | None, file: Path, why: str) -> float:
    if given is None:
        raise ValueError(f"fs is required for {file}: it has {why}; pass fs=... (in Hz)")
    return given


def _runs(bad: NDArray[np.bool_]) -> tuple[int, int, int]:
    """Number of runs of True in ``bad``, the start and the length of the first one."""
    edges = np.diff(np.concatenate(([0], bad.astype(np.int8), [0])))
    starts = np.flatnonzero(edges == 1)
    stops = np.flatnonzero(edges == -1)
    return int(starts.size), int(starts[0]), int(stops[0] - starts[0])


def _check_finite(signal: FloatArray, fs: float, names: Sequence[str], file: Path) -> None:
    """Raise naming where the NaN (or empty, or infinite) samples of ``signal`` are."""
    n = signal.shape[0]
    if all(np.isfinite(signal[s : s + _CHUNK_ROWS]).all() for s in range(0, n, _CHUNK_ROWS)):
        return
    total = 0
    parts = []
    for j, name in enumerate(names):
        bad = ~np.isfinite(signal[:, j])
        count = int(bad.sum())
        if not count:
            continue
        total += count
        n_runs, start, length = _runs(bad)
        parts.append(
            f"lead {name!r}: {count} in {n_runs} run(s), the first from sample {start} "
            f"(t = {start / fs:.3f} s) for {length} sample(s)"
        )
    raise ValueError(
        f"{file} has {total} missing (NaN, empty or infinite) sample(s) out of {n * len(names)}"
        f" ({'; '.join(parts)}); read it with missing='keep' to annotate it (ecgkit annotate "
        "does: it takes missing stretches as gaps and measures no RR interval across one), "
        "or fill each gap with one value (e.g. 0), which it takes as a gap when it lasts "
        "1 s or more (interpolating or cutting a gap out would join the beats on either "
        "side into one false interval)"
    )


def _finish(
    signal: FloatArray,
    fs: float,
    names: Sequence[str],
    file: Path,
    what: str = "samples",
    start_s: float = 0.0,
    start_time: str | None = None,
) -> Record:
    if signal.shape[0] == 0 or signal.shape[1] == 0:
        raise ValueError(
            f"{file} has no {what} (signal shape [n_samples, n_leads] = {signal.shape}); "
            "check that it holds the recording"
        )
    return Record(
        signal=signal,
        fs=fs,
        lead_names=tuple(names),
        record_id=file.stem,
        start_s=start_s,
        start_time=start_time,
    )


def _refuse_clocks(signal: FloatArray, names: Sequence[str], file: Path) -> None:
    """Raise for a lead that rises by one even step on every row: a clock, not an ECG.

    A time or sample-number column the reader did not take for one (a name it does not
    know, or a NumPy file's first column) would otherwise be read as a lead, and a
    recording whose other lead has no standard name would be annotated on it.
    """
    n = signal.shape[0]
    if n < _CLOCK_MIN_ROWS:
        return
    for lead, name in enumerate(names):
        if _rises_evenly(signal[:_CLOCK_CHECK_ROWS, lead]) and _rises_evenly(signal[:, lead]):
            raise ValueError(
                f"{file}: lead {name!r} rises by the same step on every row (from "
                f"{signal[0, lead]:g} to {signal[-1, lead]:g}), as a time or sample-number "
                "column does, not an ECG: call a time column 'time' (seconds), 'time_ms' or "
                "'time (ms)' (or pass time_column=...), a column of sample numbers "
                "'sample', or drop it"
            )


def _rises_evenly(values: FloatArray) -> bool:
    steps = np.diff(values)
    if steps.size == 0 or not np.isfinite(steps).all():
        return False
    step = float(np.median(steps))
    return step > 0 and bool((np.abs(steps - step) <= _RATE_TOLERANCE * step).all())


def _wfdb_record_name(file: Path) -> Path | None:
    """The WFDB record ``file`` names, or None where it names none.

    WFDB records are named without extension, and their names may contain dots; a header
    or signal file of any extension (the PhysioNet/CinC Challenges' ``.mat``) names the
    record of the ``.hea`` beside it.
    """
    if file.with_name(file.name + ".hea").is_file():
        return file
    if file.suffix and file.is_file() and file.with_suffix(".hea").is_file():
        return file.with_suffix("")
    return None


def _read_wfdb(file: Path, fs: float | None, leads: tuple[str | int, ...] | None) -> Record:
    # a .dat without its header: read_record names the header it did not find
    base = _wfdb_record_name(file) or file.with_suffix("")
    channels = None
    if leads is not None:
        import wfdb

        header = base.with_name(base.name + ".hea")
        if not header.is_file():
            raise FileNotFoundError(f"WFDB header not found: {header}")
        try:
            head = wfdb.rdheader(str(base), rd_segments=True)
            if getattr(head, "segments", None):
                # multi-segment: the first segment's header (a variable layout's layout
                # segment, which names every signal) names them
                head = next((seg for seg in head.segments if seg is not None), head)
            names = _lead_names(head.sig_name, None)
        except Exception as error:  # wfdb raises bare Exceptions on bad headers
            raise ValueError(f"cannot read WFDB header {header}: {error}") from error
        channels = _select(names, leads, header)
    # invalid samples kept as NaN here; read_signal raises on them unless told to keep them
    record = read_record(base, leads=channels, missing="keep")
    rate = _settle_fs(fs, record.fs, "its header", file)
    return Record(record.signal, rate, record.lead_names, base.name, start_time=record.start_time)


def _edf_is_discontinuous(file: Path) -> bool:
    with file.open("rb") as handle:
        head = handle.read(236)
    # the 44-byte reserved field at offset 192 reads "EDF+D"/"BDF+D" for interrupted files
    return head[192:197] in (b"EDF+D", b"BDF+D")


def _pick_rate(labels: Sequence[str], rates: Sequence[float]) -> float:
    """The ECG rate: the most common one among ECG-like channels, else among all."""
    ecg = [r for label, r in zip(labels, rates, strict=True) if named_like_ecg(label)]
    counts = Counter(ecg or rates)
    # ties go to the faster rate, which keeps the QRS detail
    return max(counts, key=lambda r: (counts[r], r))


def _read_edf(
    file: Path, fs: float | None, leads: tuple[str | int, ...] | None, units: float | None
) -> Record:
    # wfdb's own EDF reader (wfdb.io.convert.edf.read_edf, wfdb 4.3) refuses BDF files,
    # fails on EDF+ files with an annotation channel, and is off by up to 3 digital steps
    # on plain EDF (its baseline is rounded and shifted by one); pyedflib reads all three
    # to within one step
    import pyedflib

    if _edf_is_discontinuous(file):
        raise ValueError(
            f"{file} is a discontinuous EDF+/BDF+ file (EDF+D): its data records have gaps "
            "that a Record cannot hold; export it as a continuous (EDF+C) file or one file "
            "per segment"
        )
    try:
        reader = pyedflib.EdfReader(str(file), annotations_mode=pyedflib.DO_NOT_READ_ANNOTATIONS)
    except OSError as error:
        raise ValueError(f"cannot read EDF/BDF file {file}: {error}") from error
    with reader:
        every = range(int(reader.signals_in_file))
        all_labels = [str(reader.getLabel(i)).strip() for i in every]
        # pyedflib already hides EDF+/BDF+ annotation channels; a plain EDF may carry one
        channels = [i for i in every if all_labels[i] not in _EDF_ANNOTATIONS]
        labels = [all_labels[i] for i in channels]
        rates = [float(reader.getSampleFrequency(i)) for i in channels]
        if not channels:
            raise ValueError(f"{file} has no signal channels; check that it holds the recording")
        if leads is not None:
            keep = _select(labels, leads, file)
            chosen = {rates[k] for k in keep}
            if len(chosen) > 1:
                detail = ", ".join(f"{labels[k]!r} {rates[k]:g} Hz" for k in keep)
                raise ValueError(
                    f"leads of {file} are sampled at different rates ({detail}); read the "
                    "leads of each rate in a separate call"
                )
        else:
            rate = _pick_rate(labels, rates)
            keep = [k for k in range(len(channels)) if rates[k] == rate]
            skipped = [k for k in range(len(channels)) if rates[k] != rate]
            if skipped:
                detail = ", ".join(f"{labels[k]!r} ({rates[k]:g} Hz)" for k in skipped)
                warnings.warn(
                    f"{file}: skipped channels {detail} sampled at another rate than the "
                    f"{rate:g} Hz of the ECG; name them in leads=[...] to read them",
                    UserWarning,
                    stacklevel=3,
                )
        factors = []
        for k in keep:
            unit = str(reader.getPhysicalDimension(channels[k])).strip()
            factor = units if not unit and units is not None else _mv_per_unit(unit)
            if factor is None:
                fix = (
                    "pass units='mV' (or 'uV', 'V') to state it"
                    if not unit
                    else "read only the ECG leads with leads=[...]"
                )
                raise ValueError(
                    f"{file}: channel {labels[k]!r} has physical dimension {unit!r}, not "
                    f"V, mV or uV; {fix}"
                )
            factors.append(factor)
        start_time = reader.getStartdatetime().isoformat()
        n = int(reader.getNSamples()[channels[keep[0]]])
        signal = np.empty((n, len(keep)), dtype=np.float64)
        for j, k in enumerate(keep):
            signal[:, j] = reader.readSignal(channels[k])
            if factors[j] != 1.0:
                signal[:, j] *= factors[j]
    rate = _settle_fs(fs, rates[keep[0]], "its header", file)
    return _finish(signal, rate, [labels[k] for k in keep], file, start_time=start_time)


def _delimiter(file: Path, header: str) -> str | None:
    """The cell separator of a text file (None: runs of whitespace)."""
    ext = file.suffix.lower()
    if ext == ".tsv":
        return "\t"
    if ext == ".csv":
        return ";" if "," not in header and ";" in header else ","
    for candidate in ("\t", ",", ";"):
        if candidate in header:
            return candidate
    return None


def _numbers_only(line: str, file: Path) -> bool:
    """True for a line of numbers only (a data row, not a header)."""
    cells = _split(line.rstrip("\r\n"), _delimiter(file, line))
    return bool(line.strip()) and all(_is_number(cell.strip()) for cell in cells)


def _split(line: str, delimiter: str | None) -> list[str]:
    if delimiter is None:
        return line.split()
    return next(csv.reader([line], delimiter=delimiter))


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _text_encoding(file: Path) -> str:
    """How ``file``'s text is encoded, for :func:`open`.

    UTF-16 or UTF-32 where it starts with their byte-order mark (a spreadsheet's "Unicode
    text" export, PowerShell's ``Out-File``), else UTF-8 (a UTF-8 byte-order mark skipped).

    Raises ValueError where its first 4 KiB hold a NUL byte without such a mark: UTF-16
    without its mark, or not text at all, which would otherwise fail on a garbled cell.
    """
    with file.open("rb") as handle:
        head = handle.read(4096)
    if head.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        return "utf-32"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if b"\x00" in head:
        raise ValueError(
            f"{file} holds NUL bytes, so it is not UTF-8 text: UTF-16 without a byte-order "
            "mark, or not a text table at all; save it as UTF-8 text (CSV)"
        )
    return "utf-8-sig"


def _rows(file: Path, layout: _TextLayout) -> Iterator[tuple[int, list[str]]]:
    """(line number, cells) of each non-blank line after the header.

    A line of empty cells (``,`` between two leads, ``""`` for one) is a row of missing
    samples, not a blank line: it is kept.
    """
    delimiter, header_line = layout.delimiter, layout.header_line
    with file.open(newline="", encoding=layout.encoding, errors="replace") as handle:
        if delimiter is None:
            for number, line in enumerate(handle, start=1):
                if number > header_line and line.strip():
                    yield number, line.split()
            return
        for _ in range(header_line):
            handle.readline()
        reader = csv.reader(handle, delimiter=delimiter)
        for cells in reader:
            if cells and (len(cells) > 1 or cells[0].strip() or cells[0] == ""):
                yield header_line + reader.line_num, cells


@dataclasses.dataclass(frozen=True)
class _TextLayout:
    """Where a text file's samples are and how to read them.

    The cell separator (None: whitespace), the column names, the header's line (1-based;
    the samples follow it), the text encoding (:func:`_text_encoding`) and a column of
    clock times ("0:01.250", read as seconds), and whether every line ends with the
    separator (an unnamed last column, which must stay empty).
    """

    delimiter: str | None
    names: Sequence[str]
    header_line: int
    encoding: str = "utf-8-sig"
    as_clock: int | None = None

    @property
    def trailing(self) -> bool:
        """Every line ends with the separator: the last of ``names`` is empty, its cells too."""
        return _ends_with_separator(self.names, self.delimiter)


def _ends_with_separator(names: Sequence[str], delimiter: str | None) -> bool:
    """A header row that ends with its separator (some exporters end every line so)."""
    return delimiter is not None and len(names) > 1 and not names[-1]


def _parse_cells(file: Path, layout: _TextLayout) -> FloatArray:
    """Parse the table cell by cell, naming the line and column of the first bad cell."""
    names, as_clock = layout.names, layout.as_clock
    values: list[list[float]] = []
    for line, cells in _rows(file, layout):
        if len(cells) != len(names):
            named = len(names) - layout.trailing
            given = len(cells) - (layout.trailing and not cells[-1].strip())
            ends = " and ends with a separator, so every row must too" if layout.trailing else ""
            raise ValueError(
                f"{file}: line {line} has {given} value(s) but the header names {named} "
                f"column(s){ends}; give every row one value per column"
            )
        row = []
        for column, cell in enumerate(cells):
            text = _unquoted(cell)  # PhysioNet's ATM quotes its cells with '
            if text.lower() in _MISSING_CELLS:
                row.append(math.nan)
                continue
            try:
                row.append(_clock_seconds(text) if column == as_clock else float(text))
            except ValueError:
                hint = "; decimal commas are not supported" if "," in text else ""
                advice = "; fix or remove that cell"
                if _is_date_time(text):
                    hint, advice = (
                        ", a date and time, which is not read",
                        (
                            ": write the time in seconds ('time') or milliseconds ('time_ms') "
                            "from the start, or drop the column and pass fs=..."
                        ),
                    )
                raise ValueError(
                    f"{file}: line {line}, column {column + 1} ({names[column]!r}) is not a "
                    f"number: {cell!r}{hint}{advice}"
                ) from None
        values.append(row)
    return np.array(values, dtype=np.float64).reshape(len(values), len(names))


def _is_date_time(text: str) -> bool:
    """True for an ISO 8601 date and time, such as ``2024-01-31T10:00:00.250``."""
    try:
        np.datetime64(text.replace(" ", "T", 1))
    except ValueError:
        return False
    return True


def _load_table(file: Path, layout: _TextLayout) -> FloatArray:
    if layout.as_clock is not None:
        return _parse_cells(file, layout)
    names = layout.names
    if layout.trailing and not _lines_end_with_separator(file, layout):
        return _parse_cells(file, layout)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # "input contained no data"
            table = np.loadtxt(
                file,
                dtype=np.float64,
                delimiter=layout.delimiter,
                skiprows=layout.header_line,
                ndmin=2,
                encoding=layout.encoding,
                comments=None,
                quotechar='"',
                # the empty last cells, each line's end checked above, are not parsed
                usecols=range(len(names) - 1) if layout.trailing else None,
            )
    except ValueError:
        # numpy's fast parser stops at empty cells, words and ragged rows: parse again
        # slowly to treat empty cells as missing and name the line of anything else
        return _parse_cells(file, layout)
    if layout.trailing:
        table = np.column_stack([table, np.full(table.shape[0], np.nan)])
    if table.size and table.shape[1] != len(names):
        return _parse_cells(file, layout)
    return table.reshape(-1, len(names)) if table.size == 0 else table


def _lines_end_with_separator(file: Path, layout: _TextLayout) -> bool:
    """True where every line of a UTF-8 file after the header ends with the separator.

    A blank line passes (it is refused or skipped elsewhere); False for other encodings,
    which the cell-by-cell parser checks instead. Read in blocks, byte by byte in numpy.
    """
    if layout.encoding != "utf-8-sig" or layout.delimiter is None:
        return False
    separator, newline, carriage = ord(layout.delimiter), ord("\n"), ord("\r")
    with file.open("rb") as handle:
        for _ in range(layout.header_line):
            handle.readline()
        tail = np.array([newline, newline], dtype=np.uint8)  # the two bytes before a block
        while block := handle.read(1 << 24):
            data = np.concatenate([tail, np.frombuffer(block, dtype=np.uint8)])
            ends = np.flatnonzero(data[2:] == newline) + 2
            last = data[ends - 1]
            # CRLF: the byte before the carriage return
            last = np.where(last == carriage, data[ends - 2], last)
            if not np.isin(last, (separator, newline)).all():
                return False
            tail = data[-2:]
    # a last line without its newline
    last_byte = tail[-1] if tail[-1] != carriage else tail[-2]
    return bool(last_byte in (separator, newline))


def _check_unnamed_column_empty(cells: FloatArray, file: Path, layout: _TextLayout) -> None:
    """Refuse a value in the last column, which a trailing separator leaves unnamed."""
    filled = np.flatnonzero(~np.isnan(cells))
    if filled.size:
        line = next(itertools.islice(_rows(file, layout), int(filled[0]), None))[0]
        raise ValueError(
            f"{file}: line {line} has a value after its last named column; the header ends "
            "with a separator, so that column has no name. Name it or leave it empty"
        )


def _time_index(names: Sequence[str], time_column: str | None, file: Path) -> int | None:
    if time_column is not None:
        if time_column not in names:
            raise ValueError(
                f"{file} has no column {time_column!r} (time_column); its columns are "
                + ", ".join(repr(n) for n in names)
            )
        return names.index(time_column)
    # a time column before a column of sample numbers: time gives the rate
    units = [_clock_unit(name) for name in names]
    timed = [i for i, unit in enumerate(units) if unit]
    numbered = [i for i, unit in enumerate(units) if unit == 0.0]
    found = timed or numbered
    return found[0] if found else None


def _clock_unit(name: str) -> float | None:
    """Seconds per unit of a column whose name says time, 0.0 where it says sample numbers.

    None for any other name. "time", "t", "Time (s)", "time_ms", "Elapsed time [ms]",
    "seconds", "ms" name time; "sample", "Sample #", "index" sample numbers.
    """
    words = _name_words(name)
    if words in _SAMPLE_NUMBER_WORDS:
        return 0.0
    if words in _TIME_WORDS:
        return 1.0
    if words in _UNIT_NAMES:
        return _SECONDS_PER_UNIT[words]
    base, _, unit = words.rpartition(" ")
    if base in _TIME_WORDS and unit in _SECONDS_PER_UNIT:
        return _SECONDS_PER_UNIT[unit]
    return None


def _trailing_unit(name: str) -> float | None:
    """Seconds per unit of the unit a name ends in ("Zeit (ms)": 1e-3), None without one."""
    base, _, unit = _name_words(name).rpartition(" ")
    return _SECONDS_PER_UNIT.get(unit) if base else None


def _name_words(name: str) -> str:
    """A column's name in lower case, each run of separators, brackets and '#' one space."""
    return _NAME_SEPARATORS.sub(" ", name.lower()).strip()


def _rows_from_time(time: FloatArray, name: str, file: Path) -> tuple[float, NDArray[np.int64]]:
    """Sampling rate of a time column in seconds, and the sample each row is at.

    Steps must be even, or whole multiples of the step: a step of k steps is k - 1 rows
    missing (a recorder that drops samples writes no row for them).
    """
    missing = np.flatnonzero(~np.isfinite(time))
    if missing.size:
        raise ValueError(
            f"{file}: time column {name!r} has {missing.size} missing value(s), the first at "
            f"sample {missing[0]}; fill them in or drop the column and pass fs=..."
        )
    if time.size < 2:
        raise ValueError(
            f"{file}: time column {name!r} has {time.size} value(s), too few to give fs; "
            "pass fs=..."
        )
    steps = np.diff(time)
    step = float(np.median(steps))
    if not step > 0:
        raise ValueError(
            f"{file}: time column {name!r} does not increase (median step {step:g} s); "
            "check the column is time in seconds, or name the right one with time_column="
        )
    multiple = np.maximum(np.rint(steps / step), 1.0)
    single = multiple == 1
    if single.any() and not single.all():
        # the mean single step, immune to the rounding of each time stamp, which a median
        # step carries into every multiple of it
        step = float(steps[single].mean())
        multiple = np.maximum(np.rint(steps / step), 1.0)
    # stamps rounded coarser than 1 % of the step (PhysioNet writes a 360-Hz record's time
    # in ms: steps of 2 and 3 ms) are as even as their rounding lets them be: each step is
    # then off by less than the stamps' quantum, the least change between two steps
    changes = np.abs(np.diff(steps))
    changes = changes[changes > 1e-9 * step]
    quantum = float(changes.min()) if changes.size else 0.0
    tolerance = _RATE_TOLERANCE * step
    if quantum < 0.5 * step:
        tolerance = max(tolerance, quantum * (1 + 1e-6))
    uneven = np.flatnonzero(np.abs(steps - multiple * step) > tolerance)
    if uneven.size:
        i = int(uneven[0])
        raise ValueError(
            f"{file}: time column {name!r} is not evenly spaced: {uneven.size} step(s) differ "
            f"from the step {step:.6g} s (or a whole number of them: rows missing) by "
            f"more than 1 %, the first from sample {i} to {i + 1} (t = {time[i]:.6g} s to "
            f"{time[i + 1]:.6g} s, a step of {steps[i]:.6g} s); resample the recording to a "
            "uniform rate first"
        )
    rows = np.concatenate([[0], np.cumsum(multiple.astype(np.int64))])
    span = float(time[-1] - time[0])
    fs = float(rows[-1] / span)
    # the stamps fix the span only to their quantum: where a whole number of Hz lies within
    # what that leaves open, it is the rate (1-ms stamps of 20 s at 360 Hz give 360.004)
    if abs(fs - round(fs)) <= fs * quantum / span:
        fs = float(round(fs))
    return fs, rows


def _rows_from_sample_numbers(values: FloatArray, name: str, file: Path) -> NDArray[np.int64]:
    """The row each sample number is at, counted from the first (a skip is rows missing)."""
    steps = np.diff(values)
    whole = np.isfinite(values).all() and bool((values == np.round(values)).all())
    if not whole or (steps < 1).any():
        raise ValueError(
            f"{file}: column {name!r} should hold sample numbers (its name says so), but "
            "they are not whole numbers that increase row by row; rename it if it is a "
            "lead, or drop it"
        )
    return np.asarray(values - values[0], dtype=np.int64)


def _unquoted(cell: str) -> str:
    """A header cell without surrounding blanks and quotes ("'MLII'" is MLII)."""
    return cell.strip().strip(_QUOTES).strip()


def _is_time_unit(unit: str) -> bool:
    return unit in _SECONDS_PER_UNIT or unit in _CLOCK_FORMATS


def _units_row(
    line: str, delimiter: str | None, names: Sequence[str], file: Path
) -> list[str] | None:
    """The units a row under the header states, lower case, or None where it is data.

    A row of units has one cell per column, none a number, each a voltage (mV, uV, V),
    a unit of time (seconds, ms ...), a clock format (hh:mm:ss.mmm) or empty. A row of
    such cells where some are units and others are not raises, naming the one not read.
    """
    n_columns = len(names)
    if not line.strip():
        return None
    written = [_unquoted(cell) for cell in _split(line.rstrip("\r\n"), delimiter)]
    cells = [cell.lower() for cell in written]
    # a row of empty cells is a row of missing samples, not of units
    if len(cells) != n_columns or not any(cells) or any(_is_number(cell) for cell in cells):
        return None
    known = [not c or _mv_per_unit(c) is not None or _is_time_unit(c) for c in cells]
    if all(known):
        return cells
    if any(c and k for c, k in zip(cells, known, strict=True)):
        column = known.index(False)
        raise ValueError(
            f"{file}: the row under the header is a row of units, but {written[column]!r} "
            f"(column {names[column]!r}) is not one read here: a lead in V, mV or uV "
            "(values in ADC counts must be scaled to a voltage first), a time column in "
            "seconds or ms"
        )
    return None


def _clock_seconds(text: str) -> float:
    """Seconds of a clock time "[h:]mm:ss.mmm" (quotes allowed); ValueError otherwise."""
    parts = _unquoted(text).split(":")
    if not 1 <= len(parts) <= 3:
        raise ValueError(text)
    seconds = 0.0
    for part in parts:
        seconds = 60 * seconds + float(part)
    return seconds


def _read_text(
    file: Path,
    fs: float | None,
    leads: tuple[str | int, ...] | None,
    units: float | None,
    time_column: str | None,
) -> Record:
    encoding = _text_encoding(file)
    with file.open(newline="", encoding=encoding, errors="replace") as handle:
        header = handle.readline()
        # comment lines before the header (a device's or an export's notes) are skipped
        header_line, comment = 1, None
        while header.lstrip().startswith("#"):
            comment = header
            header, header_line = handle.readline(), header_line + 1
        # the line under the header: a row of units, or the first samples
        under = handle.readline()
    if comment is not None and _numbers_only(header, file):
        # np.savetxt(..., header="time,MLII") writes the header as a comment: "# time,MLII"
        under = header
        header, header_line = comment.lstrip()[1:].lstrip(), header_line - 1
    if not header.strip():
        raise ValueError(f"{file} is empty or starts with a blank line; it needs a header row")
    delimiter = _delimiter(file, header)
    names = [_unquoted(cell) for cell in _split(header.rstrip("\r\n"), delimiter)]
    if all(_is_number(name) for name in names):
        raise ValueError(
            f"{file} needs a header row of lead names, e.g. 'time,MLII,V5'; its first row "
            f"is numbers ({header.strip()[:60]!r})"
        )
    # a separator at the end of every line: an empty last column
    trailing = _ends_with_separator(names, delimiter)
    named = len(names) - trailing
    for column, name in enumerate(names[:named]):
        if not name:
            hint = " (an index column written by pandas? use df.to_csv(index=False))"
            raise ValueError(
                f"{file}: column {column + 1} of the header row has no name"
                f"{hint if column == 0 else ''}; name every column"
            )
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise ValueError(f"{file}: the header names {duplicates} twice; give each column its own")
    stated = _units_row(under, delimiter, names, file)
    if stated is not None:
        header_line += 1
    time_at = _time_index(names, time_column, file)
    if time_at is None and stated is not None:
        # a column whose stated unit is one of time is the time column
        timed = [i for i, unit in enumerate(stated) if _is_time_unit(unit)]
        time_at = timed[0] if len(timed) == 1 else None
    # every column named as a clock is no lead (a file may have both time and sample numbers)
    columns = [
        i for i, name in enumerate(names[:named]) if i != time_at and _clock_unit(name) is None
    ]
    if not columns:
        raise ValueError(f"{file} has a time column but no lead columns")
    lead_names = [names[i] for i in columns]
    picked = columns if leads is None else [columns[k] for k in _select(lead_names, leads, file)]
    as_clock = (
        time_at
        if stated is not None and time_at is not None and stated[time_at] in _CLOCK_FORMATS
        else None
    )
    layout = _TextLayout(delimiter, names, header_line, encoding, as_clock)
    table = _load_table(file, layout)
    if trailing:
        _check_unnamed_column_empty(table[:, -1], file, layout)
    if table.shape[0] == 0:
        raise ValueError(f"{file} has a header row but no samples; check that it holds the data")
    blank = _blank_line_inside(file, layout)
    if blank is not None:
        raise ValueError(
            f"{file}: line {blank} is blank, with samples after it; a blank line is not read "
            "as a sample, so every sample after it would move one step earlier. Write a "
            "missing sample as NaN (a one-lead file cannot tell an empty cell from a blank "
            "line) or remove the line"
        )
    signal = table[:, picked]
    # a clock column the reader does not know by name says so (before fs is asked for)
    _refuse_clocks(signal, [names[i] for i in picked], file)
    start_s = 0.0
    if time_at is None:
        rate = _require_fs(fs, file, "no time column")
    else:
        name = names[time_at]
        unit = _clock_unit(name)
        if unit == 0.0:
            rate = _require_fs(fs, file, f"sample numbers (column {name!r}), not time stamps")
            rows = _rows_from_sample_numbers(table[:, time_at], name, file)
            start_s = float(table[0, time_at]) / rate
        else:
            if unit is None:  # named by time_column=: seconds unless its name ends in a unit
                unit = _trailing_unit(name) or 1.0
            if stated is not None and _is_time_unit(stated[time_at]):
                # the units row says (a clock's cells were read as seconds)
                unit = _SECONDS_PER_UNIT.get(stated[time_at], 1.0)
            seconds = table[:, time_at] * unit
            stored, rows = _rows_from_time(seconds, name, file)
            if stored < _LOWEST_TIME_COLUMN_RATE_HZ:
                raise ValueError(
                    f"{file}: time column {name!r} read as "
                    f"{'seconds' if unit == 1.0 else 'its unit'} gives fs = "
                    f"{stored:.3g} Hz, too slow for an ECG: if it is in milliseconds, call "
                    f"it 'time_ms' (or 'time (ms)'); if it holds sample numbers, call it "
                    "'sample' and pass fs=..."
                )
            rate = _settle_fs(fs, stored, f"1 / step of column {name!r}", file)
            start_s = float(seconds[0])
        if rows[-1] + 1 > rows.size:
            # rows the time column skips are missing samples (NaN), as empty cells are
            full = np.full((int(rows[-1]) + 1, signal.shape[1]), np.nan)
            full[rows] = signal
            signal = full
    if stated is not None:
        # units the file states win, as a WFDB or EDF header's do
        factors = [_mv_per_unit(stated[i]) or units or 1.0 for i in picked]
        signal *= np.asarray(factors)
    elif units is not None and units != 1.0:
        signal *= units
    return _finish(signal, rate, [names[i] for i in picked], file, start_s=start_s)


def _blank_line_inside(file: Path, layout: _TextLayout) -> int | None:
    """Line number (1-based) of the first blank line after the header with data after it."""
    blank = None
    with file.open(encoding=layout.encoding, errors="replace") as handle:
        for number, line in enumerate(handle, start=1):
            if line.strip():
                if blank is not None:
                    return blank
            elif blank is None and number > layout.header_line:
                blank = number
    return None


def _as_samples_first(array: Any, file: Path) -> Any:
    """``array`` as ``[n_samples, n_leads]`` after checking its dtype and shape."""
    dtype = np.dtype(array.dtype)
    if dtype == np.bool_ or not (
        np.issubdtype(dtype, np.integer) or np.issubdtype(dtype, np.floating)
    ):
        raise ValueError(
            f"{file} holds an array of dtype {dtype}; save the signal as a real numeric array"
        )
    if array.ndim == 1:
        return array[:, None]
    if array.ndim != 2:
        raise ValueError(
            f"{file} holds an array of shape {array.shape}; save the signal as "
            "[n_samples] or [n_samples, n_leads]"
        )
    if 0 < array.shape[0] < array.shape[1] and array.shape[0] <= _MAX_LEADS:
        raise ValueError(
            f"{file} holds shape {array.shape}, which looks leads-first ([n_leads, n_samples]); "
            "read_signal expects [n_samples, n_leads]: save the transpose, e.g. "
            "np.save(path, x.T)"
        )
    return array


def _convert(array: Any, picked: Sequence[int], units: float | None) -> FloatArray:
    """Copy the ``picked`` columns into one new float array, a chunk of rows at a time."""
    dtype = array.dtype if array.dtype in (np.float32, np.float64) else np.dtype(np.float64)
    n = array.shape[0]
    out = np.empty((n, len(picked)), dtype=dtype)
    every = list(picked) == list(range(array.shape[1]))
    for start in range(0, n, _CHUNK_ROWS):
        rows = array[start : start + _CHUNK_ROWS]
        out[start : start + _CHUNK_ROWS] = rows if every else rows[:, picked]
    if units is not None and units != 1.0:
        out *= units
    return out


def _lead_picks(
    n_leads: int, names: Sequence[str], leads: tuple[str | int, ...] | None, file: Path
) -> list[int]:
    return list(range(n_leads)) if leads is None else _select(names, leads, file)


def _read_npy(
    file: Path, fs: float | None, leads: tuple[str | int, ...] | None, units: float | None
) -> Record:
    try:
        array = np.load(file, mmap_mode="r", allow_pickle=False)
    except EOFError:
        raise ValueError(
            f"cannot read {file}: the file is empty; save the signal with np.save(path, x)"
        ) from None
    except ValueError as error:
        raise ValueError(
            f"cannot read {file}: {error}; save the signal as a plain numeric array"
        ) from error
    array = _as_samples_first(array, file)
    rate = _require_fs(fs, file, "no stored sampling rate (a .npy holds only the array)")
    names = [f"lead{i}" for i in range(array.shape[1])]
    picked = _lead_picks(array.shape[1], names, leads, file)
    signal = _convert(array, picked, units)
    _refuse_clocks(signal, [names[i] for i in picked], file)
    return _finish(signal, rate, [names[i] for i in picked], file)


def _read_npz(
    file: Path, fs: float | None, leads: tuple[str | int, ...] | None, units: float | None
) -> Record:
    try:
        archive = np.load(file, allow_pickle=False)
    except EOFError:
        raise ValueError(
            f"cannot read {file} as an .npz archive: the file is empty; save the signal "
            "with np.savez(path, signal=x, fs=360)"
        ) from None
    except (ValueError, OSError) as error:
        raise ValueError(f"cannot read {file} as an .npz archive: {error}") from error
    with archive:
        keys = list(archive.files)
        if "signal" in keys:
            key = "signal"
        elif len(keys) == 1:
            key = keys[0]
        else:
            raise ValueError(
                f"{file} holds the arrays {keys} but none named 'signal'; save it as "
                "np.savez(path, signal=x, fs=360, lead_names=['MLII'])"
            )
        try:
            raw = archive[key]
            stored_fs = archive["fs"] if "fs" in keys else None
            stored_names = archive["lead_names"] if "lead_names" in keys else None
        except (ValueError, EOFError) as error:
            raise ValueError(
                f"cannot read {file}: {error}; save plain numeric and string arrays"
            ) from error
    # numpy hands back the raw bytes of a member that is not a .npy array
    for member, value in ((key, raw), ("fs", stored_fs), ("lead_names", stored_names)):
        if value is not None and not isinstance(value, np.ndarray):
            raise ValueError(
                f"cannot read {file}: its member {member!r} is not a NumPy array (.npy); "
                "save the archive with np.savez"
            )
    array = _as_samples_first(raw, file)
    n_leads = array.shape[1]
    if stored_fs is None:
        rate = _require_fs(fs, file, "no array 'fs'")
    else:
        if stored_fs.size != 1 or not np.issubdtype(stored_fs.dtype, np.number):
            raise ValueError(
                f"{file}: its 'fs' must be one number in Hz, got {stored_fs!r}; fix the file"
            )
        rate = _settle_fs(fs, float(stored_fs.reshape(())), "its array 'fs'", file)
    if stored_names is None:
        names = [f"lead{i}" for i in range(n_leads)]
    else:
        names = [str(n) for n in np.atleast_1d(stored_names)]
        if stored_names.ndim > 1 or len(names) != n_leads:
            raise ValueError(
                f"{file}: its 'lead_names' has {len(names)} name(s) for {n_leads} lead(s); "
                "save one name per column of 'signal'"
            )
    picked = _lead_picks(n_leads, names, leads, file)
    signal = _convert(array, picked, units)
    _refuse_clocks(signal, [names[i] for i in picked], file)
    return _finish(signal, rate, [names[i] for i in picked], file)
