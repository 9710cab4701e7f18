"""Inputs and scoring of the R-peak stress suite (``bench_stress.py``); not part of the package.

Each stress condition is a list of :class:`Case` objects (a single-lead signal, its rate,
its reference beats and, optionally, the span in which to score), built here from MIT-BIH
and LUDB records; :class:`Tally` accumulates the EC57 match counts and placement errors
of one method over the cases of a row.
"""

from __future__ import annotations

import dataclasses
import functools
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from _common import load_mitdb_record, ludb_table

from ecgkit.data import read_annotations, read_record
from ecgkit.signal import match_peaks, resample, resample_indices

#: The 12 LUDB leads, in the order of its headers (also the annotation file extensions).
LUDB_LEADS = ("i", "ii", "iii", "avr", "avl", "avf", "v1", "v2", "v3", "v4", "v5", "v6")


@dataclass(frozen=True)
class Case:
    """One input of a stress row.

    Attributes
    ----------
    name : str
        Where it comes from, e.g. ``"203"`` or ``"203@16689"``.
    x : numpy.ndarray
        Single-lead signal.
    fs : float
        Sampling rate in Hz.
    reference : numpy.ndarray of int64
        Reference beat samples.
    span : tuple of int, optional
        Score only here (``[start, stop)`` samples): reference beats outside are left out,
        and a detection outside may match a reference beat but never counts as a false
        positive. None: the whole signal.
    leads : numpy.ndarray, optional
        Every lead of the record ``[n_leads, n_samples]``, for the methods that fuse leads
        (ecgkit); the single-lead methods get ``x``. None: a single-lead case.
    lead : int
        Index of ``x`` in ``leads``: the lead a fusing method places its beats on.
    fiducial : str
        The point of the QRS the reference marks, as ``detect_r_peaks`` names it:
        ``"extremum"`` (MIT-BIH: the largest deflection) or ``"r_wave"`` (LUDB: the R
        wave); ecgkit places its beats there, the peers on their own points.
    """

    name: str
    x: np.ndarray
    fs: float
    reference: np.ndarray
    span: tuple[int, int] | None = None
    leads: np.ndarray | None = None
    lead: int = 0
    fiducial: str = "extremum"


@dataclass
class Tally:
    """EC57 counts and placement errors of one method, summed over the cases of a row."""

    tp: int = 0
    fp: int = 0
    fn: int = 0
    errors_s: list[np.ndarray] = field(default_factory=list)

    def add(self, peaks: np.ndarray, case: Case, tolerance_s: float) -> tuple[int, int, int]:
        """Score ``peaks`` on ``case`` and add the counts; returns (tp, fp, fn) of the case."""
        tp, fp, fn, errors = score(peaks, case, tolerance_s)
        self.tp, self.fp, self.fn = self.tp + tp, self.fp + fp, self.fn + fn
        self.errors_s.append(errors)
        return tp, fp, fn

    def summary(self) -> dict[str, Any]:
        """TP, FP, FN, Se, +P and F1 (%), and the median absolute placement error (ms)."""
        se = 100 * self.tp / max(self.tp + self.fn, 1)
        ppv = 100 * self.tp / max(self.tp + self.fp, 1)
        errors = np.concatenate(self.errors_s) if self.errors_s else np.zeros(0)
        return {
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
            "se": se,
            "ppv": ppv,
            "f1": 2 * se * ppv / (se + ppv) if se + ppv > 0 else 0.0,
            "median_error_ms": float(1000 * np.median(np.abs(errors))) if errors.size else None,
        }


