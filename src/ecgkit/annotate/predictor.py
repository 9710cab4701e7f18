"""A trained model (or ensemble) applied to any recording: labelled beats out."""

from __future__ import annotations

import contextlib
import csv
import io
import json
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
from numpy.typing import ArrayLike, NDArray

from ecgkit._files import atomic_write
from ecgkit.annotate.context import neighbour_span, segment_bounds, without_intervals
from ecgkit.annotate.prepare import (
    PreparedBeats,
    as_record,
    prepare_beats,
    segment_of,
    select_leads,
    without_spikes_and_steps,
)
from ecgkit.annotate.recipe import BeatRecipe
from ecgkit.annotate.rhythm import assess_rhythm
from ecgkit.data.records import Record
from ecgkit.metrics import adjust_for_priors, weigh_decisions
from ecgkit.models import ECGModel, load_pretrained
from ecgkit.signal.atrial import AF_MAX_GAP_S, true_runs
from ecgkit.signal.filters import notch
from ecgkit.signal.quality import NOISE_RATIO_RELIABLE, REPEAT_RELIABLE
from ecgkit.signal.rhythm import RATE_RELIABLE_BPM, sustained_rate
from ecgkit.train import TrainConfig, Trainer
from ecgkit.train.batchnorm import array_batches, recording_statistics

__all__ = ["PAUSE_MIN_S", "BeatAnnotations", "Predictor"]

#: An interval between two consecutive beats at least this long (s) is a pause, as Holter
#: reports list them (2 s: a sinus arrest, an exit or AV block, a long post-ectopic
#: pause; 30 bpm and under for one beat).
PAUSE_MIN_S = 2.0

#: WFDB annotation code of each AAMI class (``"?"``: beat not classified).
WFDB_SYMBOLS = {"N": "N", "S": "S", "V": "V", "F": "F", "Q": "Q"}
UNCLASSIFIED = "?"
# a beat flagged "paced" is written with WFDB's code for a paced beat (AAMI class Q)
PACED_SYMBOL = "/"
# a beat flagged "vf" with WFDB's code for a ventricular flutter wave
FLUTTER_SYMBOL = "!"
# a WFDB annotation file's end: an annotation of type 0 at time difference 0
_WFDB_END_OF_FILE = b"\x00\x00"


