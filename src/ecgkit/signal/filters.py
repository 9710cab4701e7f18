"""Zero-phase ECG filters built from second-order sections.

Every filter runs forwards and backwards (:func:`scipy.signal.sosfiltfilt`), so it does
not shift the QRS complex in time, and works along any ``axis`` of a multi-lead array.
With numba installed (the ``fast`` extra), the band-passes (two second-order sections)
of up to 16 leads run compiled, with scipy's values to the bit, in a quarter (two at a
time) to 40 % (one alone) of its time.
Outputs keep the input's floating dtype (integer inputs become float64).
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from numpy.typing import ArrayLike
from scipy import ndimage
from scipy import signal as sps

from ecgkit.signal._compiled import filtfilt_lines, padding
from ecgkit.signal._validation import (
    FloatArray,
    as_signal,
    check_axis,
    check_cutoff,
    check_fs,
    check_positive,
    samples_first_hint,
)

__all__ = ["bandpass", "clean", "highpass", "lowpass", "notch", "remove_baseline"]

#: Longest median the "median" baseline method runs (0.6 s at 50 kHz): a median filter's
#: cost grows with its length, so far longer ones hang instead of filtering.
_MAX_MEDIAN_SAMPLES = 30_001

# higher Butterworth orders overflow scipy's design and ring without end
_MAX_ORDER = 20

#: Default pass band of :func:`clean`, in Hz.
CLEAN_BAND_HZ = (0.5, 40.0)


def _check_order(order: object) -> int:
    if isinstance(order, bool) or not isinstance(order, (int, np.integer)) or order < 1:
        raise ValueError(f"order must be a positive integer, got {order!r}")
    if order > _MAX_ORDER:
        raise ValueError(f"order must be at most {_MAX_ORDER} (a Butterworth filter), got {order}")
    return int(order)


def apply_sos(x: ArrayLike, sos: FloatArray, *, axis: int = -1, name: str = "x") -> FloatArray:
    """Apply second-order sections forwards and backwards along ``axis``.

    Parameters
    ----------
    x : array_like
        Signal of any shape; ``axis`` is time.
    sos : numpy.ndarray, shape (n_sections, 6)
        Second-order sections, e.g. from :func:`scipy.signal.butter` with ``output="sos"``.
    axis : int
        Time axis.
    name : str
        Argument name used in error messages.

    Returns
    -------
    numpy.ndarray
        Filtered signal, same shape and floating dtype as ``x``.
    """
    arr = as_signal(x, name, axis=axis)
    ax = check_axis(axis, arr.ndim)
    padlen = padding(sos)
    if arr.shape[ax] <= padlen:
        raise ValueError(
            f"{name} is too short for this filter: needs more than {padlen} samples "
            f"along axis {ax}, got {arr.shape[ax]}"
            f"{samples_first_hint(arr.shape, ax, padlen + 1)}"
        )
    out = filtfilt_lines(sos, arr.astype(np.float64, copy=False), ax)
    return np.asarray(out, dtype=arr.dtype)


def butter_sos(
    fs: float,
    *,
    low_hz: float | None = None,
    high_hz: float | None = None,
    order: int = 2,
) -> FloatArray:
    """Design a Butterworth filter as second-order sections.

    Parameters
    ----------
    fs : float
        Sampling rate in Hz.
    low_hz, high_hz : float, optional
        Lower and upper cut-offs in Hz (-3 dB of the single pass; the zero-phase filter
        applies it twice, so the cut-offs sit at -6 dB). Give ``low_hz`` for a high-pass,
        ``high_hz`` for a low-pass, both for a band-pass.
    order : int
        Order of the single pass.

    Returns
    -------
    numpy.ndarray, shape (n_sections, 6)
    """
    fs = check_fs(fs)
    order = _check_order(order)
    if low_hz is None and high_hz is None:
        raise ValueError("give low_hz, high_hz or both")
    if low_hz is not None and high_hz is not None:
        low = check_cutoff(low_hz, fs, "low_hz")
        high = check_cutoff(high_hz, fs, "high_hz")
        if low >= high:
            raise ValueError(f"low_hz must be below high_hz, got {low:g} Hz >= {high:g} Hz")
        sos = sps.butter(order, [low, high], btype="bandpass", fs=fs, output="sos")
    elif low_hz is not None:
        low = check_cutoff(low_hz, fs, "low_hz")
        sos = sps.butter(order, low, btype="highpass", fs=fs, output="sos")
    else:
        assert high_hz is not None
        sos = sps.butter(
            order, check_cutoff(high_hz, fs, "high_hz"), "lowpass", fs=fs, output="sos"
        )
    return np.asarray(sos, dtype=np.float64)


def bandpass(
    x: ArrayLike,
    fs: float,
    low_hz: float,
    high_hz: float,
    *,
    order: int = 2,
    axis: int = -1,
) -> FloatArray:
    """Zero-phase Butterworth band-pass filter.

    Parameters
    ----------
    x : array_like
        Signal (mV or any unit); ``axis`` is time.
    fs : float
        Sampling rate in Hz.
    low_hz, high_hz : float
        Cut-offs in Hz, ``0 < low_hz < high_hz < fs / 2``.
    order : int
        Butterworth order of one pass (the forward-backward filter doubles it).
    axis : int
        Time axis.

    Returns
    -------
    numpy.ndarray
        Filtered signal, same shape and floating dtype as ``x``.

    Examples
    --------
    >>> import numpy as np
    >>> from ecgkit.signal import bandpass
    >>> y = bandpass(np.random.default_rng(0).normal(size=3600), fs=360, low_hz=0.5, high_hz=40)
    >>> y.shape
    (3600,)
    """
    return apply_sos(x, butter_sos(fs, low_hz=low_hz, high_hz=high_hz, order=order), axis=axis)


def highpass(
    x: ArrayLike, fs: float, cutoff_hz: float, *, order: int = 2, axis: int = -1
) -> FloatArray:
    """Zero-phase Butterworth high-pass filter (cut-off in Hz); see :func:`bandpass`."""
    return apply_sos(x, butter_sos(fs, low_hz=cutoff_hz, order=order), axis=axis)


def lowpass(
    x: ArrayLike, fs: float, cutoff_hz: float, *, order: int = 2, axis: int = -1
) -> FloatArray:
    """Zero-phase Butterworth low-pass filter (cut-off in Hz); see :func:`bandpass`."""
    return apply_sos(x, butter_sos(fs, high_hz=cutoff_hz, order=order), axis=axis)


def notch(
    x: ArrayLike,
    fs: float,
    freq_hz: float = 50.0,
    *,
    quality: float = 30.0,
    axis: int = -1,
) -> FloatArray:
    """Zero-phase IIR notch for powerline interference.

    Parameters
    ----------
    x : array_like
        Signal; ``axis`` is time.
    fs : float
        Sampling rate in Hz.
    freq_hz : float
        Frequency to remove in Hz: 50 (Europe, most of Asia and Africa) or 60 (the Americas).
    quality : float
        Quality factor ``freq_hz / bandwidth``; higher is narrower.
    axis : int
        Time axis.

    Returns
    -------
    numpy.ndarray
        Filtered signal, same shape and floating dtype as ``x``.
    """
    fs = check_fs(fs)
    freq = check_cutoff(freq_hz, fs, "freq_hz")
    q = check_positive(quality, "quality", unit="(dimensionless)")
    b, a = sps.iirnotch(freq, q, fs=fs)
    return apply_sos(x, np.asarray(sps.tf2sos(b, a), dtype=np.float64), axis=axis)


def _odd_samples(seconds: float, fs: float) -> int:
    n = round(seconds * fs)
    return max(n + (n + 1) % 2, 1)


def remove_baseline(
    x: ArrayLike,
    fs: float,
    *,
    method: Literal["median", "highpass"] = "median",
    cutoff_hz: float = 0.5,
    axis: int = -1,
) -> FloatArray:
    """Remove baseline wander.

    Parameters
    ----------
    x : array_like
        Signal; ``axis`` is time.
    fs : float
        Sampling rate in Hz.
    method : {"median", "highpass"}
        ``"median"``: the two-stage median filter of de Chazal et al. (2004): a 200 ms median
        removes the QRS complex and P wave, a 600 ms median of that removes the T wave, and
        what is left is the baseline, subtracted from ``x`` (refused above 50 kHz, where the
        medians would take hours). ``"highpass"``: a zero-phase
        Butterworth high-pass at ``cutoff_hz``.
    cutoff_hz : float
        Cut-off of the ``"highpass"`` method in Hz.
    axis : int
        Time axis.

    Returns
    -------
    numpy.ndarray
        ``x`` without its baseline, same shape and floating dtype.

    References
    ----------
    P. de Chazal, M. O'Dwyer and R. B. Reilly, "Automatic classification of heartbeats using
    ECG morphology and heartbeat interval features", IEEE Trans. Biomed. Eng. 51(7), 2004.
    """
    if method == "highpass":
        return highpass(x, fs, cutoff_hz, axis=axis)
    if method != "median":
        raise ValueError(f"method must be 'median' or 'highpass', got {method!r}")
    fs = check_fs(fs)
    if _odd_samples(0.6, fs) > _MAX_MEDIAN_SAMPLES:
        raise ValueError(
            f"median baseline removal at fs={fs:g} Hz needs a {_odd_samples(0.6, fs)}-sample "
            f"median (over {_MAX_MEDIAN_SAMPLES} is hours of work): resample to an ECG rate "
            "first (ecgkit.signal.resample), or use method='highpass'"
        )
    arr = as_signal(x, axis=axis)
    ax = check_axis(axis, arr.ndim)
    size = [1] * arr.ndim
    size[ax] = _odd_samples(0.2, fs)
    stage1 = ndimage.median_filter(arr, size=tuple(size), mode="nearest")
    size[ax] = _odd_samples(0.6, fs)
    baseline = ndimage.median_filter(stage1, size=tuple(size), mode="nearest")
    return np.asarray(arr - baseline, dtype=arr.dtype)


def clean(
    x: ArrayLike,
    fs: float,
    *,
    powerline_hz: float | None = None,
    axis: int = -1,
) -> FloatArray:
    """Ecgkit's default ECG cleaning: a zero-phase 0.5-40 Hz band-pass.

    The high-pass at 0.5 Hz removes baseline wander and keeps the ST segment usable for
    beat classification; the low-pass at 40 Hz removes muscle noise and most powerline
    interference. Where 40 Hz is at or above the Nyquist frequency (``fs <= 80`` Hz) the
    low-pass sits at ``0.45 * fs`` instead.

    Parameters
    ----------
    x : array_like
        Signal (mV); ``axis`` is time.
    fs : float
        Sampling rate in Hz.
    powerline_hz : float, optional
        Also notch out this powerline frequency (50 or 60 Hz) when it is below Nyquist.
    axis : int
        Time axis.

    Returns
    -------
    numpy.ndarray
        Cleaned signal, same shape and floating dtype as ``x``.
    """
    fs = check_fs(fs)
    if powerline_hz is not None:
        powerline_hz = check_positive(powerline_hz, "powerline_hz", unit="Hz")
    low, high = CLEAN_BAND_HZ
    y = bandpass(x, fs, low, min(high, 0.45 * fs), order=2, axis=axis)
    if powerline_hz is not None and powerline_hz < fs / 2:
        y = notch(y, fs, powerline_hz, axis=axis)
    return y
