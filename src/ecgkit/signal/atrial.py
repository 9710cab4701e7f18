"""Atrial fibrillation from R-peak times and, where the ECG is given, atrial activity.

Atrial fibrillation (AF) shows on the ECG in two ways: the ventricles answer an
unorganised atrium at irregular intervals, and no P wave precedes the QRS complexes. A
rhythm detector that looks at the intervals alone is fooled by everything else that makes
intervals irregular (ectopic beats, sinus arrhythmia, pauses); one that also asks whether
the beats share a P wave is not, because those rhythms keep theirs. This module measures
both per beat, over a sliding window of beats, and combines them:

- :func:`rr_irregularity`: median absolute change between successive RR intervals over
  the median RR, with the intervals next to known ectopic beats left out (the ectopic-beat
  handling of RR-based AF detectors, e.g. Petrenas et al. 2015);
- :func:`p_wave_consistency`: median correlation of each beat's atrial window (the
  300-80 ms before its R peak) with the median window of its neighbours (the P-wave
  evidence of Babaeizadeh et al. 2009);
- :func:`rr_pattern_ratio`: how much of that irregularity repeats every second or third
  beat (bigeminy, trigeminy: irregular intervals in a fixed pattern, which AF has not;
  the bigeminy suppression of Petrenas et al. 2015, measured by lagged changes);
- :func:`detect_af`: a beat is in AF where the rhythm is irregular without a repeating
  pattern and, when the ECG is given, the P waves are inconsistent; runs of such beats
  shorter than 30 s (the clinical definition of an AF episode) are dropped, two
  episodes at most 10 s apart are one, and a run of three or more ventricular beats
  inside an episode is not AF (ventricular tachycardia has its own rhythm);
- :func:`af_runs`: those episode rules alone, on the beats that look like AF, for a
  recording measured stretch by stretch between noise or gaps: a run of AF continues
  across them (at most 10 s), and only a recording shorter than an episode is judged
  whole.

The thresholds were chosen by the MIT-BIH DS1 records alone, the pattern threshold on
synthetic interval sequences (see docs/benchmarks.rst).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ecgkit.signal._beat_windows import centred as _centred
from ecgkit.signal._beat_windows import nan_padded as _nan_padded
from ecgkit.signal._beat_windows import row_windows as _windows
from ecgkit.signal._median import nan_median
from ecgkit.signal._r_wave import before_the_r_wave
from ecgkit.signal._validation import (
    FloatArray,
    as_increasing_indices,
    as_signal,
    check_count,
    check_fs,
    check_non_negative,
    check_real,
)
from ecgkit.signal.filters import bandpass

__all__ = [
    "AF_CLEARLY_ABSENT_P_WAVE_THRESHOLD",
    "AF_HALF_WINDOW",
    "AF_IRREGULARITY_THRESHOLD",
    "AF_MAX_GAP_S",
    "AF_MIN_EPISODE_S",
    "AF_PATTERN_THRESHOLD",
    "AF_P_WAVE_MIN_FS_HZ",
    "AF_P_WAVE_THRESHOLD",
    "AF_SLOW_RESPONSE_IRREGULARITY_THRESHOLD",
    "AF_VENTRICULAR_RUN_BEATS",
    "AFDetection",
    "af_runs",
    "detect_af",
    "p_wave_consistency",
    "rr_irregularity",
    "rr_pattern_ratio",
    "true_runs",
]

#: Beats on each side of a beat in the windows of :func:`rr_irregularity` and
#: :func:`p_wave_consistency`: 31 beats, about 25 s at 75 bpm.
AF_HALF_WINDOW = 15
#: :func:`detect_af` calls the rhythm irregular above this :func:`rr_irregularity`.
AF_IRREGULARITY_THRESHOLD = 0.07
#: :func:`detect_af` calls the P waves absent below this :func:`p_wave_consistency`.
AF_P_WAVE_THRESHOLD = 0.6
#: :func:`detect_af` calls the P waves clearly absent below this :func:`p_wave_consistency`
#: (half of :data:`AF_P_WAVE_THRESHOLD`) ...
AF_CLEARLY_ABSENT_P_WAVE_THRESHOLD = 0.3
#: ... and then asks only for an :func:`rr_irregularity` above sinus rhythm's range
#: (0.01-0.03): AF with a slow, less irregular ventricular response.
AF_SLOW_RESPONSE_IRREGULARITY_THRESHOLD = 0.04
#: :func:`detect_af` calls an irregular rhythm patterned (not AF) below this
#: :func:`rr_pattern_ratio`. Chosen on synthetic sequences of 31 beats: independent
#: intervals (uniform, gamma, log-normal, autoregressive) fall below 0.4 in at most 0.2 %
#: of windows, bigeminy and trigeminy with 2-5 % jitter stay below 0.11.
AF_PATTERN_THRESHOLD = 0.3
#: Shortest AF episode :func:`detect_af` reports, in seconds (an episode of AF is, by
#: clinical definition, at least 30 s of it).
AF_MIN_EPISODE_S = 30.0
#: Longest gap, in seconds (last R peak before it to first after it), between two AF
#: episodes of at least :data:`AF_MIN_EPISODE_S` each that :func:`detect_af` closes into
#: one: a stretch where a burst of ectopy or noise hides the irregularity or the missing P
#: waves for a few beats does not split an episode. Chosen on MIT-BIH DS1 (201, 203) from
#: 0, 5, 10 and 20 s (docs/benchmarks.rst).
AF_MAX_GAP_S = 10.0
#: Consecutive excluded (ventricular) beats from which :func:`detect_af` takes them out of
#: AF: three or more ventricular beats in a row are ventricular tachycardia (or, slower,
#: an idioventricular run) by clinical definition, and the rhythm there is theirs, whatever
#: the atria do (MIT-BIH marks such runs inside AF as ``(VT``, not AF).
AF_VENTRICULAR_RUN_BEATS = 3

# the atrial window: P waves end before the QRS begins (the PR segment lies between) and
# begin within 300 ms of the R peak at normal PR intervals (120-200 ms); the window ends
# 80 ms before the R peak, because a QRS whose upstroke starts early (a wide or slurred
# complex, band-passed) reaches 60 ms before it, the same in every beat, and reads as a
# consistent P wave where there is none (LUDB's AF strips 44, 83 and 129)
_ATRIAL_WINDOW_S = (0.30, 0.08)
# the window starts no earlier than the end of the previous beat's T wave, which at fast
# rates (AF with a rapid ventricular response) lies inside 300 ms of the next R peak: the
# same ST-T tail before every beat reads as a consistent P wave and hides AF. The T wave
# ends a QT interval after the previous beat, by Fridericia's formula QT = QTc * RR^(1/3)
# (RR in s, the interval before that beat) with a typical QTc of 0.40 s (Fridericia's
# corrected QT of healthy adults lies about 0.38-0.42 s)
_QTC_S = 0.40
# the window is cut only where at least this much of it is left after the T wave; with
# less (ventricular flutter, a P wave on the T wave) it is read whole, as before: giving
# no evidence there let the intervals alone call 207's ventricular flutter AF. The
# correlation also needs this many samples that both a window and its template hold
_MIN_ATRIAL_WINDOW_S = 0.04
_ATRIAL_BAND_HZ = (0.5, 30.0)
# below 75 Hz the band ends at this share of fs, under the Nyquist frequency; a P wave's
# energy lies under about 15 Hz, so the band still holds it down to 40 Hz (16 Hz)
_ATRIAL_BAND_FS_SHARE = 0.4
#: Lowest sampling rate, in Hz, at which :func:`p_wave_consistency` measures P waves
#: (band-passed 0.5 Hz to 0.4 ``fs``, at most 30 Hz); :func:`detect_af` decides by the
#: intervals alone below it.
AF_P_WAVE_MIN_FS_HZ = 40.0
_BLOCK_BEATS = 1024
# as remove_baseline: no ECG is sampled faster, and the atrial windows grow with fs
_MAX_FS_HZ = 50_000.0
# a strip judged whole needs a few changes between intervals to call irregular at all
_MIN_STRIP_BEATS = 6
# the lags (in intervals) at which a patterned rhythm repeats: bigeminy 2, trigeminy 3
_PATTERN_LAGS = (2, 3)
# a pattern is only called on this many changes between successive kept intervals in the
# window: with fewer, independent intervals fall below the threshold by chance (about 1 %
# of 20-beat windows, 6 % of 10-beat windows)
_PATTERN_MIN_CHANGES = 19


def _atrial_band(fs: float) -> tuple[float, float]:
    """Edges in Hz of the atrial windows' band-pass at ``fs``: 0.5-30 Hz, under 0.4 ``fs``."""
    return _ATRIAL_BAND_HZ[0], min(_ATRIAL_BAND_HZ[1], _ATRIAL_BAND_FS_SHARE * fs)