@dataclass(frozen=True)
class BeatAnnotations:
    """Every beat of a recording with its class, class probabilities and flags.

    Attributes
    ----------
    sample : numpy.ndarray of int64, shape (n_beats,)
        R position in the recording's samples.
    label : numpy.ndarray of int64, shape (n_beats,)
        Class index into ``classes``; -1 where the beat could not be classified.
    probabilities : numpy.ndarray of float32, shape (n_beats, n_classes)
        Class probabilities (mean over the ensemble, adjusted for the training priors as
        the model's recipe says); NaN rows where the beat could not be classified.
    flag : numpy.ndarray of str, shape (n_beats,)
        ``""``, or why the beat was not classified
        (:data:`ecgkit.annotate.FLAG_REASONS`).
    classes : tuple of str
        Class names.
    fs : float
        Sampling rate of the recording in Hz.
    n_samples : int
        Length of the recording in samples.
    record_id : str
        Name of the recording.
    lead_names : tuple of str
        Leads of the recording that the model saw.
    model : str
        Name of the model or run folder that made the annotations.
    in_af : numpy.ndarray of bool, shape (n_beats,), optional
        Beats in the runs of atrial fibrillation the rhythm gate acts on, at least the
        recipe's ``rhythm_min_episode_s`` long (:func:`ecgkit.annotate.assess_rhythm`;
        0 s for the shipped model: every beat the AF detector flags); None where the
        rhythm was not assessed.
    p_waves_absent : numpy.ndarray of bool, shape (n_beats,), optional
        Beats whose P waves are clearly absent (:func:`ecgkit.annotate.rhythm_context`),
        inside AF or not; None where the rhythm or the P waves were not assessed (no
        lead, or a rate under :data:`~ecgkit.signal.AF_P_WAVE_MIN_FS_HZ`).
    af_episode : numpy.ndarray of bool, shape (n_beats,), optional
        Beats inside an atrial fibrillation episode by the clinical definition: at least
        :data:`~ecgkit.signal.AF_MIN_EPISODE_S` (30 s) long, a recording shorter than
        that judged whole. What :meth:`summary` and :attr:`rhythm` report as AF; None:
        ``in_af`` (annotations made before the two were told apart).
    gaps : numpy.ndarray of int64, shape (n_gaps, 2), optional
        ``[start, stop)`` of each stretch without an ECG, in samples
        (:attr:`~ecgkit.annotate.PreparedBeats.gaps`); no interval between beats is
        measured across one. None: no gaps.
    start_s : float
        Time of the recording's first sample on its own clock, in seconds
        (:attr:`~ecgkit.data.Record.start_s`): :attr:`time_s` and the times
        :meth:`summary` gives count from it.
    repeatability : numpy.ndarray of float64, shape (n_beats,), optional
        How well the beats around each one repeat in the model's leads
        (:attr:`~ecgkit.annotate.PreparedBeats.repeatability`): a classified beat under
        :data:`~ecgkit.signal.REPEAT_RELIABLE` sits in noise that distorts the beats, and
        its label is less reliable. None where not measured.
    noise_ratio : numpy.ndarray of float64, shape (n_beats,), optional
        How much steeper each beat's window is outside its QRS than the recording's
        usually are (:attr:`~ecgkit.annotate.PreparedBeats.noise_ratio`): a classified
        beat at or over :data:`~ecgkit.signal.NOISE_RATIO_RELIABLE` sits in a burst of
        noise, and its label is less reliable. None where not measured.
    start_time : str or None
        Date and time of the recording's first sample as its file states it, ISO 8601
        (:attr:`~ecgkit.data.Record.start_time`); None where it states none. The times
        :meth:`summary` gives are seconds after it (less :attr:`start_s`).
    mains_hz : tuple of float
        The mains frequencies (Hz) notched out before the beats were classified
        (:attr:`~ecgkit.annotate.PreparedBeats.mains_hz`); empty where none was.
    n_spikes : int
        Spikes bridged before the model's leads were filtered
        (:attr:`~ecgkit.annotate.PreparedBeats.n_spikes`).
    n_steps : int
        Baseline steps subtracted before the model's leads were filtered
        (:attr:`~ecgkit.annotate.PreparedBeats.n_steps`).
    n_clipped : int
        Beats that reach a model lead's rail
        (:attr:`~ecgkit.annotate.PreparedBeats.n_clipped`).
    calibration : numpy.ndarray of int64, shape (n_trains, 2), optional
        ``[start, stop)`` samples of the calibration trains at the recording's ends or
        inside it (:attr:`~ecgkit.annotate.PreparedBeats.calibration`), each also a gap;
        None where not looked for.
    vf : numpy.ndarray of int64, shape (n_stretches, 2), optional
        ``[start, stop)`` samples of the stretches of ventricular flutter or fibrillation
        (:attr:`~ecgkit.annotate.PreparedBeats.vf`), whose beats are flagged ``"vf"``;
        None where not looked for.
    """

    sample: NDArray[np.int64]
    label: NDArray[np.int64]
    probabilities: NDArray[np.float32]
    flag: NDArray[np.str_]
    classes: tuple[str, ...]
    fs: float
    n_samples: int
    record_id: str
    lead_names: tuple[str, ...]
    model: str
    in_af: NDArray[np.bool_] | None = None
    p_waves_absent: NDArray[np.bool_] | None = None
    af_episode: NDArray[np.bool_] | None = None
    gaps: NDArray[np.int64] | None = None
    start_s: float = 0.0
    repeatability: NDArray[np.float64] | None = None
    noise_ratio: NDArray[np.float64] | None = None
    start_time: str | None = None
    mains_hz: tuple[float, ...] = ()
    n_spikes: int = 0
    n_steps: int = 0
    n_clipped: int = 0
    calibration: NDArray[np.int64] | None = None
    vf: NDArray[np.int64] | None = None

    def __len__(self) -> int:
        return int(self.sample.size)

    @property
    def time_s(self) -> NDArray[np.float64]:
        """R position of each beat in seconds on the recording's clock (``start_s`` first)."""
        return self.start_s + self.sample / self.fs

    @property
    def duration_s(self) -> float:
        """Length of the recording in seconds."""
        return self.n_samples / self.fs

    @property
    def segment(self) -> NDArray[np.int64]:
        """Stretch of each beat between two gaps: the number of gaps before it."""
        return segment_of(self.sample, self._gaps)

    @property
    def gap_s(self) -> float:
        """Seconds of the recording inside gaps (no ECG recorded)."""
        return float((self._gaps[:, 1] - self._gaps[:, 0]).sum()) / self.fs

    @property
    def recorded_s(self) -> float:
        """Seconds of the recording outside its gaps."""
        return self.duration_s - self.gap_s

    @property
    def noise_s(self) -> float:
        """Seconds of the recording (outside its gaps) lost to noise.

        For each run of beats flagged ``"noise"``, the time from the beat before it to the
        beat after it (or to the edge of its stretch between gaps, or of the recording):
        where no beat could be classified.
        """
        noise = self.flag == "noise"
        if not noise.any():
            return 0.0
        segment = self.segment
        bounds = segment_bounds(self._gaps, self.n_samples)
        index = np.flatnonzero(noise)
        # runs of consecutive noise beats inside one stretch between gaps
        starts = np.ones(index.size, dtype=bool)
        starts[1:] = (np.diff(index) > 1) | (np.diff(segment[index]) != 0)
        lost = 0
        for first, last in zip(index[starts], index[np.append(starts[1:], True)], strict=True):
            start, stop = neighbour_span(int(first), int(last), self.sample, segment, bounds)
            lost += stop - start
        return lost / self.fs

    @property
    def analysed_s(self) -> float:
        """Seconds of the recording outside its gaps and its noise (:attr:`noise_s`)."""
        return max(self.recorded_s - self.noise_s, 0.0)

    @property
    def _gaps(self) -> NDArray[np.int64]:
        return np.zeros((0, 2), dtype=np.int64) if self.gaps is None else self.gaps

    @property
    def _between(self) -> NDArray[np.bool_]:
        """The intervals between consecutive beats that are measured, shape (n_beats - 1,).

        None across a gap, none to or from a beat in noise or ventricular flutter.
        """
        cut = without_intervals(self.flag)
        same_stretch: NDArray[np.bool_] = np.diff(self.segment) == 0
        return same_stretch & ~cut[1:] & ~cut[:-1]

    @property
    def heart_rate_bpm(self) -> NDArray[np.float64]:
        """Heart rate around each beat in bpm (:func:`~ecgkit.signal.sustained_rate`).

        60 over the median interval between the beats up to
        :data:`~ecgkit.signal.RATE_HALF_WINDOW` on either side, from the measured
        intervals only (none across a gap, none to or from a beat in noise or ventricular
        flutter); NaN where there is none. Shape (n_beats,).
        """
        return sustained_rate(self.sample, self.fs, usable=self._between)

    @property
    def fast(self) -> NDArray[np.bool_]:
        """Classified beats in a rhythm the model saw little of in training.

        Their :attr:`heart_rate_bpm` is at or over :data:`~ecgkit.signal.RATE_RELIABLE_BPM`
        (2.3 % of the shipped model's training beats come this fast, and out of fold it
        labelled 73 % of them right against 97 % of the slower ones).
        """
        return (self.heart_rate_bpm >= RATE_RELIABLE_BPM) & (self.label >= 0)  # NaN is not

    @property
    def less_reliable(self) -> NDArray[np.bool_]:
        """Classified beats whose label is less reliable: noise distorts them, or they are fast.

        Their :attr:`repeatability` is under :data:`~ecgkit.signal.REPEAT_RELIABLE` (noise
        around them), their :attr:`noise_ratio` is at or over
        :data:`~ecgkit.signal.NOISE_RATIO_RELIABLE` (a burst of noise on them), or they are
        :attr:`fast` (a heart rate at or over :data:`~ecgkit.signal.RATE_RELIABLE_BPM`).
        """
        low = self.fast.copy()
        if self.repeatability is not None:
            low |= self.repeatability < REPEAT_RELIABLE  # NaN (no neighbour) is not low
        if self.noise_ratio is not None:
            low |= self.noise_ratio >= NOISE_RATIO_RELIABLE  # NaN (not measured) is not
        return low & (self.label >= 0)

    @property
    def class_names(self) -> NDArray[np.str_]:
        """Class name of each beat, ``"?"`` where it was not classified."""
        names = np.array([*self.classes, UNCLASSIFIED])
        return names[np.where(self.label >= 0, self.label, len(self.classes))]

    def counts(self) -> dict[str, int]:
        """Beats per class name, then ``"unclassified"``."""
        counts = {name: int((self.label == i).sum()) for i, name in enumerate(self.classes)}
        counts["unclassified"] = int((self.label < 0).sum())
        return counts

    def summary(self) -> dict[str, Any]:
        """Counts, mean heart rate, ectopic and AF burden, JSON-ready.

        ``mean_heart_rate_bpm`` is 60 over the mean RR interval between consecutive
        beats (none across a gap, none to or from a beat flagged ``"noise"`` or ``"vf"``),
        ``slowest_heart_rate_bpm`` and ``fastest_heart_rate_bpm`` the extremes of
        :attr:`heart_rate_bpm` (the rate around each beat, from the same intervals) with
        the time of their beat in seconds (``..._at_s``; all four None without an
        interval), ``fast_s`` the stretches of beats at
        :data:`~ecgkit.signal.RATE_RELIABLE_BPM` or more (first and last beat in seconds,
        one stretch between gaps at a time),
        ``longest_rr_s`` the longest of those intervals (None without one) and
        ``pauses_s`` those of :data:`PAUSE_MIN_S` or longer (the two beats' times in
        seconds; a pause holds no beat the detector found, so missed beats make one too);
        ``per_hour`` is each class's beats per hour of the analysed time (outside the
        gaps and the noise; None where there is none), ``burden_percent`` its share of
        the classified beats (None where none is classified);
        ``start_time`` is the date and time of the first sample as the file states it
        (ISO 8601, None where it states none), ``gaps_s`` lists the stretches without
        an ECG (start and end in seconds),
        ``recorded_s`` the seconds outside them, ``noise_s`` the seconds of those lost to
        noise (:attr:`noise_s`) and ``analysed_s`` the rest. Where the rhythm was assessed,
        ``af_episodes_s`` lists each atrial fibrillation episode's first and last beat in
        seconds (episodes by the clinical definition, :attr:`af_episode`; one that
        continues across noise or a gap of at most 10 s, :func:`~ecgkit.signal.af_runs`,
        is listed once, AF on both sides of a longer gap as two),
        ``af_burden_percent`` their share of the analysed time, the noise and gaps
        inside them left out (None where there is
        none), ``af_like_beats``
        the beats outside them in shorter runs that the rhythm gate treats as AF
        (:attr:`in_af`), and ``p_waves_absent_beats`` the beats outside both whose P
        waves are clearly absent (None where the P waves were not assessed: AF from the
        intervals alone). ``less_reliable_beats`` counts the classified beats whose
        labels are less reliable (:attr:`less_reliable`: noise that distorts the beats
        without hiding them, or a fast rhythm), ``fast_beats`` those of them in a rhythm at
        or over :data:`~ecgkit.signal.RATE_RELIABLE_BPM` (:attr:`fast`);
        ``mains_hz`` lists the mains frequencies notched out (:attr:`mains_hz`),
        ``spikes_removed`` counts the spikes bridged (:attr:`n_spikes`),
        ``steps_removed`` the baseline steps subtracted (:attr:`n_steps`),
        ``clipped_beats`` the beats that reach a lead's rail (:attr:`n_clipped`) and
        ``calibration_s`` the calibration trains taken as gaps (:attr:`calibration`; start
        and end in seconds), ``vf_s`` the stretches of ventricular flutter or fibrillation
        (:attr:`vf`; start and end in seconds).
        """
        counts = self.counts()
        classified = len(self) - counts["unclassified"]
        hours = self.analysed_s / 3600
        between = self._between
        rr = (np.diff(self.sample) / self.fs)[between]
        time_s = self.time_s
        rate = self.heart_rate_bpm
        fast_parts = _episode_parts(rate >= RATE_RELIABLE_BPM, self.segment)  # NaN is not
        pauses = np.flatnonzero(between & (np.diff(self.sample) >= PAUSE_MIN_S * self.fs))
        flags = {
            reason: int((self.flag == reason).sum()) for reason in np.unique(self.flag) if reason
        }
        return {
            "record": self.record_id,
            "model": self.model,
            "leads": list(self.lead_names),
            "fs_hz": self.fs,
            "duration_s": self.duration_s,
            "recorded_s": self.recorded_s,
            "noise_s": self.noise_s,
            "analysed_s": self.analysed_s,
            "start_s": self.start_s,
            "start_time": self.start_time,
            "gaps_s": (self.start_s + self._gaps / self.fs).tolist(),
            "n_beats": len(self),
            "counts": counts,
            "unclassified_reasons": flags,
            "mean_heart_rate_bpm": float(60 / rr.mean()) if rr.size else None,
            **self._rate_extremes(rate, time_s),
            "fast_s": [[float(time_s[a]), float(time_s[b])] for a, b in fast_parts],
            "longest_rr_s": float(rr.max()) if rr.size else None,
            "pauses_s": [[float(time_s[i]), float(time_s[i + 1])] for i in pauses],
            "per_hour": {c: counts[c] / hours for c in self.classes} if hours > 0 else None,
            "burden_percent": (
                {c: 100 * counts[c] / classified for c in self.classes} if classified else None
            ),
            "less_reliable_beats": int(self.less_reliable.sum()),
            "fast_beats": int(self.fast.sum()),
            "mains_hz": list(self.mains_hz),
            "spikes_removed": self.n_spikes,
            "steps_removed": self.n_steps,
            "clipped_beats": self.n_clipped,
            "calibration_s": (
                (self.start_s + self.calibration / self.fs).tolist()
                if self.calibration is not None
                else []
            ),
            "vf_s": (self.start_s + self.vf / self.fs).tolist() if self.vf is not None else [],
            **self._af_summary(),
        }

    @staticmethod
    def _rate_extremes(rate: NDArray[np.float64], time_s: NDArray[np.float64]) -> dict[str, Any]:
        """The slowest and fastest of the measured ``rate``s and their beats' times."""
        measured = np.flatnonzero(~np.isnan(rate))
        if not measured.size:
            return {
                f"{name}_heart_rate_{key}": None
                for name in ("slowest", "fastest")
                for key in ("bpm", "at_s")
            }
        slowest = measured[np.argmin(rate[measured])]
        fastest = measured[np.argmax(rate[measured])]
        return {
            "slowest_heart_rate_bpm": float(rate[slowest]),
            "slowest_heart_rate_at_s": float(time_s[slowest]),
            "fastest_heart_rate_bpm": float(rate[fastest]),
            "fastest_heart_rate_at_s": float(time_s[fastest]),
        }

    def _af_summary(self) -> dict[str, Any]:
        if self.in_af is None:
            return {}
        in_episode = self.in_af if self.af_episode is None else self.af_episode
        parts = _episode_parts(in_episode, self.segment)
        time_s = self.time_s
        # the noise and the gaps between the parts of one episode are not analysed time
        in_af_s = float(np.sum(time_s[parts[:, 1]] - time_s[parts[:, 0]]))
        episodes = [
            [float(t) for t in time_s[run]]
            for run in _joined_parts(parts, self.flag == "noise", self.sample, self.fs)
        ]
        analysed_s = self.analysed_s
        summary: dict[str, Any] = {
            "af_episodes_s": episodes,
            "af_burden_percent": 100 * in_af_s / analysed_s if analysed_s > 0 else None,
            "af_like_beats": int((self.in_af & ~in_episode).sum()),
        }
        outside = ~(self.in_af | in_episode)
        summary["p_waves_absent_beats"] = (
            None if self.p_waves_absent is None else int((self.p_waves_absent & outside).sum())
        )
        return summary

    @property
    def rhythm(self) -> NDArray[np.str_]:
        """Rhythm of each beat: ``"AF"``, ``"AF-like"``, ``"no-P"`` or ``""``.

        ``"AF"`` inside an AF episode (:attr:`af_episode`: 30 s or more, or a shorter
        recording judged whole), ``"AF-like"`` for other beats the rhythm gate treats as
        AF (:attr:`in_af`: irregular without P waves, in a run too short for an
        episode), ``"no-P"`` for other beats whose P waves are clearly absent, else
        ``""`` (also when the rhythm was not assessed).
        """
        rhythm = np.full(len(self), "", dtype="<U7")
        if self.p_waves_absent is not None:
            rhythm[self.p_waves_absent] = "no-P"
        if self.in_af is not None:
            rhythm[self.in_af] = "AF-like"
            rhythm[self.in_af if self.af_episode is None else self.af_episode] = "AF"
        return rhythm

    def to_csv(self, path: str | Path) -> Path:
        """Write one row per beat to a CSV file at ``path``.

        Columns: ``sample, time_s, class, flag, rhythm, p_<class>..., repeatability,
        noise_ratio, heart_rate_bpm``.
        ``rhythm`` is ``AF`` for beats inside an atrial fibrillation episode, ``AF-like``
        for other beats the rhythm gate treats as AF and ``no-P`` for other beats whose P
        waves are clearly absent (:attr:`rhythm`); ``repeatability`` is
        :attr:`repeatability`, ``noise_ratio`` :attr:`noise_ratio` and ``heart_rate_bpm``
        :attr:`heart_rate_bpm` (empty where not measured). Written atomically; returns
        the path.
        """
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        header = [
            "sample",
            "time_s",
            "class",
            "flag",
            "rhythm",
            *(f"p_{c}" for c in self.classes),
            "repeatability",
            "noise_ratio",
            "heart_rate_bpm",
        ]
        writer.writerow(header)
        names, rhythm = self.class_names, self.rhythm
        missing = np.full(len(self), np.nan)
        repeat = missing if self.repeatability is None else self.repeatability
        steepness = missing if self.noise_ratio is None else self.noise_ratio
        rate = self.heart_rate_bpm
        for i in range(len(self)):
            probs = ["" if np.isnan(p) else f"{p:.6f}" for p in self.probabilities[i]]
            writer.writerow(
                [
                    int(self.sample[i]),
                    f"{self.start_s + self.sample[i] / self.fs:.4f}",
                    names[i],
                    self.flag[i],
                    rhythm[i],
                    *probs,
                    "" if np.isnan(repeat[i]) else f"{repeat[i]:.3f}",
                    "" if np.isnan(steepness[i]) else f"{steepness[i]:.2f}",
                    "" if np.isnan(rate[i]) else f"{rate[i]:.1f}",
                ]
            )
        target = Path(path)
        with atomic_write(target) as handle:
            handle.write(buffer.getvalue().encode())
        return target

    def to_wfdb(self, out_dir: str | Path, extension: str = "ecgkit") -> Path:
        """Write a WFDB annotation file ``<record_id>.<extension>`` that ``wfdb.rdann`` reads.

        Beat codes are the AAMI class names (N, S, V, F, Q are WFDB beat codes), ``"/"``
        (WFDB's paced beat) for beats flagged ``"paced"``, ``"!"`` (WFDB's ventricular
        flutter wave) for those flagged ``"vf"``, ``"?"`` for other beats not classified.
        Returns the file written (atomically).
        """
        import tempfile

        import wfdb

        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        flagged = {"paced": PACED_SYMBOL, "vf": FLUTTER_SYMBOL}
        symbols = [
            flagged.get(flag) or WFDB_SYMBOLS.get(name, UNCLASSIFIED)
            for name, flag in zip(self.class_names, self.flag, strict=True)
        ]
        target = out / f"{self.record_id}.{extension}"
        if self.sample.size == 0:
            # wfdb.wrann refuses to write no annotation; WFDB's format for none is its
            # end-of-file mark alone (two zero bytes), which wfdb.rdann reads as empty
            with atomic_write(target) as handle:
                handle.write(_WFDB_END_OF_FILE)
            return target
        with tempfile.TemporaryDirectory(dir=out, prefix=".wfdb-") as tmp:
            wfdb.wrann(
                self.record_id,
                extension,
                np.asarray(self.sample, dtype=np.int64),
                symbol=symbols,
                fs=self.fs,
                write_dir=tmp,
            )
            Path(tmp, target.name).replace(target)
        return target

    def write_summary(self, path: str | Path) -> Path:
        """Write :meth:`summary` as JSON (atomic), return the path."""
        target = Path(path)
        with atomic_write(target) as handle:
            handle.write(json.dumps(self.summary(), indent=2).encode())
        return target


