"""The R wave of a QRS complex whose largest deflection is negative (the ``r_wave`` fiducial).

Where a lead's QRS is an rS, RS or Qr complex (aVR, V1-V3, leads of a bundle-branch block)
its largest deflection is the Q or S wave; the R wave is the positive wave right beside it.
Used by :func:`ecgkit.signal.refine_peaks` with ``fiducial="r_wave"``; numpy only.
"""

from __future__ import annotations

import functools

import numpy as np
from numpy.typing import NDArray

from ecgkit.signal._validation import FloatArray
from ecgkit.signal.filters import apply_sos, butter_sos

# refine_peaks places beats in the 0.5-40 Hz band; the R wave's fast part is 10-40 Hz
REFINE_BAND_HZ = (0.5, 40.0)
SHARP_BAND_HZ = (10.0, 40.0)

# the R wave is the turning point reached by climbing from the negative deflection, on
# either side, within this reach (an ordinary QRS lasts under 120 ms) ...
_REACH_S = 0.1
# ... that is a wave of the QRS: at least this share of the negative deflection in the
# 0.5-40 Hz band and in the 10-40 Hz band (an ST segment or T wave rising after the S
# is slow and has little of the latter) ...
_HEIGHT_SHARE = 0.1
_SHARPNESS_SHARE = 0.1
# ... the 10-40 Hz deflection being the largest within this many seconds of the beat
_SHARPNESS_SPAN_S = 0.004


@functools.lru_cache(maxsize=16)
def sharp_sos(fs: float) -> FloatArray:
    """The 10-40 Hz band-pass of the ``r_wave`` fiducial (the QRS's fast part) at ``fs``."""
    return butter_sos(fs, low_hz=SHARP_BAND_HZ[0], high_hz=min(SHARP_BAND_HZ[1], 0.45 * fs))


@functools.lru_cache(maxsize=16)
def refine_sos(fs: float) -> FloatArray:
    """:func:`~ecgkit.signal.refine_peaks`'s 0.5-40 Hz band-pass at ``fs``, designed once."""
    return butter_sos(fs, low_hz=REFINE_BAND_HZ[0], high_hz=min(REFINE_BAND_HZ[1], 0.45 * fs))


def before_the_r_wave(x: FloatArray, peaks: NDArray[np.int64], fs: float) -> NDArray[np.int64]:
    """The earlier of each beat and its R wave (:func:`r_wave_positions`), in samples.

    ``x`` is the raw lead; ValueError where it is too short to filter. Used to keep a
    beat's own QRS out of the window before it: a beat placed on the S wave of an rS
    complex has its R wave 30-60 ms earlier. As for the ``r_wave`` fiducial, the lead's
    polarity says which wave is the R wave.
    """
    # sosfilt takes only writable sections: each call gets its own copy of the design
    y = apply_sos(x, refine_sos(fs).copy())
    sharp = apply_sos(x, sharp_sos(fs).copy())
    return np.minimum(peaks, r_wave_positions(y, sharp, peaks, fs))


def r_wave_positions(
    y: FloatArray,
    sharp: FloatArray,
    peaks: NDArray[np.int64],
    fs: float,
) -> NDArray[np.int64]:
    """Move each beat whose deflection is negative onto its R wave, where it has one.

    Parameters
    ----------
    y : numpy.ndarray, shape (n_samples,)
        The lead band-passed 0.5-40 Hz.
    sharp : numpy.ndarray, shape (n_samples,)
        The lead band-passed 10-40 Hz (the QRS's fast part).
    peaks : numpy.ndarray of int64, shape (n_beats,)
        Beats placed on the largest absolute deflection of ``y``.
    fs : float
        Sampling rate in Hz.

    Returns
    -------
    numpy.ndarray of int64, shape (n_beats,)
        The beats, each moved to the positive local maximum next to its negative
        deflection (the nearer turning point on each side; of two, the one with more of
        the 10-40 Hz band) when that maximum is at least 10 % of the deflection in both
        bands and less than 100 ms away; beats with a positive deflection and QS
        complexes (no such wave) stay where they are. Not sorted.
    """
    n = y.shape[0]
    moved = peaks.copy()
    negative = np.flatnonzero(y[peaks] < 0)
    if negative.size == 0 or n < 3:
        return moved
    at = peaks[negative]
    index = np.arange(n)
    # climbing left from i stops at the last j <= i with y[j - 1] < y[j] ...
    rises = np.ones(n, dtype=bool)
    rises[1:] = y[:-1] < y[1:]
    left = np.maximum.accumulate(np.where(rises, index, 0))[at]
    # ... and climbing right at the first j >= i with y[j + 1] < y[j]
    falls = np.ones(n, dtype=bool)
    falls[:-1] = y[1:] < y[:-1]
    right = np.minimum.accumulate(np.where(falls, index, n - 1)[::-1])[::-1][at]

    depth = -y[at]
    span = max(round(_SHARPNESS_SPAN_S * fs), 0)
    around = np.clip(at[:, np.newaxis] + np.arange(-span, span + 1), 0, n - 1)
    sharpness = np.abs(sharp[around]).max(axis=1)
    reach = _REACH_S * fs

    def usable(turn: NDArray[np.int64]) -> NDArray[np.bool_]:
        ok: NDArray[np.bool_] = (
            (turn > 0)
            & (turn < n - 1)
            & (np.abs(turn - at) < reach)
            & (y[turn] >= _HEIGHT_SHARE * depth)
            & (sharp[turn] >= _SHARPNESS_SHARE * sharpness)
        )
        return ok

    use_left, use_right = usable(left), usable(right)
    prefer_right = use_right & (~use_left | (sharp[right] > sharp[left]))
    chosen = np.where(prefer_right, right, left)
    take = use_left | use_right
    moved[negative[take]] = chosen[take]
    return moved
