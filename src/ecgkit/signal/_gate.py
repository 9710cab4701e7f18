"""The R-peak detector's noise gate: the least height of a beat, from the local noise floor.

In broadband muscle or motion noise the feature's floor rises with the noise, and a beat
must stand well above it; where the band-passed ECG repeats itself at 150-450 ms (the
waves of ventricular flutter, which fill the floor as noise does) there is no gate.
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view
from numpy.typing import NDArray
from scipy import fft as sp_fft
from scipy import ndimage

from ecgkit.signal._median import sorted_median

__all__ = ["FLOOR_MIN", "floor_blocks", "noise_floor", "noise_gate"]

#: The least noise floor, in units of the feature (a typical QRS peaks near 1): a floor
#: below it is noise-free.
FLOOR_MIN = 1e-3
# a beat must stand this many times above the local floor of the QRS feature (its median
# over about 2.5 s): in broadband muscle or motion noise the floor rises with the noise ...
_FLOOR_RATIO = 2.5
# ... (search-back may take one of half that height exactly where the rhythm expects it:
# see ecgkit.signal._threshold) ...
# ... except where the band-passed ECG repeats itself with a period of 150-450 ms (an
# autocorrelation peak above 0.4 in this block or the next), as in ventricular flutter,
# whose waves fill the floor as noise does
_PERIODIC_RATE_HZ = 50.0
_PERIODIC_LAGS_S = (0.15, 0.45)
_PERIODIC_CORRELATION = 0.4
_PERIODIC_BLOCK_S = 2.5
_PERIODIC_SPREAD = 1


def floor_blocks(feature: NDArray[np.float64], fs: float) -> tuple[NDArray[np.float64], int]:
    """:func:`noise_floor` once per block: shape ``(n_leads, n_blocks)``, and the block."""
    n_leads, n = feature.shape
    block = max(round(0.5 * fs), 1)
    n_blocks = -(-n // block)
    # each block is sorted in float32, which numpy's SIMD sort orders about twice as fast
    # as float64 (the sort was a third of the noise gate's time): rounding keeps the
    # order, so each median is the float64 one to 6e-8 (the middle two averaged in
    # float64), and the feature (a typical QRS near 1, at least 1e-6 of the largest) fits
    # float32's range
    # the last block is filled up with the last value (edge padding), written in place
    blocks = np.empty((n_leads, n_blocks * block), dtype=np.float32)
    blocks[:, :n] = feature
    blocks[:, n:] = blocks[:, n - 1 : n]
    blocks = blocks.reshape(n_leads, n_blocks, block)
    blocks.sort(axis=-1)
    smooth = ndimage.median_filter(sorted_median(blocks, block), size=(1, 5), mode="nearest")
    # feature is scaled so that a typical QRS peaks near 1: floors below 1e-3 are noise-free
    return np.maximum(smooth, FLOOR_MIN), block


def noise_floor(feature: NDArray[np.float64], fs: float) -> NDArray[np.float64]:
    """Slowly varying floor of each lead's feature: the median over about 2.5 s.

    Between beats a clean lead's slope energy is near zero and a noisy lead's is not, so
    weighting leads by the inverse floor lets the cleanest lead lead wherever it is.
    """
    floor, block = floor_blocks(feature, fs)
    return np.asarray(np.repeat(floor, block, axis=-1)[:, : feature.shape[-1]], dtype=np.float64)


def _periodicity(
    filtered: NDArray[np.float64], fs: float, at: NDArray[np.int64]
) -> NDArray[np.float64]:
    """Periodicity of band-passed leads at the samples ``at``, between 0 and 1.

    The score of each 2.5 s block is the largest normalised autocorrelation at lags of
    150-450 ms over the 5 s around it, the largest over the leads and over the block and
    its neighbours. The leads are taken at about 50 Hz (the QRS band is below 25 Hz).

    Ventricular flutter and fast regular rhythms score about 0.4-0.9; sinus rhythm, muscle
    noise and electrode motion score below about 0.3, because beats 150-450 ms apart do
    not repeat there.
    """
    step = max(int(fs // _PERIODIC_RATE_HZ), 1)
    coarse = filtered[:, ::step]
    rate = fs / step
    block = max(round(_PERIODIC_BLOCK_S * rate), 1)
    lag_lo, lag_hi = round(_PERIODIC_LAGS_S[0] * rate), round(_PERIODIC_LAGS_S[1] * rate)
    m = coarse.shape[-1]
    if m < 2 * lag_hi + 1:
        return np.zeros(at.size, dtype=np.float64)
    n_blocks = -(-m // block)
    half = block // 2
    padded = np.pad(coarse, ((0, 0), (half, n_blocks * block - m + block)), mode="reflect")
    windows = sliding_window_view(padded, 2 * block, axis=-1)[:, ::block][:, :n_blocks]
    centred = windows - windows.mean(axis=-1, keepdims=True)
    size = sp_fft.next_fast_len(2 * block + lag_hi, real=True)
    spectrum = sp_fft.rfft(centred, n=size, axis=-1)
    correlation = sp_fft.irfft(spectrum.real**2 + spectrum.imag**2, n=size, axis=-1)
    energy = np.maximum(correlation[..., :1], np.finfo(np.float64).tiny)
    score = (correlation[..., lag_lo : lag_hi + 1] / energy).max(axis=-1).max(axis=0)
    score = ndimage.maximum_filter1d(score, size=2 * _PERIODIC_SPREAD + 1, mode="nearest")
    # each block's score holds for its samples; the last block's beyond it
    return np.asarray(score[np.minimum(at // (block * step), score.size - 1)], dtype=np.float64)


def noise_gate(
    feature: NDArray[np.float64],
    filtered: NDArray[np.float64],
    fs: float,
    at: NDArray[np.int64],
) -> NDArray[np.float64]:
    """The least height of a beat at the samples ``at``, in units of the feature.

    ``_FLOOR_RATIO`` times the local floor of the feature, and 0 where the band-passed
    leads ``filtered`` are periodic (flutter).
    """
    floor, block = floor_blocks(feature[np.newaxis], fs)
    periodic = _periodicity(filtered, fs, at) > _PERIODIC_CORRELATION
    return np.where(periodic, 0.0, _FLOOR_RATIO * floor[0, at // block])
