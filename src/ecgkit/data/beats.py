"""Labelled beat sets built from records with :mod:`ecgkit.signal`, cached on disk.

A build runs, per record: select leads -> (resample) -> clean -> R positions (reference
annotations, or a detector matched to them for labels) -> :func:`ecgkit.signal.segment_beats`
and :func:`ecgkit.signal.rr_features` -> AAMI labels -> optional signal-quality filter ->
optional per-beat normalisation. Each record's result is cached in an ``.npz`` keyed by a
hash of the record's files and of the configuration, so a second build of the same data
reads arrays instead of recomputing them.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
import time
import warnings
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any, Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ecgkit.data.labels import AAMI_CLASSES, AAMI_MAPPING, BEAT_SYMBOLS, LabelMapping, map_symbols
from ecgkit.data.mitdb import RecordSource
from ecgkit.data.records import Annotations, Record
from ecgkit.signal import (
    RELATIVE_RR_FEATURES,
    RR_FEATURES,
    clean,
    detect_r_peaks,
    match_peaks,
    normalize,
    resample,
    resample_indices,
    rr_features,
    segment_beats,
)
from ecgkit.signal.normalize import NormalizeMethod

__all__ = [
    "RELATIVE_RR_FEATURES",
    "RR_FEATURES",
    "BeatConfig",
    "BeatSet",
    "BuildReport",
    "build_beats",
]

_CACHE_FORMAT = 3


@dataclass(frozen=True)
class BeatConfig:
    """How beats are cut and labelled.

    Attributes
    ----------
    leads : tuple of str or int, optional
        Leads to keep, by name (``("MLII",)``) or channel number; None keeps all. Every
        record must have them.
    before_s, after_s : float
        Window extent around the R position, in seconds (0.25 + 0.45 s: the P wave to the
        end of the T wave at normal rates).
    fs : float, optional
        Resample every record to this rate (Hz) first; None keeps each record's rate
        (records of different rates then give windows of different lengths).
    clean : bool
        Band-pass 0.5-40 Hz with :func:`ecgkit.signal.clean` before cutting.
    r_peaks : {"annotations", "detector"}
        Where beats are: the reference annotations' positions, or ``detector``'s R peaks,
        each labelled with the reference beat it matches within ``match_tolerance_s``
        (unmatched detections are dropped and counted). The detector mode measures what a
        deployed system sees.
    detector : str
        Method for :func:`ecgkit.signal.detect_r_peaks` in detector mode.
    match_tolerance_s : float
        Matching window in seconds (EC57: 0.15).
    quality_threshold : float, optional
        Drop beats whose signal quality (neurokit2's ``ecg_quality``, average-QRS method,
        0 = unusable .. 1 = clean, at the R position, first kept lead) is below this.
    normalize : {"zscore", "robust", "minmax"}, optional
        Normalise each beat window per lead; None keeps mV.
    local_beats : int
        Intervals averaged into the local RR.
    label_mapping : mapping
        Annotation code -> class name (None: not labelled); AAMI EC57 by default.
    classes : tuple of str
        Class names in label order.
    """

    leads: tuple[str | int, ...] | None = None
    before_s: float = 0.25
    after_s: float = 0.45
    fs: float | None = None
    clean: bool = True
    r_peaks: Literal["annotations", "detector"] = "annotations"
    detector: str = "ecgkit"
    match_tolerance_s: float = 0.15
    quality_threshold: float | None = None
    normalize: NormalizeMethod | None = None
    local_beats: int = 10
    label_mapping: LabelMapping = field(default_factory=lambda: AAMI_MAPPING)
    classes: tuple[str, ...] = AAMI_CLASSES

    def __post_init__(self) -> None:
        if self.r_peaks not in ("annotations", "detector"):
            raise ValueError(f"r_peaks must be 'annotations' or 'detector', got {self.r_peaks!r}")
        if self.before_s < 0 or self.after_s < 0 or self.before_s + self.after_s <= 0:
            raise ValueError(
                f"before_s and after_s must be >= 0 s with a positive sum, got "
                f"{self.before_s!r} and {self.after_s!r}"
            )
        if self.fs is not None and not self.fs > 0:
            raise ValueError(f"fs must be > 0 Hz or None, got {self.fs!r}")
        if self.quality_threshold is not None and not 0 <= self.quality_threshold <= 1:
            raise ValueError(
                f"quality_threshold must be in [0, 1] or None, got {self.quality_threshold!r}"
            )
        if self.leads is not None and len(self.leads) == 0:
            raise ValueError("leads must name at least one lead, or be None for all")
        map_symbols([], self.label_mapping, self.classes)  # validates mapping vs classes

    def to_json(self) -> dict[str, object]:
        """The configuration as JSON-ready values (the mapping as a sorted dict)."""
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        values["label_mapping"] = dict(sorted(self.label_mapping.items()))
        values["leads"] = list(self.leads) if self.leads is not None else None
        values["classes"] = list(self.classes)
        return values


@dataclass(frozen=True)
class BuildReport:
    """What a build kept and dropped, per record.

    Attributes
    ----------
    records : tuple of str
        Records built, in order.
    n_beats : tuple of int
        Labelled beats kept per record.
    n_unlabelled : tuple of int
        Beat positions with no class under the mapping (e.g. flutter waves ``!``), or
        detections matching no reference beat.
    n_edge_dropped : tuple of int
        Labelled beats too close to the start or end of the record for a full window.
    n_quality_dropped : tuple of int
        Labelled beats below ``quality_threshold``.
    n_missed : tuple of int
        Detector mode: labelled reference beats that no detection matched.
    from_cache : tuple of bool
        True where the record was read from the cache.
    """

    records: tuple[str, ...]
    n_beats: tuple[int, ...]
    n_unlabelled: tuple[int, ...]
    n_edge_dropped: tuple[int, ...]
    n_quality_dropped: tuple[int, ...]
    n_missed: tuple[int, ...]
    from_cache: tuple[bool, ...]

    def totals(self) -> dict[str, int]:
        """Sums over records of each count."""
        return {
            "beats": sum(self.n_beats),
            "unlabelled": sum(self.n_unlabelled),
            "edge_dropped": sum(self.n_edge_dropped),
            "quality_dropped": sum(self.n_quality_dropped),
            "missed": sum(self.n_missed),
        }


#: The fields of :class:`BeatSet` with one row per beat (the rest describe the set).
_PER_BEAT_FIELDS = ("windows", "labels", "symbols", "rr", "record", "patient", "r_sample")


@dataclass(frozen=True)
class BeatSet:
    """Labelled R-aligned beats of one or more records.

    Attributes
    ----------
    windows : numpy.ndarray of float32, shape (n_beats, n_leads, n_samples)
        Beat windows (mV unless normalised), R position at sample ``r_index``.
    labels : numpy.ndarray of int64, shape (n_beats,)
        Class of each beat, an index into ``classes``.
    symbols : numpy.ndarray of str, shape (n_beats,)
        Annotation code of each beat.
    rr : numpy.ndarray of float32, shape (n_beats, len(RR_FEATURES))
        RR features, columns :data:`RR_FEATURES`: the rows of
        :func:`ecgkit.signal.rr_features` over every beat position of the record.
    record : numpy.ndarray of str, shape (n_beats,)
        Record of each beat.
    patient : numpy.ndarray of str, shape (n_beats,)
        Patient of each beat (split on this, never on beats).
    r_sample : numpy.ndarray of int64, shape (n_beats,)
        R position in the (resampled) record, in samples.
    r_index : int
        R position inside each window, in samples.
    fs : float
        Sampling rate of the windows in Hz.
    classes : tuple of str
        Class names.
    lead_names : tuple of str
        Lead of each window channel (of the first record).
    report : BuildReport
        Counts of kept and dropped beats.
    """

    windows: NDArray[np.float32]
    labels: NDArray[np.int64]
    symbols: NDArray[np.str_]
    rr: NDArray[np.float32]
    record: NDArray[np.str_]
    patient: NDArray[np.str_]
    r_sample: NDArray[np.int64]
    r_index: int
    fs: float
    classes: tuple[str, ...]
    lead_names: tuple[str, ...]
    report: BuildReport

    def __post_init__(self) -> None:
        lengths = {name: len(getattr(self, name)) for name in _PER_BEAT_FIELDS}
        if len(set(lengths.values())) > 1:
            raise ValueError(f"a BeatSet needs one row per beat in each array, got {lengths}")

    def __len__(self) -> int:
        return int(self.labels.size)

    @property
    def n_leads(self) -> int:
        """Channels per window."""
        return int(self.windows.shape[1])

    @property
    def n_samples(self) -> int:
        """Samples per window."""
        return int(self.windows.shape[2])

    def rr_columns(self, names: Sequence[str] | None = None) -> NDArray[np.float32]:
        """The RR features named, in that order, shape ``(n_beats, len(names))``.

        Parameters
        ----------
        names : sequence of str, optional
            Names from :data:`RR_FEATURES` (e.g. :data:`RELATIVE_RR_FEATURES`); None gives
            every column.
        """
        if names is None:
            return self.rr
        unknown = [name for name in names if name not in RR_FEATURES]
        if unknown or len(names) == 0:
            raise ValueError(
                f"names must be a non-empty selection of {RR_FEATURES}, got {list(names)}"
            )
        return self.rr[:, [RR_FEATURES.index(name) for name in names]]

    def class_counts(self) -> dict[str, int]:
        """Number of beats per class name (every class listed, zeros included)."""
        counts = np.bincount(self.labels, minlength=len(self.classes))
        return {name: int(c) for name, c in zip(self.classes, counts, strict=True)}

    def subset(self, index: ArrayLike) -> BeatSet:
        """The beats at ``index`` (integer positions or a boolean mask); report unchanged."""
        idx = np.asarray(index)
        if idx.dtype == bool:
            if idx.shape != self.labels.shape:
                raise ValueError(
                    f"boolean index must have shape {self.labels.shape}, got {idx.shape}"
                )
            idx = np.flatnonzero(idx)
        return replace(self, **{name: getattr(self, name)[idx] for name in _PER_BEAT_FIELDS})

    def joined(self, other: BeatSet) -> BeatSet:
        """These beats followed by ``other``'s, with both reports' records.

        Parameters
        ----------
        other : BeatSet
            Beats of other records, built alike: the same sampling rate, R position,
            window shape, RR columns, classes and leads.

        Returns
        -------
        BeatSet
            ``len(self) + len(other)`` beats; its report lists this set's records, then
            ``other``'s.

        Raises
        ------
        TypeError
            If ``other`` is not a BeatSet.
        ValueError
            If the two were built differently, or a record has beats in both (its beats
            would count twice).
        """
        if not isinstance(other, BeatSet):
            raise TypeError(f"other must be a BeatSet, got {type(other).__name__}")
        layouts = {
            "fs (Hz)": (self.fs, other.fs),
            "r_index (samples)": (self.r_index, other.r_index),
            "window shape (leads, samples)": (self.windows.shape[1:], other.windows.shape[1:]),
            "rr columns": (self.rr.shape[1:], other.rr.shape[1:]),
            "classes": (self.classes, other.classes),
            "lead_names": (self.lead_names, other.lead_names),
        }
        for name, (mine, theirs) in layouts.items():
            if mine != theirs:
                raise ValueError(f"other was built differently: {name} {theirs} against {mine}")
        shared = sorted(set(self.record.tolist()) & set(other.record.tolist()))
        if shared:
            raise ValueError(
                f"records {shared} have beats in both sets: a record's beats must come "
                "from one of them"
            )
        report = BuildReport(
            **{f.name: getattr(self.report, f.name) + getattr(other.report, f.name)
               for f in fields(BuildReport)}
        )  # fmt: skip
        arrays: dict[str, Any] = {
            name: np.concatenate([getattr(self, name), getattr(other, name)])
            for name in _PER_BEAT_FIELDS
        }
        return replace(self, **arrays, report=report)

    def select_records(self, records: Iterable[str]) -> BeatSet:
        """The beats of ``records`` (e.g. ``split.train``)."""
        wanted = sorted({str(r) for r in records})
        missing = set(wanted) - set(np.unique(self.record).tolist())
        if missing:
            raise ValueError(f"records not in this beat set: {sorted(missing)}")
        return self.subset(np.isin(self.record, wanted))


def _select_leads(record: Record, leads: tuple[str | int, ...] | None) -> Record:
    if leads is None:
        return record
    channels: list[int] = []
    for lead in leads:
        if isinstance(lead, str):
            if lead not in record.lead_names:
                raise ValueError(
                    f"record {record.record_id} has no lead {lead!r} (it has {record.lead_names})"
                )
            channels.append(record.lead_names.index(lead))
        else:
            if not 0 <= lead < len(record.lead_names):
                raise ValueError(
                    f"record {record.record_id} has {len(record.lead_names)} leads, got lead {lead}"
                )
            channels.append(int(lead))
    return Record(
        signal=record.signal[:, channels],
        fs=record.fs,
        lead_names=tuple(record.lead_names[c] for c in channels),
        record_id=record.record_id,
    )


def _beat_quality(
    signal: NDArray[np.floating], fs: float, r_peaks: NDArray[np.int64]
) -> NDArray[np.float64]:
    import neurokit2 as nk

    quality = nk.ecg_quality(
        np.asarray(signal, dtype=np.float64),
        rpeaks=r_peaks,
        sampling_rate=round(fs),
        method="averageQRS",
    )
    return np.asarray(quality, dtype=np.float64)[r_peaks]


def _build_record(
    record: Record, annotations: Annotations, patient: str, config: BeatConfig
) -> tuple[dict[str, NDArray[np.generic]], tuple[int, int, int, int, int]]:
    record = _select_leads(record, config.leads)
    signal = record.signal
    fs = record.fs
    beats_ann = annotations.select(BEAT_SYMBOLS)
    if len(beats_ann) == 0:
        raise ValueError(
            f"record {record.record_id} has no beat annotations: build_beats makes labelled "
            "beats; label an unannotated recording with ecgkit.annotate.Predictor, or cut "
            "its beats with ecgkit.annotate.prepare_beats"
        )
    positions = beats_ann.sample
    if config.fs is not None and config.fs != fs:
        signal = resample(signal, fs, config.fs, axis=0)
        positions = resample_indices(positions, fs, config.fs, signal.shape[0])
        fs = float(config.fs)
    keep_unique = (
        np.concatenate(([True], np.diff(positions) > 0))
        if positions.size
        else positions.astype(bool)
    )
    positions, symbols = positions[keep_unique], beats_ann.symbol[keep_unique]
    if config.clean:
        signal = clean(signal, fs, axis=0)
    labels = map_symbols(symbols, config.label_mapping, config.classes)
    n_missed = 0
    if config.r_peaks == "detector":
        detected = detect_r_peaks(signal, fs, method=config.detector, axis=0)
        match = match_peaks(detected, positions, fs, tolerance_s=config.match_tolerance_s)
        det_labels = np.full(detected.size, -1, dtype=np.int64)
        det_symbols = np.full(detected.size, "", dtype=symbols.dtype)
        det_labels[match.detected_index] = labels[match.reference_index]
        det_symbols[match.detected_index] = symbols[match.reference_index]
        matched_ref = np.zeros(positions.size, dtype=bool)
        matched_ref[match.reference_index] = True
        n_missed = int(np.count_nonzero((labels >= 0) & ~matched_ref))
        positions, labels, symbols = detected, det_labels, det_symbols
    n_unlabelled = int(np.count_nonzero(labels < 0))
    beats = segment_beats(
        signal,
        fs,
        positions,
        before_s=config.before_s,
        after_s=config.after_s,
        axis=0,
        local_beats=config.local_beats,
    )
    kept_labels = labels[beats.beat_index]
    labelled = kept_labels >= 0
    n_edge = int(np.count_nonzero(labels >= 0)) - int(np.count_nonzero(labelled))
    n_quality = 0
    if config.quality_threshold is not None and beats.r_sample.size:
        quality = _beat_quality(signal[:, 0], fs, positions)[beats.beat_index]
        good = quality >= config.quality_threshold
        n_quality = int(np.count_nonzero(labelled & ~good))
        labelled &= good
    windows = beats.windows[labelled].astype(np.float32, copy=False)
    if config.normalize is not None and windows.size:
        windows = normalize(windows, config.normalize, axis=-1).astype(np.float32, copy=False)
    kept = beats.beat_index[labelled]
    rr = rr_features(positions, fs, local_beats=config.local_beats)[kept]
    arrays: dict[str, NDArray[np.generic]] = {
        "windows": np.ascontiguousarray(windows),
        "labels": kept_labels[labelled],
        "symbols": symbols[beats.beat_index][labelled].astype(str),
        "rr": rr.astype(np.float32),
        "r_sample": beats.r_sample[labelled],
        "r_index": np.array(beats.r_index),
        "fs": np.array(fs),
        "lead_names": np.array(record.lead_names, dtype=str),
        "patient": np.array(patient),
    }
    counts = (int(labelled.sum()), n_unlabelled, n_edge, n_quality, n_missed)
    return arrays, counts


def _cache_key(source: RecordSource, record_id: str, config: BeatConfig) -> str:
    from ecgkit import __version__

    payload = {
        "format": _CACHE_FORMAT,
        "ecgkit": __version__,
        "record": record_id,
        "patient": source.patient_of(record_id),
        "fingerprint": source.fingerprint(record_id),
        "config": config.to_json(),
    }
    text = json.dumps(payload, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def _save_atomic(folder: Path, arrays: dict[str, NDArray[np.generic]]) -> None:
    """Write ``windows.npy`` + ``meta.npz`` into a temp folder, then rename it into place."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=folder.parent, prefix=f".{folder.name}.", suffix=".tmp"))
    try:
        meta = {key: value for key, value in arrays.items() if key != "windows"}
        np.save(tmp / "windows.npy", arrays["windows"])
        np.savez(tmp / "meta.npz", **meta)  # type: ignore[arg-type]
        try:
            tmp.rename(folder)
        except OSError:  # another process wrote the same entry first: keep theirs
            if not folder.is_dir():
                raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _store_in_cache(entry: Path, arrays: dict[str, NDArray[np.generic]]) -> None:
    """Write a cache entry, best effort: a cache that cannot be written only warns.

    A corrupt entry, or a plain file where the entry's folder belongs, is replaced; temp
    folders of builders killed mid-write (older than an hour) are removed.
    """
    try:
        if entry.is_file() or entry.is_symlink():
            entry.unlink()
        shutil.rmtree(entry, ignore_errors=True)
        for leftover in entry.parent.glob(".beats-*.tmp"):
            if time.time() - leftover.stat().st_mtime > _STALE_TEMP_S:
                shutil.rmtree(leftover, ignore_errors=True)
        _save_atomic(entry, arrays)
    except OSError as error:
        warnings.warn(
            f"beat cache entry {entry} not written ({error}); going on without it",
            UserWarning,
            stacklevel=3,
        )


