"""Stretches of a recording without an ECG: missing samples, or leads held at one value.

Recorders drop out: an electrode comes off and the lead reads a constant (zero, or the
amplifier's limit), a file fills a lost stretch with zeros, or a format marks it missing
(NaN; WFDB's invalid-sample value reads as NaN). Beats cannot be detected there, so an
RR interval across such a stretch is not the interval between two successive beats, and
every beat measure that uses it (prematurity, local rhythm, irregularity) is wrong.
:func:`signal_gaps` finds the stretches, so that the beats on either side can be taken
as the ends of two recordings (:func:`ecgkit.annotate.prepare_beats` does so).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ecgkit.signal._validation import check_axis, check_fs, check_positive
from ecgkit.signal.atrial import true_runs

__all__ = [
    "GAP_EDGE_S",
    "GAP_MIN_FLAT_S",
    "bridge_gaps",
    "flat_stretches",
    "merge_intervals",
    "signal_gaps",
    "touches_gaps",
]

#: Shortest stretch, in seconds, over which every lead holding exactly one value is a gap
#: (a lead off, a zero-filled dropout, an amplifier at its limit) rather than an ECG. A
#: recorded ECG is never that still: the longest run of one value in MIT-BIH's 48
#: records (both leads) is 0.74 s, in LUDB's 200 records (12 leads each) 0.58 s.
GAP_MIN_FLAT_S = 1.0
#: :func:`ecgkit.annotate.prepare_beats` reports no beat whose R peak lies within this
#: many seconds of a gap: the step at a gap's edge passes for a QRS complex there, and a
#: real one would be half in the gap (a QRS lasts about 100 ms).
GAP_EDGE_S = 0.1
# flat_stretches looks for this many equal points in a row on a coarse grid first
_GRID_POINTS = 8


def signal_gaps(
    x: ArrayLike, fs: float, *, axis: int = -1, min_flat_s: float = GAP_MIN_FLAT_S
) -> NDArray[np.int64]:
    """The stretches of a recording without an ECG.

    Parameters
    ----------
    x : array_like, shape (n_samples,) or 2-D with time along ``axis``
        The recording (any unit; NaN or infinite where a sample is missing).
    fs : float
        Sampling rate in Hz.
    axis : int
        Time axis.
    min_flat_s : float
        Shortest stretch, in seconds, of every lead holding one value that is a gap.

    Returns
    -------
    numpy.ndarray of int64, shape (n_gaps, 2)
        ``[start, stop)`` sample indices of each gap, in time order, neither overlapping
        nor touching: the samples where any lead is NaN or infinite, and the stretches of
        at least ``min_flat_s`` (rounded to samples, at least 2) over which every lead
        keeps exactly one value. Gain and offset do not change them.

    Raises
    ------
    ValueError
        If ``x`` is empty or not 1-D or 2-D, or ``fs`` or ``min_flat_s`` is not a
        finite number > 0.

    Examples
    --------
    >>> import numpy as np
    >>> from ecgkit.signal import signal_gaps
    >>> x = np.sin(np.arange(1000) / 10.0)
    >>> x[300:600] = 0.0     # 3 s of a lead off, at 100 Hz
    >>> x[800] = np.nan      # one missing sample
    >>> signal_gaps(x, fs=100).tolist()
    [[300, 600], [800, 801]]
    """
    fs = check_fs(fs)
    min_flat_s = check_positive(min_flat_s, "min_flat_s")
    arr = np.asarray(x)
    if arr.ndim not in (1, 2):
        raise ValueError(f"x must be 1-D or 2-D, got shape {arr.shape}")
    if not (np.issubdtype(arr.dtype, np.floating) or np.issubdtype(arr.dtype, np.integer)):
        raise TypeError(f"x must be numeric, got dtype {arr.dtype}")
    if arr.size == 0:
        raise ValueError(f"x is empty (shape {arr.shape})")
    moved = np.moveaxis(arr, check_axis(axis, arr.ndim), -1)
    leads = moved.reshape(-1, moved.shape[-1])
    missing = np.zeros(leads.shape[-1], dtype=bool)
    if np.issubdtype(leads.dtype, np.floating):
        missing = ~np.isfinite(leads).all(axis=0)
    for start, stop in flat_stretches(leads, max(round(min_flat_s * fs), 2)):
        missing[start:stop] = True
    runs = true_runs(missing)
    runs[:, 1] += 1
    return runs


def flat_stretches(leads: NDArray[np.generic], shortest: int) -> NDArray[np.int64]:
    """Stretches of at least ``shortest`` samples (>= 2) where every lead keeps one value.

    ``leads`` is ``[n_leads, n_samples]``; the result ``[start, stop)`` rows in time
    order, disjoint. A stretch that long holds at least ``shortest // step`` points of
    the grid of multiples of ``step`` (``shortest // 8``), all equal in every lead; only
    around runs of that many equal grid points is the signal searched sample by sample,
    so that a recording without a flat stretch costs a pass over an eighth of a second's
    worth of samples per second (and an ECG's grid points are never equal eight in a row).
    """
    n = leads.shape[-1]
    step = max(shortest // _GRID_POINTS, 1)
    grid = leads[:, ::step]
    equal = (grid[:, 1:] == grid[:, :-1]).all(axis=0)
    runs = true_runs(equal)
    # m grid points in a row are m - 1 equal pairs in a row
    runs = runs[runs[:, 1] - runs[:, 0] + 1 >= shortest // step - 1]
    if runs.shape[0] == 0:
        return np.zeros((0, 2), dtype=np.int64)
    # a flat stretch reaches at most one step beyond its outer grid points
    around = np.stack(
        [np.maximum((runs[:, 0] - 1) * step, 0), np.minimum((runs[:, 1] + 2) * step + 1, n)],
        axis=1,
    )
    found = []
    for first, stop in merge_intervals(around):
        window = leads[:, first:stop]
        # held[i]: every lead has the same value at samples i and i + 1 (NaN never equals)
        held = (window[:, 1:] == window[:, :-1]).all(axis=0)
        for a, b in true_runs(held):
            # held[a..b] joins samples a..b + 1
            if b - a + 2 >= shortest:
                found.append((first + a, first + b + 2))
    return np.asarray(found, dtype=np.int64).reshape(-1, 2)


def merge_intervals(intervals: ArrayLike) -> NDArray[np.int64]:
    """``[start, stop)`` intervals merged where they overlap or touch, in time order.

    Parameters
    ----------
    intervals : array_like of int, shape (k, 2)
        Intervals with ``start < stop``, in any order (for example the gaps of
        overlapping chunks of one recording).

    Returns
    -------
    numpy.ndarray of int64, shape (m, 2)
    """
    arr = np.asarray(intervals, dtype=np.int64).reshape(-1, 2)
    if arr.shape[0] == 0:
        return arr
    if (arr[:, 1] <= arr[:, 0]).any():
        raise ValueError("every interval needs start < stop")
    arr = arr[np.argsort(arr[:, 0], kind="stable")]
    # an interval starts a new merged one where it begins after every earlier one ends
    reach = np.maximum.accumulate(arr[:, 1])
    new = np.concatenate([[True], arr[1:, 0] > reach[:-1]])
    starts = arr[new, 0]
    group = np.cumsum(new) - 1
    stops = np.zeros(starts.size, dtype=np.int64)
    np.maximum.at(stops, group, arr[:, 1])
    return np.stack([starts, stops], axis=1)


def bridge_gaps(leads: NDArray[np.float64], gaps: NDArray[np.int64]) -> NDArray[np.float64]:
    """``leads`` (``[n_leads, n_samples]``) with each gap replaced by a straight line.

    The line joins the last sample before the gap to the first after it, so that a
    filter sees no step where the gap begins or ends, only a slow ramp: a step through a
    QRS band-pass rings like a beat, and through a high-pass for seconds. Only a gap with
    a recorded sample on both sides (outside every gap) is bridged: at an end of the
    signal, or where two gaps of different values touch, there is nothing to join (and a
    lone transient between two flat stretches stays what it is). Writes into ``leads``
    and returns it.
    """
    n = leads.shape[-1]
    starts, stops = set(gaps[:, 0].tolist()), set(gaps[:, 1].tolist())
    for start, stop in gaps:
        if start == 0 or stop == n or start in stops or stop in starts:
            continue
        before, after = leads[:, start - 1], leads[:, stop]
        share = np.arange(1, stop - start + 1) / (stop - start + 1)
        leads[:, start:stop] = before[:, np.newaxis] + share * (after - before)[:, np.newaxis]
    return leads


def touches_gaps(
    first: NDArray[np.int64], stop: NDArray[np.int64], gaps: NDArray[np.int64]
) -> NDArray[np.bool_]:
    """True for each ``[first, stop)`` that shares a sample with one of ``gaps``.

    ``gaps`` are ``[start, stop)`` rows in time order, disjoint (:func:`signal_gaps`).
    """
    if gaps.shape[0] == 0:
        return np.zeros(np.shape(first), dtype=bool)
    # the last gap starting before stop is the only one that can reach back past first
    last = np.searchsorted(gaps[:, 0], stop, side="left") - 1
    return np.asarray((last >= 0) & (gaps[np.maximum(last, 0), 1] > first), dtype=bool)
