"""Helpers shared by the benchmark scripts (not part of the package)."""

from __future__ import annotations

import csv
import importlib.util
import json
import os
import platform
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import wfdb

from ecgkit._files import atomic_write
from ecgkit.data import (
    BEAT_SYMBOLS,
    MITBIH_RECORDS,
    read_annotations,
    read_signal,
)

MITDB_RECORDS = list(MITBIH_RECORDS)


def default_data_dir() -> Path:
    env = os.environ.get("ECGKIT_DATA_DIR")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[2] / "shared" / "data" / "mitdb"


def load_mitdb_record(data_dir: Path, record: str) -> tuple[np.ndarray, float, np.ndarray]:
    """Return (signal [n_leads, n_samples] in mV, fs in Hz, beat annotation samples)."""
    rec = wfdb.rdrecord(str(data_dir / record))
    ann = wfdb.rdann(str(data_dir / record), "atr")
    symbols = np.asarray(ann.symbol)
    is_beat = np.isin(symbols, list(BEAT_SYMBOLS))
    return np.asarray(rec.p_signal.T, dtype=np.float64), float(rec.fs), ann.sample[is_beat]


def environment() -> dict[str, Any]:
    import scipy

    return {
        "python": platform.python_version(),
        "machine": platform.machine(),
        "processor": platform.processor(),
        "cpu_count": os.cpu_count(),
        "numpy": np.__version__,
        "scipy": scipy.__version__,
    }


def write_json(path: Path, payload: dict[str, Any]) -> None:
    """Write JSON atomically (temp file in the same folder, then rename)."""
    with atomic_write(path) as handle:
        handle.write(json.dumps(payload, indent=2).encode())


def build_joined(data_dir: Path, folder: Path) -> tuple[Path, np.ndarray]:
    """All 48 records' two leads joined into one memory-mapped float32 .npy (mV)."""
    lengths = []
    for record in MITBIH_RECORDS:
        lengths.append(int((data_dir / f"{record}.hea").read_text().split()[3]))
    path = folder / "holter24h.npy"
    joined = np.lib.format.open_memmap(path, mode="w+", dtype=np.float32, shape=(sum(lengths), 2))
    reference = []
    offset = 0
    for record, n in zip(MITBIH_RECORDS, lengths, strict=True):
        joined[offset : offset + n] = read_signal(data_dir / f"{record}.hea").signal
        samples = read_annotations(data_dir / record).select(BEAT_SYMBOLS).sample
        reference.append(samples + offset)
        offset += n
    joined.flush()
    del joined
    return path, np.concatenate(reference)


AF_RHYTHMS = ("(AFIB", "(AFL")


def ludb_rhythm(header: Path) -> str:
    """The rhythm diagnosis an LUDB header states (``#Rhythm: ...``)."""
    for line in header.read_text().splitlines():
        if line.startswith("#Rhythm:"):
            return line.split(":", 1)[1].strip().rstrip(".")
    return "unknown"


def ludb_group(rhythm: str) -> str | None:
    """``"af"`` for an LUDB rhythm of atrial fibrillation or flutter, ``"sinus"`` for any
    sinus rhythm (:func:`ludb_rhythm`), None for the others."""
    if rhythm.startswith("Atrial"):
        return "af"
    return "sinus" if "inus" in rhythm else None


def ludb_records(ludb_dir: Path) -> list[Path]:
    """LUDB headers (``data/<n>.hea``), in record order."""
    return sorted((ludb_dir / "data").glob("*.hea"), key=lambda p: int(p.stem))


def ludb_table(ludb_dir: Path) -> list[dict[str, str]]:
    """The rows of LUDB's ``ludb.csv`` (ID, rhythms, pacing, extrasystoles ...); none without it."""
    table = ludb_dir / "ludb.csv"
    if not table.is_file():
        return []
    with table.open(newline="") as handle:
        return list(csv.DictReader(handle))


def mitdb_rhythm_labels(data_dir: Path, record: str) -> tuple[np.ndarray, np.ndarray]:
    """Reference beat samples of a record and the rhythm annotated at each (``"(N"``...)."""
    annotations = read_annotations(data_dir / record)
    rhythm, samples, rhythms = "", [], []
    for sample, symbol, note in zip(
        annotations.sample, annotations.symbol, annotations.aux_note, strict=True
    ):
        if symbol == "+" and note:
            rhythm = note
        if symbol in BEAT_SYMBOLS:
            samples.append(sample)
            rhythms.append(rhythm)
    return np.asarray(samples, dtype=np.int64), np.asarray(rhythms, dtype=str)


