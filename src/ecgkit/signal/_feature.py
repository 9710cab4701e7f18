"""The R-peak detector's QRS feature: leads band-passed, their slope energy, levelled.

Each lead is scaled by its largest magnitude, band-passed to 3-25 Hz, differentiated,
squared and integrated over 120 ms; a single lead is divided by its QRS level over the 5
minutes around each moment, several leads by one level each and weighted by their noise
floors. The feature peaks once per QRS complex, a typical one near 1.
"""

from __future__ import annotations

import dataclasses
import functools

import numpy as np
from numpy.typing import NDArray
from scipy import ndimage

from ecgkit.signal._compiled import compiled, filtfilt_pairs
from ecgkit.signal._compiled import slope_energy as compiled_slope_energy
from ecgkit.signal._gate import noise_floor
from ecgkit.signal._median import window_medians
from ecgkit.signal._r_wave import refine_sos
from ecgkit.signal._validation import FloatArray, check_axis
from ecgkit.signal.filters import apply_sos, butter_sos

__all__ = [
    "BAND_HZ",
    "INTEGRATION_S",
    "NYQUIST_SHARE",
    "LeadWeights",
    "detection_bands",
    "flat_leads",
    "leads_first",
    "qrs_band",
    "qrs_feature",
    "qrs_slope_energy",
    "qrs_sos",
]

# the QRS band (Hz), ending at NYQUIST_SHARE of fs where 25 Hz is above it, and the
# integration window of the slope energy (s)
BAND_HZ = (3.0, 25.0)
INTEGRATION_S = 0.12
NYQUIST_SHARE = 0.45
# a single lead's QRS level is the median of the 2-s block maxima over +-75 blocks (5 min)
_LEVEL_HALF_BLOCKS = 75
# QRS-band energy below this share of a lead's magnitude is rounding error, not signal
_FLAT_RELATIVE = 1e-9
# a lead's typical QRS level is at least this share of its largest 2-s block maximum (in
# slope energy; 1e-3 in amplitude, below any QRS next to any artefact a recorder passes):
# where most blocks hold less (a flat line, rounding noise, slow wander), they hold no QRS
_QRS_FREE_RELATIVE = 1e-6


def leads_first(arr: FloatArray, axis: int) -> NDArray[np.float64]:
    """A ``[n_leads, n_samples]`` float64 copy, each lead divided by its largest magnitude.

    The detector is invariant to gain; scaling first keeps it so at gains where the squared
    slope would overflow (1e200) or underflow (1e-200) in float64.
    """
    ax = check_axis(axis, arr.ndim)
    moved = np.atleast_2d(np.moveaxis(arr, ax, -1))
    # the largest magnitude without a full-length array of magnitudes
    top, bottom = moved.max(axis=-1, keepdims=True), moved.min(axis=-1, keepdims=True)
    scale = np.maximum(top, -bottom).astype(np.float64)
    return np.divide(moved, np.where(scale > 0, scale, 1.0), dtype=np.float64)


def flat_leads(band: NDArray[np.float64]) -> NDArray[np.bool_]:
    """True for each lead with no energy in the QRS band beyond floating-point rounding.

    ``band`` is :func:`qrs_band` of leads scaled by :func:`leads_first`, whose largest
    magnitude is exactly 1 (0 for an all-zero lead), so the test is relative to each
    lead's own magnitude and keeps the detector's invariance to gain and offset: a
    constant (any value) or all-zero lead is flat, any ECG is not.
    """
    return np.asarray(np.ptp(band, axis=-1) <= _FLAT_RELATIVE, dtype=bool)


def qrs_band(leads: NDArray[np.float64], fs: float) -> NDArray[np.float64]:
    """Each lead band-passed (zero-phase) to the QRS band, 3-25 Hz."""
    # sosfilt takes only writable sections: each call gets its own copy of the design
    sos = qrs_sos(fs).copy()
    return np.asarray(apply_sos(leads, sos, axis=-1), dtype=np.float64)


def detection_bands(
    leads: NDArray[np.float64], fs: float, reference: int | None
) -> tuple[NDArray[np.float64], NDArray[np.float64] | None]:
    """:func:`qrs_band` of ``leads``, and the placement band of lead ``reference``.

    The same values as the filters run apart (None for the second where ``reference`` is
    None); with numba they run two at a time (see :mod:`ecgkit.signal._compiled`), which
    halves the detector's filtering time.
    """
    band_sos = qrs_sos(fs).copy()
    jobs = [(band_sos, lead) for lead in leads]
    if reference is not None:
        jobs.append((refine_sos(fs).copy(), leads[reference]))
    filtered = filtfilt_pairs(jobs)
    # one lead is a view, not a copy
    band = filtered[0][np.newaxis] if leads.shape[0] == 1 else np.stack(filtered[: leads.shape[0]])
    return band, (filtered[-1] if reference is not None else None)


@functools.lru_cache(maxsize=16)
def qrs_sos(fs: float) -> FloatArray:
    """The QRS band's filter at ``fs``, designed once per rate.

    Designing it takes longer than filtering a 10 s record.
    """
    return butter_sos(fs, low_hz=BAND_HZ[0], high_hz=min(BAND_HZ[1], NYQUIST_SHARE * fs))


