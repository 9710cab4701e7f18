"""Ventricular flutter and fibrillation: an ECG that has become a sinusoid.

In ventricular flutter (150-300 waves a minute) and coarse ventricular fibrillation the
ECG holds no QRS complexes and no baseline between them, only a wave that repeats at
one frequency. A beat detector finds "beats" in it, one per wave, and a beat classifier
labels them whatever they resemble (MIT-BIH 207's flutter episodes: 435 of their 472
waves taken for beats and called S 215 times, N 191, V 26, F 3, and their intervals
atrial fibrillation).

:func:`vf_filter_leakage` is Kuo and Dillman's VF filter [KuoDillman1978]_ as described by Jekova
[Jekova2000]_ and compared with other detectors by Amann et al. [Amann2005]_: a window's mean period
``T = 2 pi sum|x_i| / sum|x_i - x_(i-1)|`` (samples; exact for a sinusoid), and the
share of the signal a filter that cancels that period lets through,
``sum|x_i + x_(i-T/2)| / sum(|x_i| + |x_(i-T/2)|)``: 0 for a sinusoid, which half a
period later is its own negative, near 1 for narrow QRS complexes on a flat baseline.
:func:`ventricular_flutter` takes the windows under :data:`VF_LEAKAGE_MAX` (0.406, the
threshold those comparisons use [Amann2005]_) whose mean period is one of a ventricular flutter
or fibrillation (:data:`VF_RATE_PER_MIN`, 150-600 a minute), each of whose halves is
under the threshold too and whose mean absolute value is at least
:data:`VF_MIN_MEAN_MV`, and joins them into stretches. The threshold was not chosen on
ecgkit's data; the windows (4 s, 1 s apart) and the rate limits were set before any
beat-level check, the two other conditions after the first one (MIT-BIH's second leads:
a second of large 8 Hz artefact in 209's V1 set the sums of the windows around it; 101's
V1 holds little but a small 7 Hz wave): the halves took the flutter waves found in 207's
MLII from 306 to 226 and the other beats taken from 4 (at its episodes' edges) to none,
the floor changed nothing measured (``docs/benchmarks.rst``). A tremor is a sinusoid too:
4-7 Hz of 0.5 mV over the bundled excerpts put 46 % of their time in a stretch; with the
beats a detector found there (``r_peaks``: a flutter's every wave or every other one, a
sinus rhythm's every few), 12 % (0.3 mV: 10 and 2 %; 0.8 mV: 82 and 26 %), with every
flutter wave of 207 found as before; a tremor that large still can be taken for flutter.
The detector is specific rather than sensitive: flutter whose waves change shape from
one to the next, and fine fibrillation, stay above the threshold (MIT-BIH 207, MLII: 226
of its 472 flutter waves inside a stretch, and no other beat of the 48 records).

References
----------
.. [KuoDillman1978] S. Kuo and R. Dillman, "Computer detection of ventricular fibrillation",
   Computers in Cardiology, 1978.
.. [Jekova2000] I. Jekova, "Comparison of five algorithms for the detection of ventricular
   fibrillation from the surface ECG", Physiological Measurement 21 (2000) 429-439.
.. [Amann2005] A. Amann, R. Tratnig and K. Unterkofler, "Reliability of old and new ventricular
   fibrillation detection algorithms for automated external defibrillators",
   BioMedical Engineering OnLine 4 (2005) 60.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ecgkit.signal._validation import as_indices, as_signal, check_fs
from ecgkit.signal.gaps import merge_intervals

__all__ = [
    "VF_LEAKAGE_MAX",
    "VF_MAX_WAVES_PER_BEAT",
    "VF_MIN_MEAN_MV",
    "VF_RATE_PER_MIN",
    "VF_STEP_S",
    "VF_WINDOW_S",
    "vf_filter_leakage",
    "ventricular_flutter",
]

#: A window whose VF filter leakage is under this is sinusoidal enough for ventricular
#: flutter or fibrillation (Kuo and Dillman's threshold, as in Amann et al. 2005).
VF_LEAKAGE_MAX = 0.406
#: The waves a minute (from the window's mean period) of ventricular flutter (150-300)
#: and fibrillation (up to 600); a slower sinusoid (a sinus rhythm of large T waves and
#: small QRS complexes, a baseline left after filtering) is no flutter.
VF_RATE_PER_MIN = (150.0, 600.0)
#: A window's mean absolute value (mV) is at least this (a sinusoid of 0.16 mV peak to
#: peak): a lead that holds little but a small oscillation (a tremor over QRS complexes
#: as small, as in MIT-BIH 101's V1) is no flutter.
VF_MIN_MEAN_MV = 0.05
#: With the detected beats at hand, a window's beats are at most this many of its mean
#: periods apart (median): a detector takes every wave of a flutter or every other one
#: (its refractory period), while a sinus rhythm under a tremor has beats several waves
#: apart.
VF_MAX_WAVES_PER_BEAT = 2.0
#: The window (s) the leakage is taken over, and the step (s) between windows.
VF_WINDOW_S = 4.0
VF_STEP_S = 1.0


def vf_filter_leakage(
    x: ArrayLike, fs: float, *, window_s: float = VF_WINDOW_S, step_s: float = VF_STEP_S
) -> tuple[NDArray[np.int64], NDArray[np.float64], NDArray[np.float64]]:
    """VF filter leakage and mean wave rate of each window of a single lead.

    Parameters
    ----------
    x : array_like, shape (n_samples,)
        One ECG lead (any unit: the leakage is a ratio), finite, band-passed as for beat
        detection (0.5-40 Hz, :func:`ecgkit.signal.clean`): a baseline wander's slow wave
        would set the mean period.
    fs : float
        Sampling rate in Hz.
    window_s, step_s : float
        Window length and the step between window starts, in seconds.

    Returns
    -------
    start : numpy.ndarray of int64, shape (n_windows,)
        First sample of each window ``[start, start + window)``; windows that fit inside
        ``x``, ``step_s`` apart from sample 0. Empty where ``x`` is shorter than a window.
    leakage : numpy.ndarray of float64, shape (n_windows,)
        The share of the window the VF filter lets through (module), in [0, 1]; NaN for
        a window without a change between two samples (flat) or whose mean period is a
        window long or longer.
    rate : numpy.ndarray of float64, shape (n_windows,)
        Waves a minute of the window's mean period, ``60 fs / T``; NaN for a flat window.

    Raises
    ------
    ValueError
        When ``x`` is not 1-D, is empty or holds NaN or infinite values, ``fs`` is not a
        positive rate, or the window or step is not positive.
    TypeError
        When ``x`` is not numeric, or the window or step is not a number.

    Examples
    --------
    >>> import numpy as np
    >>> from ecgkit.signal import vf_filter_leakage
    >>> t = np.arange(2500) / 250.0                      # 10 s at 250 Hz
    >>> start, leakage, rate = vf_filter_leakage(np.sin(2 * np.pi * 4.0 * t), 250.0)
    >>> start[:3].tolist(), bool(leakage.max() < 0.05), np.round(rate[0])
    ([0, 250, 500], True, np.float64(240.0))
    """
    fs = check_fs(fs)
    for name, value in (("window_s", window_s), ("step_s", step_s)):
        if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
            raise TypeError(f"{name} must be a number of seconds, got {type(value).__name__}")
        if not np.isfinite(value) or value <= 0:
            raise ValueError(f"{name} must be a positive number of seconds, got {value!r}")
    arr = as_signal(x, "x", max_ndim=1)
    return _leakage_windows(arr, fs, window_s, step_s)


def ventricular_flutter(
    x: ArrayLike, fs: float, *, r_peaks: ArrayLike | None = None
) -> NDArray[np.int64]:
    """``[start, stop)`` rows of the stretches of ``x`` in ventricular flutter or fibrillation.

    Windows of :data:`VF_WINDOW_S`, :data:`VF_STEP_S` apart, whose VF filter leakage
    (:func:`vf_filter_leakage`) is under :data:`VF_LEAKAGE_MAX` at a mean rate within
    :data:`VF_RATE_PER_MIN`, and so is each half of the window's (a sinusoid throughout
    it, not a burst of large waves within a second of ECG), whose mean absolute value is
    at least :data:`VF_MIN_MEAN_MV`, and, with ``r_peaks``, whose beats (two or more)
    are at most :data:`VF_MAX_WAVES_PER_BEAT` mean periods apart (median); joined where
    they overlap or touch.

    Parameters
    ----------
    x : array_like, shape (n_samples,)
        One ECG lead in mV, band-passed as for beat detection (:func:`ecgkit.signal.clean`).
    fs : float
        Sampling rate in Hz.
    r_peaks : array_like of int, optional
        The beats a detector found in ``x`` (samples, sorted). Each wave of a flutter is
        a ventricular activation, and a detector takes every wave or every other one;
        beats further apart are a slower rhythm under the waves (a tremor or another
        artefact over a sinus rhythm), and such a window is none. Without them a
        sinusoidal artefact of a few tenths of a mV over an ECG can be taken for flutter.

    Returns
    -------
    numpy.ndarray of int64, shape (n_stretches, 2)
        In time order, neither overlapping nor touching; empty where no window is one.

    Raises
    ------
    ValueError
        As :func:`vf_filter_leakage`, or when ``r_peaks`` is not 1-D, not sorted or
        outside ``x``.
    TypeError
        When ``r_peaks`` are not integers.
    """
    fs = check_fs(fs)
    arr = np.asarray(as_signal(x, "x", max_ndim=1), dtype=np.float64)
    beats = None if r_peaks is None else _checked_peaks(r_peaks, arr.size)
    sums = _CumulativeSums.of(arr)
    start, width = _window_starts(arr.size, fs, VF_WINDOW_S, VF_STEP_S)
    if start.size == 0:
        return np.zeros((0, 2), dtype=np.int64)
    leakage, period, mean_mv = sums.leakage_at(start, width)
    rate = 60.0 * fs / period
    slowest, fastest = VF_RATE_PER_MIN
    # each half of a window a sinusoid too: a burst of large waves within a second of a
    # window of ECG sets the whole window's sums (an artefact in MIT-BIH 209's V1)
    half = width // 2
    halves = np.column_stack(
        [sums.leakage_at(start, half)[0], sums.leakage_at(start + half, half)[0]]
    )
    # mean_mv, the mean absolute value (mV) of each window: enough signal to be a rhythm
    with np.errstate(invalid="ignore"):
        chosen = (
            (leakage < VF_LEAKAGE_MAX)
            & (rate >= slowest)
            & (rate <= fastest)
            & (halves < VF_LEAKAGE_MAX).all(axis=1)
            & (mean_mv >= VF_MIN_MEAN_MV)
        )
    if beats is not None:
        for k in np.flatnonzero(chosen):
            inside = beats[
                np.searchsorted(beats, start[k]) : np.searchsorted(beats, start[k] + width)
            ]
            if inside.size >= 2 and np.median(np.diff(inside)) > VF_MAX_WAVES_PER_BEAT * period[k]:
                chosen[k] = False
    rows = np.stack([start[chosen], start[chosen] + width], axis=1)
    return merge_intervals(rows.reshape(-1, 2).astype(np.int64))


def _checked_peaks(r_peaks: ArrayLike, n_samples: int) -> NDArray[np.int64]:
    """``r_peaks`` as sorted int64 samples inside ``[0, n_samples)``, or an error naming them."""
    peaks = as_indices(r_peaks, "r_peaks", n_samples)
    if np.any(np.diff(peaks) < 0):
        raise ValueError("r_peaks must be sorted")
    return peaks


def _leakage_windows(
    arr: NDArray[np.floating[Any]], fs: float, window_s: float, step_s: float
) -> tuple[NDArray[np.int64], NDArray[np.float64], NDArray[np.float64]]:
    """:func:`vf_filter_leakage` of a checked 1-D ``arr``."""
    x = np.asarray(arr, dtype=np.float64)
    start, width = _window_starts(x.size, fs, window_s, step_s)
    if start.size == 0:
        empty = np.zeros(0)
        return start, empty, empty.copy()
    leakage, period, _ = _CumulativeSums.of(x).leakage_at(start, width)
    return start, leakage, 60.0 * fs / period


def _window_starts(
    n_samples: int, fs: float, window_s: float, step_s: float
) -> tuple[NDArray[np.int64], int]:
    """First samples of the windows ``step_s`` apart that fit in ``n_samples``, and their width."""
    width, step = max(round(window_s * fs), 2), max(round(step_s * fs), 1)
    if n_samples < width:
        return np.zeros(0, dtype=np.int64), width
    return np.arange(0, n_samples - width + 1, step, dtype=np.int64), width


@dataclass(frozen=True)
class _CumulativeSums:
    """A signal with its running sums of ``|x_i|`` and ``|x_i - x_(i-1)|``, taken once."""

    x: NDArray[np.float64]
    magnitude: NDArray[np.float64]  # magnitude[i]: sum of |x| over x[:i]
    change: NDArray[np.float64]  # change[i]: sum of |x_j - x_(j-1)| for 1 <= j < i

    @classmethod
    def of(cls, x: NDArray[np.float64]) -> _CumulativeSums:
        return cls(
            x=x,
            magnitude=np.concatenate(([0.0], np.cumsum(np.abs(x)))),
            change=np.concatenate(([0.0, 0.0], np.cumsum(np.abs(np.diff(x))))),
        )

    def leakage_at(
        self, start: NDArray[np.int64], width: int
    ) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
        """Leakage, mean period (samples; NaN where flat) and mean ``|x|`` of each window.

        The windows are ``[start, start + width)``; each one's first difference is its own.
        """
        total = self.magnitude[start + width] - self.magnitude[start]
        moved = self.change[start + width] - self.change[start + 1]
        with np.errstate(divide="ignore", invalid="ignore"):
            period = np.where(moved > 0, 2.0 * np.pi * total / moved, np.nan)
        leakage = np.full(start.size, np.nan)
        for k in np.flatnonzero(np.isfinite(period)):
            half = round(float(period[k]) / 2.0)
            if not 1 <= half < width:
                continue
            window = self.x[start[k] : start[k] + width]
            now, before = window[half:], window[:-half]
            leakage[k] = np.abs(now + before).sum() / (np.abs(now).sum() + np.abs(before).sum())
        return leakage, period, total / width
