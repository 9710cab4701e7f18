"""The adaptive threshold's pass over the candidates: one loop, compiled by numba when present.

The loop is written for both numba and the interpreter: :func:`threshold_loop` reads and
writes its arguments by index only, so the detector hands it numpy arrays when numba
compiles it and Python lists when the interpreter runs it (Python scalars are much faster
to read there than numpy's). Both do the same float64 arithmetic in the same order.
"""

from __future__ import annotations

import math
from collections.abc import MutableSequence, Sequence

from ecgkit.signal._compiled import kernel

__all__ = ["LEVEL_CAP", "RECENT_RR", "STARTUP_BEATS", "T_WAVE_S", "threshold_loop"]

# the levels and the rhythm the adaptive threshold has after this many beats are where it
# reads the start of the signal again from (see detect_r_peaks' _adaptive_threshold)
STARTUP_BEATS = 8
# the rhythm is the mean of this many last RR intervals
RECENT_RR = 8
#: The T-wave zone (s): a candidate this soon after a beat is a T wave unless it is tall
#: (the threshold's rule) or recurs well after it (the recovery of recurring beats)
T_WAVE_S = 0.36
_SEARCHBACK_RR = 1.4
_THRESHOLD = 0.25
# largest feature height (in typical-QRS units) a peak brings into the signal and noise
# levels of the thresholds: twice a typical QRS (the feature is scaled so that one peaks
# near 1). At 4, 30 s of loud noise whose peaks passed for beats lifted the signal level
# so far that the real beats after it stayed under the threshold for up to two minutes
LEVEL_CAP = 2.0
_SEARCHBACK_FRACTION = 0.3
# the levels learn only from candidates whose noise gate (2.5 x the local floor, see
# ecgkit.signal._gate) is at most a typical QRS's height: where it is higher the noise
# hides a typical beat, and its peaks, learnt from, left a noise level (and a signal level
# at LEVEL_CAP) that kept the beats after a burst of noise under the threshold for seconds
_LEARN_GATE = 1.0
_T_WAVE_RATIO = 0.5
_T_WAVE_RR = 0.7
# a beat recovered by search-back must stand this many times above the running noise
# level (in muscle or electrode-motion noise, search-back otherwise finds noise) ...
_SEARCHBACK_SNR = 3.0
# ... unless it falls where the rhythm expects the next beat (within this share of an RR),
# as the waves of a ventricular flutter do
_SEARCHBACK_RHYTHM = 0.4
# search-back takes no T wave: nothing early (see _T_WAVE_RR) and this small next to the
# last beat
_SEARCHBACK_T_WAVE_RATIO = 0.15
# under the noise gate's floor, search-back may take a candidate of at least this share
# of the floor exactly where the rhythm expects it (within this share of an RR)
_SEARCHBACK_FLOOR_SHARE = 0.5
_SEARCHBACK_FLOOR_RHYTHM = 0.15