def _atrial_windows(x: FloatArray, peaks: NDArray[np.int64], fs: float) -> NDArray[np.float64]:
    """Band-passed, zero-mean atrial window of every beat, ``[n_beats, n_window]``.

    The signal is filtered a block of beats at a time (with 2 s of context on each side),
    so a day-long recording never needs a filtered copy of itself. Beats whose window
    starts before the recording, or that sit in a stretch too short to filter, are NaN.
    Each window is placed before the earlier of the beat and its R wave.
    """
    start, stop = (round(s * fs) for s in _ATRIAL_WINDOW_S)
    offsets = np.arange(-start, -stop)
    margin = round(2.0 * fs)
    windows = np.full((peaks.size, offsets.size), np.nan)
    t_wave_ends = _t_wave_ends(peaks, fs)
    for first in range(0, peaks.size, _BLOCK_BEATS):
        block = peaks[first : first + _BLOCK_BEATS]
        low = max(int(block[0]) - start - margin, 0)
        high = min(int(block[-1]) + margin, x.shape[0])
        stretch = np.asarray(x[low:high], dtype=np.float64)
        try:
            filtered = bandpass(stretch, fs, *_atrial_band(fs))
            # a beat placed on the S wave of an rS complex (the largest deflection of many
            # leads, where MIT-BIH and ecgkit's default fiducial put it) has its own R wave
            # inside the atrial window: the same in every beat, it would read as a
            # consistent P wave and hide AF
            anchors = before_the_r_wave(stretch, block - low, fs) + low
        except ValueError:  # a stretch shorter than the filter's padding: no evidence
            continue
        index = anchors[:, None] + offsets[None, :]
        inside = index[:, 0] >= 0
        own = windows[first : first + block.size]
        own[inside] = filtered[index[inside] - low]
        # cut where a P wave still has room after the T wave; a window left shorter than
        # that (ventricular flutter, P on T) stays whole, as it was
        early = index < t_wave_ends[first : first + block.size, None]
        room = (offsets.size - early.sum(axis=1)) >= round(_MIN_ATRIAL_WINDOW_S * fs)
        own[early & room[:, None]] = np.nan
    count = (~np.isnan(windows)).sum(axis=1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.nansum(windows, axis=1, keepdims=True) / count
    centred: NDArray[np.float64] = windows - mean
    return centred


def _t_wave_ends(peaks: NDArray[np.int64], fs: float) -> NDArray[np.int64]:
    """For each beat, the sample where the previous beat's T wave ends (Fridericia).

    The QT interval of beat ``i - 1`` follows the interval before it: ``QTc * RR^(1/3)``
    with RR in seconds (the beat's own interval for the second beat); the first beat has
    no previous T wave (its bound is the start of the recording, -1).
    """
    ends = np.full(peaks.size, -1, dtype=np.int64)
    if peaks.size < 2:
        return ends
    rr = np.diff(peaks) / fs
    before_previous = np.concatenate(([rr[0]], rr[:-1]))
    ends[1:] = peaks[:-1] + np.round(_QTC_S * np.cbrt(before_previous) * fs).astype(np.int64)
    return ends


def _check_half_window(half_window: object, n_beats: int) -> int:
    if isinstance(half_window, bool) or not isinstance(half_window, (int, np.integer)):
        raise TypeError(f"half_window must be an integer, got {type(half_window).__name__}")
    if half_window < 1:
        raise ValueError(f"half_window must be >= 1 beat, got {half_window}")
    # a window wider than the recording is the whole recording: never pad past that
    return int(min(half_window, max(n_beats, 1)))


def rr_irregularity(
    r_peaks: ArrayLike,
    fs: float,
    *,
    exclude: ArrayLike | None = None,
    half_window: int = AF_HALF_WINDOW,
) -> NDArray[np.float64]:
    """Irregularity of the rhythm around every beat, from R-peak positions alone.

    Parameters
    ----------
    r_peaks : array_like of int, shape (n_beats,)
        Strictly increasing R-peak sample indices of one recording.
    fs : float
        Sampling rate in Hz.
    exclude : array_like of bool, shape (n_beats,), optional
        Ectopic beats (ventricular, for instance) whose intervals to leave out: the
        interval ending at such a beat and the one after it.
    half_window : int
        Beats on each side of the beat in its window.

    Returns
    -------
    numpy.ndarray of float64, shape (n_beats,)
        For every beat, the median change between successive kept RR intervals over the
        ``2 * half_window + 1`` beats centred on it, divided by their median RR
        (dimensionless, >= 0; windows are cut short at the ends of the recording). About
        0.01-0.03 in sinus rhythm, 0.1-0.3 in AF. 0 where a window keeps no pair of
        successive intervals (fewer than three beats, or every interval excluded): no
        evidence of irregularity. Unchanged when every interval is scaled by one factor.

    Raises
    ------
    ValueError
        If ``r_peaks`` is not strictly increasing, ``fs`` is not a rate > 0 Hz,
        ``exclude`` has another length or ``half_window`` < 1.

    See Also
    --------
    rr_features : its ``rr_irregularity`` column is this measure with nothing excluded.
    detect_af : AF episodes from this measure and :func:`p_wave_consistency`.

    Notes
    -----
    The median makes the measure robust to isolated ectopic beats, whose short-long
    interval pair moves at most two of the window's successive changes; frequent ectopy
    (bigeminy) needs ``exclude``. Leaving the intervals around ectopic beats out before
    measuring irregularity is the ectopic-beat filtering of
    [Petrenas2015]_.

    References
    ----------
    .. [Petrenas2015] A. Petrenas, V. Marozas and L. Sornmo, "Low-complexity detection
       of atrial fibrillation in continuous long-term monitoring", Comput. Biol. Med., vol. 65,
       pp. 184-191, 2015.

    Examples
    --------
    >>> import numpy as np
    >>> from ecgkit.signal import rr_irregularity
    >>> steady = np.arange(0, 40 * 100, 100)   # 60 bpm at 100 Hz
    >>> float(rr_irregularity(steady, fs=100).max())
    0.0
    """
    fs = check_fs(fs)
    peaks = as_increasing_indices(r_peaks, "r_peaks")
    skip = _beat_flags(exclude, peaks.size, "exclude")
    half_window = _check_half_window(half_window, peaks.size)
    if peaks.size < 3:
        return np.zeros(peaks.size, dtype=np.float64)
    kept = _kept_intervals(peaks, skip, fs)
    return _irregularity(kept, _successive_changes(kept, half_window)[1], half_window)


@dataclass(frozen=True)
class _KeptIntervals:
    """The RR intervals whose ends are both kept beats, in time order.

    ``rr[j]`` (seconds) runs from beat ``ends[j] - 1`` to beat ``ends[j]``; ``n_beats`` is
    the recording's number of beats.
    """

    rr: NDArray[np.float64]
    ends: NDArray[np.int64]
    n_beats: int

    def per_beat(self, values: NDArray[np.float64]) -> NDArray[np.float64]:
        """One value per kept interval placed on the beat that ends it; NaN elsewhere."""
        out = np.full(self.n_beats, np.nan)
        out[self.ends] = values
        return out

    def changes(self, lag: int) -> NDArray[np.float64]:
        """``|rr[j + lag] - rr[j]|`` per beat, placed on the beat that ends ``rr[j]``.

        Successive kept intervals skip over the excluded ones: in AF with frequent
        ventricular beats few kept intervals are adjacent, yet they stay irregular.
        """
        out = np.full(self.n_beats, np.nan)
        if self.rr.size > lag:
            out[self.ends[:-lag]] = np.abs(self.rr[lag:] - self.rr[:-lag])
        return out


def _kept_intervals(peaks: NDArray[np.int64], skip: NDArray[np.bool_], fs: float) -> _KeptIntervals:
    rr = np.diff(peaks).astype(np.float64) / fs  # rr[j]: from beat j to beat j + 1
    keep = np.flatnonzero(~(skip[1:] | skip[:-1]))  # neither end is an excluded beat
    return _KeptIntervals(rr=rr[keep], ends=keep + 1, n_beats=peaks.size)


def rr_pattern_ratio(
    r_peaks: ArrayLike,
    fs: float,
    *,
    exclude: ArrayLike | None = None,
    half_window: int = AF_HALF_WINDOW,
) -> NDArray[np.float64]:
    """How far the rhythm's irregularity repeats every second or third beat, per beat.

    Parameters
    ----------
    r_peaks : array_like of int, shape (n_beats,)
        Strictly increasing R-peak sample indices of one recording.
    fs : float
        Sampling rate in Hz.
    exclude : array_like of bool, shape (n_beats,), optional
        Ectopic beats whose intervals to leave out, as in :func:`rr_irregularity`.
    half_window : int
        Beats on each side of the beat in its window.

    Returns
    -------
    numpy.ndarray of float64, shape (n_beats,)
        For every beat, over the ``2 * half_window + 1`` beats centred on it, the median
        change between kept RR intervals two apart or three apart (the smaller), divided
        by the median change between successive ones (dimensionless, >= 0). Near 1 where
        the intervals vary independently (atrial fibrillation), near 0 where they repeat a
        short-long pattern (bigeminy: lag 2; trigeminy: lag 3). NaN where the window holds
        fewer than 19 changes between successive kept intervals (a pattern needs repeats
        to be seen; with fewer, independent intervals fall low by chance) or no
        irregularity at all. Unchanged when every interval is scaled by one factor.

    Raises
    ------
    ValueError
        As :func:`rr_irregularity`.

    Notes
    -----
    An RR-only AF detector calls bigeminy AF, because its intervals alternate short and
    long; [Petrenas2015]_ suppresses it with an indicator of how much a 3-beat median
    filter changes the intervals. Over the 31-beat windows used here that indicator is
    small in AF too, so the pattern is measured directly: independent intervals (any
    distribution) change as much two or three beats apart as one beat apart, a pattern
    of period 2 or 3 hardly at all.

    Examples
    --------
    >>> import numpy as np
    >>> from ecgkit.signal import rr_pattern_ratio
    >>> bigeminy = np.cumsum(np.tile([0.5, 0.9], 30))   # short-long intervals in seconds
    >>> float(np.nanmax(rr_pattern_ratio(np.round(bigeminy * 250).astype(int), fs=250)))
    0.0
    """
    fs = check_fs(fs)
    peaks = as_increasing_indices(r_peaks, "r_peaks")
    skip = _beat_flags(exclude, peaks.size, "exclude")
    half_window = _check_half_window(half_window, peaks.size)
    if peaks.size < 3:
        return np.full(peaks.size, np.nan)
    kept = _kept_intervals(peaks, skip, fs)
    return _pattern_ratio(kept, *_successive_changes(kept, half_window), half_window)


def _successive_changes(
    kept: _KeptIntervals, half_window: int
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """The windows of changes between successive kept intervals and their medians."""
    windows = _centred(kept.changes(1), half_window)
    return windows, nan_median(windows, axis=1)


def _irregularity(
    kept: _KeptIntervals, median_change: NDArray[np.float64], half_window: int
) -> NDArray[np.float64]:
    """:func:`rr_irregularity` from the windows' median successive change."""
    median_rr = nan_median(_centred(kept.per_beat(kept.rr), half_window), axis=1)
    irregularity = median_change / median_rr
    return np.where(np.isfinite(irregularity), irregularity, 0.0)


def _pattern_ratio(
    kept: _KeptIntervals,
    successive: NDArray[np.float64],
    median_change: NDArray[np.float64],
    half_window: int,
) -> NDArray[np.float64]:
    """:func:`rr_pattern_ratio` from the windows of successive changes and their medians."""
    lagged = np.fmin.reduce(
        [nan_median(_centred(kept.changes(lag), half_window), axis=1) for lag in _PATTERN_LAGS]
    )
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = lagged / median_change
    enough = np.isfinite(successive).sum(axis=1) >= _PATTERN_MIN_CHANGES
    return np.where(enough & np.isfinite(ratio), ratio, np.nan)


def p_wave_consistency(
    signal: ArrayLike,
    r_peaks: ArrayLike,
    fs: float,
    *,
    exclude: ArrayLike | None = None,
    half_window: int = AF_HALF_WINDOW,
) -> NDArray[np.float64]:
    """How alike the atrial activity before neighbouring beats is, per beat.

    Parameters
    ----------
    signal : array_like, shape (n_samples,)
        One ECG lead in mV (any lead where P waves show; II or MLII best).
    r_peaks : array_like of int, shape (n_beats,)
        Strictly increasing R-peak sample indices into ``signal``.
    fs : float
        Sampling rate in Hz, at least :data:`AF_P_WAVE_MIN_FS_HZ` (40 Hz; the atrial
        window is band-passed to 30 Hz, or to 0.4 ``fs`` below 75 Hz).
    exclude : array_like of bool, shape (n_beats,), optional
        Beats with no P wave of their own to expect (ventricular ectopic beats): left out of
        the templates and of the medians.
    half_window : int
        Beats on each side of the beat whose windows make its template.

    Returns
    -------
    numpy.ndarray of float64, shape (n_beats,)
        In [-1, 1]: the median, over the ``2 * half_window + 1`` beats centred on the beat,
        of the correlation between each beat's atrial window (300 to 80 ms before its R
        peak, band-passed 0.5-30 Hz, 0.5 Hz to 0.4 ``fs`` below 75 Hz; a beat placed on
        the S wave of an rS complex is taken back to its R wave first, so that the window
        holds no QRS) and the sample-wise median window of its neighbours (itself left
        out; windows cut short at the ends of the recording), over the samples both hold.
        At fast rates a window starts where the previous beat's T wave ends (Fridericia:
        0.40 s times the cube root of the interval before that beat, in s, after its R
        peak), where that leaves at least 40 ms of it; shorter, it is taken whole.
        Close to 1 where every beat has the same P wave (sinus rhythm, sinus arrhythmia,
        atrial ectopy in sinus rhythm), low in AF (fibrillatory waves bear no fixed relation
        to the QRS). NaN where no beat of the window has a usable atrial window
        (excluded, within 300 ms of the start of ``signal``, or flat: a lead with no
        atrial signal at all gives no evidence either way).

    Raises
    ------
    ValueError
        If ``signal`` is not 1-D and finite, a peak lies outside it, ``fs`` is below
        40 Hz, ``exclude`` has another length or ``half_window`` < 1.

    Notes
    -----
    P-wave morphology similarity as evidence against AF is used by [Babaeizadeh2009]_
    together with RR irregularity, as :func:`detect_af` does.

    References
    ----------
    .. [Babaeizadeh2009] S. Babaeizadeh, R. E. Gregg, E. D. Helfenbein, J. M. Lindauer
       and S. H. Zhou, "Improvements in atrial fibrillation detection for real-time monitoring",
       J. Electrocardiol., vol. 42, no. 6, pp. 522-526, 2009.
    """
    fs = check_fs(fs)
    if fs < AF_P_WAVE_MIN_FS_HZ:
        raise ValueError(
            f"fs must be >= {AF_P_WAVE_MIN_FS_HZ:g} Hz to see P waves (band 0.5 Hz to 0.4 fs), "
            f"got {fs:g} Hz; use rr_irregularity alone at lower rates"
        )
    if fs > _MAX_FS_HZ:
        raise ValueError(
            f"fs must be <= {_MAX_FS_HZ:g} Hz for an ECG, got {fs:g} Hz: resample it first"
        )
    x = as_signal(signal, "signal", max_ndim=1)
    peaks = as_increasing_indices(r_peaks, "r_peaks")
    skip = _beat_flags(exclude, peaks.size, "exclude")
    half_window = _check_half_window(half_window, peaks.size)
    if peaks.size and peaks[-1] >= x.shape[0]:
        raise ValueError(f"r_peaks must index into signal ({x.shape[0]} samples), got {peaks[-1]}")
    if peaks.size == 0:
        return np.zeros(0, dtype=np.float64)
    windows = _atrial_windows(x, peaks, fs)
    min_samples = round(_MIN_ATRIAL_WINDOW_S * fs)
    windows[skip] = np.nan
    correlation = np.full(peaks.size, np.nan)
    padded = _nan_padded(windows, half_window)
    for first in range(0, peaks.size, _BLOCK_BEATS):
        last = min(first + _BLOCK_BEATS, peaks.size)
        neighbours = _windows(padded[first : last + 2 * half_window], half_window).copy()
        neighbours[:, half_window] = np.nan  # a beat is not its own template
        template = nan_median(neighbours, axis=1)
        own = windows[first:last]
        # over the samples both hold (a window is cut short after a fast beat's T wave)
        both = ~np.isnan(own) & ~np.isnan(template)
        own, template = np.where(both, own, 0.0), np.where(both, template, 0.0)
        with np.errstate(invalid="ignore", divide="ignore"):
            norm = np.sqrt(np.sum(own**2, axis=1) * np.sum(template**2, axis=1))
            correlation[first:last] = np.where(
                both.sum(axis=1) >= min_samples, np.sum(own * template, axis=1) / norm, np.nan
            )
    correlation = np.clip(correlation, -1.0, 1.0)
    return nan_median(_centred(correlation, half_window), axis=1)


@dataclass(frozen=True)
class AFDetection:
    """Atrial fibrillation per beat and as episodes, from :func:`detect_af`.

    Attributes
    ----------
    r_peaks : numpy.ndarray of int64, shape (n_beats,)
        The R peaks, in samples.
    fs : float
        Sampling rate in Hz.
    irregularity : numpy.ndarray of float64, shape (n_beats,)
        :func:`rr_irregularity` per beat.
    pattern_ratio : numpy.ndarray of float64, shape (n_beats,)
        :func:`rr_pattern_ratio` per beat (NaN where the window is too short to tell).
    p_wave_consistency : numpy.ndarray of float64, shape (n_beats,), or None
        :func:`p_wave_consistency` per beat; None when no signal was given or ``fs`` is
        under :data:`AF_P_WAVE_MIN_FS_HZ` (the intervals alone decided).
    p_waves_clearly_absent : numpy.ndarray of bool, shape (n_beats,)
        Beats whose P-wave consistency is under ``clearly_absent_p_wave_threshold``
        whatever their intervals: no atrial rhythm shows around them. False where the
        consistency is NaN (no usable atrial window) and everywhere without a
        consistency.
    in_af : numpy.ndarray of bool, shape (n_beats,)
        Beats inside an AF episode.
    episodes : numpy.ndarray of int64, shape (n_episodes, 2)
        First and last beat index (inclusive) of each episode, in time order.
    candidate : numpy.ndarray of bool, shape (n_beats,)
        Beats that look like AF by the measures (irregular without a pattern and, with a
        signal, without consistent P waves), before the episode rules of :func:`af_runs`
        make ``in_af`` of them.
    """

    r_peaks: NDArray[np.int64]
    fs: float
    irregularity: NDArray[np.float64]
    pattern_ratio: NDArray[np.float64]
    p_wave_consistency: NDArray[np.float64] | None
    p_waves_clearly_absent: NDArray[np.bool_]
    in_af: NDArray[np.bool_]
    episodes: NDArray[np.int64]
    candidate: NDArray[np.bool_]

    @property
    def episodes_s(self) -> NDArray[np.float64]:
        """Start and end of each episode in seconds (first and last R peak), ``(k, 2)``."""
        if self.episodes.size == 0:
            return np.zeros((0, 2), dtype=np.float64)
        return self.r_peaks[self.episodes].astype(np.float64) / self.fs

    @property
    def burden(self) -> float:
        """Share of the time from the first to the last R peak spent in AF episodes (0-1)."""
        if self.r_peaks.size < 2:
            return 0.0
        span = float(self.r_peaks[-1] - self.r_peaks[0])
        durations = self.r_peaks[self.episodes[:, 1]] - self.r_peaks[self.episodes[:, 0]]
        return float(np.sum(durations)) / span


def true_runs(flags: NDArray[np.bool_]) -> NDArray[np.int64]:
    """First and last index (inclusive) of every run of True in ``flags``, ``(k, 2)``.

    The episodes of :class:`AFDetection` are these runs of its ``in_af``.
    """
    edges = np.diff(np.concatenate([[0], flags.astype(np.int8), [0]]))
    return np.stack([np.flatnonzero(edges == 1), np.flatnonzero(edges == -1) - 1], axis=1)


def _close_gaps(
    in_af: NDArray[np.bool_],
    peaks: NDArray[np.int64],
    runs: NDArray[np.int64],
    fs: float,
    max_gap_s: float,
) -> NDArray[np.bool_]:
    """``in_af`` with the gaps of at most ``max_gap_s`` between clinical episodes filled.

    ``runs`` are the runs of ``in_af`` (first and last beat); those at least
    :data:`AF_MIN_EPISODE_S` long are the clinical episodes. The gap between two
    successive episodes runs from the last R peak of the first to the first R peak of the
    second (shorter runs between them included).
    """
    duration = peaks[runs[:, 1]] - peaks[runs[:, 0]]
    episodes = runs[duration >= AF_MIN_EPISODE_S * fs]
    closed = in_af.copy()
    for (_, end), (start, _) in itertools.pairwise(episodes):
        if peaks[start] - peaks[end] <= max_gap_s * fs:
            closed[end:start] = True
    return closed


def af_runs(
    candidate: ArrayLike,
    r_peaks: ArrayLike,
    fs: float,
    *,
    unknown: ArrayLike | None = None,
    segment: ArrayLike | None = None,
    exclude: ArrayLike | None = None,
    min_episode_s: float = AF_MIN_EPISODE_S,
    max_gap_s: float = AF_MAX_GAP_S,
    ventricular_run_beats: int = AF_VENTRICULAR_RUN_BEATS,
) -> NDArray[np.bool_]:
    """The beats in AF, from the beats that look like it: :func:`detect_af`'s episode rules.

    Parameters
    ----------
    candidate : array_like of bool, shape (n_beats,)
        Beats that look like AF (:attr:`AFDetection.candidate`; measured, for a recording
        with gaps or noise, in each stretch between them).
    r_peaks : array_like of int, shape (n_beats,)
        Strictly increasing R-peak sample indices of the whole recording.
    fs : float
        Sampling rate in Hz.
    unknown : array_like of bool, shape (n_beats,), optional
        Beats whose rhythm is not known (in noise): neither AF nor not, never in AF
        themselves. A run of AF beats continues across them when its beats on either side
        are at most ``max_gap_s`` apart.
    segment : array_like of int, shape (n_beats,), optional
        The stretch between two gaps of the recording (no samples) each beat lies in,
        non-decreasing. A run continues across a gap only as across ``unknown`` beats.
    exclude : array_like of bool, shape (n_beats,), optional
        Ventricular beats, as for :func:`detect_af` (``ventricular_run_beats``).
    min_episode_s, max_gap_s : float
        As for :func:`detect_af`: a run shorter than ``min_episode_s`` (first to last R
        peak, across the beats and gaps it continues over) is dropped, two of at least
        :data:`AF_MIN_EPISODE_S` at most ``max_gap_s`` apart are joined. A recording
        shorter than ``min_episode_s`` (all its beats) is judged whole, on the beats
        that are not ``unknown``.
    ventricular_run_beats : int
        As for :func:`detect_af`.

    Returns
    -------
    numpy.ndarray of bool, shape (n_beats,)
        :attr:`AFDetection.in_af`. Without ``unknown`` and ``segment``, exactly
        :func:`detect_af`'s.

    Raises
    ------
    ValueError
        If an array's length differs from ``r_peaks``' or an argument is out of range.

    Notes
    -----
    Noise inside an AF episode hides the rhythm without ending it: judging each stretch
    between two bursts of noise on its own would make an episode of a stretch shorter
    than :data:`AF_MIN_EPISODE_S` (judged whole, as a 10-s strip is), or drop an episode
    cut into such stretches.
    """
    fs = check_fs(fs)
    peaks = as_increasing_indices(r_peaks, "r_peaks")
    flags = _beat_flags(candidate, peaks.size, "candidate")
    unknown_flags = _beat_flags(unknown, peaks.size, "unknown")
    skip = _beat_flags(exclude, peaks.size, "exclude")
    part = None
    if segment is not None:
        part = np.asarray(segment)
        if part.shape != peaks.shape or not np.issubdtype(part.dtype, np.integer):
            raise ValueError(f"segment must be {peaks.size} integers, one per beat")
        if np.any(np.diff(part) < 0):
            raise ValueError("segment must be non-decreasing")
    return _af_runs(
        flags, peaks, fs, unknown_flags, part, skip,
        check_non_negative(min_episode_s, "min_episode_s"),
        check_non_negative(max_gap_s, "max_gap_s"),
        check_count(ventricular_run_beats, "ventricular_run_beats"),
    )  # fmt: skip


def _beat_flags(flags: ArrayLike | None, n: int, name: str) -> NDArray[np.bool_]:
    """``flags`` as a boolean array of one value per beat (all False for None).

    Raises TypeError for values that are not booleans, ValueError for another length.
    """
    if flags is None:
        return np.zeros(n, dtype=bool)
    array = np.asarray(flags)
    if array.size == 0 and n == 0:
        return np.zeros(0, dtype=bool)
    if array.dtype != np.bool_:
        raise TypeError(f"{name} must be {n} booleans, one per beat, got dtype {array.dtype}")
    if array.shape != (n,):
        raise ValueError(f"{name} must be {n} booleans, one per beat, got shape {array.shape}")
    return array


def _af_runs(
    candidate: NDArray[np.bool_],
    peaks: NDArray[np.int64],
    fs: float,
    unknown: NDArray[np.bool_],
    segment: NDArray[np.integer[Any]] | None,
    skip: NDArray[np.bool_],
    min_episode_s: float,
    max_gap_s: float,
    ventricular_run_beats: int,
) -> NDArray[np.bool_]:
    """:func:`af_runs` on checked arguments."""
    known = np.flatnonzero(~unknown)
    looks = candidate[known]
    in_af = np.zeros(peaks.size, dtype=bool)
    if peaks.size > 1 and peaks[-1] - peaks[0] < min_episode_s * fs:
        # a recording shorter than an episode (a 10-s 12-lead strip) is diagnosed whole,
        # as a cardiologist reads it: AF when most of its beats look it
        if known.size >= _MIN_STRIP_BEATS and looks.mean() > 0.5:
            in_af[known] = True
    elif known.size:
        at = peaks[known]
        # successive known beats belong to one run unless noise or a gap lies between them
        # and they are more than max_gap_s apart
        side_by_side = np.diff(known) == 1
        if segment is not None:
            side_by_side &= np.diff(segment[known]) == 0
        linked = side_by_side | (np.diff(at) <= max_gap_s * fs)
        starts = looks & ~np.r_[False, looks[:-1] & linked]
        ends = looks & ~np.r_[looks[1:] & linked, False]
        runs = np.stack([np.flatnonzero(starts), np.flatnonzero(ends)], axis=1)
        runs = runs[(at[runs[:, 1]] - at[runs[:, 0]]) >= min_episode_s * fs]
        in_known = np.zeros(known.size, dtype=bool)
        for first, last in runs:
            in_known[first : last + 1] = True
        if runs.shape[0] > 1 and max_gap_s > 0:
            in_known = _close_gaps(in_known, at, runs, fs, max_gap_s)
        in_af[known] = in_known
    return in_af & ~_ventricular_runs(skip, ventricular_run_beats)


def _ventricular_runs(exclude: NDArray[np.bool_], min_beats: int) -> NDArray[np.bool_]:
    """Beats inside a run of at least ``min_beats`` consecutive True in ``exclude``.

    0 finds none.
    """
    inside = np.zeros(exclude.size, dtype=bool)
    if min_beats < 1:
        return inside
    for first, last in true_runs(exclude):
        if last - first + 1 >= min_beats:
            inside[first : last + 1] = True
    return inside


def detect_af(
    r_peaks: ArrayLike,
    fs: float,
    *,
    signal: ArrayLike | None = None,
    exclude: ArrayLike | None = None,
    half_window: int = AF_HALF_WINDOW,
    irregularity_threshold: float = AF_IRREGULARITY_THRESHOLD,
    pattern_threshold: float = AF_PATTERN_THRESHOLD,
    p_wave_threshold: float = AF_P_WAVE_THRESHOLD,
    clearly_absent_p_wave_threshold: float = AF_CLEARLY_ABSENT_P_WAVE_THRESHOLD,
    slow_response_irregularity_threshold: float = AF_SLOW_RESPONSE_IRREGULARITY_THRESHOLD,
    min_episode_s: float = AF_MIN_EPISODE_S,
    max_gap_s: float = AF_MAX_GAP_S,
    ventricular_run_beats: int = AF_VENTRICULAR_RUN_BEATS,
) -> AFDetection:
    """Find atrial fibrillation episodes from R peaks and, optionally, the ECG.

    Parameters
    ----------
    r_peaks : array_like of int, shape (n_beats,)
        Strictly increasing R-peak sample indices of one recording.
    fs : float
        Sampling rate in Hz.
    signal : array_like, shape (n_samples,), optional
        One ECG lead in mV (II or MLII best). With it, a beat needs irregular intervals
        *and* inconsistent P waves to be in AF, or, where the P waves are clearly absent,
        intervals only mildly irregular; without it (or at rates under 40 Hz), irregular
        intervals alone, which flags more ectopy-rich sinus rhythm as AF.
    exclude : array_like of bool, shape (n_beats,), optional
        Ventricular ectopic beats (for example those a beat classifier calls V), left out of
        both measures.
    half_window : int
        Beats on each side of a beat in the sliding windows.
    irregularity_threshold : float
        :func:`rr_irregularity` above which the rhythm is irregular.
    pattern_threshold : float
        :func:`rr_pattern_ratio` below which an irregular rhythm repeats a pattern
        (bigeminy, trigeminy) and is not AF; 0 turns the test off.
    p_wave_threshold : float
        :func:`p_wave_consistency` below which the P waves are absent.
    clearly_absent_p_wave_threshold : float
        :func:`p_wave_consistency` below which the P waves are clearly absent, in
        [-1, ``p_wave_threshold``]; -1 turns the slow-response rule off.
    slow_response_irregularity_threshold : float
        :func:`rr_irregularity` above which a beat whose P waves are clearly absent is in
        AF (the slow-response rule); used only with ``signal``.
    min_episode_s : float
        Runs of AF beats shorter than this many seconds (first to last R peak) are dropped.
        A recording shorter than this is judged whole: all of it is one episode when it
        has at least 6 beats and more than half of them look like AF, else none of it is.
    max_gap_s : float
        Two runs of AF beats, each at least :data:`AF_MIN_EPISODE_S` (30 s) long, whose
        gap (from the last R peak of the first to the first of the second) is at most
        this many seconds become one episode, the beats between them included; 0 keeps
        every gap. Shorter runs (kept where ``min_episode_s`` is under 30 s) are never
        joined.
    ventricular_run_beats : int
        Beats inside a run of at least this many consecutive ``exclude`` beats (a
        ventricular tachycardia or idioventricular run) are not in AF, and an episode
        they interrupt becomes two; applied after ``min_episode_s`` and ``max_gap_s``,
        so the parts are kept however short. 0 turns this off; without ``exclude``
        nothing changes.

    Returns
    -------
    AFDetection
        Per-beat measures, the beats in AF and the episodes.

    Raises
    ------
    ValueError
        If an argument is out of range (see :func:`rr_irregularity` and
        :func:`p_wave_consistency`).

    Notes
    -----
    Where the P waves are clearly absent (consistency under
    ``clearly_absent_p_wave_threshold``) a milder irregularity suffices: AF with a slow
    ventricular response varies less from beat to beat than ``irregularity_threshold``
    asks, while a regular rhythm without P waves (junctional, paced) stays under
    ``slow_response_irregularity_threshold``.

    A beat whose window has no usable atrial window (NaN consistency) is decided by the
    intervals alone; one whose window is too short to see a pattern (NaN pattern ratio),
    by its irregularity alone. On the MIT-BIH Arrhythmia Database (all 48 records, reference R
    peaks, reference ventricular beats excluded) this reaches a beat-level Se / +P of
    about 92 / 95 %; intervals alone 91 / 81 %, and with nothing excluded 95 / 57 %
    (benchmarks/bench_af.py). RR-only methods published on the same database report
    similar sensitivity at a +P near 50 % (Zhou et al. 2014: Se 97.3, +P 55.3).

    Examples
    --------
    >>> import numpy as np
    >>> from ecgkit.signal import detect_af
    >>> rng = np.random.default_rng(0)
    >>> irregular = np.cumsum(rng.uniform(0.4, 1.0, 120))   # 120 beats, 400-1000 ms apart
    >>> result = detect_af(np.round(irregular * 250).astype(int), fs=250)
    >>> bool(result.in_af.mean() > 0.9), result.episodes.shape
    (True, (1, 2))
    """
    fs = check_fs(fs)
    peaks = as_increasing_indices(r_peaks, "r_peaks")
    irregularity_threshold = check_non_negative(
        irregularity_threshold, "irregularity_threshold", "(a ratio)"
    )
    min_episode_s = check_non_negative(min_episode_s, "min_episode_s")
    max_gap_s = check_non_negative(max_gap_s, "max_gap_s")
    if not -1.0 <= check_real(p_wave_threshold, "p_wave_threshold") <= 1.0:
        raise ValueError(f"p_wave_threshold must be in [-1, 1], got {p_wave_threshold!r}")
    pattern_threshold = check_non_negative(pattern_threshold, "pattern_threshold", "(a ratio)")
    slow_response_irregularity_threshold = check_non_negative(
        slow_response_irregularity_threshold, "slow_response_irregularity_threshold", "(a ratio)"
    )
    clearly_absent = check_real(clearly_absent_p_wave_threshold, "clearly_absent_p_wave_threshold")
    if not -1.0 <= clearly_absent <= p_wave_threshold:
        raise ValueError(
            "clearly_absent_p_wave_threshold must be in [-1, p_wave_threshold = "
            f"{p_wave_threshold!r}], got {clearly_absent_p_wave_threshold!r}"
        )
    skip = _beat_flags(exclude, peaks.size, "exclude")
    half_window = _check_half_window(half_window, peaks.size)
    ventricular_run_beats = check_count(ventricular_run_beats, "ventricular_run_beats")
    if peaks.size < 3:
        irregularity, pattern_ratio = np.zeros(peaks.size), np.full(peaks.size, np.nan)
    else:
        # the two interval measures share the kept intervals and their successive changes
        kept = _kept_intervals(peaks, skip, fs)
        successive, median_change = _successive_changes(kept, half_window)
        irregularity = _irregularity(kept, median_change, half_window)
        pattern_ratio = _pattern_ratio(kept, successive, median_change, half_window)
    patterned = np.nan_to_num(pattern_ratio, nan=np.inf) < pattern_threshold
    candidate = (irregularity > irregularity_threshold) & ~patterned
    consistency = None
    p_waves_clearly_absent = np.zeros(peaks.size, dtype=bool)
    if signal is not None and fs >= AF_P_WAVE_MIN_FS_HZ:
        consistency = p_wave_consistency(
            signal, peaks, fs, exclude=exclude, half_window=half_window
        )
        p_waves_present = np.nan_to_num(consistency, nan=-np.inf) >= p_wave_threshold
        p_waves_clearly_absent = np.nan_to_num(consistency, nan=np.inf) < clearly_absent
        slow_response = (
            irregularity > slow_response_irregularity_threshold
        ) & p_waves_clearly_absent
        candidate = (candidate | (slow_response & ~patterned)) & ~p_waves_present
    in_af = _af_runs(
        candidate, peaks, fs, np.zeros(peaks.size, dtype=bool), None, skip,
        min_episode_s, max_gap_s, ventricular_run_beats,
    )  # fmt: skip
    return AFDetection(
        r_peaks=peaks,
        fs=fs,
        irregularity=irregularity,
        pattern_ratio=pattern_ratio,
        p_wave_consistency=consistency,
        p_waves_clearly_absent=p_waves_clearly_absent,
        in_af=in_af,
        episodes=true_runs(in_af).astype(np.int64).reshape(-1, 2),
        candidate=candidate,
    )
