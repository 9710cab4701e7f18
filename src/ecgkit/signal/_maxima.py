"""Maxima, compiled where numba is: ``find_peaks`` with a distance, the largest magnitudes.

:func:`largest_magnitude` finds the sample of largest magnitude near each of given samples.

:func:`peaks_apart` returns what ``scipy.signal.find_peaks(x, distance=distance)[0]``
returns. scipy keeps the highest peaks first, sorting every local maximum by height; the
kernel here needs no sort. A local maximum higher than every other one still in play
within ``distance`` of it is kept by scipy's rule whatever the order of the rest, and the
ones within ``distance`` of it are dropped: so the kernel keeps all such maxima at once,
drops their neighbours, and sweeps again over the maxima left until none is. Where two
maxima of one height stand within ``distance`` of each other and no sweep can decide
(scipy's order of equal heights then decides), or the sweeps do not end quickly, scipy
runs instead: the result is scipy's in every case.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy import signal as sps

from ecgkit.signal._compiled import compiled, kernel

__all__ = ["largest_magnitude", "peaks_apart"]

# sweeps before the kernel hands over to scipy: a MIT-BIH record's feature needs 4-5; a
# long run of maxima rising one above the next, each within the distance, needs one sweep
# per few maxima and is left to scipy's sort
_MAX_SWEEPS = 32


def peaks_apart(x: NDArray[np.float64], distance: int) -> NDArray[np.int64]:
    """``scipy.signal.find_peaks(x, distance=distance)[0]``, the same indices.

    Parameters
    ----------
    x : numpy.ndarray of float64, shape (n,)
        A finite signal.
    distance : int
        Least distance between two peaks kept, in samples (>= 1).

    Returns
    -------
    numpy.ndarray of int64, shape (n_peaks,)
        The local maxima (the middle of a plateau, rounded down) at least ``distance``
        apart, the higher kept where two are closer, in increasing order.
    """
    if compiled():
        line = np.ascontiguousarray(x, dtype=np.float64)
        maxima = np.empty(line.shape[0] // 2 + 1, dtype=np.int64)
        found = _strict_maxima(line, maxima)
        if found < 0:  # two equal neighbouring samples: a plateau may hold a maximum
            found = _local_maxima(line, maxima)
        maxima = maxima[:found]
        kept = np.zeros(found, dtype=np.bool_)
        if _keep_apart(maxima, line[maxima], distance, kept):
            return maxima[kept]
    peaks, _ = sps.find_peaks(x, distance=distance)
    return np.asarray(peaks, dtype=np.int64)


@kernel
def _strict_maxima(
    x: NDArray[np.float64], out: NDArray[np.int64]
) -> int:  # pragma: no cover - compiled; the interpreter never runs it
    """Write the samples above both neighbours into ``out``; their count, or -1.

    -1 where two neighbouring samples are equal (a plateau), which :func:`_local_maxima`
    handles. Without plateaus these are scipy's local maxima; the loop has no branch on
    the data, so it runs at the speed of memory on any signal.
    """
    n = x.shape[0]
    if n < 3:
        return -1 if n == 2 and x[0] == x[1] else 0
    equal = x[0] == x[1]
    m = 0
    for i in range(1, n - 1):
        here = x[i]
        out[m] = i
        m += (x[i - 1] < here) & (x[i + 1] < here)
        equal |= x[i + 1] == here
    return -1 if equal else m


@kernel
def _local_maxima(
    x: NDArray[np.float64], out: NDArray[np.int64]
) -> int:  # pragma: no cover - compiled; the interpreter never runs it
    """Local maxima into ``out`` (a plateau's middle), as scipy's ``_local_maxima_1d``; their count.

    A sample above the one before it and above the next sample that differs from it.
    """
    n = x.shape[0]
    m = 0
    i = 1
    while i < n - 1:
        if x[i - 1] < x[i]:
            ahead = i + 1
            while ahead < n - 1 and x[ahead] == x[i]:
                ahead += 1
            if x[ahead] < x[i]:
                out[m] = (i + ahead - 1) // 2
                m += 1
                i = ahead
        i += 1
    return m


@kernel
def _keep_apart(
    position: NDArray[np.int64],
    height: NDArray[np.float64],
    distance: int,
    kept: NDArray[np.bool_],
) -> bool:  # pragma: no cover - compiled; the interpreter never runs it
    """Set ``kept`` as scipy's distance rule keeps the maxima; False to ask scipy.

    Each sweep keeps every undecided maximum higher than all undecided ones within
    ``distance`` and drops those; the undecided left are gathered for the next sweep.
    """
    undecided = np.arange(position.shape[0])
    dropped = np.zeros(position.shape[0], dtype=np.bool_)
    top = np.zeros(position.shape[0], dtype=np.bool_)
    for _ in range(_MAX_SWEEPS):
        u = undecided.shape[0]
        if u == 0:
            return True
        found = False
        for a in range(u):
            j = undecided[a]
            above = True
            b = a - 1
            while above and b >= 0 and position[j] - position[undecided[b]] < distance:
                above = height[undecided[b]] < height[j]
                b -= 1
            b = a + 1
            while above and b < u and position[undecided[b]] - position[j] < distance:
                above = height[undecided[b]] < height[j]
                b += 1
            top[a] = above
            found |= above
        if not found:
            return False  # equal heights within the distance: scipy's order decides
        for a in range(u):
            if not top[a]:
                continue
            kept[undecided[a]] = True
            b = a - 1
            while b >= 0 and position[undecided[a]] - position[undecided[b]] < distance:
                dropped[undecided[b]] = True
                b -= 1
            b = a + 1
            while b < u and position[undecided[b]] - position[undecided[a]] < distance:
                dropped[undecided[b]] = True
                b += 1
        left = 0
        for a in range(u):
            j = undecided[a]
            if not (kept[j] or dropped[j]):
                undecided[left] = j
                left += 1
        undecided = undecided[:left]
    return undecided.shape[0] == 0


def largest_magnitude(
    y: NDArray[np.floating[Any]], centres: NDArray[np.int64], half: int
) -> NDArray[np.int64]:
    """The sample of largest ``|y|`` within ``half`` samples of each of ``centres``.

    ``y`` is a finite row of shape ``(n,)``, ``centres`` sample indices into it, ``half``
    >= 0. Samples outside ``y`` count as 0 and the first of equal magnitudes wins (numpy's
    ``argmax``); the result is clipped to ``[0, n - 1]``, shape ``centres.shape``. With
    numba a kernel scans each window; otherwise numpy gathers all windows at once.
    """
    n = y.shape[0]
    if compiled():
        out = np.empty(centres.shape[0], dtype=np.int64)
        _largest_magnitude(np.ascontiguousarray(y), np.ascontiguousarray(centres), half, out)
        return out
    where = centres[:, np.newaxis] + np.arange(-half, half + 1)
    windows = np.abs(y[np.clip(where, 0, n - 1)]).astype(np.float64, copy=False)
    windows[(where < 0) | (where >= n)] = 0.0
    return np.asarray(np.clip(centres + np.argmax(windows, axis=-1) - half, 0, n - 1))


@kernel
def _largest_magnitude(
    y: NDArray[np.floating[Any]], centres: NDArray[np.int64], half: int, out: NDArray[np.int64]
) -> None:  # pragma: no cover - compiled; the interpreter never runs it
    """:func:`largest_magnitude` into ``out``, one window at a time."""
    n = y.shape[0]
    for c in range(centres.shape[0]):
        start = centres[c] - half
        best = -1.0
        at = 0
        for k in range(2 * half + 1):
            i = start + k
            magnitude = abs(float(y[i])) if 0 <= i < n else 0.0
            if magnitude > best:
                best = magnitude
                at = k
        out[c] = min(max(start + at, 0), n - 1)
