"""Spikes: short pulses steeper than any heart makes (electrostatic discharges, bit errors).

A spike of a few mV within a sample or a few milliseconds is no part of an ECG, but a
band-pass turns it into a wavelet that a detector takes for a beat and a classifier
reads inside the windows around it. At 360 Hz no beat of MIT-BIH's 48 records (both
leads) or LUDB's 200 (12 leads, resampled) changes faster than 286 mV/s between two
samples; :data:`SPIKE_MV_PER_S` is 2.4 times that. (LUDB's leads are each scaled to span
1 mV, so a QRS of several mV is faster; what keeps a QRS from being taken for a spike is
that none of its edges stands three times above its others: at 5 and 10 times LUDB's scale
only pacemaker spikes and one-sample glitches away from any QRS are found, and none at 1-3
times, nor in MIT-BIH at 1 and 3 times.) A spike is a jump steeper than it
followed, within :data:`SPIKE_MAX_S`, by a steep jump back (a step, which does not come
back, is not one), both edges three times steeper than any other jump that near
(broadband noise, which the noise check is for, has steep jumps all around);
:func:`spike_stretches` finds them, and
:func:`ecgkit.signal.bridge_gaps` replaces them by the straight line between their
neighbours, as ``ecgkit annotate`` does before it filters.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ecgkit.signal._validation import as_signal, check_axis, check_fs, check_positive
from ecgkit.signal.gaps import merge_intervals

__all__ = ["SPIKE_MAX_S", "SPIKE_MV_PER_S", "spike_stretches"]

#: The steepest change between two samples (mV/s, at the signal's rate) taken for a heart's:
#: 3 times the steepest inside any beat of MIT-BIH (230 mV/s), 2.4 times LUDB's (286 mV/s,
#: its leads scaled to span 1 mV) at 360 Hz. The lower of 700 and 500 (session 31; 1,000
#: before) under which MIT-BIH at 1 and 3 times its scale and LUDB at 1-3 times hold no
#: spike: a spike of 2 mV within a sample at 360 Hz (720 mV/s) is one.
SPIKE_MV_PER_S = 700.0

#: The longest spike, in seconds: a steep jump back later than this makes a step.
SPIKE_MAX_S = 0.05

# more steep jumps than this share of the samples: not spikes in an ECG (a signal in uV
# read as mV, or broadband noise at a high rate), and nothing is taken for one
_MAX_STEEP_SHARE = 0.01
# a spike's edges are this many times steeper than any other jump near them
_STANDS_OUT = 3.0


def spike_stretches(
    x: ArrayLike,
    fs: float,
    *,
    axis: int = -1,
    limit_mv_per_s: float = SPIKE_MV_PER_S,
    max_s: float = SPIKE_MAX_S,
) -> NDArray[np.int64]:
    """``[start, stop)`` sample rows of the spikes in ``x``, any lead, in time order.

    Parameters
    ----------
    x : array_like
        Signal (mV), finite; ``axis`` is time.
    fs : float
        Sampling rate in Hz.
    axis : int
        Time axis.
    limit_mv_per_s : float
        A jump between two samples steeper than this (mV/s) is a spike's edge.
    max_s : float
        The longest spike (s): the steep jump back must come within it.

    Returns
    -------
    numpy.ndarray of int64, shape (n_spikes, 2)
        The samples between each steep jump and the steep jump back (of the opposite
        sign) within ``max_s``, both three times steeper than every other jump within
        ``max_s`` of them (broadband noise has steep jumps all around; a QRS changes over
        several samples, none standing out so), merged over the leads. Empty where
        a lead has more steep jumps than 1 % of its samples (a signal not in mV, or not
        an ECG).

    Raises
    ------
    ValueError
        When ``x`` is empty or holds NaN or infinite values, or ``fs``,
        ``limit_mv_per_s`` or ``max_s`` is not a positive number.
    """
    fs = check_fs(fs)
    limit = check_positive(limit_mv_per_s, "limit_mv_per_s", unit="mV/s")
    longest = check_positive(max_s, "max_s")
    reach = max(round(longest * fs), 1)
    found = []
    for _, _, jump, steep in _lead_jumps(x, axis, fs, lambda jump: np.abs(jump) > limit):
        k = 0
        while k < steep.size - 1:
            first, back = steep[k], steep[k + 1]
            if (
                back - first <= reach
                and np.sign(jump[first]) != np.sign(jump[back])
                and _stands_out(jump, first, back, reach)
            ):
                # the samples after the jump up to the one before the jump back
                found.append((first + 1, back + 1))
                k += 2
            else:
                k += 1
    if not found:
        return np.zeros((0, 2), dtype=np.int64)
    return merge_intervals(np.asarray(sorted(found), dtype=np.int64))


def _lead_jumps(
    x: ArrayLike,
    axis: int,
    scale: float,
    large: Callable[[NDArray[np.float64]], NDArray[np.bool_]],
) -> Iterator[tuple[int, NDArray[np.float64], NDArray[np.float64], NDArray[np.int64]]]:
    """Each lead's number, samples, jumps between them (times ``scale``) and where ``large``.

    A lead where more than :data:`_MAX_STEEP_SHARE` of the jumps are large is left out:
    broadband noise, or a signal not in mV, where no spike or step stands out.
    """
    arr = as_signal(x, "x", axis=axis)
    moved = np.moveaxis(arr, check_axis(axis, arr.ndim), -1).reshape(-1, arr.shape[axis])
    for lead, values in enumerate(moved.astype(np.float64, copy=False)):
        jump = np.diff(values) * scale
        where = np.flatnonzero(large(jump))
        if where.size <= _MAX_STEEP_SHARE * values.size:
            yield lead, values, jump, where


def _stands_out(jump: NDArray[np.float64], first: int, back: int, reach: int) -> bool:
    """Both edges :data:`_STANDS_OUT` times steeper than every other jump within reach.

    Broadband noise has steep jumps all around; a spike on an ECG has none near it, and a
    QRS, however tall, changes over several samples, none of its jumps standing out so.
    """
    low, high = max(first - reach, 0), min(back + reach + 1, jump.size)
    others = np.abs(jump[low:high])
    others[[first - low, back - low]] = 0.0
    edge = min(abs(jump[first]), abs(jump[back]))
    return bool(edge > _STANDS_OUT * others.max())
