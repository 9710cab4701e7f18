"""The R-peak detector's recovery of small beats that recur between large ones.

The adaptive threshold follows the beats it takes: where every other beat is an ectopic
beat several times larger (bigeminy, trigeminy), the small beats stay under it. They still
recur at the same place of every interval, which noise does not; :func:`recover_recurring`
adds them where they are not where a P or T wave would be.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from scipy import signal as sps

from ecgkit.signal._indices import sorted_unique
from ecgkit.signal._threshold import T_WAVE_S

__all__ = ["recover_recurring"]

# small beats beside large ones (normal beats in ventricular bigeminy with ectopic beats
# several times their size) fall under a threshold that follows the large beats. A
# rejected candidate between two beats becomes one when it recurs: in at least
# _RECUR_VOTES of the two intervals on each side, a candidate at the same time after the
# interval's first beat (within _RECUR_PHASE_RR of an RR or _RECUR_PHASE_S) and of the
# same height (within a factor _RECUR_HEIGHT) ...
_RECUR_VOTES = 2
_RECUR_PHASE_RR = 0.1
_RECUR_PHASE_S = 0.08
_RECUR_HEIGHT = 2.0
# ... and it is not a T wave (within T_WAVE_S of the beat before it, or within
# _RECUR_T_WAVE_S times the square root of the interval in seconds, as the QT interval
# grows with the RR interval) or a P wave: it lies at least
# _RECUR_PR_S before the next beat (a P wave precedes its QRS by at most the PR interval
# and its own half-width), and that beat has no wave of its height (a bump of at least
# _RECUR_TWIN_SHARE of it) _RECUR_TWIN_S before it: a blocked P wave has a conducted twin
_RECUR_T_WAVE_S = 0.45
_RECUR_PR_S = 0.3
_RECUR_TWIN_S = (0.3, 0.1)
_RECUR_TWIN_SHARE = 0.5
# ... nor smaller than this share of its neighbours' feature (slope energy): P waves with
# a long PR interval, which recur as well, stay below it on LUDB's leads (0.03-0.07 of
# their QRS, most of them), narrow normal beats beside wide ectopic beats up to 5 times
# their amplitude do not (synthetic bigeminy: 0.08 at 5x, 0.13 at 4x)
_RECUR_LEAST = 0.08
# ... and each pass recovers one more beat per interval (NNNV: three)
_RECUR_PASSES = 4


def recover_recurring(
    feature: NDArray[np.float64],
    fs: float,
    candidates: NDArray[np.int64],
    min_height: NDArray[np.float64],
    beats: NDArray[np.int64],
) -> NDArray[np.int64]:
    """``beats`` with the small beats that recur between them (see ``_RECUR_*``).

    The adaptive threshold follows the beats it takes: where every other beat is an
    ectopic beat several times larger (bigeminy, trigeminy), the small beats stay under
    it and their regular rhythm hides that they are missing. Such a beat still recurs
    at the same place of every interval, which noise does not, and is not where a P or
    T wave would be.
    """
    recovered = np.zeros(0, dtype=np.int64)
    for _ in range(_RECUR_PASSES):
        found = _recurring(feature, fs, candidates, min_height, beats)
        if found.size == 0:
            break
        beats = sorted_unique(np.concatenate((beats, found)))
        recovered = sorted_unique(np.concatenate((recovered, found)))
    if recovered.size < 2 * _RECUR_VOTES:
        return beats
    at_ends = _recurring_at_ends(feature, fs, candidates, beats, recovered)
    return sorted_unique(np.concatenate((beats, at_ends)))


def _recurring_at_ends(
    feature: NDArray[np.float64],
    fs: float,
    candidates: NDArray[np.int64],
    beats: NDArray[np.int64],
    recovered: NDArray[np.int64],
) -> NDArray[np.int64]:
    """The recovered beats' rhythm carried on before the first beat and after the last.

    Before the first beat, the tallest candidate that precedes it by the recovered beats'
    usual interval to their next beat (within the tolerance of :func:`_recurring`) and is
    of their usual height; after the last beat, likewise with the interval from the
    previous beat.
    """
    # each recovered beat lies between two beats: its index in beats is neither end
    at = np.searchsorted(beats, recovered)
    height = float(np.median(feature[recovered]))
    tolerance = max(_RECUR_PHASE_RR * float(np.median(np.diff(beats))), _RECUR_PHASE_S * fs)
    ends = []
    for outside, gap, usual in (
        (candidates < beats[0], beats[0] - candidates, beats[at + 1] - recovered),
        (candidates > beats[-1], candidates - beats[-1], recovered - beats[at - 1]),
    ):
        near = outside & (np.abs(gap - np.median(usual)) < tolerance)
        near &= _alike(feature[candidates], height)
        if near.any():
            ends.append(int(candidates[near][np.argmax(feature[candidates[near]])]))
    return np.asarray(ends, dtype=np.int64)


def _alike(height: NDArray[np.float64], other: NDArray[np.float64] | float) -> NDArray[np.bool_]:
    """Whether ``height`` is within a factor ``_RECUR_HEIGHT`` of ``other`` (both > 0)."""
    ratio = height / other
    return np.asarray((ratio < _RECUR_HEIGHT) & (ratio > 1.0 / _RECUR_HEIGHT), dtype=bool)


def _recurring(
    feature: NDArray[np.float64],
    fs: float,
    candidates: NDArray[np.int64],
    min_height: NDArray[np.float64],
    beats: NDArray[np.int64],
) -> NDArray[np.int64]:
    """One pass of :func:`recover_recurring`: the candidates to add as beats."""
    if beats.size < 2 * _RECUR_VOTES:
        return np.zeros(0, dtype=np.int64)
    interval = np.searchsorted(beats, candidates) - 1  # beats[interval] < candidate
    # a candidate that is a beat is the beat after its interval (both are sorted)
    is_beat = beats[np.minimum(interval + 1, beats.size - 1)] == candidates
    which = np.flatnonzero((interval >= 0) & (interval < beats.size - 1) & ~is_beat)
    at, interval = candidates[which], interval[which]
    first, span = beats[interval], np.diff(beats)[interval]
    height = feature[at]
    t_wave = np.maximum(T_WAVE_S, _RECUR_T_WAVE_S * np.sqrt(span / fs))
    ok = (
        (at - first >= np.round(t_wave * fs))
        & (first + span - at >= round(_RECUR_PR_S * fs))
        & (height > min_height[which])
        & (height >= _RECUR_LEAST * np.minimum(feature[first], feature[first + span]))
    )
    at, interval, height = at[ok], interval[ok], height[ok]
    if at.size == 0:
        return at
    phase = at - first[ok]
    tolerance = np.maximum(_RECUR_PHASE_RR * span[ok], _RECUR_PHASE_S * fs)
    votes = np.zeros(at.size, dtype=np.int64)
    for step in (-2, -1, 1, 2):
        # the candidates of interval + step: a run of the (sorted) intervals
        lo = np.searchsorted(interval, interval + step, side="left")
        hi = np.searchsorted(interval, interval + step, side="right")
        width = int((hi - lo).max())
        if width == 0:
            continue
        other = lo[:, np.newaxis] + np.arange(width)
        valid = other < hi[:, np.newaxis]
        other = np.minimum(other, at.size - 1)
        same = (
            valid
            & (np.abs(phase[other] - phase[:, np.newaxis]) < tolerance[:, np.newaxis])
            & _alike(height[other], height[:, np.newaxis])
        )
        votes += same.any(axis=1)
    recurring = np.flatnonzero(votes >= _RECUR_VOTES)
    twin_far, twin_near = round(_RECUR_TWIN_S[0] * fs), round(_RECUR_TWIN_S[1] * fs)
    kept = [
        int(at[k])
        for k in recurring
        if sps.find_peaks(
            feature[beats[interval[k] + 1] - twin_far : beats[interval[k] + 1] - twin_near],
            prominence=_RECUR_TWIN_SHARE * height[k],
        )[0].size
        == 0
    ]
    return np.asarray(kept, dtype=np.int64)
