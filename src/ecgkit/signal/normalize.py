"""Amplitude normalisation per record, per lead or per beat."""

from __future__ import annotations

from typing import Literal

import numpy as np
from numpy.typing import ArrayLike

from ecgkit.signal._validation import FloatArray, as_signal, check_axis

__all__ = ["NormalizeMethod", "normalize"]

NormalizeMethod = Literal["zscore", "robust", "minmax"]

# scales the median absolute deviation to the standard deviation of a normal distribution
_MAD_TO_STD = 1.4826
# scales the mean absolute deviation to the standard deviation of a normal distribution
_MEAN_AD_TO_STD = 1.2533


def normalize(
    x: ArrayLike,
    method: NormalizeMethod = "zscore",
    *,
    axis: int | tuple[int, ...] = -1,
) -> FloatArray:
    """Normalise amplitudes along ``axis``.

    Parameters
    ----------
    x : array_like
        A record ``[n_leads, n_samples]``, a beat batch ``[n_beats, n_leads, n_samples]``,
        or any array.
    method : {"zscore", "robust", "minmax"}
        ``"zscore"``: subtract the mean, divide by the standard deviation.
        ``"robust"``: subtract the median, divide by ``1.4826 * MAD`` (the standard deviation
        for normal data, but barely moved by a few large ectopic beats or artefacts); where
        more than half the samples sit on the median (MAD = 0), by ``1.2533 *`` the mean
        absolute deviation from the median instead.
        ``"minmax"``: map the range to ``[0, 1]``.
    axis : int or tuple of int
        The axes each statistic is computed over. For a beat batch, ``axis=-1`` normalises
        every beat and lead on its own ("per beat"); ``axis=(0, 2)`` uses one statistic per
        lead over all beats ("per record").

    Returns
    -------
    numpy.ndarray
        Same shape and floating dtype as ``x``. A constant slice (a flat line) has no scale
        to divide by: it becomes 0, as with scikit-learn's scalers, instead of NaN.

    Notes
    -----
    Every method is idempotent: normalising twice gives the result of normalising once.
    """
    arr = as_signal(x)
    if isinstance(axis, (int, np.integer)) and not isinstance(axis, bool):
        axes: tuple[int, ...] = (int(axis),)
    elif isinstance(axis, tuple) and all(
        isinstance(a, (int, np.integer)) and not isinstance(a, bool) for a in axis
    ):
        axes = tuple(int(a) for a in axis)
    else:
        raise TypeError(f"axis must be an integer or a tuple of integers, got {axis!r}")
    if not axes:
        raise ValueError("axis must name at least one axis")
    axes = tuple(check_axis(a, arr.ndim) for a in axes)
    if len(set(axes)) != len(axes):
        raise ValueError(f"axis has repeated entries: {axis!r}")
    # dividing by the largest magnitude first keeps tiny or huge amplitudes from under- or
    # overflowing when squared; it cancels out of every method below
    magnitude = np.abs(arr).max(axis=axes, keepdims=True).astype(np.float64)
    work = arr / np.where(magnitude > 0, magnitude, 1.0)
    if method == "zscore":
        centre = work.mean(axis=axes, keepdims=True)
        scale = work.std(axis=axes, keepdims=True)
    elif method == "robust":
        centre = np.median(work, axis=axes, keepdims=True)
        deviation = np.abs(work - centre)
        scale = _MAD_TO_STD * np.median(deviation, axis=axes, keepdims=True)
        # more than half the samples equal to the median: fall back to the mean deviation
        mean_deviation = _MEAN_AD_TO_STD * deviation.mean(axis=axes, keepdims=True)
        scale = np.where(scale > 1e-12, scale, mean_deviation)
    elif method == "minmax":
        centre = work.min(axis=axes, keepdims=True)
        scale = work.max(axis=axes, keepdims=True) - centre
    else:
        raise ValueError(f"method must be 'zscore', 'robust' or 'minmax', got {method!r}")
    # work is at most 1 in magnitude, so rounding noise on a flat line counts as flat
    flat = scale <= 1e-12
    out = (work - centre) / np.where(flat, 1.0, scale)
    out = np.where(flat, 0.0, out)
    return np.asarray(out, dtype=arr.dtype)
