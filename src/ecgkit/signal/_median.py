"""Medians as numpy computes them, by faster routes: sorted rows, NaN left out, a sliding window."""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view
from numpy.typing import NDArray

from ecgkit.signal._compiled import compiled, kernel

__all__ = ["nan_median", "sorted_median", "window_medians"]


def sorted_median(
    ordered: NDArray[np.floating[Any]], count: NDArray[np.int64] | int
) -> NDArray[np.float64]:
    """The median of each sorted row of ``ordered`` from its first ``count`` values.

    ``ordered`` is sorted along its last axis and ``count`` is at least 1; the result has
    shape ``ordered.shape[:-1]``. As :func:`numpy.median` computes it: an odd count's
    middle value, exactly; the mean of the middle two of an even count. Taken from a sort,
    which is several times faster than numpy's partition on rows of a few hundred values
    and than its masked-array ``nanmedian`` on short windows (sort NaN last and count the
    values that are not NaN). The middle values are taken in float64 whatever the
    rows' float type, so that the mean of two float32 values is not rounded to float32.
    """
    count = np.broadcast_to(np.asarray(count), ordered.shape[:-1])[..., np.newaxis]
    low = np.take_along_axis(ordered, (count - 1) // 2, axis=-1)[..., 0].astype(np.float64)
    high = np.take_along_axis(ordered, count // 2, axis=-1)[..., 0].astype(np.float64)
    with np.errstate(invalid="ignore"):  # -inf and inf in the middle: NaN, as numpy's
        middle = np.where(count[..., 0] % 2 == 1, low, (low + high) / 2)
    return np.asarray(middle, dtype=np.float64)


def nan_median(values: NDArray[np.float64], axis: int) -> NDArray[np.float64]:
    """``numpy.nanmedian(values, axis=axis)``, the same values, NaN where all are NaN.

    From one sort along ``axis`` (NaN sorts last): the middle value of an odd count of
    values that are not NaN, the mean of the middle two of an even count. numpy's
    ``nanmedian`` goes through masked arrays on short windows, several times slower
    (most of :func:`ecgkit.signal.detect_af`'s time on a long recording).
    """
    ordered = np.sort(np.moveaxis(np.asarray(values, dtype=np.float64), axis, -1), axis=-1)
    count = (~np.isnan(ordered)).sum(axis=-1)
    median = sorted_median(ordered, np.maximum(count, 1))
    return np.asarray(np.where(count > 0, median, np.nan), dtype=np.float64)


def window_medians(values: NDArray[np.float64], half: int) -> NDArray[np.float64]:
    """The median of ``values[max(i - half, 0) : i + half + 1]`` for every ``i``.

    ``values`` is a finite float64 row of shape ``(n,)``; windows are truncated at its
    ends, not padded. Each median is :func:`numpy.median`'s value to the bit (the middle
    value, or the mean of the middle two in float64). With numba a kernel keeps the
    window sorted as it slides (one insertion and one removal per step); otherwise every
    window is sorted, which takes about a millisecond for the 900 windows of 151 values of
    the detector's QRS levels on a 30-minute record.
    """
    out = np.empty(values.shape[0], dtype=np.float64)
    if values.shape[0] == 0:
        return out
    if compiled():
        _window_medians(np.ascontiguousarray(values, dtype=np.float64), half, out)
        return out
    # the windows truncated at the ends are padded with NaN, which the median leaves out
    padded = np.pad(values.astype(np.float64), half, constant_values=np.nan)
    out[:] = nan_median(sliding_window_view(padded, 2 * half + 1), axis=-1)
    return out


@kernel
def _window_medians(
    values: NDArray[np.float64], half: int, out: NDArray[np.float64]
) -> None:  # pragma: no cover - compiled; the interpreter never runs it
    """:func:`window_medians` into ``out``: the window kept sorted in a buffer as it slides.

    Each step inserts the value entering the window where a binary search puts it and
    removes one copy of the value leaving it, shifting the values between.
    """
    n = values.shape[0]
    window = np.empty(min(2 * half + 2, n + 1))
    count = 0
    for i in range(-half, n):
        entering = i + half
        if entering < n:
            value = values[entering]
            at = np.searchsorted(window[:count], value)
            for k in range(count, at, -1):
                window[k] = window[k - 1]
            window[at] = value
            count += 1
        leaving = i - half - 1
        if leaving >= 0:
            at = np.searchsorted(window[:count], values[leaving])
            for k in range(at, count - 1):
                window[k] = window[k + 1]
            count -= 1
        if i >= 0:
            low = window[(count - 1) // 2]
            high = window[count // 2]
            out[i] = low if count % 2 == 1 else (low + high) / 2
