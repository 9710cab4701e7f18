"""Baseline steps: a lead's level jumping between two samples, and staying.

An amplifier reset or an electrode that moves or is reconnected does that. The band-pass
that cleans an ECG turns a step into a transient: its 0.5 Hz high-pass rings for about a
second on either side, which a detector takes for beats and a classifier reads inside the
windows around it (2 mV steps every 20 s in MIT-BIH's DS1 excerpts changed 3 % of the
labels). A step is a jump of at least :data:`STEP_MIN_MV` between two samples that stands
three times above every other jump within :data:`~ecgkit.signal.SPIKE_MAX_S` (a QRS
changes over several samples, none standing out so), does not come back within it
(that would be a spike, :func:`ecgkit.signal.spike_stretches`) and moves the lead's level
for good: its median over :data:`STEP_LEVEL_S` after the jump differs from that before
it by half the jump or more (a QRS's steepest edge, one sample at 2 mV, comes back within
a beat). :func:`remove_steps`
subtracts each from the samples after it: the level after a step is no part of the ECG,
and the filters then see no transient.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ecgkit.signal._validation import as_signal, check_axis, check_fs, check_positive
from ecgkit.signal.spikes import SPIKE_MAX_S, _lead_jumps, _stands_out

__all__ = ["STEP_LEVEL_S", "STEP_MIN_MV", "baseline_steps", "remove_steps"]

#: The smallest step (mV) between two samples: at 360 Hz, 1.26 times the steepest change
#: inside any beat of MIT-BIH (230 mV/s) and LUDB (286 mV/s). Not a bound on a QRS: LUDB's
#: leads are each scaled to span 1 mV, and at twice that a QRS falls by more in a sample.
STEP_MIN_MV = 1.0
#: A step's level stays: the lead's median over this long (s) after it differs from that
#: before it by at least half the jump, in its direction (a QRS edge comes back).
STEP_LEVEL_S = 0.5


def baseline_steps(
    x: ArrayLike, fs: float, *, axis: int = -1, min_mv: float = STEP_MIN_MV
) -> NDArray[np.int64]:
    """``[sample, lead]`` rows of the baseline steps in ``x``: the first sample after each.

    Parameters
    ----------
    x : array_like
        Signal (mV), finite; ``axis`` is time. 2-D (or more) for several leads.
    fs : float
        Sampling rate in Hz.
    axis : int
        Time axis.
    min_mv : float
        The smallest jump (mV) between two samples taken for a step.

    Returns
    -------
    numpy.ndarray of int64, shape (n_steps, 2)
        The sample after each step and its lead (the index over the non-time axes,
        flattened; 0 for a 1-D signal), in time order. A jump is a step where it is at
        least ``min_mv``, three times steeper than every other jump within
        :data:`~ecgkit.signal.SPIKE_MAX_S`, and no jump of the opposite sign and at
        least half its size follows within that time (a spike, not a step), and the
        lead's median over :data:`STEP_LEVEL_S` after that time differs from its median
        over as long before the jump by half the jump or more, in its direction (a
        level that stays; a jump within twice :data:`~ecgkit.signal.SPIKE_MAX_S` of
        either end of the signal, with too little on that side to compare, is not
        taken). None in a lead where more than 1 % of the jumps are that large
        (broadband noise, or a signal not in mV).

    Raises
    ------
    ValueError
        When ``x`` is empty or holds NaN or infinite values, or ``fs`` or ``min_mv`` is
        not a positive number.
    """
    fs = check_fs(fs)
    smallest = check_positive(min_mv, "min_mv", unit="mV")
    reach = max(round(SPIKE_MAX_S * fs), 1)
    span = max(round(STEP_LEVEL_S * fs), 1)
    found = []
    for lead, level, jump, large in _lead_jumps(
        x, axis, 1.0, lambda jump: np.abs(jump) >= smallest
    ):
        for at in large:
            if not _stands_out(jump, int(at), int(at), reach):
                continue
            after = jump[at + 1 : at + 1 + reach]
            back = after[np.sign(after) == -np.sign(jump[at])]
            if (np.abs(back) >= abs(jump[at]) / 2).any():
                continue  # it comes back: a spike
            if _level_stays(level, int(at), jump[at], reach, span):
                found.append((int(at) + 1, lead))
    if not found:
        return np.zeros((0, 2), dtype=np.int64)
    return np.asarray(sorted(found), dtype=np.int64)


def _level_stays(level: NDArray[np.float64], at: int, size: float, reach: int, span: int) -> bool:
    """Whether ``level`` (a lead's samples) moves by half of ``size`` or more for good.

    The jump of ``size`` lies between samples ``at`` and ``at + 1``; the medians compared
    are of the ``span`` samples ending ``reach`` before it and starting ``reach`` after it
    (fewer at an end of the signal, but at least ``reach``).
    """
    before = level[max(at - reach - span + 1, 0) : max(at - reach + 1, 0)]
    after = level[at + 1 + reach : at + 1 + reach + span]
    if before.size < reach or after.size < reach:
        return False
    moved = float(np.median(after) - np.median(before))
    return bool(np.sign(moved) == np.sign(size) and abs(moved) >= abs(size) / 2)


def remove_steps(x: ArrayLike, steps: ArrayLike, *, axis: int = -1) -> NDArray[np.float64]:
    """``x`` with each step of ``steps`` (:func:`baseline_steps`) subtracted after it.

    Parameters
    ----------
    x : array_like
        Signal (mV); ``axis`` is time.
    steps : array_like of int, shape (n_steps, 2)
        ``[sample, lead]`` rows from :func:`baseline_steps` of the same ``x``.
    axis : int
        Time axis.

    Returns
    -------
    numpy.ndarray of float64
        A copy of ``x`` whose samples from each step on are moved by the step's size the
        other way, so that the lead runs on from the level before it.
    """
    arr = as_signal(x, "x", axis=axis)
    ax = check_axis(axis, arr.ndim)
    moved = np.moveaxis(arr, ax, -1).astype(np.float64, copy=True)
    flat = moved.reshape(-1, moved.shape[-1])
    rows = np.asarray(steps, dtype=np.int64).reshape(-1, 2)
    shift = np.zeros_like(flat)
    for sample, lead in rows:
        shift[lead, sample] += flat[lead, sample] - flat[lead, sample - 1]
    flat -= np.cumsum(shift, axis=-1)
    return np.moveaxis(flat.reshape(moved.shape), -1, ax)