def mitdb_rhythm(data_dir: Path, record: str) -> tuple[np.ndarray, np.ndarray]:
    """Reference beat samples of a record and whether each lies in an AF or flutter episode."""
    samples, rhythms = mitdb_rhythm_labels(data_dir, record)
    return samples, np.isin(rhythms, AF_RHYTHMS)


def beat_rhythm(
    data_dir: Path,
    records: np.ndarray,
    r_sample: np.ndarray,
    predicted: list[str],
    min_episode_s: float = 30.0,
    cache: RhythmCache | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Beats the rhythm gate acts on, and reference AF, of every beat of a BeatSet.

    ``records`` and ``r_sample`` are the BeatSet's per-beat record ids and reference R
    samples, ``predicted`` the class name a model gives each beat. Each record's rhythm is
    found as the annotate path finds it (:func:`ecgkit.annotate.rhythm_context` on all its
    reference beats, the beats predicted V or F left out, lead MLII as P-wave evidence,
    AF runs shorter than ``min_episode_s`` dropped). Returns (gated, reference) boolean
    arrays in the BeatSet's order: gated are the beats inside detected AF or with clearly
    absent P waves, reference the beats inside the reference AF and flutter episodes.
    A ``cache`` shared between calls keeps each record's lead, beats and rhythm: a record
    whose beats called V or F are those of an earlier call is not detected again.
    """
    from ecgkit.annotate import VENTRICULAR_CLASSES

    cache = cache if cache is not None else RhythmCache(data_dir)
    gated = np.zeros(r_sample.size, dtype=bool)
    reference = np.zeros(r_sample.size, dtype=bool)
    names = np.asarray(predicted)
    for record in np.unique(records):
        rows = np.flatnonzero(records == record)
        peaks, truth, _ = cache.record(str(record))
        position = np.searchsorted(peaks, r_sample[rows])
        exclude = np.zeros(peaks.size, dtype=bool)
        exclude[position] = np.isin(names[rows], VENTRICULAR_CLASSES)
        gated[rows] = cache.without_atrial_rhythm(str(record), exclude, min_episode_s)[position]
        reference[rows] = truth[position]
    return gated, reference


def rhythm_of_calls(
    weighed: np.ndarray,
    classes: Sequence[str],
    data_dir: Path,
    records: np.ndarray,
    r_sample: np.ndarray,
    min_episode_s: float,
    cache: RhythmCache | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`beat_rhythm` of the classes that ``weighed`` (beats x classes) decides.

    The beats the most probable class calls V or F are left out of each record's rhythm,
    as the annotate path leaves them out before its gate acts on ``weighed``.
    """
    called = [classes[i] for i in weighed.argmax(axis=1)]
    return beat_rhythm(data_dir, records, r_sample, called, min_episode_s, cache)


class RhythmCache:
    """What :func:`beat_rhythm` reads and finds per record, kept for its next calls.

    A selection script scores hundreds of decision rules that differ in a few records'
    V calls; each record's rhythm depends on its own calls only.
    """

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self._records: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
        self._rhythms: dict[tuple[str, bytes, float], np.ndarray] = {}

    def record(self, record: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The record's reference beats, whether each is in AF or flutter, and lead MLII."""
        if record not in self._records:
            peaks, truth = mitdb_rhythm(self.data_dir, record)
            lead = read_signal(self.data_dir / f"{record}.hea", leads=["MLII"]).signal[:, 0]
            self._records[record] = (peaks, truth, lead)
        return self._records[record]

    def without_atrial_rhythm(
        self, record: str, exclude: np.ndarray, min_episode_s: float
    ) -> np.ndarray:
        """Each reference beat of ``record`` in AF or with clearly absent P waves."""
        from ecgkit.annotate import rhythm_context

        # the record fixes the number of beats: the packed flags name its calls
        key = (record, np.packbits(exclude).tobytes(), min_episode_s)
        if key not in self._rhythms:
            peaks, _, lead = self.record(record)
            context = rhythm_context(peaks, 360.0, lead, exclude, min_episode_s=min_episode_s)
            self._rhythms[key] = context.without_atrial_rhythm
        return self._rhythms[key]


def sleepecg_version() -> str | None:
    """sleepecg's version when it imports (a development-only peer), else None."""
    if importlib.util.find_spec("sleepecg") is None:
        return None
    try:
        import sleepecg
    except Exception:  # an install that does not import counts as none
        return None
    return str(sleepecg.__version__)