class Predictor:
    """A beat model, or an ensemble, with the recipe that prepares its beats.

    Parameters
    ----------
    models : sequence of ECGModel
        Ensemble members (one or more) trained with ``recipe``.
    recipe : BeatRecipe
        How their beats were made and their decisions taken.
    name : str
        What made the annotations (a run folder or pretrained name).
    device : str
        ``"cpu"``, ``"cuda"``, ...
    batch_size : int
        Beats per forward pass.

    Examples
    --------
    >>> from ecgkit.annotate import Predictor
    >>> from ecgkit.data import load_example
    >>> record, _ = load_example("119")
    >>> beats = Predictor.from_pretrained().annotate(record)
    >>> beats.counts()["V"] > 0
    True
    """

    def __init__(
        self,
        models: Sequence[ECGModel],
        recipe: BeatRecipe,
        *,
        name: str = "model",
        device: str = "cpu",
        batch_size: int = 1024,
    ) -> None:
        if not models:
            raise ValueError("models must hold at least one model")
        for model in models:
            if getattr(model, "num_classes", len(recipe.classes)) != len(recipe.classes):
                raise ValueError(
                    f"a model has {model.num_classes} outputs for the recipe's "
                    f"{len(recipe.classes)} classes {recipe.classes}"
                )
            if getattr(model, "in_channels", recipe.in_channels) != recipe.in_channels:
                raise ValueError(
                    f"a model takes {model.in_channels} channels; the recipe makes "
                    f"{recipe.in_channels}"
                )
        self.models = tuple(models)
        self.recipe = recipe
        self.name = name
        config = TrainConfig(batch_size=batch_size, device=device, progress=False)
        self._trainers = [Trainer(model, config) for model in self.models]

    @classmethod
    def from_pretrained(
        cls, name: str = "beat_rr_cnn.mitdb_ds1", *, device: str = "cpu"
    ) -> Predictor:
        """A pretrained model shipped with ecgkit (:func:`~ecgkit.models.list_pretrained`)."""
        pretrained = load_pretrained(name)
        recipe = BeatRecipe.from_json(pretrained.recipe, source=f"pretrained model {name}")
        return cls(pretrained.models, recipe, name=name, device=device)

    @classmethod
    def from_run(cls, run_dir: str | Path, *, device: str = "cpu") -> Predictor:
        """The best model of a run folder written by ``ecgkit train``."""
        from ecgkit.experiment import load_run

        run = load_run(run_dir)
        if run.recipe is None:
            raise ValueError(
                f"{Path(run_dir) / 'config.json'} has no beat recipe (written by an older "
                "ecgkit): it cannot be applied to new recordings; train it again with "
                "'ecgkit train'"
            )
        return cls([run.model], run.recipe, name=str(run_dir), device=device)

    @classmethod
    def load(cls, model: str | Path | None = None, *, device: str = "cpu") -> Predictor:
        """A run folder when ``model`` is one, else a pretrained name; None: the default."""
        if model is None:
            return cls.from_pretrained(device=device)
        if Path(model).is_dir():
            return cls.from_run(model, device=device)
        return cls.from_pretrained(str(model), device=device)

    def prepare(
        self,
        recording: Record | ArrayLike,
        fs: float | None = None,
        *,
        axis: int = -1,
        peaks: ArrayLike | None = None,
        leads: Iterable[str | int] | None = None,
        chunk_s: float | None = 1800.0,
        progress: bool | None = False,
    ) -> PreparedBeats:
        """The model inputs of every beat (see :func:`ecgkit.annotate.prepare_beats`)."""
        return prepare_beats(
            recording,
            self.recipe,
            fs=fs,
            axis=axis,
            peaks=peaks,
            leads=leads,
            chunk_s=chunk_s,
            progress=progress,
        )

    def probabilities(self, beats: PreparedBeats) -> NDArray[np.float32]:
        """Class probabilities ``[n_beats, n_classes]`` of the classifiable beats' inputs.

        Each member's softmax is adjusted for the training priors (recipe), the members
        are averaged, and the mean is weighed by the recipe's decision weights. Rows of
        flagged beats are NaN.
        """
        out = np.full((len(beats), len(self.recipe.classes)), np.nan, dtype=np.float32)
        index = np.flatnonzero(beats.classifiable)
        if index.size == 0:
            return out
        inputs: tuple[NDArray[np.float32], ...] = (beats.windows[index],)
        if self.recipe.rr_features:
            inputs += (beats.rr[index],)
        total = np.zeros((index.size, len(self.recipe.classes)), dtype=np.float64)
        for trainer in self._trainers:
            adapt = self.recipe.adapt_batchnorm
            probs = trainer.predict(
                *inputs, adapt_batchnorm=adapt, groups=beats.block[index] if adapt else None
            ).probabilities
            if self.recipe.prior_adjustment > 0:
                total += adjust_for_priors(
                    probs, self.recipe.class_priors, self.recipe.prior_adjustment
                )
            else:
                total += probs
        mean = total / len(self._trainers)
        if self.recipe.decision_weights:
            mean = weigh_decisions(mean, self.recipe.decision_weights)
        out[index] = mean.astype(np.float32)
        return out

    def annotate(
        self,
        recording: Record | ArrayLike,
        fs: float | None = None,
        *,
        axis: int = -1,
        peaks: ArrayLike | None = None,
        leads: Iterable[str | int] | None = None,
        chunk_s: float | None = 1800.0,
        progress: bool | None = False,
    ) -> BeatAnnotations:
        """Detect (or take) the beats of a recording and classify each one.

        Parameters
        ----------
        recording : Record or array_like
            A record (:func:`ecgkit.data.read_signal`) or a signal in mV with time along
            ``axis``, at any sampling rate and of any length.
        fs : float, optional
            Sampling rate in Hz of a plain array.
        axis : int
            Time axis of a plain 2-D array (``axis=0`` for ``[n_samples, n_leads]``).
        peaks : array_like of int, optional
            R positions in the recording's samples; None detects them.
        leads : iterable of str or int, optional
            Which of the recording's leads feed the model; default by name.
        chunk_s : float, optional
            About this many seconds are processed at a time (bounded memory); None: one
            pass (see :func:`~ecgkit.annotate.prepare_beats`).
        progress : bool, optional
            A tqdm bar over the chunks; None: only on a terminal.

        Returns
        -------
        BeatAnnotations
        """
        record = as_record(recording, fs, axis=axis)
        beats = self.prepare(record, peaks=peaks, leads=leads, chunk_s=chunk_s, progress=progress)
        with warnings.catch_warnings():
            # the same lead again: prepare has said which one it took where it had to choose
            warnings.simplefilter("ignore", UserWarning)
            lead_signal = self.rhythm_lead(record, leads=leads)
        return self.annotations_of(beats, lead_signal=lead_signal)

    def rhythm_lead(
        self, record: Record, *, leads: Iterable[str | int] | None = None
    ) -> NDArray[np.floating[Any]]:
        """The recording's lead that feeds the model's first lead, ``(n_samples,)`` in mV.

        It carries the P waves :func:`~ecgkit.annotate.assess_rhythm` looks for.
        """
        channel = select_leads(record.lead_names, self.recipe.leads, leads)[0]
        return np.asarray(record.signal[:, channel])

    def annotations_of(
        self, beats: PreparedBeats, *, lead_signal: ArrayLike | None = None
    ) -> BeatAnnotations:
        """Classify prepared beats and assess the rhythm around them.

        Parameters
        ----------
        beats : PreparedBeats
            From :meth:`prepare`.
        lead_signal : array_like, shape (n_samples,), optional
            :meth:`rhythm_lead` of the recording, at its own rate: the P-wave evidence
            for atrial fibrillation. None decides the rhythm by the intervals alone.

        Returns
        -------
        BeatAnnotations
            With ``in_af`` (AF runs of at least the recipe's ``rhythm_min_episode_s``),
            ``af_episode`` (clinical episodes, 30 s or more) and ``p_waves_absent`` set;
            where the recipe's ``rhythm_gate`` is above 0, the beats of ``in_af`` or with
            clearly absent P waves are not called S
            (:func:`~ecgkit.annotate.assess_rhythm`).
        """
        probabilities = self.probabilities(beats)
        label = np.full(len(beats), -1, dtype=np.int64)
        ok = beats.classifiable
        label[ok] = probabilities[ok].argmax(axis=1)
        annotations = BeatAnnotations(
            sample=beats.sample,
            label=label,
            probabilities=probabilities,
            flag=beats.flag,
            classes=self.recipe.classes,
            fs=beats.fs,
            n_samples=beats.n_samples,
            record_id=beats.record_id,
            lead_names=beats.lead_names,
            model=self.name,
            gaps=beats.gaps,
            start_s=beats.start_s,
            repeatability=beats.repeatability,
            noise_ratio=beats.noise_ratio,
            start_time=beats.start_time,
            mains_hz=beats.mains_hz,
            n_spikes=beats.n_spikes,
            n_steps=beats.n_steps,
            n_clipped=beats.n_clipped,
            calibration=beats.calibration,
            vf=beats.vf,
        )
        artefacts = bool(beats.n_spikes or beats.n_steps)
        if lead_signal is not None and (beats.mains_hz or artefacts):
            # the P-wave measure reads this lead: the same artefacts out of it
            lead_signal = _cleaned_rhythm_lead(
                lead_signal, beats.fs, beats.mains_hz, artefacts=artefacts
            )
        return assess_rhythm(
            annotations,
            lead_signal,
            gate=self.recipe.rhythm_gate,
            min_episode_s=self.recipe.rhythm_min_episode_s,
        )

    def _statistics(
        self, trainer: Trainer, beats: PreparedBeats, block: int
    ) -> contextlib.AbstractContextManager[None]:
        """Context block ``block``'s BatchNorm statistics in the model, if the recipe asks.

        Batched as :meth:`~ecgkit.train.Trainer.predict` batches them, so that the maps
        explain the model the beats were classified with.
        """
        rows = np.flatnonzero(beats.classifiable & (beats.block == block))
        if not self.recipe.adapt_batchnorm or rows.size == 0:
            return contextlib.nullcontext()
        inputs = [beats.windows[rows]]
        if self.recipe.rr_features:
            inputs.append(beats.rr[rows])
        batches = array_batches(inputs, trainer.predict_batch_size, trainer.device)
        return recording_statistics(trainer.model, batches)

    def explain(
        self, beats: PreparedBeats, index: ArrayLike, target: ArrayLike
    ) -> NDArray[np.float32]:
        """Grad-CAM maps ``[len(index), n_window]`` of chosen beats, mean over the members.

        Parameters
        ----------
        beats : PreparedBeats
            From :meth:`prepare`.
        index : array_like of int
            Beats to explain.
        target : array_like of int
            Class explained for each (e.g. the predicted one).
        """
        from ecgkit.explain import GradCAM

        idx = np.asarray(index, dtype=np.int64)
        goal = np.broadcast_to(np.asarray(target, dtype=np.int64), idx.shape)
        maps = np.zeros((len(self._trainers), idx.size, beats.windows.shape[-1]), np.float32)
        for block in np.unique(beats.block[idx]):
            rows = np.flatnonzero(beats.block[idx] == block)
            chosen = idx[rows]
            extra = (torch.from_numpy(beats.rr[chosen]),) if self.recipe.rr_features else ()
            for member, trainer in enumerate(self._trainers):
                # the statistics the beats were classified with (the recipe's)
                with self._statistics(trainer, beats, int(block)):
                    maps[member, rows] = GradCAM(trainer.model).attribute(
                        beats.windows[chosen], goal[rows], extra_inputs=extra
                    )
        mean = np.mean(maps, axis=0)
        peak = mean.max(axis=1, keepdims=True)
        return np.asarray(mean / np.where(peak > 0, peak, 1.0), dtype=np.float32)


