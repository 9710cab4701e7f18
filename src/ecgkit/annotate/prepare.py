"""A recording, of any rate and length, turned into the beats a trained model takes.

:func:`prepare_beats` follows a :class:`~ecgkit.annotate.BeatRecipe` exactly as the
training beats were made (leads -> resample to the training rate -> clean -> R peaks ->
windows -> per-beat normalisation -> template residual -> RR features), in chunks of
bounded length: a 24-hour Holter recording is never filtered or resampled as a whole, and
the result is the same as one pass (chunks overlap by 5 minutes, far wider than any
filter's transient and any beat window, and each R peak belongs to exactly one chunk).
The template beat and the mean RR interval come from each beat's context block, as long
as a training record (:mod:`ecgkit.annotate.context`), not from a day-long whole.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ecgkit.annotate.context import (
    block_rr_features,
    context_blocks,
    rhythm_stretches,
    segment_rr_features,
    without_intervals,
)
from ecgkit.annotate.recipe import BeatRecipe
from ecgkit.data.leads import STANDARD_LEADS, first_ecg_channel, lead_key, named_like_ecg
from ecgkit.data.records import Record
from ecgkit.data.template import template_beat
from ecgkit.signal import (
    GAP_EDGE_S,
    NOISE_RATIO_MAX,
    REPEAT_MIN,
    RR_FEATURES,
    VF_RATE_PER_MIN,
    baseline_steps,
    bridge_gaps,
    calibration_pulses,
    clean,
    detect_r_peaks,
    mains_to_remove,
    merge_intervals,
    noise_ratio,
    normalize,
    notch,
    paced_from_delays,
    pacing_spike_delays,
    remove_steps,
    segment_beats,
    signal_gaps,
    spike_stretches,
    touches_gaps,
    typical_repeatability,
    ventricular_flutter,
)
from ecgkit.signal._chunks import CHUNK_MARGIN_S, chunk_bounds
from ecgkit.signal._validation import check_fs
from ecgkit.signal.resample import resample, resample_ratio

__all__ = [
    "FLAG_REASONS",
    "PreparedBeats",
    "as_record",
    "held",
    "prepare_beats",
    "segment_of",
    "select_leads",
    "without_spikes_and_steps",
]

#: Why a beat was not classified: its window ran past the recording's start or end, its
#: leads are flat (under 0.05 mV peak to peak: lead off, or a signal not in mV), it is
#: clipped (its lead's extreme value in the recording held for 80 ms or more in the
#: window: an amplifier at its limit), the recording (or its stretch between two gaps)
#: has too few beats to measure a rhythm, its window reaches into a gap
#: (:func:`ecgkit.signal.signal_gaps`: missing samples, or every lead held at one value
#: for a second or more), the beats around it do not repeat from beat to beat in some
#: lead (:func:`ecgkit.signal.noisy_beats`: broadband noise, or a channel that is not an
#: ECG) or its own window is far steeper outside the QRS than the recording's usually are
#: (:func:`ecgkit.signal.noise_ratio`: a burst of noise), or a pacemaker spike precedes it
#: in an ECG lead where most beats have one (:func:`ecgkit.signal.paced_beats`: a paced
#: beat, AAMI class Q, which the model never saw), or it is a wave of ventricular flutter
#: or fibrillation, taken for a beat (:func:`ecgkit.signal.ventricular_flutter`: the
#: model's first lead a sinusoid).
FLAG_REASONS = ("edge", "flat", "saturated", "no-rhythm", "gap", "noise", "paced", "vf")

_FLAT_MV = 0.05
# beats whose median peak to peak is larger than this are not in mV (uV or ADC units read
# as mV): no ECG's QRS reaches it, and the spike, step and mains checks work in mV
_WARN_LARGE_MV = 30.0
# more than this share of the beats flat (and at least this many): a warning says why
_WARN_FLAT_SHARE = 0.5
_WARN_FLAT_MIN_BEATS = 3
# the model's leads without an ECG for more than this share of the recording, and another
# lead with one: a warning names it
_WARN_MISSING_SHARE = 0.5
# the same share of the beats noise in the model's leads: another lead is checked on the
# first this many beats, and named where it is not noisy
_NOISY_CHECK_BEATS = 1000
_SATURATED_S = 0.08
# a recording looks clipped where at least this share of its beats (and this many) hold a
# lead's extreme value for 2 samples or more, in a lead resolved finely enough (its smallest
# step between values at most 1 % of its range) that such a run is a rail, not a rounding
# level; rounded to 0.1 mV, MIT-BIH 201's deep S waves share their lowest value
_WARN_CLIPPED_SHARE = 0.05
_WARN_CLIPPED_MIN_BEATS = 5
_CLIPPED_MIN_SAMPLES = 2
_FINE_STEP_SHARE = 0.01
_DUPLICATE_S = 0.2
# a median heart rate outside this range (bpm), over at least this many intervals, is no
# heart's sustained rate: beats missed or doubled, or a sampling rate other than the
# recording's (a rate off by a factor of two or less stays inside it)
_PLAUSIBLE_BPM = (30.0, 300.0)
_RATE_MIN_INTERVALS = 5
# end to end on MIT-BIH DS2, the shipped model's S and V F1 stay within 1 point of 360 Hz
# from 500 Hz down to 50 Hz; at 40 Hz S F1 falls 12.8 points, V F1 1.6 (S Se 74.9 -> 50.6 %;
# benchmarks/bench_annotate.py --rates; docs/benchmarks.rst, "Shifts alone, carried through")
_LOWEST_CHECKED_FS_HZ = 50.0

#: Lead names (as :func:`ecgkit.data.leads.lead_key` writes them) that mean the same
#: lead: modified lead II on Holter recorders, "DII" in Spanish, French and Italian. A
#: channel number ("ECG2") names no lead.
_LEAD_ALIASES: dict[str, tuple[str, ...]] = {
    "mlii": ("mlii", "ii", "ml2", "d2", "dii"),
    "ii": ("ii", "mlii", "ml2", "d2", "dii"),
}


@dataclass(frozen=True)
class PreparedBeats:
    """The model inputs of every beat of a recording, and where the beats are.

    Attributes
    ----------
    sample : numpy.ndarray of int64, shape (n_beats,)
        R position in the recording, in its own samples.
    windows : numpy.ndarray of float32, shape (n_beats, in_channels, n_window)
        Model input windows at the recipe's rate: the leads (normalised as the recipe
        says), then, with the template, each lead minus its context block's template beat.
    rr : numpy.ndarray of float32, shape (n_beats, len(recipe.rr_features))
        RR features the model takes.
    flag : numpy.ndarray of str, shape (n_beats,)
        ``""`` for a beat the model can classify, else a reason from
        :data:`FLAG_REASONS`.
    r_index : int
        R position inside each window (samples at the recipe's rate).
    fs : float
        Sampling rate of the recording (Hz); ``sample / fs`` is the time in seconds.
    window_fs : float
        Sampling rate of the windows (the recipe's), Hz.
    n_samples : int
        Length of the recording in its own samples.
    lead_names : tuple of str
        The recording's leads that were used, in model channel order.
    record_id : str
        Name of the recording.
    n_duplicates : int
        Detections dropped for lying within 200 ms of the last beat of the previous chunk
        (two chunks placing one beat on either side of their border); 0 for one pass.
    block : numpy.ndarray of int64, shape (n_beats,)
        Context block of each beat (:func:`ecgkit.annotate.context.context_blocks`): the
        beats whose template, mean RR and, where the recipe adapts them, BatchNorm
        statistics are taken together; all 0 in a recording under an hour.
    gaps : numpy.ndarray of int64, shape (n_gaps, 2)
        ``[start, stop)`` of each stretch of the recording without an ECG, in its own
        samples (:func:`ecgkit.signal.signal_gaps` of the model's leads, and the
        calibration trains at its ends or inside it): no beat lies in one, and no RR
        interval is measured across one.
    start_s : float
        The recording's :attr:`~ecgkit.data.Record.start_s`: the time of its first sample
        on its own clock, in seconds.
    repeatability : numpy.ndarray of float64, shape (n_beats,), optional
        How well the beats around each one repeat in the model's leads
        (:func:`ecgkit.signal.typical_repeatability` of the windows before
        normalisation): near 1 in a clean ECG; under
        :data:`~ecgkit.signal.REPEAT_MIN` the beat is flagged ``"noise"``, under
        :data:`~ecgkit.signal.REPEAT_RELIABLE` its label is less reliable. NaN with fewer
        than two beats; None where not measured.
    noise_ratio : numpy.ndarray of float64, shape (n_beats,), optional
        How much steeper each beat's window is outside its QRS than the recording's
        usually are, in the model's leads (:func:`ecgkit.signal.noise_ratio` of the
        windows before normalisation): near 1 in a clean ECG; at or over
        :data:`~ecgkit.signal.NOISE_RATIO_MAX` the beat is flagged ``"noise"``, at or over
        :data:`~ecgkit.signal.NOISE_RATIO_RELIABLE` its label is less reliable. NaN where
        not measurable (no noise-free reference, or beats too close); None where not
        measured.
    start_time : str or None
        The recording's :attr:`~ecgkit.data.Record.start_time`: the date and time of its
        first sample as its file states it (ISO 8601), None where it states none.
    mains_hz : tuple of float
        The mains frequencies (Hz) notched out of the model's leads
        (:func:`ecgkit.signal.mains_to_remove`: a line of at least
        :data:`~ecgkit.signal.MAINS_NOTCH_MV` in some chunk of the recording); empty where
        none was.
    n_spikes : int
        Spikes (:func:`ecgkit.signal.spike_stretches` at the model's rate) replaced by a
        straight line in the model's leads before they were filtered.
    n_steps : int
        Baseline steps (:func:`ecgkit.signal.baseline_steps` at the model's rate)
        subtracted from the model's leads before they were filtered.
    n_clipped : int
        Beats whose raw window holds a model lead's extreme value in its chunk for 2
        samples or more, in a lead resolved finely enough for that to be a rail (an
        amplifier at its limit); those held there 80 ms or more are also flagged
        ``"saturated"``. Many of them make a warning that the recording looks clipped.
    calibration : numpy.ndarray of int64, shape (n_trains, 2)
        ``[start, stop)`` of each calibration train at the recording's start or end, or of
        at least :data:`~ecgkit.signal.TRAIN_MIN_PULSES` pulses at one period inside it
        (:func:`ecgkit.signal.calibration_pulses` of the model's leads, ``inside=True``),
        in its own samples; each is also one of :attr:`gaps`.
    vf : numpy.ndarray of int64, shape (n_stretches, 2)
        ``[start, stop)`` of each stretch of ventricular flutter or fibrillation in the
        model's first lead (:func:`ecgkit.signal.ventricular_flutter`), in the
        recording's own samples; the beats whose R peak lies in one are flagged ``"vf"``.
    """

    sample: NDArray[np.int64]
    windows: NDArray[np.float32]
    rr: NDArray[np.float32]
    flag: NDArray[np.str_]
    r_index: int
    fs: float
    window_fs: float
    n_samples: int
    lead_names: tuple[str, ...]
    record_id: str
    n_duplicates: int
    block: NDArray[np.int64]
    gaps: NDArray[np.int64]
    start_s: float = 0.0
    repeatability: NDArray[np.float64] | None = None
    noise_ratio: NDArray[np.float64] | None = None
    start_time: str | None = None
    mains_hz: tuple[float, ...] = ()
    n_spikes: int = 0
    n_steps: int = 0
    n_clipped: int = 0
    calibration: NDArray[np.int64] = field(default_factory=lambda: np.zeros((0, 2), np.int64))
    vf: NDArray[np.int64] = field(default_factory=lambda: np.zeros((0, 2), np.int64))

    def __len__(self) -> int:
        return int(self.sample.size)

    @property
    def segment(self) -> NDArray[np.int64]:
        """Stretch of each beat between two gaps: the number of gaps before it."""
        return segment_of(self.sample, self.gaps)

    @property
    def classifiable(self) -> NDArray[np.bool_]:
        """True for beats without a flag."""
        return np.asarray(self.flag == "", dtype=bool)


def as_record(recording: Record | ArrayLike, fs: float | None = None, *, axis: int = -1) -> Record:
    """A :class:`~ecgkit.data.Record` from a record or an array and its rate.

    Parameters
    ----------
    recording : Record or array_like
        A record, or a signal ``(n_samples,)`` or 2-D with time along ``axis`` (mV).
    fs : float, optional
        Sampling rate in Hz; required for an array, and must match a record's.
    axis : int
        Time axis of a 2-D array (``axis=0`` for ``[n_samples, n_leads]``).
    """
    if isinstance(recording, Record):
        if fs is not None and not math.isclose(float(fs), recording.fs, rel_tol=1e-9):
            raise ValueError(f"fs={fs!r} Hz contradicts the record's {recording.fs:g} Hz")
        return recording
    if fs is None:
        raise ValueError("fs (Hz) is required when the recording is a plain array")
    fs_value = check_fs(fs)
    array = np.asarray(recording)
    if not (np.issubdtype(array.dtype, np.floating) or np.issubdtype(array.dtype, np.integer)):
        raise TypeError(f"recording must be numeric, got dtype {array.dtype}")
    if array.ndim == 1:
        array = array[:, None]
    elif array.ndim == 2:
        if axis not in (0, 1, -1, -2):
            raise ValueError(f"axis must be 0 or 1 (or -1/-2) for a 2-D array, got {axis}")
        array = np.moveaxis(array, axis, 0)
        if array.shape[0] <= 16 < array.shape[1]:
            hint = "samples-first: pass axis=0" if axis in (-1, 1) else "leads-first: pass axis=-1"
            raise ValueError(
                f"recording has {array.shape[0]} samples along axis {axis} and "
                f"{array.shape[1]} along the other: the array looks {hint}"
            )
    else:
        raise ValueError(f"recording must be 1-D or 2-D, got shape {array.shape}")
    names = tuple(f"lead{i}" for i in range(array.shape[1]))
    return Record(signal=array, fs=fs_value, lead_names=names, record_id="recording")


def select_leads(
    available: Sequence[str], wanted: Sequence[str], chosen: Iterable[str | int] | None = None
) -> tuple[int, ...]:
    """Channels of a recording that feed a model's leads.

    Parameters
    ----------
    available : sequence of str
        The recording's lead names.
    wanted : sequence of str
        The model's leads (its recipe).
    chosen : iterable of str or int, optional
        The caller's choice, by name or channel number, one per model lead.

    Returns
    -------
    tuple of int
        One channel per model lead. Names match case-insensitively, without a unit in
        brackets, separators or the words "ECG", "EKG" and "lead" ("ECG II [mV]",
        "EKG_II" and "Lead-II" are II), and through common synonyms (MLII ~ II ~ DII; a
        channel number such as "ECG2" names no lead); a single-lead model given a
        one-lead recording uses that lead whatever its name, and given several leads
        none of which matches, uses the first named like an ECG ("ECG", "EKG 2", a
        standard lead's name; else the first) and warns (``UserWarning``) which one it
        took.
    """
    if chosen is not None:
        picks = list(chosen)
        if len(picks) != len(wanted):
            raise ValueError(
                f"leads must name {len(wanted)} lead(s) for a model of leads {tuple(wanted)}, "
                f"got {picks}"
            )
        channels = []
        lower = [name.lower() for name in available]
        keys = [lead_key(name) for name in available]
        for pick in picks:
            if isinstance(pick, str):
                if pick.lower() in lower:
                    channels.append(lower.index(pick.lower()))
                    continue
                key = lead_key(pick)
                same = [i for i, name in enumerate(keys) if name and name == key]
                if not same:  # a synonym: "ii" for "DII"
                    synonyms = _LEAD_ALIASES.get(key, ())
                    same = [i for i, name in enumerate(keys) if name in synonyms]
                if len(same) != 1:
                    where = "is not in" if not same else "names more than one lead of"
                    raise ValueError(
                        f"lead {pick!r} {where} the recording; it has {tuple(available)}"
                    )
                channels.append(same[0])
            elif 0 <= int(pick) < len(available):
                channels.append(int(pick))
            else:
                raise ValueError(
                    f"lead {pick} is out of range for a recording of {len(available)} leads"
                )
        return tuple(channels)
    keys = [lead_key(name) for name in available]
    found: list[int] = []
    for lead in wanted:
        key = lead_key(lead)
        names = _LEAD_ALIASES.get(key, (key,))
        match = next((keys.index(n) for n in names if n in keys), None)
        if match is None:
            break
        found.append(match)
    if len(found) == len(wanted):
        return tuple(found)
    if len(wanted) == 1 and len(available) == 1:
        return (0,)
    if len(wanted) == 1 and available:
        # a polysomnogram or monitor export puts other channels (Pleth, Resp, EEG) beside
        # one called "ECG": the first channel named like an ECG, else the first channel
        named = first_ecg_channel(available)
        pick = 0 if named is None else named
        unnamed = "" if named is not None else " (none of its channels is named like an ECG lead)"
        warnings.warn(
            f"the model takes lead {wanted[0]!r}, which the recording (leads "
            f"{tuple(available)}) does not name: using {available[pick]!r}{unnamed}; pass "
            "leads=[...] to choose",
            UserWarning,
            stacklevel=3,
        )
        return (pick,)
    raise ValueError(
        f"the model takes leads {tuple(wanted)}; the recording has {tuple(available)}: pass "
        "leads=[...] to say which of its leads to use"
    )


def _beat_flags(
    raw: NDArray[np.floating[Any]], fs: float, held: NDArray[np.int64]
) -> NDArray[np.str_]:
    """``"flat"``/``"saturated"``/``""`` per raw window ``[n, leads, L]`` (mV).

    ``held`` is :func:`_held_at_limits` of the windows: the samples at each lead's
    smallest or largest value in the stretch they were cut from. A window is saturated
    where it holds one of them for ``_SATURATED_S`` or more (an amplifier at its rail); a
    run at a window's own extreme that is not the lead's (a recording rounded to 0.1 mV
    holds its baseline) is not.
    """
    flags = np.full(raw.shape[0], "", dtype="<U9")
    if raw.shape[0] == 0:
        return flags
    top = raw.max(axis=-1, keepdims=True)
    bottom = raw.min(axis=-1, keepdims=True)
    flags[(held >= _SATURATED_S * fs).any(axis=1)] = "saturated"
    flags[((top - bottom)[..., 0] < _FLAT_MV).any(axis=1)] = "flat"
    return flags


def _finely_resolved(raw: NDArray[np.floating[Any]]) -> NDArray[np.bool_]:
    """Per lead of ``raw`` ``(n_samples, n_leads)``: resolved finely enough to show a rail.

    Its smallest step between two values is at most ``_FINE_STEP_SHARE`` of its range
    (missing samples left out).
    """
    fine = np.zeros(raw.shape[1], dtype=bool)
    for lead in range(raw.shape[1]):
        values = np.unique(raw[:, lead][np.isfinite(raw[:, lead])])
        if values.size > 2:
            fine[lead] = np.diff(values).min() <= _FINE_STEP_SHARE * (values[-1] - values[0])
    return fine


def _held_at_limits(
    raw: NDArray[np.floating[Any]], limits: NDArray[np.floating[Any]]
) -> NDArray[np.int64]:
    """``[n, leads]``: samples of each raw window ``[n, leads, L]`` at its lead's limits.

    The lowest or the highest value in ``limits`` ``[2, leads]``, whichever the window
    holds more often; none in a window whose own extremes lie inside them.
    """
    lowest, highest = (limit[np.newaxis, :, np.newaxis] for limit in limits)
    held = np.maximum((raw == highest).sum(axis=-1), (raw == lowest).sum(axis=-1))
    return np.asarray(held, dtype=np.int64)


def without_spikes_and_steps(
    x: NDArray[np.floating[Any]], fs: float
) -> tuple[NDArray[np.floating[Any]], NDArray[np.int64], NDArray[np.int64]]:
    """``x`` ``(n_samples, n_leads)`` (mV) with its spikes bridged and its steps taken out.

    Spikes (steeper than a heart makes, and back) ring through the filters into the beats
    around them and pass for beats: they are bridged as the gaps are
    (:func:`ecgkit.signal.spike_stretches`); so does a step of the baseline, through the
    high-pass, and the level after it goes (:func:`ecgkit.signal.baseline_steps`). Also
    returns the spikes' ``[start, stop)`` rows and the steps' ``[sample, lead]`` rows.
    """
    spikes = spike_stretches(x, fs, axis=0)
    if spikes.shape[0]:
        x = bridge_gaps(np.array(x.T, dtype=np.float64), spikes).T
    steps = baseline_steps(x, fs, axis=0)
    if steps.shape[0]:
        x = remove_steps(x, steps, axis=0)
    return x, spikes, steps


def segment_of(sample: NDArray[np.int64], gaps: NDArray[np.int64]) -> NDArray[np.int64]:
    """The stretch between two gaps of each beat: how many ``gaps`` start before it.

    ``gaps`` are ``[start, stop)`` rows in time order; ``sample`` are beat positions.
    """
    return np.searchsorted(gaps[:, 0], sample, side="right").astype(np.int64)


def held(raw: NDArray[np.float64]) -> NDArray[np.float64]:
    """``raw`` with each missing (NaN or infinite) sample held at a finite neighbour.

    ``raw`` is ``(n_samples,)`` or ``(n_samples, n_leads)``. The last finite sample before
    it in its lead (the first after it at the start; 0 in a lead with none), so that the
    filters run through a gap, which reads as flat. ``raw`` itself where none is missing.
    """
    if raw.ndim == 1:
        return held(raw[:, np.newaxis])[:, 0]
    bad = ~np.isfinite(raw)
    if not bad.any():
        return raw
    out = raw.copy()
    for lead in np.flatnonzero(bad.any(axis=0)):
        good = np.flatnonzero(~bad[:, lead])
        if good.size == 0:
            out[:, lead] = 0.0
            continue
        source = good[np.clip(np.searchsorted(good, np.arange(raw.shape[0]), "right") - 1, 0, None)]
        out[:, lead] = raw[source, lead]
    return out


def prepare_beats(
    recording: Record | ArrayLike,
    recipe: BeatRecipe,
    *,
    fs: float | None = None,
    axis: int = -1,
    peaks: ArrayLike | None = None,
    leads: Iterable[str | int] | None = None,
    chunk_s: float | None = 1800.0,
    progress: bool | None = False,
) -> PreparedBeats:
    """Every beat of a recording as the model of ``recipe`` takes it.

    Parameters
    ----------
    recording : Record or array_like
        A record (e.g. from :func:`ecgkit.data.read_signal`; a memory-mapped signal is
        read chunk by chunk) or a signal with time along ``axis``, in mV.
    recipe : BeatRecipe
        The model's recipe.
    fs : float, optional
        Sampling rate in Hz of a plain array.
    axis : int
        Time axis of a plain 2-D array.
    peaks : array_like of int, optional
        R positions in the recording's samples (sorted); None detects them with
        ``recipe.detector`` on the model's leads.
    leads : iterable of str or int, optional
        The recording's leads to use, one per model lead; default by name.
    chunk_s : float, optional
        Process about this many seconds at a time (0.75-1.5x, at least 600; bounded
        memory), each chunk with 5 minutes of the signal on either side; None: one pass.
    progress : bool, optional
        Show a tqdm bar over the chunks; None shows it only on a terminal.

    Returns
    -------
    PreparedBeats
    """
    record = as_record(recording, fs, axis=axis)
    channels = select_leads(record.lead_names, recipe.leads, leads)
    _warn_if_other_lead(record, channels, recipe.leads)
    if chunk_s is not None and not (math.isfinite(chunk_s) and chunk_s >= 2 * CHUNK_MARGIN_S):
        raise ValueError(f"chunk_s must be >= {2 * CHUNK_MARGIN_S:g} s or None, got {chunk_s!r}")
    fs_in, fs_out = record.fs, recipe.fs
    if fs_in < min(_LOWEST_CHECKED_FS_HZ, fs_out):
        warnings.warn(
            f"{record.record_id}: {fs_in:g} Hz is under {_LOWEST_CHECKED_FS_HZ:g} Hz, the lowest "
            "rate at which the shipped model was checked end to end; below it the S beats it "
            "tells by their shape, not their timing, are missed more often (MIT-BIH DS2 "
            "resampled to 40 Hz: S Se about 24 points lower than at 360 Hz, V about as at "
            "360 Hz)",
            UserWarning,
            stacklevel=3,
        )
    up, down = resample_ratio(fs_in, fs_out)
    n_in = record.n_samples
    n_out = math.ceil(n_in * up / down)
    given = None
    if peaks is not None:
        given = np.asarray(peaks)
        if given.ndim != 1 or not np.issubdtype(given.dtype, np.integer):
            raise TypeError(f"peaks must be a 1-D array of integer samples, got {given.dtype}")
        if given.size and (given.min() < 0 or given.max() >= n_in):
            raise ValueError(f"peaks must lie in [0, {n_in}) samples of the recording")
        if np.any(np.diff(given) <= 0):
            raise ValueError("peaks must be strictly increasing sample indices")
    margin = math.ceil(max(CHUNK_MARGIN_S, 2 * (recipe.before_s + recipe.after_s)) * fs_in / down)
    margin *= down
    chunk = None if chunk_s is None else round(chunk_s * fs_in)
    bounds = chunk_bounds(n_in, chunk, down)
    n_before = round(recipe.before_s * fs_out)
    raw_before, raw_after = round(recipe.before_s * fs_in), round(recipe.after_s * fs_in)
    parts: list[
        tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.float32], NDArray[np.str_]]
    ] = []
    gap_parts: list[NDArray[np.int64]] = []
    calibration_parts: list[NDArray[np.int64]] = []
    vf_parts: list[NDArray[np.int64]] = []
    mains: set[float] = set()
    spike_parts: list[NDArray[np.int64]] = []
    step_parts: list[NDArray[np.int64]] = []
    rail_parts: list[NDArray[np.bool_]] = []
    span_parts: list[NDArray[np.float64]] = []
    # pacemaker spikes are looked for in every ECG lead at the recording's own rate (a
    # spike lasts a sample or two: resampling and filtering smooth it away)
    ecg_leads = [*channels, *_other_ecg_leads(record, channels)]
    paced_parts: list[NDArray[np.float64]] = []
    iterator: Iterable[tuple[int, int]] = bounds
    if progress is not False and len(bounds) > 1:
        from tqdm.auto import tqdm

        iterator = tqdm(
            bounds,
            desc=f"annotating {record.record_id}",
            unit="chunk",
            disable=None if progress is None else False,
        )
    for start, stop in iterator:
        lo, hi = max(start - margin, 0), min(stop + margin, n_in)
        # the chunk read once: the model's leads first, then the other ECG leads
        every_lead = np.asarray(record.signal[lo:hi][:, ecg_leads], dtype=np.float64)
        raw = np.ascontiguousarray(every_lead[:, : len(channels)])
        fine = _finely_resolved(raw)  # before gaps are bridged with values of no step
        lo_out = lo * up // down
        local_gaps = signal_gaps(raw, fs_in, axis=0)
        # a calibration signal at either end of the recording, or a train of pulses at one
        # period inside it (a recorder's test signal), holds no ECG either
        ends = [end for end, at in (("start", lo == 0), ("end", hi == n_in)) if at]
        calibration = calibration_pulses(held(raw), fs_in, axis=0, ends=ends, inside=True)
        if calibration.size:
            calibration_parts.append(calibration + lo)
            local_gaps = merge_intervals(np.concatenate([local_gaps, calibration]))
            raw = _held_over_ends(raw, calibration)
        gap_parts.append(local_gaps + lo)
        if local_gaps.size:
            # the filters see a ramp across each gap, not the steps at its edges
            raw = bridge_gaps(held(raw).T.copy(), local_gaps).T
        x = resample(raw, fs_in, fs_out, axis=0) if (up, down) != (1, 1) else raw
        x, spikes, steps = without_spikes_and_steps(x, fs_out)
        if spikes.shape[0]:
            spike_parts.append(spikes + lo_out)
        if steps.shape[0]:
            step_parts.append(steps[:, 0] + lo_out)
        # a mains line strong enough to move labels is notched out; weaker ones are left
        hums = mains_to_remove(x, fs_out, axis=0)
        if recipe.clean:
            x = clean(x, fs_out, axis=0)
        for hum in hums:
            x = notch(x, fs_out, hum, axis=0)
        mains.update(hums)
        first, last = start * up // down, math.ceil(stop * up / down)
        if given is None:
            recorded = x.shape[0] > 1 and _recorded_samples(local_gaps, hi - lo) > 0
            local = (
                detect_r_peaks(x, fs_out, method=recipe.detector, axis=0)
                if recorded
                else np.zeros(0, np.int64)
            )
            chunk_peaks = local
            glob = local + lo_out
            inside = (glob >= first) & (glob < last)
            glob, local = glob[inside], local[inside]
            at_input = np.minimum(np.rint(glob * down / up).astype(np.int64), n_in - 1)
            # no beat inside a gap, nor within GAP_EDGE_S of one: a real one there would
            # be half in the gap, and missing samples shorter than the detector's flat
            # stretches reach it held, with a step at each edge
            edge = round(GAP_EDGE_S * fs_in)
            outside = ~touches_gaps(at_input - lo - edge, at_input - lo + edge + 1, local_gaps)
            glob, local, at_input = glob[outside], local[outside], at_input[outside]
        else:
            at_input = given[(given >= start) & (given < stop)].astype(np.int64)
            glob = np.minimum(np.rint(at_input * up / down).astype(np.int64), n_out - 1)
            local = glob - lo_out
            in_chunk = given[(given >= lo) & (given < hi)].astype(np.int64)
            chunk_peaks = np.unique(
                np.clip(np.rint(in_chunk * up / down).astype(np.int64) - lo_out, 0, len(x) - 1)
            )
            keep = (
                np.concatenate(([True], np.diff(local) > 0)) if local.size else local.astype(bool)
            )
            if not keep.all():
                raise ValueError(
                    f"peaks closer than one sample at {fs_out:g} Hz (the model's rate): "
                    f"{at_input[~keep][:5].tolist()}"
                )
        # ventricular flutter: the model's first lead a sinusoid (band-passed as for the
        # detector) with the chunk's beats at most every other wave, in the chunk's own
        # part, mapped to the recording's samples
        flutter = ventricular_flutter(
            x[:, 0] if recipe.clean else clean(x[:, 0], fs_out), fs_out, r_peaks=chunk_peaks
        )
        flutter = np.clip(flutter + lo_out, first, last)
        flutter = flutter[flutter[:, 1] > flutter[:, 0]]
        if flutter.size:
            vf_parts.append(
                np.stack([flutter[:, 0] * down // up, -(-flutter[:, 1] * down // up)], axis=1)
            )
        beats = segment_beats(
            x, fs_out, local, before_s=recipe.before_s, after_s=recipe.after_s, edge="pad", axis=0
        )
        windows = beats.windows.astype(np.float32)
        raw_windows = segment_beats(
            raw, fs_in, at_input - lo, before_s=recipe.before_s, after_s=recipe.after_s,
            edge="pad", axis=0,
        ).windows  # fmt: skip
        at_limits = _held_at_limits(raw_windows, np.stack([raw.min(axis=0), raw.max(axis=0)]))
        flag = _beat_flags(raw_windows, fs_in, at_limits)
        # a window at a rail of a finely resolved lead: many of them, a clipped recording
        rail_parts.append(np.asarray(((at_limits >= _CLIPPED_MIN_SAMPLES) & fine).any(axis=1)))
        span_parts.append(np.ptp(raw_windows, axis=-1).max(axis=1))
        reaches = touches_gaps(at_input - lo - raw_before, at_input - lo + raw_after, local_gaps)
        paced_parts.append(pacing_spike_delays(held(every_lead), fs_in, at_input - lo, axis=0))
        flag[reaches] = "gap"
        flag[beats.padded | (at_input - raw_before < 0) | (at_input + raw_after > n_in)] = "edge"
        parts.append((at_input, glob, windows, flag))
    gaps = merge_intervals(np.concatenate(gap_parts)) if gap_parts else np.zeros((0, 2), np.int64)
    _warn_if_model_leads_missing(record, channels, gaps, recipe.leads)
    calibration = (
        merge_intervals(np.concatenate(calibration_parts))
        if calibration_parts
        else np.zeros((0, 2), np.int64)
    )
    if calibration.size:
        _warn_of_calibration(calibration, fs_in, record.record_id)
    sample = np.concatenate([p[0] for p in parts]) if parts else np.zeros(0, np.int64)
    r_out = np.concatenate([p[1] for p in parts]) if parts else np.zeros(0, np.int64)
    windows = (
        np.concatenate([p[2] for p in parts])
        if parts
        else np.zeros((0, len(channels), recipe.window_samples), np.float32)
    )
    flag = np.concatenate([p[3] for p in parts]) if parts else np.zeros(0, dtype="<U9")
    at_rail = np.concatenate(rail_parts) if rail_parts else np.zeros(0, dtype=bool)
    beat_mv = np.concatenate(span_parts) if span_parts else np.zeros(0)
    spike_delays = np.concatenate(paced_parts, axis=1) if paced_parts else np.zeros((0, 0))
    n_duplicates = 0
    if given is None and r_out.size > 1:
        # two chunks may each place one beat near their shared border: only there is a
        # beat within the detector's refractory period of the previous one a duplicate
        chunk_of = np.repeat(np.arange(len(parts)), [p[0].size for p in parts])
        border = np.diff(chunk_of) > 0
        keep = np.concatenate(([True], ~border | (np.diff(r_out) >= _DUPLICATE_S * fs_out)))
        n_duplicates = int((~keep).sum())
        sample, r_out, windows, flag = sample[keep], r_out[keep], windows[keep], flag[keep]
        at_rail, beat_mv, spike_delays = at_rail[keep], beat_mv[keep], spike_delays[:, keep]
    # beats that do not repeat from beat to beat (broadband noise, not an ECG): the windows
    # here are the model's, band-passed where the recipe cleans; NaN with fewer than two
    # beats (nothing to compare), which is not under REPEAT_MIN
    repeatability = typical_repeatability(windows)
    # a burst of noise a few beats long, which the beats around a beat do not show: each
    # window's slope outside the QRS complexes against the recording's usual one
    steepness = noise_ratio(windows, fs_out, r_out, r_index=n_before)
    vf = merge_intervals(np.concatenate(vf_parts)) if vf_parts else np.zeros((0, 2), np.int64)
    in_vf = touches_gaps(sample, sample + 1, vf)
    if in_vf.any():
        flag[(flag == "") & in_vf] = "vf"
        _warn_of_vf(vf, int((flag == "vf").sum()), fs_in, record.record_id)
    paced = paced_from_delays(spike_delays) if spike_delays.size else np.zeros(0, dtype=bool)
    if paced.any():
        flag[(flag == "") & paced] = "paced"
        _warn_if_paced(int(paced.sum()), paced.size, record.record_id)
    flag[(flag == "") & ((repeatability < REPEAT_MIN) | (steepness >= NOISE_RATIO_MAX))] = "noise"
    _warn_if_mostly_flat(flag, record.record_id)
    _warn_if_clipped(at_rail, record.record_id)
    _warn_if_not_mv(beat_mv[flag == ""], record.record_id)
    _warn_if_model_leads_noisy(record, channels, sample, flag, recipe)
    if recipe.normalize is not None and windows.size:
        windows = normalize(windows, recipe.normalize, axis=-1).astype(np.float32, copy=False)
    block = context_blocks(r_out / fs_out, n_in / fs_in)
    # no interval across a gap, nor to or from a beat in noise or ventricular flutter
    stretch = rhythm_stretches(segment_of(sample, gaps), without_intervals(flag))
    _warn_if_rate_implausible(r_out, stretch, fs_out, fs_in, record.record_id)
    if r_out.size >= 2:
        every_rr = block_rr_features(
            segment_rr_features(r_out, fs_out, stretch, local_beats=recipe.local_beats),
            block,
            stretch,
        )
        # a beat alone between two gaps (or a gap and an end) has no rhythm
        flag[(flag == "") & np.isnan(every_rr).any(axis=1)] = "no-rhythm"
    else:
        every_rr = np.full((r_out.size, len(RR_FEATURES)), np.nan)
        flag[flag == ""] = "no-rhythm"
    if recipe.template and windows.shape[0]:
        windows = _with_template(windows, every_rr[:, 0], flag == "", block, recipe)
    columns = [RR_FEATURES.index(name) for name in recipe.rr_features]
    rr = every_rr[:, columns].astype(np.float32)
    return PreparedBeats(
        sample=sample.astype(np.int64),
        windows=np.ascontiguousarray(windows, dtype=np.float32),
        rr=rr,
        flag=flag.astype(str),
        r_index=n_before,
        fs=fs_in,
        window_fs=fs_out,
        n_samples=n_in,
        lead_names=tuple(record.lead_names[c] for c in channels),
        record_id=record.record_id,
        n_duplicates=n_duplicates,
        block=block,
        gaps=gaps,
        start_s=record.start_s,
        repeatability=repeatability,
        noise_ratio=steepness,
        start_time=record.start_time,
        mains_hz=tuple(sorted(mains)),
        n_spikes=int(merge_intervals(np.concatenate(spike_parts)).shape[0]) if spike_parts else 0,
        n_steps=int(np.unique(np.concatenate(step_parts)).size) if step_parts else 0,
        n_clipped=int(at_rail.sum()),
        calibration=calibration,
        vf=vf,
    )


def _warn_of_vf(stretches: NDArray[np.int64], n_beats: int, fs: float, record_id: str) -> None:
    """Say where the ECG is ventricular flutter or fibrillation (``[start, stop)`` at ``fs``)."""
    where = ", ".join(f"{start / fs:.1f}-{stop / fs:.1f} s" for start, stop in stretches)
    warnings.warn(
        f"{record_id}: ventricular flutter or fibrillation (the ECG a sinusoid of "
        f"{VF_RATE_PER_MIN[0]:g}-{VF_RATE_PER_MIN[1]:g} waves a minute) at {where}: its "
        f"{n_beats} wave(s) taken for beats are flagged 'vf', not classified",
        UserWarning,
        stacklevel=3,
    )


def _warn_if_mostly_flat(flag: NDArray[np.str_], record_id: str) -> None:
    """Say so where most beats are flat: a recording in volts reads as flat in mV."""
    flat = int((flag == "flat").sum())
    if flat >= _WARN_FLAT_MIN_BEATS and flat > _WARN_FLAT_SHARE * flag.size:
        warnings.warn(
            f"{record_id}: {flat} of {flag.size} beats are flat (under {_FLAT_MV:g} mV peak to "
            "peak) and not classified: a lead off, or a recording not in mV; one in volts "
            "reads right with units='V' (ecgkit annotate --units V)",
            UserWarning,
            stacklevel=3,
        )


def _held_over_ends(raw: NDArray[np.float64], stretches: NDArray[np.int64]) -> NDArray[np.float64]:
    """``raw`` ``(n_samples, n_leads)`` with each stretch at an end held at the sample beside it.

    The filters then see a level, not the pulses' steps (:func:`ecgkit.signal.bridge_gaps`
    joins only stretches with samples on both sides).
    """
    n = raw.shape[0]
    out = raw.copy()
    for start, stop in stretches:
        if start == 0 and stop < n:
            out[:stop] = out[stop]
        elif stop == n and start > 0:
            out[start:] = out[start - 1]
    return out


def _warn_of_calibration(stretches: NDArray[np.int64], fs: float, record_id: str) -> None:
    """Say where a calibration signal was taken as no ECG (``[start, stop)`` samples at ``fs``)."""
    where = ", ".join(f"{start / fs:.2f}-{stop / fs:.2f} s" for start, stop in stretches)
    warnings.warn(
        f"{record_id}: a calibration signal (rectangular pulses, such as 1 mV for 200 ms) at "
        f"{where} is taken as no ECG, as a gap: no beat is detected there",
        UserWarning,
        stacklevel=3,
    )


def _warn_if_rate_implausible(
    r_out: NDArray[np.int64],
    stretch: NDArray[np.int64],
    fs_out: float,
    fs_in: float,
    record_id: str,
) -> None:
    """Say so where the median heart rate is no heart's: beats missed or doubled, or a wrong fs.

    ``r_out`` are the beats at the model's rate ``fs_out``; intervals are taken between
    consecutive beats of one ``stretch`` (none across a gap or to a beat in noise).
    """
    same = stretch[1:] == stretch[:-1]
    if int(same.sum()) < _RATE_MIN_INTERVALS:
        return
    bpm = 60.0 * fs_out / float(np.median(np.diff(r_out)[same]))
    slowest, fastest = _PLAUSIBLE_BPM
    if slowest <= bpm <= fastest:
        return
    if bpm < slowest:
        what = f"slower than {slowest:g} bpm: beats missed, a sampling rate lower"
        rhythm = "a ventricular escape rhythm that slow"
    else:
        what = f"faster than {fastest:g} bpm: noise taken as beats, a sampling rate higher"
        rhythm = "peaks given closer than beats come"
    warnings.warn(
        f"{record_id}: the median heart rate is {bpm:.3g} bpm, {what} than the recording's "
        f"(fs={fs_in:g} Hz was given or read; ecgkit annotate --fs sets it for CSV and NPY; "
        f"a wrong one puts intervals, rates and times off by the same factor), or {rhythm}",
        UserWarning,
        stacklevel=3,
    )


def _warn_if_paced(n_paced: int, n_beats: int, record_id: str) -> None:
    """Say that the paced beats are not classified, and why."""
    warnings.warn(
        f"{record_id}: a pacemaker spike precedes {n_paced} of {n_beats} beats; they are "
        "flagged 'paced' and not classified: the model never saw paced beats (AAMI class Q; "
        "MIT-BIH's paced records are not in DS1 or DS2). Spikes a recorder has smoothed "
        "away are not found, so a paced recording can also pass without this warning",
        UserWarning,
        stacklevel=3,
    )


def _warn_if_not_mv(beat_mv: NDArray[np.float64], record_id: str) -> None:
    """Say so where the beats are far larger than an ECG's in mV (a file in uV, or counts)."""
    median = float(np.median(beat_mv)) if beat_mv.size else 0.0
    if median > _WARN_LARGE_MV:
        warnings.warn(
            f"{record_id}: the beats span {median:.4g} mV peak to peak "
            f"(median), more than any heart's (over {_WARN_LARGE_MV:g}): a recording in uV or "
            "in ADC units read as mV? units='uV' (ecgkit annotate --units uV) reads it in "
            "uV; the labels hold at any scale, but the spike, step and mains checks work in mV",
            UserWarning,
            stacklevel=3,
        )


def _warn_if_clipped(at_rail: NDArray[np.bool_], record_id: str) -> None:
    """Say so where many beats hold a lead's extreme value: an amplifier at its limit."""
    n = int(at_rail.sum())
    if n >= _WARN_CLIPPED_MIN_BEATS and n >= _WARN_CLIPPED_SHARE * at_rail.size:
        warnings.warn(
            f"{record_id}: {n} of {at_rail.size} beats reach a lead's extreme value and hold "
            f"it for {_CLIPPED_MIN_SAMPLES} samples or more: the recording looks clipped (an "
            "amplifier at its limit). Beats held there for "
            f"{_SATURATED_S * 1000:g} ms or more are flagged 'saturated'; the others are "
            "classified from their clipped shape and may be mislabelled",
            UserWarning,
            stacklevel=3,
        )


def _warn_if_model_leads_missing(
    record: Record, channels: Sequence[int], gaps: NDArray[np.int64], trained: Sequence[str]
) -> None:
    """Say so where the model's leads are mostly gap and another ECG lead is not."""
    n = record.n_samples
    missing = 1 - _recorded_samples(gaps, n) / n
    others = _other_ecg_leads(record, channels)
    if missing <= _WARN_MISSING_SHARE or not others:
        return
    for other in others:
        their_gaps = signal_gaps(record.signal[:, other], record.fs)
        if _recorded_samples(their_gaps, n) / n >= 1 - _WARN_MISSING_SHARE:
            warnings.warn(
                f"{record.record_id}: {_lead_list(record, channels)} holds no ECG for "
                f"{missing:.0%} of the recording (a lead off, or missing samples), "
                f"{record.lead_names[other]!r} does: {_use_instead(record, other, trained)}",
                UserWarning,
                stacklevel=3,
            )
            return


def _warn_if_model_leads_noisy(
    record: Record,
    channels: Sequence[int],
    sample: NDArray[np.int64],
    flag: NDArray[np.str_],
    recipe: BeatRecipe,
) -> None:
    """Say so where most beats are noise in the model's leads and another ECG lead's not.

    The other lead (named like an ECG lead) is judged on the first
    ``_NOISY_CHECK_BEATS`` beats: its windows at the same positions, band-passed as the
    recipe does, repeat (:data:`REPEAT_MIN`) for at least half of them.
    """
    noise = float(np.mean(flag == "noise")) if flag.size else 0.0
    others = _other_ecg_leads(record, channels)
    if noise <= _WARN_MISSING_SHARE or not others:
        return
    fs = record.fs
    at = sample[:_NOISY_CHECK_BEATS]
    lo = max(int(at[0]) - round(fs), 0)
    hi = min(int(at[-1]) + round(fs), record.n_samples)
    for other in others:
        lead = held(np.asarray(record.signal[lo:hi, other], dtype=np.float64))
        filtered = clean(lead, fs) if recipe.clean else lead
        windows = segment_beats(
            filtered, fs, at - lo, before_s=recipe.before_s, after_s=recipe.after_s, edge="pad"
        ).windows
        if np.mean(typical_repeatability(windows) >= REPEAT_MIN) >= 0.5:
            warnings.warn(
                f"{record.record_id}: {noise:.0%} of the beats are noise in "
                f"{_lead_list(record, channels)} and not classified; "
                f"{record.lead_names[other]!r} is not noisy: "
                f"{_use_instead(record, other, recipe.leads)}",
                UserWarning,
                stacklevel=3,
            )
            return


def _is_other_lead(name: str, trained: str) -> bool:
    """Whether ``name`` names a standard lead other than ``trained`` (or its synonyms).

    A name that names no standard lead ("ECG", "lead0", "ECG2") is not another lead:
    nothing is known of it.
    """
    key = lead_key(name)
    if key not in STANDARD_LEADS:
        return False
    wanted = lead_key(trained)
    return key not in _LEAD_ALIASES.get(wanted, (wanted,))


def _warn_if_other_lead(record: Record, channels: Sequence[int], trained: Sequence[str]) -> None:
    """Say so where a channel named as another standard lead feeds a model lead.

    Given by the caller (``leads=``) or as a one-lead recording's only lead, the model
    classifies it as it would its own lead, whose beats have other shapes.
    """
    for channel, lead in zip(channels, trained, strict=True):
        name = record.lead_names[channel]
        if _is_other_lead(name, lead):
            warnings.warn(
                f"{record.record_id}: lead {name!r} feeds a model trained on {lead!r}; its "
                "beats have other shapes, and the labels are less reliable (MIT-BIH DS2 on "
                "V1, V2 or V5 instead of MLII: V Se 83 -> 75 %, S +P 59 -> 48 %, F Se 48 -> "
                f"25 %; 74-100 % of a record's labels the same); give it {lead!r} if the "
                "recording has it",
                UserWarning,
                stacklevel=3,
            )


def _lead_list(record: Record, channels: Sequence[int]) -> str:
    """The names of ``channels``, quoted and joined, as the warnings name the model's leads."""
    return ", ".join(repr(record.lead_names[c]) for c in channels)


def _use_instead(record: Record, other: int, trained: Sequence[str]) -> str:
    """The advice the lead-offering warnings end with: how to annotate lead ``other``."""
    name = record.lead_names[other]
    return (
        f"leads=[{name!r}] (ecgkit annotate --leads {name}) annotates it, with a model "
        f"trained on {', '.join(trained)}, whose labels another lead changes"
    )


def _other_ecg_leads(record: Record, channels: Sequence[int]) -> list[int]:
    """The recording's channels besides ``channels`` that are named as ECG leads.

    Only those are offered in place of the model's: a respiration or pulse channel holds
    samples and repeats from beat to beat too.
    """
    return [
        c
        for c in range(record.signal.shape[1])
        if c not in channels and named_like_ecg(record.lead_names[c])
    ]


def _recorded_samples(gaps: NDArray[np.int64], n: int) -> int:
    """Samples of ``n`` outside ``gaps``."""
    return n - int((gaps[:, 1] - gaps[:, 0]).sum())


def _with_template(
    windows: NDArray[np.float32],
    pre_rr: NDArray[np.float64],
    usable: NDArray[np.bool_],
    block: NDArray[np.int64],
    recipe: BeatRecipe,
) -> NDArray[np.float32]:
    """The windows with each lead minus its context block's template beat appended.

    Each template comes from the block's beats the model can classify (all of the
    block's, when none can).
    """
    residual = np.empty_like(windows)
    for b in np.unique(block):
        members = block == b
        pool = members & usable if (members & usable).any() else members
        template = template_beat(
            windows[pool], pre_rr[pool], quantile=recipe.template_quantile,
            min_beats=recipe.template_min_beats,
        )  # fmt: skip
        residual[members] = windows[members] - template
    return np.concatenate([windows, residual], axis=1)
