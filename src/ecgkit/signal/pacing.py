"""Pacemaker spikes: the stimulus artefact a pacemaker leaves before the beat it paces.

A pacemaker's stimulus lasts 0.1-2 ms; an ECG recorded at 500 Hz or more with a wide
enough band shows it as a jump within one sample off a flat baseline, often followed by a
slower return (the pacing lead's recharge), and then the P wave (atrial pacing) or the
wide QRS (ventricular pacing) it starts. Paced beats are AAMI class Q: a beat classifier
trained on MIT-BIH's unpaced records (DS1 and DS2 leave the paced records 102, 104, 107
and 217 out, as ANSI/AAMI EC57 does) calls them whatever they resemble, so the annotate
path flags them instead of labelling them.

:func:`pacemaker_spikes` finds the jumps, :func:`pacing_spike_delays` how long before each
beat one lies in each lead, and :func:`paced_from_delays` (or :func:`paced_beats`, both
steps) takes those beats as paced in a lead where most of the beats around them have one,
at one delay. The test is relative to the signal itself (no mV threshold): a spike is a
jump :data:`PACING_SPIKE_STANDS_OUT` times larger than the signal's whole span over the
30 ms before it and than every jump in the 50 ms after its return. A QRS never leaves a
flat baseline within one sample (its steepest edge follows its own upstroke), and a
clipped R wave's fall from its plateau follows the rise to it.

At 750 Hz and more a jump is also the largest change within 2 ms, since a front end's
low-pass spreads the stimulus's edge over samples there. Where a recorder has smoothed the
stimulus away, nothing is found: MIT-BIH's paced records (360 Hz, analogue tape, a
0.1-100 Hz band) show none; LUDB's (500 Hz) show them in 7 of its 10 paced strips
(docs/benchmarks.rst, "Paced beats: pacemaker spikes").
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.ndimage import maximum_filter1d, minimum_filter1d

from ecgkit.signal._beat_windows import centred
from ecgkit.signal._median import nan_median
from ecgkit.signal._validation import (
    FloatArray,
    as_increasing_indices,
    as_signal,
    check_axis,
    check_fs,
)

__all__ = [
    "PACED_HALF_WINDOW",
    "PACED_MAX_DELAY_SPREAD_S",
    "PACED_MIN_BEATS",
    "PACED_MIN_SHARE",
    "PACED_WINDOW_S",
    "PACING_SPIKE_STANDS_OUT",
    "paced_beats",
    "paced_from_delays",
    "pacemaker_spikes",
    "pacing_spike_delays",
]

#: A spike's jump is this many times larger than the signal's span over the
#: :data:`_FLAT_BEFORE_S` before it and than every jump in the :data:`_AFTER_S` after its
#: return (the same factor as the artefact spikes of :mod:`ecgkit.signal.spikes`).
PACING_SPIKE_STANDS_OUT = 3.0
#: A beat is paced where a spike lies this many seconds before its R peak, up to the R
#: peak itself (a detector may place the beat on the spike): ventricular pacing's spike
#: 0-150 ms before the R peak, atrial pacing's a PR interval (up to 300 ms) and more.
PACED_WINDOW_S = (0.35, 0.0)
#: :func:`paced_beats` flags beats only in a lead where at least this share of the beats
#: around them (:data:`PACED_HALF_WINDOW`) has a spike before it ...
PACED_MIN_SHARE = 0.5
#: ... and at least this many. Chosen after a scan of LUDB's 200 strips (12 leads each)
#: and MIT-BIH's 48 records (both leads): 7 of LUDB's 10 paced strips have a lead with
#: more than half of their beats after a spike, no lead of an unpaced strip more than 0.38.
PACED_MIN_BEATS = 3
#: ... and only where the delays from those spikes to their R peaks agree: their median
#: absolute deviation at most this (s). A stimulus starts its beat, so the R peak follows
#: it at the same delay (LUDB's paced strips: at most 3 ms in every lead); spikes that
#: come at any time (glitches at a fast rate, where the windows cover most of the time)
#: spread over the whole window.
PACED_MAX_DELAY_SPREAD_S = 0.02
#: Beats on each side of a beat in the window over which :func:`paced_from_delays` counts
#: (31 beats, about 25 s at 75 bpm; a 10-s strip is one window): a demand pacemaker
#: that paces some minutes of a day has its beats found there.
PACED_HALF_WINDOW = 15

# at 750 Hz and more a spike's jump is also looked for as the largest change within this
# long (s): at such rates the front end's low-pass spreads a stimulus's edge over samples
_EDGE_S = 0.002
# the span before a spike is measured over this long (s): the flat baseline it leaves
_FLAT_BEFORE_S = 0.03
# the jumps after a spike are compared over this long (s) ...
_AFTER_S = 0.05
# ... from this long (s; at least 2 samples) after its jump on: its own return, whether
# sharp (bipolar) or a decay (unipolar, the pacing lead's recharge), comes before
_RETURN_S = 0.006
# a spike's jump is at least this share of the lead's span (its 0.5-99.5th percentiles):
# a flat, coarsely quantised signal has one-step jumps off a flat line everywhere
_MIN_SHARE_OF_SPAN = 0.05


def pacemaker_spikes(x: ArrayLike, fs: float) -> NDArray[np.int64]:
    """Samples where a pacemaker spike leaves the baseline, in one lead.

    Parameters
    ----------
    x : array_like, shape (n_samples,)
        One lead (any unit; the test is relative), finite.
    fs : float
        Sampling rate in Hz.

    Returns
    -------
    numpy.ndarray of int64, shape (n_spikes,)
        For each spike, the first sample after its jump: a jump within one sample (at
        750 Hz and more, also the largest change within 2 ms: the front end's low-pass
        spreads a stimulus's edge) :data:`PACING_SPIKE_STANDS_OUT` times larger than the
        span of the 30 ms before it and than every jump 6-56 ms after it, and at least
        5 % of the lead's span.

    Raises
    ------
    ValueError
        When ``x`` is not 1-D, is empty or holds NaN or infinite values, or ``fs`` is not
        a positive rate.
    """
    fs = check_fs(fs)
    arr = as_signal(x, "x", max_ndim=1).astype(np.float64, copy=False)
    n = arr.size
    if n < 2:
        return np.zeros(0, dtype=np.int64)
    low, high = np.percentile(arr, [0.5, 99.5])
    least = _MIN_SHARE_OF_SPAN * (high - low)
    found = _jumps_off_flat(arr, fs, 1, least)
    edge = round(_EDGE_S * fs)
    if edge > 1:  # a sharp stimulus within one sample, or one the front end spread
        found = np.union1d(found, _jumps_off_flat(arr, fs, edge, least))
    return found.astype(np.int64)


def _jumps_off_flat(
    arr: NDArray[np.float64], fs: float, edge: int, least: float
) -> NDArray[np.int64]:
    """The first sample after each spike's jump (see :func:`pacemaker_spikes`).

    A jump is the largest change from a sample within ``edge`` samples after it, at least
    ``least``; the return it is allowed before the later jumps count grows with ``edge``.
    """
    n = arr.size
    if n <= edge:
        return np.zeros(0, dtype=np.int64)
    jump = np.abs(arr[1 : n - edge + 1] - arr[: n - edge])
    for ahead in range(2, edge + 1):
        np.maximum(jump, np.abs(arr[ahead : n - edge + ahead] - arr[: n - edge]), out=jump)
    count = jump.size
    before = max(round(_FLAT_BEFORE_S * fs), 1)
    skip = max(round(_RETURN_S * fs), 2) + edge - 1
    after = max(round(_AFTER_S * fs), 1)
    # span of x[i - before .. i] for the jump from x[i] (running extremes, in time
    # independent of the window's length); no room: never a spike
    span = np.full(count, np.inf)
    if count > before:
        head = arr[:count]
        trailing = before // 2  # the filters' window ends at the sample itself
        top = maximum_filter1d(head, before + 1, origin=trailing)
        bottom = minimum_filter1d(head, before + 1, origin=trailing)
        span[before:] = (top - bottom)[before:]
    # largest jump in [i + skip, i + skip + after); too near the end to compare: never a spike
    later = np.full(count, np.inf)
    room = count - skip - after + 1
    if room > 0:
        leading = maximum_filter1d(jump, after, origin=-(after // 2))  # window starts there
        later[:room] = leading[skip : skip + room]
    stands_out = (jump > PACING_SPIKE_STANDS_OUT * span) & (jump > PACING_SPIKE_STANDS_OUT * later)
    return np.flatnonzero(stands_out & (jump >= least)) + 1


def pacing_spike_delays(
    x: ArrayLike,
    fs: float,
    peaks: ArrayLike,
    *,
    axis: int = -1,
) -> NDArray[np.float64]:
    """Per lead and beat: how long before the beat's R peak its pacemaker spike lies.

    Parameters
    ----------
    x : array_like
        Signal, one lead ``(n_samples,)`` or several along the other axis, finite.
    fs : float
        Sampling rate in Hz.
    peaks : array_like of int, shape (n_beats,)
        R peaks, strictly increasing sample indices into ``x``.
    axis : int
        Time axis of ``x``.

    Returns
    -------
    numpy.ndarray of float64, shape (n_leads, n_beats)
        Seconds from the last spike (:func:`pacemaker_spikes`) of the lead that lies
        from ``PACED_WINDOW_S[0]`` s before the beat's R peak to ``PACED_WINDOW_S[1]`` s
        before it, to the R peak; NaN where none does (leads in the order of ``x`` with
        the time axis moved last).

    Raises
    ------
    ValueError
        When ``x`` is empty or holds NaN or infinite values, ``fs`` is not a positive
        rate, or ``peaks`` are not increasing sample indices inside ``x``.
    """
    fs = check_fs(fs)
    arr: FloatArray = as_signal(x, "x", axis=axis)
    leads = np.moveaxis(arr, check_axis(axis, arr.ndim), -1).reshape(-1, arr.shape[axis])
    beats = as_increasing_indices(peaks, "peaks", leads.shape[1])
    first = beats - round(PACED_WINDOW_S[0] * fs)
    last = beats - round(PACED_WINDOW_S[1] * fs)
    delays = np.full((leads.shape[0], beats.size), np.nan)
    for row, lead in zip(delays, leads, strict=True):
        spikes = pacemaker_spikes(lead, fs)
        # the last spike at or before a beat's window end, if it lies after its start
        at = np.searchsorted(spikes, last, side="right") - 1
        inside = at >= 0
        inside[inside] = spikes[at[inside]] >= first[inside]
        row[inside] = (beats[inside] - spikes[at[inside]]) / fs
    return delays


def paced_from_delays(delays: ArrayLike) -> NDArray[np.bool_]:
    """Paced beats from :func:`pacing_spike_delays`: where a lead's spikes start its beats.

    Parameters
    ----------
    delays : array_like of float, shape (n_leads, n_beats)
        Per lead and beat, seconds from its spike to its R peak, NaN where none (all of a
        recording's beats in order: the beats around each beat count).

    Returns
    -------
    numpy.ndarray of bool, shape (n_beats,)
        The beats with a spike in a lead where, among the beat and the
        :data:`PACED_HALF_WINDOW` beats on each side of it, at least
        :data:`PACED_MIN_SHARE` of the beats, and :data:`PACED_MIN_BEATS`, have one, at
        delays whose median absolute deviation is at most
        :data:`PACED_MAX_DELAY_SPREAD_S` (a stimulus starts its beat, so the R peak
        follows it at the same delay every time); False elsewhere (a spike here and
        there, or spikes at any time, are artefacts, not a pacemaker).

    Raises
    ------
    TypeError
        When ``delays`` is not a real-valued array.
    ValueError
        When it is not 2-D.
    """
    values = np.asarray(delays)
    if values.dtype == np.bool_ or not np.issubdtype(values.dtype, np.floating):
        raise TypeError(f"delays must be an array of floats (s, NaN: none), got {values.dtype}")
    if values.ndim != 2:
        raise ValueError(f"delays must be 2-D (n_leads, n_beats), got shape {values.shape}")
    n_beats = values.shape[1]
    paced = np.zeros(n_beats, dtype=bool)
    if n_beats == 0:
        return paced
    # each beat's window of beats, NaN past the recording's ends (not counted); a
    # recording shorter than a window is one window
    there = np.isfinite(centred(np.ones(n_beats), PACED_HALF_WINDOW)).sum(axis=1)
    for lead_delays in values.astype(np.float64, copy=False):
        found = np.isfinite(lead_delays)
        if found.sum() < PACED_MIN_BEATS:
            continue
        windows = centred(lead_delays, PACED_HALF_WINDOW)
        count = np.isfinite(windows).sum(axis=1)
        enough = found & (count >= PACED_MIN_BEATS) & (count >= PACED_MIN_SHARE * there)
        if not enough.any():
            continue
        local = windows[enough]
        centre = nan_median(local, axis=1)
        spread = nan_median(np.abs(local - centre[:, None]), axis=1)
        paced[np.flatnonzero(enough)[spread <= PACED_MAX_DELAY_SPREAD_S]] = True
    return paced


def paced_beats(
    x: ArrayLike,
    fs: float,
    peaks: ArrayLike,
    *,
    axis: int = -1,
) -> NDArray[np.bool_]:
    """Beats with a pacemaker spike before them, in a lead where most beats have one.

    Parameters
    ----------
    x : array_like
        Signal, one lead ``(n_samples,)`` or several along the other axis, finite.
    fs : float
        Sampling rate in Hz.
    peaks : array_like of int, shape (n_beats,)
        R peaks, strictly increasing sample indices into ``x``.
    axis : int
        Time axis of ``x``.

    Returns
    -------
    numpy.ndarray of bool, shape (n_beats,)
        :func:`paced_from_delays` of :func:`pacing_spike_delays`.

    Raises
    ------
    ValueError
        When ``x`` is empty or holds NaN or infinite values, ``fs`` is not a positive
        rate, or ``peaks`` are not increasing sample indices inside ``x``.
    """
    return paced_from_delays(pacing_spike_delays(x, fs, peaks, axis=axis))