def score(peaks: np.ndarray, case: Case, tolerance_s: float) -> tuple[int, int, int, np.ndarray]:
    """EC57 match of ``peaks`` to the case's reference inside its span.

    Returns
    -------
    tp, fp, fn : int
    errors_s : numpy.ndarray
        Signed placement error (detection minus reference, seconds) of each matched pair.
    """
    reference, detected = case.reference, np.asarray(peaks, dtype=np.int64)
    if case.span is not None:
        lo, hi = case.span
        reach = int(np.floor(tolerance_s * case.fs + 1e-9))
        reference = reference[(reference >= lo) & (reference < hi)]
        detected = detected[(detected >= lo - reach) & (detected < hi + reach)]
    match = match_peaks(detected, reference, case.fs, tolerance_s=tolerance_s)
    unmatched = np.ones(detected.size, dtype=bool)
    unmatched[match.detected_index] = False
    if case.span is not None:
        unmatched &= (detected >= case.span[0]) & (detected < case.span[1])
    return match.tp, int(unmatched.sum()), match.fn, match.timing_error_s


@functools.cache
def mitdb_lead(data_dir: Path, record: str) -> tuple[np.ndarray, float, np.ndarray]:
    """Lead 0 (MLII on all but 102 and 104) of a MIT-BIH record, its rate and its beats.

    The beats are the annotations whose symbol is in ``BEAT_SYMBOLS``. Cached: each record
    is read once per run (about 5 MB a record).
    """
    x, fs, reference = load_mitdb_record(data_dir, record)
    return np.ascontiguousarray(x[0]), fs, np.asarray(reference, dtype=np.int64)


def seed_of(*parts: object) -> int:
    """A seed reproducible from the parts' text (as ``_noise.add_nst_noise`` seeds)."""
    return zlib.crc32(":".join(map(str, parts)).encode())


def gain_step(x: np.ndarray, factor: float) -> np.ndarray:
    """``x`` with its second half multiplied by ``factor`` (a step of gain mid-record)."""
    out = x.copy()
    out[x.size // 2 :] *= factor
    return out


def add_spikes(
    x: np.ndarray,
    fs: float,
    seed: int,
    *,
    every_s: float = 10.0,
    amplitude_mv: tuple[float, float] = (10.0, 50.0),
    width_s: tuple[float, float] = (0.001, 0.020),
) -> tuple[np.ndarray, np.ndarray]:
    """Add one triangular spike at a random place in every ``every_s`` block of ``x``.

    Each spike has a uniform random amplitude in ``amplitude_mv``, a random sign and a
    uniform random base width in ``width_s`` (at least one sample), and is added on top of
    the ECG.

    Returns
    -------
    numpy.ndarray
        The signal with spikes.
    numpy.ndarray of int64
        The spikes' centre samples.
    """
    rng = np.random.default_rng(seed)
    out = x.copy()
    block = round(every_s * fs)
    centres = []
    for start in range(0, x.size - block + 1, block):
        width = max(round(rng.uniform(*width_s) * fs), 1)
        height = rng.uniform(*amplitude_mv) * rng.choice((-1.0, 1.0))
        at = start + int(rng.integers(width, block - width))
        shape = np.bartlett(width + 2)[1:-1] if width > 1 else np.ones(1)
        lo = at - width // 2
        out[lo : lo + width] += height * shape / shape.max()
        centres.append(at)
    return out, np.asarray(centres, dtype=np.int64)


def vt_episodes(data_dir: Path, record: str) -> list[tuple[int, int]]:
    """``(start, stop)`` samples of each ``(VT`` episode of a MIT-BIH record.

    An episode runs from its ``+`` rhythm annotation with aux note ``(VT`` to the next
    rhythm annotation (or the record's end).
    """
    annotations = read_annotations(data_dir / record)
    n = mitdb_lead(data_dir, record)[0].size
    rhythm = np.flatnonzero(annotations.symbol == "+")
    episodes = []
    for k, i in enumerate(rhythm):
        if str(annotations.aux_note[i]).rstrip("\x00").strip() != "(VT":
            continue
        stop = int(annotations.sample[rhythm[k + 1]]) if k + 1 < rhythm.size else n
        episodes.append((int(annotations.sample[i]), stop))
    return episodes


def with_context(
    episodes: list[tuple[int, int]], n: int, fs: float, context_s: float = 5.0
) -> list[tuple[int, int]]:
    """Episodes widened by ``context_s`` on both sides (within ``[0, n)``), overlaps merged."""
    context = round(context_s * fs)
    merged: list[tuple[int, int]] = []
    for start, stop in episodes:
        lo, hi = max(start - context, 0), min(stop + context, n)
        if merged and lo <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(hi, merged[-1][1]))
        else:
            merged.append((lo, hi))
    return merged


