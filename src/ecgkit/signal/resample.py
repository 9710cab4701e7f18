"""Polyphase resampling between sampling rates."""

from __future__ import annotations

import math
import warnings
from fractions import Fraction

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import signal as sps

from ecgkit.signal._validation import (
    FloatArray,
    as_indices,
    as_signal,
    check_axis,
    check_count,
    check_fs,
)

__all__ = ["resample", "resample_indices", "resample_ratio", "resampled_length"]

# rates such as 360 Hz and 128 Hz have small exact ratios; anything finer is unusual
_MAX_DENOMINATOR = 10_000
# 1 kHz ECG from 1 Hz, or the reverse, is already far outside any recording's use
_MAX_RATE_RATIO = 1000


#: Relative rate error above which an approximated ratio warns (0.36 s of drift a day).
_RATE_TOLERANCE = 1e-6


def _ratio(fs_in: float, fs_out: float) -> Fraction:
    """``fs_out / fs_in`` as a fraction with denominator <= 10,000.

    Rates such as 333.33 Hz have no such ratio to 250 Hz; the nearest one is used, and a
    ``UserWarning`` says how far the output's rate is then from ``fs_out`` when that
    exceeds one part in a million.
    """
    exact = Fraction(str(fs_out)) / Fraction(str(fs_in))
    if not 1 / _MAX_RATE_RATIO <= exact <= _MAX_RATE_RATIO:
        # beyond this the output is either empty or a memory-exhausting upsampling
        raise ValueError(
            f"fs_out / fs_in must be between 1/{_MAX_RATE_RATIO} and {_MAX_RATE_RATIO}, got "
            f"{fs_out:g} Hz / {fs_in:g} Hz"
        )
    ratio = exact.limit_denominator(_MAX_DENOMINATOR)
    error = abs(float(ratio / exact) - 1.0)
    if error > _RATE_TOLERANCE:
        warnings.warn(
            f"resampling {fs_in:g} Hz -> {fs_out:g} Hz uses the ratio {ratio} "
            f"(denominator <= {_MAX_DENOMINATOR}): the output's true rate is "
            f"{fs_in * float(ratio):.6g} Hz, off by {error:.1e} ({error * 86400:.2g} s a day)",
            UserWarning,
            stacklevel=3,
        )
    return ratio


def resample_ratio(fs_in: float, fs_out: float) -> tuple[int, int]:
    """The exact ratio ``(up, down)`` :func:`resample` uses: ``fs_out / fs_in = up / down``.

    A chunk of a long signal that starts at a multiple of ``down`` input samples resamples
    onto the same output sample times as the whole signal (output index ``start * up //
    down``).
    """
    ratio = _ratio(check_fs(fs_in, "fs_in"), check_fs(fs_out, "fs_out"))
    return ratio.numerator, ratio.denominator


def resampled_length(n_samples: int, fs_in: float, fs_out: float) -> int:
    """Number of samples :func:`resample` returns: ``ceil(n_samples * up / down)``.

    ``up / down`` is :func:`resample_ratio`, equal to ``fs_out / fs_in`` for every rate
    pair whose ratio has a denominator up to 10,000 (360 -> 250 Hz is 25/36), so the length
    is then ``ceil(n_samples * fs_out / fs_in)``.
    """
    n_samples = check_count(n_samples, "n_samples")
    ratio = _ratio(check_fs(fs_in, "fs_in"), check_fs(fs_out, "fs_out"))
    return math.ceil(n_samples * ratio.numerator / ratio.denominator)


def resample(x: ArrayLike, fs_in: float, fs_out: float, *, axis: int = -1) -> FloatArray:
    """Resample ``x`` from ``fs_in`` to ``fs_out`` with a polyphase anti-aliasing filter.

    Parameters
    ----------
    x : array_like
        Signal; ``axis`` is time.
    fs_in, fs_out : float
        Sampling rates in Hz. Their ratio is taken as an exact fraction (denominator up to
        10,000), e.g. 360 Hz -> 250 Hz is up 25, down 36; a pair with no such ratio
        (333.33 -> 250 Hz) uses the nearest one and warns when the output's rate is then
        off by more than one part in a million.
    axis : int
        Time axis.

    Returns
    -------
    numpy.ndarray
        The resampled signal with exactly :func:`resampled_length` samples along
        ``axis``, same floating dtype as ``x``. Sample 0 of
        the output is at the time of sample 0 of the input.

    Notes
    -----
    Uses :func:`scipy.signal.resample_poly` (Kaiser window, beta 5), which, unlike FFT
    resampling, does not assume the signal is periodic, so record edges do not ring.
    """
    fs_in = check_fs(fs_in, "fs_in")
    fs_out = check_fs(fs_out, "fs_out")
    arr = as_signal(x, axis=axis)
    ax = check_axis(axis, arr.ndim)
    ratio = _ratio(fs_in, fs_out)
    if ratio == 1:
        return arr.copy()
    out = sps.resample_poly(
        arr.astype(np.float64, copy=False), ratio.numerator, ratio.denominator, axis=ax
    )
    return np.asarray(out, dtype=arr.dtype)


def resample_indices(
    indices: ArrayLike, fs_in: float, fs_out: float, n_samples_out: int | None = None
) -> NDArray[np.int64]:
    """Map sample indices (e.g. R peaks) from ``fs_in`` to the nearest sample at ``fs_out``.

    Parameters
    ----------
    indices : array_like of int
        Sample indices at ``fs_in``.
    fs_in, fs_out : float
        Sampling rates in Hz.
    n_samples_out : int, optional
        Length of the resampled signal; indices are clipped to ``[0, n_samples_out - 1]``.

    Returns
    -------
    numpy.ndarray of int64
    """
    fs_in = check_fs(fs_in, "fs_in")
    fs_out = check_fs(fs_out, "fs_out")
    idx = as_indices(indices, "indices")
    out = np.rint(idx * (fs_out / fs_in)).astype(np.int64)
    if n_samples_out is not None:
        out = np.clip(out, 0, check_count(n_samples_out, "n_samples_out", minimum=1) - 1)
    return np.asarray(out, dtype=np.int64)
