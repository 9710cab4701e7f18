"""Whether the beats found in a recording are heartbeats: each one's likeness to its neighbours.

A detector finds "beats" in anything: in broadband noise (muscle, a lead whose electrode
came off and picks up noise, a channel that is not an ECG), it reports the largest
bumps, and a classifier labels them with confidence. What tells an ECG from noise is
that its beats repeat: every beat has others of the same shape near it (ectopic beats
as well, and where a beat is unique, most of its neighbours are not). Template matching
over short windows is the usual signal-quality index for that (Orphanidou et al. 2015,
IEEE J Biomed Health Inform 19(3):832-838: the mean correlation of a 10-s window's
beats with their average beat, 0.66 or more for an acceptable window). Here each beat
is compared with each of its neighbours, not with one average, so that two or more
morphologies (bigeminy, a paced and a native rhythm) repeat as well as one, and the
windows' typical value is taken over the beats around each beat.

That typical value does not see a burst of noise a few beats long. Each beat's own
window is therefore also measured where an ECG is smooth, outside its QRS complexes:
:func:`noise_ratio` is its slope there over the recording's usual slope there.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ecgkit.signal._validation import as_increasing_indices, check_count, check_fs, check_real

__all__ = [
    "NOISE_QRS_S",
    "NOISE_RATIO_MAX",
    "NOISE_RATIO_RELIABLE",
    "REPEAT_MIN",
    "REPEAT_NEIGHBOURS",
    "REPEAT_RELIABLE",
    "beat_repeatability",
    "noise_ratio",
    "noisy_beats",
    "running_median",
    "slope_outside_qrs",
    "typical_repeatability",
]

#: The typical repeatability (:func:`running_median` of :func:`beat_repeatability`) under
#: which a lead's beats are taken for noise. Each lead detected alone at 360 Hz, 0.25 +
#: 0.45 s windows of the 0.5-40 Hz band (as ``ecgkit annotate`` takes a lead): the lowest
#: value over every beat of MIT-BIH's 48 records is 0.48 in the first lead (207) and 0.42
#: in the second (106, V1), over every lead of LUDB's 200 records 0.61; the "beats" found
#: in white noise have a median of 0.29-0.30, in bursts of muscle-like noise 0.32-0.33, in
#: pink (1/f) noise 0.40-0.42 (benchmarks/bench_quality.py). Slow or periodic signals that
#: are not an ECG (brown noise, electrode motion, mains hum, a sine) repeat and are not
#: told apart this way.
REPEAT_MIN = 0.4
#: The typical repeatability under which a beat's label is less reliable, though the beat
#: is kept. In the MIT-BIH Noise Stress Test's design (records 118 and 119; baseline,
#: muscle, electrode-motion, powerline and mixed noise at 24 to -6 dB), the shipped model's
#: labels of the kept beats inside the noise agreed with its labels of the clean records
#: for 45-76 % of the beats between :data:`REPEAT_MIN` and 0.8, 80-86 % at 0.8-0.9, 89 % at
#: 0.9-0.95 and 97.5 % from 0.95 (benchmarks/bench_quality.py). Clean recordings have few
#: beats under it: 0.36 % of the first lead of MIT-BIH's 48 records, 0.3 % of LUDB's
#: leads, 4.3 % of MIT-BIH's second lead (V1, V2, V4, V5, less alike from beat to beat).
REPEAT_RELIABLE = 0.8
#: How many beats on each side a beat is compared with, and the typical value taken over.
REPEAT_NEIGHBOURS = 8
#: Seconds before and after an R peak taken as its QRS complex by :func:`slope_outside_qrs`:
#: wide enough for a broad ventricular QRS whose R peak comes early in it.
NOISE_QRS_S = (0.10, 0.20)
#: The :func:`noise_ratio` at or over which a beat is taken for noise. Set before any
#: noisy recording was measured, as the smallest whole number that at most 0.05 % of the
#: beats of clean recordings reach: MIT-BIH DS1's 22 records (lead MLII, 51,493 reference
#: beats, 0.25 + 0.45 s windows at 360 Hz of the 0.5-40 Hz band, as ``ecgkit annotate``
#: takes them) reach it at 0.047 % (24 beats, all in the noisy stretches of 203 and 207;
#: 1 of 3,683 ventricular beats), LUDB's lead II (2,222 beats) never (highest 6.2).
NOISE_RATIO_MAX = 11.0
#: The :func:`noise_ratio` at or over which a beat's label is less reliable, though the
#: beat is kept: the smallest half-integer that at most 0.5 % of those clean beats reach
#: (DS1 0.39 %, 165 of the 200 in 203 and 207; LUDB lead II 0.14 %; 45 of DS1's 3,683
#: ventricular beats). In the MIT-BIH Noise Stress Test's design (records 118 and 119,
#: read after this was fixed) the shipped model's labels of kept beats agreed with those
#: of the clean records for 58 % of the beats at 5-8 and 40 % at 8-11, 79 % at 3-5 and
#: 96.6 % under 1.5 (benchmarks/bench_quality.py).
NOISE_RATIO_RELIABLE = 5.0
# beats whose windows are converted to float64 at a time
_BLOCK_BEATS = 4096


def beat_repeatability(
    windows: ArrayLike, *, neighbours: int = REPEAT_NEIGHBOURS
) -> NDArray[np.float64]:
    """Each beat's largest correlation with any of its neighbours, lead by lead.

    Parameters
    ----------
    windows : array_like, shape (n_beats, n_samples) or (n_beats, n_leads, n_samples)
        One window per beat in time order, aligned on the R peak (for example
        :func:`ecgkit.signal.segment_beats`' windows of a cleaned signal), any unit.
    neighbours : int
        Beats on each side compared with each beat.

    Returns
    -------
    numpy.ndarray of float64, shape (n_beats,) or (n_beats, n_leads)
        The largest Pearson correlation (in [-1, 1]) between a beat's window and the
        windows of the ``neighbours`` beats before and after it, per lead. A window that is
        constant correlates 0 with everything; a recording of one beat has no neighbour:
        NaN. Invariant to each window's gain and offset, and to the sign of a lead.
    """
    data = np.asarray(windows)
    if data.ndim not in (2, 3):
        raise ValueError(
            "windows must be (n_beats, n_samples) or (n_beats, n_leads, n_samples), got "
            f"shape {data.shape}"
        )
    if data.shape[-1] < 2:
        raise ValueError(f"windows must hold at least 2 samples each, got {data.shape[-1]}")
    reach = check_count(neighbours, "neighbours", minimum=1)
    n_beats = data.shape[0]
    best = np.full(data.shape[:-1], np.nan)
    # blocks of beats, each with its neighbours on both sides: a day-long recording's
    # windows are never all copied to float64 at once
    for lo in range(0, n_beats, _BLOCK_BEATS):
        hi = min(lo + _BLOCK_BEATS, n_beats)
        first, last = max(lo - reach, 0), min(hi + reach, n_beats)
        local = _best_neighbour(_unit_windows(data[first:last]), reach)
        best[lo:hi] = local[lo - first : hi - first]
    return best


def _unit_windows(windows: NDArray[Any]) -> NDArray[np.float64]:
    """Each window minus its mean, over its norm (zeros for a constant window)."""
    data = np.asarray(windows, dtype=np.float64)
    if not np.isfinite(data).all():
        raise ValueError("windows must be finite (no NaN or infinite samples)")
    centred = data - data.mean(axis=-1, keepdims=True)
    norm = np.sqrt(np.einsum("...i,...i->...", centred, centred))
    # a constant window has no shape to match: unit vectors of zeros correlate 0
    unit: NDArray[np.float64] = centred / np.where(norm > 0, norm, 1.0)[..., np.newaxis]
    return unit


def _best_neighbour(unit: NDArray[np.float64], reach: int) -> NDArray[np.float64]:
    """The largest correlation of each unit window with those up to ``reach`` beats away."""
    n_beats = unit.shape[0]
    best = np.full(unit.shape[:-1], -np.inf)
    for lag in range(1, min(reach, n_beats - 1) + 1):
        corr = np.einsum("...i,...i->...", unit[:-lag], unit[lag:])
        np.maximum(best[:-lag], corr, out=best[:-lag])
        np.maximum(best[lag:], corr, out=best[lag:])
    best[np.isneginf(best)] = np.nan
    # rounding can carry a correlation of identical windows just past 1
    clipped: NDArray[np.float64] = np.clip(best, -1.0, 1.0)
    return clipped


def running_median(
    values: ArrayLike, *, neighbours: int = REPEAT_NEIGHBOURS
) -> NDArray[np.float64]:
    """The median of each value and of the ``neighbours`` values on each side of it.

    Parameters
    ----------
    values : array_like, shape (n,) or (n, n_columns)
        Values in order along the first axis (NaN where missing: left out).
    neighbours : int
        Values on each side; near the ends, the ones there are.

    Returns
    -------
    numpy.ndarray of float64, same shape as ``values``
        NaN only where every value in reach is NaN.
    """
    data = np.asarray(values, dtype=np.float64)
    if data.ndim not in (1, 2):
        raise ValueError(f"values must be 1-D or 2-D, got shape {data.shape}")
    reach = check_count(neighbours, "neighbours", minimum=0)
    if data.shape[0] == 0:
        return data.copy()
    pad = [(reach, reach)] + [(0, 0)] * (data.ndim - 1)
    padded = np.pad(data, pad, constant_values=np.nan)
    windows = np.lib.stride_tricks.sliding_window_view(padded, 2 * reach + 1, axis=0)
    out = np.full(data.shape, np.nan)
    some = ~np.isnan(windows).all(axis=-1)
    out[some] = np.nanmedian(windows[some], axis=-1)
    return out


def typical_repeatability(
    windows: ArrayLike, *, neighbours: int = REPEAT_NEIGHBOURS
) -> NDArray[np.float64]:
    """How well the beats around each beat repeat: the lowest of its leads' typical values.

    Parameters
    ----------
    windows : array_like, shape (n_beats, n_samples) or (n_beats, n_leads, n_samples)
        One window per beat in time order, aligned on the R peak, as for
        :func:`noisy_beats`.
    neighbours : int
        Beats on each side, for the correlation and for the median.

    Returns
    -------
    numpy.ndarray of float64, shape (n_beats,)
        Per lead, the median of :func:`beat_repeatability` over the beat and its
        ``neighbours`` beats on each side (:func:`running_median`); the lowest over the
        leads. In [-1, 1]: near 1 where the beats around repeat (a clean ECG), under
        :data:`REPEAT_MIN` in broadband noise (:func:`noisy_beats`), in between where
        noise distorts the beats (labels less reliable under :data:`REPEAT_RELIABLE`).
        NaN for every beat of a recording of fewer than two beats. Invariant to each
        window's gain and offset and to the sign of a lead.
    """
    typical = running_median(
        beat_repeatability(windows, neighbours=neighbours), neighbours=neighbours
    )
    if typical.ndim == 1:
        return typical
    lowest = np.full(typical.shape[0], np.nan)
    some = ~np.isnan(typical).all(axis=1)
    lowest[some] = np.nanmin(typical[some], axis=1)
    return lowest


def noisy_beats(
    windows: ArrayLike,
    *,
    threshold: float = REPEAT_MIN,
    neighbours: int = REPEAT_NEIGHBOURS,
) -> NDArray[np.bool_]:
    """The beats around which some lead does not repeat from beat to beat: noise, not an ECG.

    Parameters
    ----------
    windows : array_like, shape (n_beats, n_samples) or (n_beats, n_leads, n_samples)
        One window per beat in time order, aligned on the R peak, of a signal band-passed
        as for beat classification (:func:`ecgkit.signal.clean`: 0.5-40 Hz); the
        threshold was set on 0.25 s before and 0.45 s after the peak.
    threshold : float
        A beat is noise where, in any lead, the median of :func:`beat_repeatability`
        over it and its ``neighbours`` beats on each side is under this.
    neighbours : int
        Beats on each side, for the correlation and for the median.

    Returns
    -------
    numpy.ndarray of bool, shape (n_beats,)
        False for every beat of a recording of fewer than two beats (nothing to compare).
    """
    limit = check_real(threshold, "threshold")
    return np.asarray(typical_repeatability(windows, neighbours=neighbours) < limit)


def slope_outside_qrs(
    windows: ArrayLike, fs: float, r_peaks: ArrayLike, *, r_index: int
) -> NDArray[np.float64]:
    """Each beat's root-mean-square slope outside every QRS complex in its window.

    Broadband noise (muscle, a loose electrode, a burst of interference) is steep
    everywhere; an ECG is steep only in its QRS complexes. The slope is measured on the
    samples of a beat's window that lie outside the QRS span (:data:`NOISE_QRS_S`) of the
    beat and of every other beat whose span reaches into the window, so that a broad
    ectopic QRS or the next beat of a fast rhythm is not taken for noise.

    Parameters
    ----------
    windows : array_like, shape (n_beats, n_samples) or (n_beats, n_leads, n_samples)
        One window per beat in time order, its R peak at sample ``r_index`` (as
        :func:`ecgkit.signal.segment_beats` cuts them), of a signal band-passed as for
        beat classification (:func:`ecgkit.signal.clean`), any unit (mV gives mV/s).
    fs : float
        Sampling rate of the windows, in Hz.
    r_peaks : array_like of int, shape (n_beats,)
        The beats' R peaks in samples at ``fs``, strictly increasing: where the other
        beats lie relative to each window.
    r_index : int
        Sample of each window at its beat's R peak.

    Returns
    -------
    numpy.ndarray of float64, shape (n_beats,) or (n_beats, n_leads)
        Units of the windows per second. NaN for a beat whose window has no two adjacent
        samples outside every QRS span (beats closer than about 0.3 s on both sides).
    """
    data = np.asarray(windows)
    if data.ndim not in (2, 3):
        raise ValueError(
            "windows must be (n_beats, n_samples) or (n_beats, n_leads, n_samples), got "
            f"shape {data.shape}"
        )
    rate = check_fs(fs)
    peaks = as_increasing_indices(r_peaks, "r_peaks")
    if peaks.size != data.shape[0]:
        raise ValueError(
            f"r_peaks must hold one peak per window ({data.shape[0]}), got {peaks.size}"
        )
    centre = check_count(r_index, "r_index")
    if centre >= data.shape[-1]:
        raise ValueError(f"r_index must be < the window length {data.shape[-1]}, got {centre}")
    slope = np.full(data.shape[:-1], np.nan)
    for lo in range(0, data.shape[0], _BLOCK_BEATS):
        hi = min(lo + _BLOCK_BEATS, data.shape[0])
        outside = _outside_qrs(peaks, lo, hi, centre, data.shape[-1], rate)
        block = np.asarray(data[lo:hi], dtype=np.float64)
        if not np.isfinite(block).all():
            raise ValueError("windows must be finite (no NaN or infinite samples)")
        steps = np.diff(block, axis=-1) * rate
        weight = outside.astype(np.float64)
        if block.ndim == 3:
            weight = weight[:, np.newaxis, :]
        count = weight.sum(axis=-1)
        squares = np.einsum("...i,...i->...", steps * steps, np.broadcast_to(weight, steps.shape))
        with np.errstate(invalid="ignore", divide="ignore"):
            slope[lo:hi] = np.where(count > 0, np.sqrt(squares / count), np.nan)
    return slope


def _outside_qrs(
    peaks: NDArray[np.int64], lo: int, hi: int, centre: int, n_samples: int, fs: float
) -> NDArray[np.bool_]:
    """Which steps of beats ``lo:hi``' windows lie outside every beat's QRS span.

    Step ``k`` runs from sample ``k`` to ``k + 1``; shape (hi - lo, n_samples - 1).
    """
    before, after = NOISE_QRS_S[0] * fs, NOISE_QRS_S[1] * fs
    # each step's time from the window's own R peak, in samples
    step_at = np.arange(n_samples - 1) + 0.5 - centre
    outside = np.ones((hi - lo, n_samples - 1), dtype=bool)
    own = np.arange(lo, hi)
    for direction in (-1, 1):
        shift = 0 if direction == 1 else 1  # the beat's own span once
        for other in range(shift, peaks.size):
            partner = own + direction * other
            valid = (partner >= 0) & (partner < peaks.size)
            if not valid.any():
                break
            offset = (peaks[np.clip(partner, 0, peaks.size - 1)] - peaks[own]).astype(np.float64)
            reaches = valid & (offset - before <= step_at[-1]) & (offset + after >= step_at[0])
            if not reaches.any():
                break
            inside = (step_at >= offset[:, np.newaxis] - before) & (
                step_at <= offset[:, np.newaxis] + after
            )
            outside &= ~(inside & reaches[:, np.newaxis])
    return outside


def noise_ratio(
    windows: ArrayLike, fs: float, r_peaks: ArrayLike, *, r_index: int
) -> NDArray[np.float64]:
    """How much steeper than usual each beat's window is outside the QRS: noise on a beat.

    :func:`typical_repeatability` looks at the beats around a beat, so that a single
    ectopic beat is not taken for noise, and does not see a burst of noise a few beats
    long. This looks at each beat alone: its :func:`slope_outside_qrs` over the
    recording's usual value (the median over all its beats), per lead, the highest over
    the leads. The same noise gets the same ratio wherever it lies in the recording, for
    a few beats or for an hour. Near 1 in a clean ECG, ectopic beats included (their QRS
    spans are left out, their T waves are smooth); in broadband noise of the beats' size,
    tens to hundreds.

    Parameters
    ----------
    windows, fs, r_peaks, r_index
        As for :func:`slope_outside_qrs`: all the beats of one recording.

    Returns
    -------
    numpy.ndarray of float64, shape (n_beats,)
        >= 0; NaN where no lead has a slope (:func:`slope_outside_qrs`) or where a lead's
        median slope is 0 (no noise at all between the QRS complexes: nothing to compare
        with). At or over :data:`NOISE_RATIO_MAX` ``ecgkit annotate`` flags a beat noise,
        at or over :data:`NOISE_RATIO_RELIABLE` its label less reliable. Invariant to each
        lead's gain and sign. Where most of a recording is noise, its median is the
        noise's: :func:`noisy_beats` is the test for that.
    """
    slope = slope_outside_qrs(windows, fs, r_peaks, r_index=r_index)
    per_lead = slope if slope.ndim == 2 else slope[:, np.newaxis]
    usual = np.full(per_lead.shape[1], np.nan)
    measured = ~np.isnan(per_lead).all(axis=0)
    usual[measured] = np.nanmedian(per_lead[:, measured], axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = np.where(usual > 0, per_lead / usual, np.nan)
    highest = np.full(ratio.shape[0], np.nan)
    some = ~np.isnan(ratio).all(axis=1)
    highest[some] = np.nanmax(ratio[some], axis=1)
    return highest