#: A cache temp folder this old belongs to a builder that was killed.
_STALE_TEMP_S = 3600.0

_COUNT_KEYS = ("n_beats", "n_unlabelled", "n_edge_dropped", "n_quality_dropped", "n_missed")


def _load_cached(folder: Path) -> tuple[dict[str, NDArray[np.generic]], tuple[int, ...]] | None:
    try:
        with np.load(folder / "meta.npz", allow_pickle=False) as npz:
            arrays = {key: npz[key] for key in npz.files}
        counts = tuple(int(c) for c in arrays.pop("counts"))
        # memory-mapped: the final concatenation is the only copy made of the windows
        windows = np.load(folder / "windows.npy", mmap_mode="r", allow_pickle=False)
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile):  # truncated: rebuild
        return None
    if windows.shape[0] != arrays["labels"].shape[0] or len(counts) != len(_COUNT_KEYS):
        return None
    arrays["windows"] = windows
    return arrays, counts


def build_beats(
    source: RecordSource,
    records: Sequence[str] | None = None,
    config: BeatConfig | None = None,
    *,
    cache_dir: str | Path | None = None,
    progress: bool = False,
) -> BeatSet:
    """Build a labelled beat set from records.

    Parameters
    ----------
    source : RecordSource
        Where records come from, e.g. :class:`~ecgkit.data.MITBIH`.
    records : sequence of str, optional
        Records to build (e.g. ``split.train + split.test``); None builds every record.
    config : BeatConfig, optional
        Window, labels, R positions and filters; defaults to ``BeatConfig()``.
    cache_dir : str or pathlib.Path, optional
        Folder for per-record cache files. A record whose files and configuration are
        unchanged is read from there instead of rebuilt; new results are written atomically.
    progress : bool
        Show a progress bar (tqdm) over records.

    Returns
    -------
    BeatSet
        Beats of all records concatenated in ``records`` order, with a :class:`BuildReport`.

    Raises
    ------
    ValueError
        When a record lacks a requested lead, records give windows of different shapes, or
        ``records`` names unknown records.
    """
    config = BeatConfig() if config is None else config
    ids = tuple(source.record_ids if records is None else (str(r) for r in records))
    if not ids:
        raise ValueError("records must name at least one record")
    cache = Path(cache_dir) if cache_dir is not None else None
    parts: list[dict[str, NDArray[np.generic]]] = []
    counts: list[tuple[int, ...]] = []
    cached: list[bool] = []
    iterator: Iterable[str] = ids
    if progress:
        from tqdm.auto import tqdm

        iterator = tqdm(ids, desc="building beats", unit="record")
    for record_id in iterator:
        path = None
        hit = None
        if cache is not None:
            path = cache / f"beats-{record_id}-{_cache_key(source, record_id, config)[:24]}"
            hit = _load_cached(path) if path.is_dir() else None
        if hit is None:
            record, annotations = source.load(record_id)
            arrays, record_counts = _build_record(
                record, annotations, source.patient_of(record_id), config
            )
            if path is not None:
                _store_in_cache(path, {**arrays, "counts": np.array(record_counts)})
            parts.append(arrays)
            counts.append(record_counts)
            cached.append(False)
        else:
            parts.append(hit[0])
            counts.append(hit[1])
            cached.append(True)
    shapes = {p["windows"].shape[1:] for p in parts if p["windows"].shape[0]}
    if len(shapes) > 1:
        raise ValueError(
            f"records give windows of different shapes {sorted(shapes)}: select the same leads "
            "(BeatConfig.leads) and one sampling rate (BeatConfig.fs)"
        )
    rates = {float(p["fs"]) for p in parts}
    if len(rates) > 1:
        raise ValueError(
            f"records have different sampling rates {sorted(rates)}: set BeatConfig.fs"
        )
    columns = {
        key: tuple(int(record_counts[i]) for record_counts in counts)
        for i, key in enumerate(_COUNT_KEYS)
    }
    report = BuildReport(records=ids, **columns, from_cache=tuple(cached))
    n_per = [p["labels"].size for p in parts]
    return BeatSet(
        windows=np.concatenate([p["windows"] for p in parts]).astype(np.float32, copy=False),
        labels=np.concatenate([p["labels"] for p in parts]).astype(np.int64),
        symbols=np.concatenate([p["symbols"] for p in parts]).astype(str),
        rr=np.concatenate([p["rr"] for p in parts]).astype(np.float32, copy=False),
        record=np.repeat(np.array(ids, dtype=str), n_per),
        patient=np.repeat(np.array([str(p["patient"]) for p in parts], dtype=str), n_per),
        r_sample=np.concatenate([p["r_sample"] for p in parts]).astype(np.int64),
        r_index=int(parts[0]["r_index"]),
        fs=float(parts[0]["fs"]),
        classes=config.classes,
        lead_names=tuple(str(n) for n in parts[0]["lead_names"]),
        report=report,
    )