def cut(name: str, x: np.ndarray, fs: float, reference: np.ndarray, lo: int, hi: int) -> Case:
    """The case of ``x[lo:hi]`` with the reference beats inside, shifted to it."""
    inside = reference[(reference >= lo) & (reference < hi)] - lo
    return Case(name, x[lo:hi], fs, inside)


def strips(
    data_dir: Path, record: str, n_strips: int, length_s: float = 10.0, lead_s: float = 0.2
) -> Iterator[Case]:
    """``n_strips`` seeded strips of ``length_s`` seconds from a record.

    Each strip starts 0 to ``lead_s`` seconds (uniform) before a randomly chosen reference
    beat, and after the beat before it, so the strip's first reference beat lies within
    ``lead_s`` of its start.
    """
    x, fs, reference = mitdb_lead(data_dir, record)
    rng = np.random.default_rng(seed_of(record, "strips"))
    length, lead = round(length_s * fs), round(lead_s * fs)
    fits = np.flatnonzero((reference >= lead + 1) & (reference - lead + length <= x.size))
    for i in np.sort(rng.choice(fits, size=min(n_strips, fits.size), replace=False)):
        earliest = int(reference[i - 1]) + 1 if i > 0 else 0
        start = max(int(reference[i]) - int(rng.integers(0, lead + 1)), earliest)
        yield cut(f"{record}@{start}", x, fs, reference, start, start + length)


def resampled(x: np.ndarray, fs: float, reference: np.ndarray, fs_out: float) -> Case:
    """``x`` resampled to ``fs_out`` (polyphase), its reference mapped to the new rate."""
    y = resample(x, fs, fs_out)
    return Case("", y, fs_out, resample_indices(reference, fs, fs_out, n_samples_out=y.size))


def ludb_paced(ludb_dir: Path) -> set[str]:
    """The LUDB records ``ludb.csv`` lists any cardiac pacing for (empty without the file)."""
    return {row["ID"].strip() for row in ludb_table(ludb_dir) if row["Cardiac pacing"].strip()}


def ludb_case(header: Path, lead: str, signal: np.ndarray, fs: float) -> Case | None:
    """The case of one LUDB lead: its own QRS marks (``N``), scored in its annotated span.

    The span runs from the lead's first to its last annotation (wave onsets and offsets
    included). None when the lead has no annotation file or no QRS mark.
    """
    try:
        marks = read_annotations(header.with_suffix(""), extension=lead)
    except (FileNotFoundError, ValueError):
        return None
    reference = marks.sample[marks.symbol == "N"].astype(np.int64)
    if reference.size == 0:
        return None
    span = (int(marks.sample.min()), int(marks.sample.max()) + 1)
    return Case(f"{header.stem}:{lead}", signal, fs, reference, span, fiducial="r_wave")


def ludb_fused_case(
    header: Path, signal: np.ndarray, fs: float, names: tuple[str, ...], lead: str = "ii"
) -> Case | None:
    """All of a LUDB record's leads, scored as :func:`ludb_case` scores ``lead``.

    ``x`` is ``lead`` (for the single-lead methods) and ``leads`` the whole record. None
    when ``lead`` is missing or has no QRS mark.
    """
    if lead not in names:
        return None
    index = names.index(lead)
    case = ludb_case(header, lead, signal[index], fs)
    if case is None:
        return None
    return dataclasses.replace(case, name=f"{header.stem}:fused", leads=signal, lead=index)


def ludb_leads(header: Path) -> tuple[np.ndarray, float, tuple[str, ...]]:
    """A LUDB record's leads ``[n_leads, n_samples]`` (mV), rate and lower-case names."""
    record = read_record(header)
    names = tuple(name.lower() for name in record.lead_names)
    return np.ascontiguousarray(record.leads_first, dtype=np.float64), record.fs, names