@kernel
def threshold_loop(
    position_at: Sequence[int],
    value_at: Sequence[float],
    above_at: Sequence[bool],
    least_at: Sequence[float],
    stretch_at: Sequence[int],
    stop: int,
    refractory: int,
    t_wave: int,
    state: MutableSequence[float],
    recent: MutableSequence[int],
    beats: MutableSequence[int],
    heights: MutableSequence[float],
    chosen: MutableSequence[int],
    settled_state: MutableSequence[float],
    settled_recent: MutableSequence[int],
) -> tuple[int, int]:
    """One pass of Pan-Tompkins' dual-level threshold over candidates ``0 .. stop - 1``.

    Parameters
    ----------
    position_at, value_at, above_at, least_at : sequences, one item per candidate
        Position (samples), feature height, whether it clears the noise gate, and the
        gate's least height. A candidate whose least height is above a typical QRS's
        (1) moves neither level: the noise there hides typical beats.
    stretch_at : sequence of int, one per candidate
        How many dropouts (flat stretches) end before it: a beat adds no RR interval to
        the rhythm from a beat before a different number of them.
    stop : int
        Candidates read.
    refractory, t_wave : int
        The refractory period and the T-wave zone, in samples.
    state : sequence of 3 floats, changed in place
        Signal level, noise level and mean RR interval (samples) to start from.
    recent : sequence of ``RECENT_RR`` ints, changed in place
        The last RR intervals (samples) to start from, oldest first, padded with -1.
    beats, heights, chosen : sequences of ``stop`` items, written
        Each beat's position, height (capped at ``LEVEL_CAP``) and candidate index.
    settled_state, settled_recent : sequences of 3 floats and ``RECENT_RR`` ints, written
        ``state`` and ``recent`` right after the ``STARTUP_BEATS``-th beat.

    Returns
    -------
    tuple of int
        The number of beats, and the number of RR intervals in ``settled_recent`` (-1
        when the pass found fewer than ``STARTUP_BEATS`` beats).
    """
    signal, noise, rr_mean = state[0], state[1], state[2]
    n_recent = 0
    while n_recent < RECENT_RR and recent[n_recent] >= 0:
        n_recent += 1
    n_beats, n_settled = 0, -1
    for i in range(stop):
        threshold = noise + _THRESHOLD * (signal - noise)
        # search back only once two intervals are known, so a slow rhythm is not mistaken
        # for missed beats before its rate has been measured; a beat found is accepted
        # as below (a recovered beat moves the signal level by a quarter)
        k, weight = i, 0.125
        while True:
            if (
                n_recent >= 2
                and n_beats > 0
                and position_at[i] - beats[n_beats - 1] > _SEARCHBACK_RR * rr_mean
            ):
                # the tallest candidate since the last beat that passes for a missed
                # beat (every beat has its candidate index in chosen)
                last, last_height = beats[n_beats - 1], heights[n_beats - 1]
                lowest = _SEARCHBACK_FRACTION * threshold
                t_wave_zone = min(float(t_wave), _T_WAVE_RR * rr_mean)
                t_wave_height = _SEARCHBACK_T_WAVE_RATIO * last_height
                clear_height = _SEARCHBACK_SNR * noise
                found, best_height = -1, -math.inf
                for j in range(chosen[n_beats - 1] + 1, i):
                    since = position_at[j] - last
                    height = value_at[j]
                    if (
                        since <= refractory
                        or position_at[i] - position_at[j] <= refractory
                        or height <= lowest
                    ):
                        continue
                    off_rhythm = abs(since - rr_mean)
                    # under the noise gate's floor, only a candidate on the rhythm and at
                    # least half the floor; in the T wave's place, only a tall one; and a
                    # candidate near the noise level only on the rhythm
                    if not (
                        above_at[j]
                        or (
                            height > _SEARCHBACK_FLOOR_SHARE * least_at[j]
                            and off_rhythm < _SEARCHBACK_FLOOR_RHYTHM * rr_mean
                        )
                    ):
                        continue
                    if since < t_wave_zone and height < t_wave_height:
                        continue
                    if height <= clear_height and off_rhythm >= _SEARCHBACK_RHYTHM * rr_mean:
                        continue
                    if height > best_height:
                        found, best_height = j, height
                if found >= 0:
                    k, weight = found, 0.25
            if k == i:
                value = value_at[i]
                is_beat = value > threshold and above_at[i]
                if is_beat and n_beats > 0:
                    since = position_at[i] - beats[n_beats - 1]
                    early = since < t_wave and since < _T_WAVE_RR * rr_mean
                    if since <= refractory or (
                        early and value < _T_WAVE_RATIO * heights[n_beats - 1]
                    ):
                        is_beat = False
                if not is_beat:
                    if least_at[i] <= _LEARN_GATE:
                        noise = 0.125 * min(value, LEVEL_CAP) + 0.875 * noise
                    break
            # accept candidate k as a beat
            position = position_at[k]
            # no interval across a dropout: it would be the rhythm's mean for 8 beats
            if n_beats > 0 and stretch_at[k] == stretch_at[chosen[n_beats - 1]]:
                if n_recent == RECENT_RR:
                    for r in range(RECENT_RR - 1):
                        recent[r] = recent[r + 1]
                    n_recent -= 1
                recent[n_recent] = position - beats[n_beats - 1]
                n_recent += 1
                total = 0
                for r in range(n_recent):
                    total += recent[r]
                rr_mean = total / n_recent
            # the feature is scaled so that a typical QRS peaks near 1: a beat far above
            # that (an artefact spike of tens of mV that passed for one) counts as
            # LEVEL_CAP, so it cannot lift the threshold above every QRS that follows it
            height = min(value_at[k], LEVEL_CAP)
            beats[n_beats], heights[n_beats], chosen[n_beats] = position, height, k
            n_beats += 1
            if least_at[k] <= _LEARN_GATE:
                signal = weight * height + (1 - weight) * signal
            if n_beats == STARTUP_BEATS:
                settled_state[0], settled_state[1], settled_state[2] = signal, noise, rr_mean
                for r in range(RECENT_RR):
                    settled_recent[r] = recent[r] if r < n_recent else -1
                n_settled = n_recent
            if k == i:
                break
            threshold = noise + _THRESHOLD * (signal - noise)
            k, weight = i, 0.125
    state[0], state[1], state[2] = signal, noise, rr_mean
    return n_beats, n_settled
