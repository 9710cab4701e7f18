"""A recording rebuilt at another heart rate, its beats kept whole.

A rhythm that speeds up shortens mainly its diastole: the QRS keeps its width, the QT
shortens a little, the P wave keeps its place before the next QRS. :func:`rescale_rhythm`
rebuilds a recording that way from its R peaks, so that a classifier can be checked (or
trained) on the same beats at a faster or slower rate: the rebuild of
``benchmarks/bench_recording_conditions.py --parts rate`` and of the faster copies of
``benchmarks/select_rate_augment.py``. numpy only.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ecgkit.signal._validation import (
    as_increasing_indices,
    as_signal,
    check_axis,
    check_fs,
    check_non_negative,
    check_positive,
)

__all__ = [
    "FRIDERICIA_EXPONENT",
    "RESCALE_FADE_S",
    "RESCALE_KEEP_S",
    "RESCALE_QRS_S",
    "rescale_rhythm",
    "rescaled_peaks",
]

#: Seconds after an R peak (its QRS and T wave) and before the next (its P wave and QRS
#: onset) that keep their timing; the rest of each interval, the diastole, is resampled.
RESCALE_KEEP_S = (0.45, 0.25)
#: Seconds after an R peak taken as the rest of its QRS: never shortened. What follows it
#: up to ``RESCALE_KEEP_S[0]`` (the ST segment and T wave) is, with ``qt_exponent``.
RESCALE_QRS_S = 0.10
#: Seconds over which the two parts of an interval shorter than both fade out and in.
RESCALE_FADE_S = 0.04
#: How the ST-T follows the interval: times ``scale ** (1/3)``, as Fridericia's
#: correction has the QT follow the cube root of the RR interval.
FRIDERICIA_EXPONENT = 1 / 3


def rescaled_peaks(r_peaks: ArrayLike, scale: float) -> NDArray[np.int64]:
    """The R peaks of :func:`rescale_rhythm`'s result, in its samples.

    Parameters
    ----------
    r_peaks : array_like of int, shape (n_beats,)
        Strictly increasing R-peak sample indices of the recording.
    scale : float
        Every RR interval times this, > 0 (under 1: a faster rhythm).

    Returns
    -------
    numpy.ndarray of int64, shape (n_beats,)
        The first peak at sample 0, each next one its interval times ``scale`` later
        (the running sum rounded, so that no rounding error builds up).

    Examples
    --------
    >>> from ecgkit.signal import rescaled_peaks
    >>> rescaled_peaks([100, 200, 300, 450], 0.5).tolist()
    [0, 50, 100, 175]
    """
    peaks = as_increasing_indices(r_peaks, "r_peaks")
    factor = check_positive(scale, "scale", unit="(a ratio)")
    return _moved(peaks, factor)


def _moved(peaks: NDArray[np.int64], scale: float) -> NDArray[np.int64]:
    """:func:`rescaled_peaks` of checked ``peaks``."""
    times: NDArray[np.float64] = np.concatenate(([0.0], np.cumsum(np.diff(peaks) * scale)))
    return np.round(times).astype(np.int64)


def rescale_rhythm(
    x: ArrayLike,
    fs: float,
    r_peaks: ArrayLike,
    scale: float,
    *,
    qt_exponent: float = 0.0,
    axis: int = -1,
) -> NDArray[np.float64]:
    """A recording from its first to its last R peak with every RR interval times ``scale``.

    Of each interval the first ``RESCALE_KEEP_S[0]`` (QRS and T) and the last
    ``RESCALE_KEEP_S[1]`` (P wave) keep their timing (in proportion, in an interval
    shorter than both) and the rest, the diastole, is resampled to fit (linear
    interpolation). Where the new interval is shorter than both parts, they overlap, each
    fading out or in over ``RESCALE_FADE_S``, and their waves add on the interval's
    baseline (its median: a P wave on the T wave, not the baseline twice). QRS and P keep
    their widths; with ``qt_exponent`` 0 the T wave keeps its timing too, otherwise the
    part after the QRS (``RESCALE_QRS_S`` on) is stretched by ``scale ** qt_exponent``
    (:data:`FRIDERICIA_EXPONENT` follows Fridericia's QT correction).

    Parameters
    ----------
    x : array_like
        The recording, in mV; any shape, time along ``axis``.
    fs : float
        Sampling rate in Hz.
    r_peaks : array_like of int, shape (n_beats,)
        Strictly increasing R-peak sample indices of ``x``, at least 2.
    scale : float
        Every RR interval times this, > 0 (0.75: a rhythm a third faster; 1 gives the
        samples from the first to the last peak as they are).
    qt_exponent : float
        >= 0; the ST-T's length times ``scale ** qt_exponent``.
    axis : int
        The time axis of ``x``.

    Returns
    -------
    numpy.ndarray of float64
        ``x``'s shape with ``rescaled_peaks(r_peaks, scale)[-1] + 1`` samples along
        ``axis``: its R peaks are :func:`rescaled_peaks`, each the value of ``x`` at the
        original peak.

    Raises
    ------
    ValueError
        If ``x`` is empty or holds NaN or infinite values, ``fs``, ``scale`` are not
        finite and > 0, ``qt_exponent`` is negative, or ``r_peaks`` are fewer than 2, not
        strictly increasing or outside ``x``.
    TypeError
        If ``x`` is not a real numeric array or a number is not a real number.

    Examples
    --------
    A 60 bpm rhythm at 100 Hz rebuilt a third faster keeps the values at its R peaks:

    >>> import numpy as np
    >>> from ecgkit.signal import rescale_rhythm, rescaled_peaks
    >>> x = np.zeros(301)
    >>> x[[0, 100, 200, 300]] = 1.0
    >>> y = rescale_rhythm(x, 100, [0, 100, 200, 300], 0.75)
    >>> y.shape, y[rescaled_peaks([0, 100, 200, 300], 0.75)].tolist()
    ((226,), [1.0, 1.0, 1.0, 1.0])
    """
    rate = check_fs(fs)
    factor = check_positive(scale, "scale", unit="(a ratio)")
    exponent = check_non_negative(qt_exponent, "qt_exponent", unit="(an exponent)")
    signal = as_signal(x, "x", axis=axis)
    ax = check_axis(axis, signal.ndim)
    peaks = as_increasing_indices(r_peaks, "r_peaks", signal.shape[ax])
    if peaks.size < 2:
        raise ValueError(f"r_peaks must hold at least 2 R peaks, got {peaks.size}")
    leads_last = np.moveaxis(np.asarray(signal, dtype=np.float64), ax, 0)
    flat = leads_last.reshape(leads_last.shape[0], -1)
    out = _rescaled(flat, rate, peaks, factor, exponent)
    shaped = out.reshape((out.shape[0], *leads_last.shape[1:]))
    return np.moveaxis(shaped, 0, ax)


def _rescaled(
    x: NDArray[np.float64], fs: float, peaks: NDArray[np.int64], scale: float, qt_exponent: float
) -> NDArray[np.float64]:
    """:func:`rescale_rhythm` on checked ``x`` of shape (n_samples, n_channels)."""
    head_s, tail_s = (round(s * fs) for s in RESCALE_KEEP_S)
    qrs_s = round(RESCALE_QRS_S * fs)
    shorter = scale**qt_exponent  # the ST-T's new length over its old
    fade = max(1, round(RESCALE_FADE_S * fs))
    moved = _moved(peaks, scale)
    out = np.zeros((int(moved[-1]) + 1, x.shape[1]))
    for i in range(peaks.size - 1):
        start, stop = int(peaks[i]), int(peaks[i + 1])
        length = int(moved[i + 1] - moved[i])
        u = np.arange(length, dtype=np.float64)
        # an interval already shorter than both parts keeps them in proportion
        head = min(head_s, round((stop - start) * head_s / (head_s + tail_s)))
        tail = min(tail_s, stop - start - head)
        qrs = min(qrs_s, head)
        new_head = qrs + (head - qrs) * shorter
        # where each sample of the QRS-T part comes from: the ST-T stretched by 1 / shorter
        qrs_t_at = start + np.where(u < qrs, u, qrs + (u - qrs) / shorter)
        if length >= new_head + tail:
            middle = np.interp(u, [new_head, length - tail], [start + head, stop - tail])
            after = np.where(u >= length - tail, stop - length + u, middle)
            piece = _at(x, np.where(u < new_head, qrs_t_at, after))
        else:
            # the QRS-T part fades out at its end, the P part fades in at its start
            first = np.clip((new_head - u) / fade, 0.0, 1.0)
            second = np.clip((u - (length - tail)) / fade + 1.0, 0.0, 1.0)
            first[u < length - tail] = 1.0
            second[u >= new_head] = 1.0
            qrs_t = _at(x, np.minimum(qrs_t_at, stop))
            baseline = np.median(x[start : stop + 1], axis=0)
            piece = (
                first[:, None] * qrs_t
                + second[:, None] * _at(x, stop - length + u)
                - (first + second - 1.0)[:, None] * baseline
            )
        out[moved[i] : moved[i + 1]] = piece
    out[-1] = x[int(peaks[-1])]
    return out


def _at(x: NDArray[np.float64], position: NDArray[np.float64]) -> NDArray[np.float64]:
    """``x`` (n, channels) at fractional sample ``position``s, linearly interpolated.

    Interpolated over the stretch of ``x`` the positions span (the same values as over
    the whole of it, without a grid of the whole record for each interval).
    """
    if position.size == 0:
        return np.zeros((0, x.shape[1]))
    lo = max(int(np.floor(position.min())), 0)
    hi = min(int(np.ceil(position.max())) + 2, x.shape[0])
    grid = np.arange(lo, hi, dtype=np.float64)
    return np.stack([np.interp(position, grid, lead[lo:hi]) for lead in x.T], axis=1)