@dataclasses.dataclass(frozen=True)
class LeadWeights:
    """Each lead's share of the feature per unit of its slope energy, block by block.

    ``per_block`` has shape ``(n_leads, n_blocks)``; block ``k`` holds for samples
    ``k * block`` to ``(k + 1) * block - 1``, the last block also for the samples after it.
    """

    per_block: NDArray[np.float64]
    block: int

    def at(self, positions: NDArray[np.int64]) -> NDArray[np.float64]:
        """The weights at the samples ``positions``, shape ``(n_leads, positions.size)``."""
        last = self.per_block.shape[-1] - 1
        return self.per_block[:, np.minimum(positions // self.block, last)]


def qrs_feature(
    filtered: NDArray[np.float64], fs: float
) -> tuple[NDArray[np.float64], LeadWeights]:
    """A non-negative signal that peaks once per QRS complex: the slope energy over 120 ms.

    Each band-passed lead is differentiated and squared, integrated over a centred 120 ms
    window, and scaled by its typical QRS level so that leads of different gain count
    alike; the leads are then averaged.

    Returns the feature, shape ``(n,)``, and each lead's share of it per unit of its slope
    energy (block by block): the feature is the sum over leads of share times energy.
    """
    width = max(round(INTEGRATION_S * fs), 1)
    energy = qrs_slope_energy(filtered, width)
    block = max(round(2.0 * fs), 1)
    n_blocks = max(energy.shape[-1] // block, 1)
    trimmed = energy[:, : n_blocks * block] if energy.shape[-1] >= block else energy
    block_max = trimmed.reshape(energy.shape[0], n_blocks, -1).max(axis=-1)
    # the blocks' maxima with the samples after the last whole block counted in it
    largest = block_max.copy()
    if trimmed.shape[-1] < energy.shape[-1]:
        tail = energy[:, trimmed.shape[-1] :].max(axis=-1)
        largest[:, -1] = np.maximum(largest[:, -1], tail)
    if energy.shape[0] == 1:
        # one lead: its level is the median over the 5 minutes around each block, so a
        # change of gain inside a recording (a lead moved, a second patient) is followed
        level = _local_level(block_max[0], largest[0])
        # each block's level holds for its samples, the last block's for those after it too
        whole = block * (n_blocks - 1)
        # in place: the energy is this function's own, and a signal-long buffer less
        feature = energy[0]
        np.divide(
            feature[:whole].reshape(n_blocks - 1, block),
            level[:-1, np.newaxis],
            out=feature[:whole].reshape(n_blocks - 1, block),
        )
        np.divide(feature[whole:], level[-1], out=feature[whole:])
        return feature, LeadWeights((1.0 / level)[np.newaxis], block)
    # several leads keep one level each: local levels degrade the fusion on MIT-BIH
    # (Se 99.16 -> 98.42 % with both leads), for reasons the multi-lead work will find
    typical = np.median(block_max, axis=-1, keepdims=True)
    least = _QRS_FREE_RELATIVE * largest.max(axis=-1, keepdims=True)
    level = np.maximum(typical, least)
    level = np.where(level > 0, level, 1.0)
    normalised = energy / level
    weights = 1.0 / noise_floor(normalised, fs)
    # a lead whose blocks mostly hold no QRS (a lead off with one transient) would weigh
    # the most, its floor being the lowest: it is left out while another lead holds QRS
    qrs_free = typical[:, 0] < least[:, 0]
    if not qrs_free.all():
        weights[qrs_free] = 0.0
    total = weights.sum(axis=0)
    feature = (weights * normalised).sum(axis=0) / total
    return np.asarray(feature, dtype=np.float64), LeadWeights(weights / (level * total), 1)


def qrs_slope_energy(filtered: NDArray[np.float64], width: int) -> NDArray[np.float64]:
    """Squared slope of each band-passed lead, averaged over a centred ``width`` samples."""
    if compiled():
        return compiled_slope_energy(filtered, width)
    slope = np.gradient(filtered, axis=-1)
    squared = np.multiply(slope, slope, out=slope)
    energy = ndimage.uniform_filter1d(squared, size=width, axis=-1, mode="nearest")
    # uniform_filter1d's running sum can dip a hair below zero; energy cannot
    return np.asarray(np.maximum(energy, 0.0, out=energy), dtype=np.float64)


def _local_level(
    block_max: NDArray[np.float64], largest: NDArray[np.float64]
) -> NDArray[np.float64]:
    """Each block's typical QRS level: the median of the 2-s block maxima around it.

    The window spans ``2 * _LEVEL_HALF_BLOCKS + 1`` blocks (5 minutes), truncated at the
    ends of the signal; a signal no longer than the window gets one level, the median over
    the whole signal. The level is at least ``_QRS_FREE_RELATIVE`` times the largest of
    ``largest`` (the block maxima, the samples after the last whole block included) in the
    window. Shape ``(n_blocks,)``, every value > 0.
    """
    size = 2 * _LEVEL_HALF_BLOCKS + 1
    if block_max.size <= size:
        level = np.full(block_max.size, np.median(block_max))
        top = np.full(block_max.size, largest.max())
    else:
        level = window_medians(block_max, _LEVEL_HALF_BLOCKS)
        top = ndimage.maximum_filter1d(largest, size=size, mode="nearest")
    level = np.maximum(level, _QRS_FREE_RELATIVE * top)
    return np.asarray(np.where(level > 0, level, 1.0), dtype=np.float64)