def _cleaned_rhythm_lead(
    lead: ArrayLike, fs: float, mains_hz: Sequence[float], *, artefacts: bool
) -> NDArray[np.float64]:
    """``lead`` (1-D, mV) cleaned as the model's leads were, run by run between NaN samples.

    Where ``artefacts``, its spikes bridged and its baseline steps subtracted, found at
    the lead's own rate (``without_spikes_and_steps``, as for the model's leads); then the
    ``mains_hz`` lines notched out. A run too short to filter is left as it is (the P-wave
    measure finds no evidence there either).
    """
    notched = np.array(lead, dtype=np.float64)
    for first, last in true_runs(np.isfinite(notched)):
        run = slice(int(first), int(last) + 1)
        if artefacts and last > first:
            notched[run] = without_spikes_and_steps(notched[run, np.newaxis], fs)[0][:, 0]
        for hz in mains_hz:
            if hz >= fs / 2:
                continue
            try:
                notched[run] = notch(notched[run], fs, hz)
            except ValueError:
                break
    return notched


def _episode_parts(in_episode: NDArray[np.bool_], segment: NDArray[np.int64]) -> NDArray[np.int64]:
    """First and last beat of each run of ``in_episode`` inside one stretch between gaps."""
    parts = []
    for first, last in true_runs(in_episode):
        # the last beat before each gap inside the run
        cuts = first + np.flatnonzero(np.diff(segment[first : last + 1]))
        parts.append(np.stack([np.r_[first, cuts + 1], np.r_[cuts, last]], axis=1))
    return np.concatenate(parts) if parts else np.zeros((0, 2), dtype=np.int64)


def _joined_parts(
    parts: NDArray[np.int64], noise: NDArray[np.bool_], sample: NDArray[np.int64], fs: float
) -> NDArray[np.int64]:
    """``parts`` (first and last beat) that only noise or a gap parts, joined into episodes.

    An AF run continues across noise or a gap of at most
    :data:`~ecgkit.signal.AF_MAX_GAP_S` (:func:`~ecgkit.signal.af_runs`; its noise beats
    are not in it): its parts are one episode. Parts further apart are separate episodes.
    """
    if parts.shape[0] < 2:
        return parts
    joined = [parts[0].copy()]
    for first, last in parts[1:]:
        end = joined[-1][1]
        if noise[end + 1 : first].all() and sample[first] - sample[end] <= AF_MAX_GAP_S * fs:
            joined[-1][1] = last
        else:
            joined.append(np.array([first, last]))
    return np.stack(joined)
