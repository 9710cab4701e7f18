"""Whether the beats found in a recording are heartbeats: each one's likeness to its neighbours.

A detector finds "beats" in anything: in broadband noise (muscle, a lead whose electrode
came off and picks up noise, a channel that is not an ECG), it reports the largest
bumps, and a classifier labels them with confidence. What tells an ECG from noise is
that its beats repeat: every beat has others of the same shape near it (ectopic beats
as well, and where a beat is unique, most of its neighbours are not). Template matching
over short windows is the usual signal-quality index for that (Orphanidou et al. 2015,
IEEE J Biomed Health Inform 19(3):832-838: the mean correlation of a 10-s window's
beats with their average beat, 0.66 or more for an acceptable window). Here each beat
is compared with each of its neighbours, not with one average, so that two or more
morphologies (bigeminy, a paced and a native rhythm) repeat as well as one, and the
windows' typical value is taken over the beats around each beat.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ecgkit.signal._validation import check_count, check_real

__all__ = [
    "REPEAT_MIN",
    "REPEAT_NEIGHBOURS",
    "REPEAT_RELIABLE",
    "beat_repeatability",
    "noisy_beats",
    "running_median",
    "typical_repeatability",
]

#: The typical repeatability (:func:`running_median` of :func:`beat_repeatability`) under
#: which a lead's beats are taken for noise. Each lead detected alone at 360 Hz, 0.25 +
#: 0.45 s windows of the 0.5-40 Hz band (as ``ecgkit annotate`` takes a lead): the lowest
#: value over every beat of MIT-BIH's 48 records is 0.48 in the first lead (207) and 0.42
#: in the second (106, V1), over every lead of LUDB's 200 records 0.61; the "beats" found
#: in white noise have a median of 0.29-0.30, in bursts of muscle-like noise 0.32-0.33, in
#: pink (1/f) noise 0.40-0.42 (benchmarks/bench_quality.py). Slow or periodic signals that
#: are not an ECG (brown noise, electrode motion, mains hum, a sine) repeat and are not
#: told apart this way.
REPEAT_MIN = 0.4
#: The typical repeatability under which a beat's label is less reliable, though the beat
#: is kept. In the MIT-BIH Noise Stress Test's design (records 118 and 119; baseline,
#: muscle, electrode-motion, powerline and mixed noise at 24 to -6 dB), the shipped model's
#: labels of the kept beats inside the noise agreed with its labels of the clean records
#: for 45-76 % of the beats between :data:`REPEAT_MIN` and 0.8, 80-86 % at 0.8-0.9, 89 % at
#: 0.9-0.95 and 97.5 % from 0.95 (benchmarks/bench_quality.py). Clean recordings have few
#: beats under it: 0.36 % of the first lead of MIT-BIH's 48 records, 0.3 % of LUDB's
#: leads, 4.3 % of MIT-BIH's second lead (V1, V2, V4, V5, less alike from beat to beat).
REPEAT_RELIABLE = 0.8
#: How many beats on each side a beat is compared with, and the typical value taken over.
REPEAT_NEIGHBOURS = 8
# beats whose windows are converted to float64 at a time
_BLOCK_BEATS = 4096


def beat_repeatability(
    windows: ArrayLike, *, neighbours: int = REPEAT_NEIGHBOURS
) -> NDArray[np.float64]:
    """Each beat's largest correlation with any of its neighbours, lead by lead.

    Parameters
    ----------
    windows : array_like, shape (n_beats, n_samples) or (n_beats, n_leads, n_samples)
        One window per beat in time order, aligned on the R peak (for example
        :func:`ecgkit.signal.segment_beats`' windows of a cleaned signal), any unit.
    neighbours : int
        Beats on each side compared with each beat.

    Returns
    -------
    numpy.ndarray of float64, shape (n_beats,) or (n_beats, n_leads)
        The largest Pearson correlation (in [-1, 1]) between a beat's window and the
        windows of the ``neighbours`` beats before and after it, per lead. A window that is
        constant correlates 0 with everything; a recording of one beat has no neighbour:
        NaN. Invariant to each window's gain and offset, and to the sign of a lead.
    """
    data = np.asarray(windows)
    if data.ndim not in (2, 3):
        raise ValueError(
            "windows must be (n_beats, n_samples) or (n_beats, n_leads, n_samples), got "
            f"shape {data.shape}"
        )
    if data.shape[-1] < 2:
        raise ValueError(f"windows must hold at least 2 samples each, got {data.shape[-1]}")
    reach = check_count(neighbours, "neighbours", minimum=1)
    n_beats = data.shape[0]
    best = np.full(data.shape[:-1], np.nan)
    # blocks of beats, each with its neighbours on both sides: a day-long recording's
    # windows are never all copied to float64 at once
    for lo in range(0, n_beats, _BLOCK_BEATS):
        hi = min(lo + _BLOCK_BEATS, n_beats)
        first, last = max(lo - reach, 0), min(hi + reach, n_beats)
        local = _best_neighbour(_unit_windows(data[first:last]), reach)
        best[lo:hi] = local[lo - first : hi - first]
    return best


def _unit_windows(windows: NDArray[Any]) -> NDArray[np.float64]:
    """Each window minus its mean, over its norm (zeros for a constant window)."""
    data = np.asarray(windows, dtype=np.float64)
    if not np.isfinite(data).all():
        raise ValueError("windows must be finite (no NaN or infinite samples)")
    centred = data - data.mean(axis=-1, keepdims=True)
    norm = np.sqrt(np.einsum("...i,...i->...", centred, centred))
    # a constant window has no shape to match: unit vectors of zeros correlate 0
    unit: NDArray[np.float64] = centred / np.where(norm > 0, norm, 1.0)[..., np.newaxis]
    return unit


def _best_neighbour(unit: NDArray[np.float64], reach: int) -> NDArray[np.float64]:
    """The largest correlation of each unit window with those up to ``reach`` beats away."""
    n_beats = unit.shape[0]
    best = np.full(unit.shape[:-1], -np.inf)
    for lag in range(1, min(reach, n_beats - 1) + 1):
        corr = np.einsum("...i,...i->...", unit[:-lag], unit[lag:])
        np.maximum(best[:-lag], corr, out=best[:-lag])
        np.maximum(best[lag:], corr, out=best[lag:])
    best[np.isneginf(best)] = np.nan
    # rounding can carry a correlation of identical windows just past 1
    clipped: NDArray[np.float64] = np.clip(best, -1.0, 1.0)
    return clipped


def running_median(
    values: ArrayLike, *, neighbours: int = REPEAT_NEIGHBOURS
) -> NDArray[np.float64]:
    """The median of each value and of the ``neighbours`` values on each side of it.

    Parameters
    ----------
    values : array_like, shape (n,) or (n, n_columns)
        Values in order along the first axis (NaN where missing: left out).
    neighbours : int
        Values on each side; near the ends, the ones there are.

    Returns
    -------
    numpy.ndarray of float64, same shape as ``values``
        NaN only where every value in reach is NaN.
    """
    data = np.asarray(values, dtype=np.float64)
    if data.ndim not in (1, 2):
        raise ValueError(f"values must be 1-D or 2-D, got shape {data.shape}")
    reach = check_count(neighbours, "neighbours", minimum=0)
    if data.shape[0] == 0:
        return data.copy()
    pad = [(reach, reach)] + [(0, 0)] * (data.ndim - 1)
    padded = np.pad(data, pad, constant_values=np.nan)
    windows = np.lib.stride_tricks.sliding_window_view(padded, 2 * reach + 1, axis=0)
    out = np.full(data.shape, np.nan)
    some = ~np.isnan(windows).all(axis=-1)
    out[some] = np.nanmedian(windows[some], axis=-1)
    return out


def typical_repeatability(
    windows: ArrayLike, *, neighbours: int = REPEAT_NEIGHBOURS
) -> NDArray[np.float64]:
    """How well the beats around each beat repeat: the lowest of its leads' typical values.

    Parameters
    ----------
    windows : array_like, shape (n_beats, n_samples) or (n_beats, n_leads, n_samples)
        One window per beat in time order, aligned on the R peak, as for
        :func:`noisy_beats`.
    neighbours : int
        Beats on each side, for the correlation and for the median.

    Returns
    -------
    numpy.ndarray of float64, shape (n_beats,)
        Per lead, the median of :func:`beat_repeatability` over the beat and its
        ``neighbours`` beats on each side (:func:`running_median`); the lowest over the
        leads. In [-1, 1]: near 1 where the beats around repeat (a clean ECG), under
        :data:`REPEAT_MIN` in broadband noise (:func:`noisy_beats`), in between where
        noise distorts the beats (labels less reliable under :data:`REPEAT_RELIABLE`).
        NaN for every beat of a recording of fewer than two beats. Invariant to each
        window's gain and offset and to the sign of a lead.
    """
    typical = running_median(
        beat_repeatability(windows, neighbours=neighbours), neighbours=neighbours
    )
    if typical.ndim == 1:
        return typical
    lowest = np.full(typical.shape[0], np.nan)
    some = ~np.isnan(typical).all(axis=1)
    lowest[some] = np.nanmin(typical[some], axis=1)
    return lowest


def noisy_beats(
    windows: ArrayLike,
    *,
    threshold: float = REPEAT_MIN,
    neighbours: int = REPEAT_NEIGHBOURS,
) -> NDArray[np.bool_]:
    """The beats around which some lead does not repeat from beat to beat: noise, not an ECG.

    Parameters
    ----------
    windows : array_like, shape (n_beats, n_samples) or (n_beats, n_leads, n_samples)
        One window per beat in time order, aligned on the R peak, of a signal band-passed
        as for beat classification (:func:`ecgkit.signal.clean`: 0.5-40 Hz); the
        threshold was set on 0.25 s before and 0.45 s after the peak.
    threshold : float
        A beat is noise where, in any lead, the median of :func:`beat_repeatability`
        over it and its ``neighbours`` beats on each side is under this.
    neighbours : int
        Beats on each side, for the correlation and for the median.

    Returns
    -------
    numpy.ndarray of bool, shape (n_beats,)
        False for every beat of a recording of fewer than two beats (nothing to compare).
    """
    limit = check_real(threshold, "threshold")
    return np.asarray(typical_repeatability(windows, neighbours=neighbours) < limit)
