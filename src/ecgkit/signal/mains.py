"""Mains hum: how strong a recording's 50 or 60 Hz powerline interference is.

A recording from an unshielded device or a poor electrode contact carries a sinusoid at the
mains frequency (50 Hz in Europe, most of Asia and Africa; 60 Hz in the Americas).
:func:`ecgkit.signal.clean`'s 40 Hz low-pass passes a part of it (about 0.29 of its
amplitude at 50 Hz, 0.17 at 60 Hz, zero-phase), and a beat classifier trained on
recordings without it reads the ripple as shape: a 1 mV hum moves labels. The amplitude
of the line is measured from the power spectrum (Welch's method, 4-s Hann segments): the
power within 1 Hz of the mains frequency above the median level 1-5 Hz from it, as the
amplitude of the sinusoid that carries that power. ``ecgkit annotate`` removes a line at
least :data:`MAINS_NOTCH_MV` strong with :func:`ecgkit.signal.notch` and leaves weaker
ones, and so every recording without hum, alone.
"""

from __future__ import annotations

import numpy as np
import scipy.signal as sps
from numpy.typing import ArrayLike, NDArray

from ecgkit.signal._validation import as_signal, check_axis, check_fs, check_positive

__all__ = ["MAINS_HZ", "MAINS_NOTCH_MV", "mains_amplitude", "mains_to_remove"]

#: The mains frequencies in use, in Hz.
MAINS_HZ: tuple[float, ...] = (50.0, 60.0)

#: The amplitude (mV) from which ``ecgkit annotate`` notches a mains line out. Chosen
#: before use (docs/benchmarks.rst, "Mains hum"): the largest candidate (0.02, 0.05, 0.1,
#: 0.2 mV) under which hum added to MIT-BIH's DS1 excerpts left at least 99.5 % of the
#: shipped model's labels as they were without it; the strongest line in MIT-BIH's 48
#: records is 0.032 mV (60 Hz, 122's V1), in LUDB's 200 records 0.016 mV (in LUDB's scale,
#: each lead spanning 1 mV: 0.016 of a lead's range).
MAINS_NOTCH_MV = 0.1

_SEGMENT_S = 4.0  # Welch segment: 0.25 Hz resolution
_LINE_HZ = 1.0  # the line: within this of the mains frequency (its drift and leakage)
_FLOOR_HZ = 5.0  # the floor: the median level up to this far from it, the line aside
_MIN_S = 1.0


def mains_amplitude(
    x: ArrayLike, fs: float, freq_hz: float = 50.0, *, axis: int = -1
) -> NDArray[np.float64]:
    """Amplitude of the mains line at ``freq_hz`` in each lead, in the units of ``x``.

    Parameters
    ----------
    x : array_like
        Signal (mV), finite; ``axis`` is time.
    fs : float
        Sampling rate in Hz.
    freq_hz : float
        Mains frequency in Hz (50 or 60).
    axis : int
        Time axis.

    Returns
    -------
    numpy.ndarray of float64
        The amplitude (mV; half the peak-to-peak) of the sinusoid that carries the power
        within 1 Hz of ``freq_hz`` above the median level 1-5 Hz from it: ``x``'s shape
        without the time axis (a float array of shape ``()`` for one lead). NaN where the
        line is within 6 Hz of the Nyquist frequency (``fs / 2``) or ``x`` is under 1 s.

    Raises
    ------
    ValueError
        When ``x`` is empty or holds NaN or infinite values, or ``fs`` or ``freq_hz`` is
        not a positive number.
    """
    fs = check_fs(fs)
    freq = check_positive(freq_hz, "freq_hz", unit="Hz")
    return _line_amplitudes(x, fs, (freq,), axis)[..., 0]


def _line_amplitudes(
    x: ArrayLike, fs: float, lines_hz: tuple[float, ...], axis: int
) -> NDArray[np.float64]:
    """:func:`mains_amplitude` at each of ``lines_hz`` from one spectrum, ``[..., lines]``."""
    arr = as_signal(x, "x", axis=axis)
    ax = check_axis(axis, arr.ndim)
    moved = np.moveaxis(arr, ax, -1).astype(np.float64, copy=False)
    n = moved.shape[-1]
    amplitudes = np.full((*moved.shape[:-1], len(lines_hz)), np.nan)
    if n < _MIN_S * fs:
        return amplitudes
    segment = min(n, round(_SEGMENT_S * fs))
    freqs, power = sps.welch(moved, fs=fs, nperseg=segment, noverlap=segment // 2, axis=-1)
    for k, freq in enumerate(lines_hz):
        if freq + _FLOOR_HZ + 1.0 > fs / 2:
            continue
        offset = np.abs(freqs - freq)
        line = offset <= _LINE_HZ
        floor = np.median(power[..., (offset <= _FLOOR_HZ) & ~line], axis=-1)
        above = np.sum(power[..., line] - floor[..., None], axis=-1) * (freqs[1] - freqs[0])
        amplitudes[..., k] = np.sqrt(2.0 * np.maximum(above, 0.0))
    return amplitudes


def mains_to_remove(
    x: ArrayLike, fs: float, *, threshold_mv: float = MAINS_NOTCH_MV, axis: int = -1
) -> tuple[float, ...]:
    """The mains frequencies (Hz) whose line reaches ``threshold_mv`` in any lead of ``x``.

    Parameters
    ----------
    x : array_like
        Signal (mV), finite; ``axis`` is time.
    fs : float
        Sampling rate in Hz.
    threshold_mv : float
        Amplitude (mV) from which a line is to be removed; default :data:`MAINS_NOTCH_MV`.
    axis : int
        Time axis.

    Returns
    -------
    tuple of float
        Members of :data:`MAINS_HZ`, in order; empty where no line reaches the threshold
        (or none can be measured: see :func:`mains_amplitude`).
    """
    fs = check_fs(fs)
    threshold = check_positive(threshold_mv, "threshold_mv", unit="mV")
    amplitudes = _line_amplitudes(x, fs, MAINS_HZ, axis)
    # NaN (not measurable) is not a line
    strong = np.asarray((amplitudes >= threshold).reshape(-1, len(MAINS_HZ)).any(axis=0))
    return tuple(freq for k, freq in enumerate(MAINS_HZ) if strong[k])
