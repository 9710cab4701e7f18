"""The R-peak detector's test for beats that are the band-pass filter ringing.

A transient elsewhere (a baseline step, an edge, a spike) makes the QRS band-pass ring,
and its lobes can pass for beats; a beat whose feature the ECG within 150 ms of it does
not explain is such ringing (:func:`ringing`).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from ecgkit.signal._feature import INTEGRATION_S, LeadWeights, qrs_band, qrs_slope_energy

__all__ = ["largest_around", "ringing"]

# a beat must owe this share of its feature to the ECG within +-150 ms of it (band-passed
# alone); otherwise it is the band-pass filter ringing after a transient elsewhere. The
# beats of MIT-BIH keep 0.65 or more, ringing 0.05 or less
_RINGING_WINDOW_S = 0.15
_RINGING_SHARE = 0.2
# the filter's ringing is below 1e-3 of its source's feature beyond 200 ms and below 1e-6
# beyond 1 s: only a beat with a feature this many times its own within 1 s can be ringing
_RINGING_SOURCE = 10.0
_RINGING_REACH_S = 1.0
# the cut is padded with this much of nothing on each side, so that the filter settles
_RINGING_PAD_S = 0.5
# beats tested at once are capped so that their cuts take about 32 MB
_RINGING_BATCH_VALUES = 2**22


def ringing(
    leads: NDArray[np.float64],
    feature: NDArray[np.float64],
    lead_weights: LeadWeights,
    beats: NDArray[np.int64],
    fs: float,
) -> NDArray[np.bool_]:
    """True for each beat whose feature the ECG within ±150 ms of it does not explain.

    Around each beat every lead is cut to ±``_RINGING_WINDOW_S``, the straight line through
    the cut's ends is taken off, and the rest is band-passed alone; the beat's feature from
    those cuts (each lead weighted as in the feature, ``lead_weights``) is its local share
    of ``feature``. A QRS keeps most of its feature; the ringing of the band-pass filter
    around a step, an edge or a spike elsewhere keeps almost none, because nothing moves
    within the cut. Only beats near a feature ``_RINGING_SOURCE`` times their own (ringing
    is weaker than a thousandth of its source) or near the signal's ends are tested.
    """
    reach = round(_RINGING_REACH_S * fs)
    n_leads, n = leads.shape
    # the filter rings at the signal's ends too, where its padding meets a sloping baseline
    ends = (beats < reach) | (beats >= n - reach)
    nearby = largest_around(feature, beats, reach)
    suspect = np.flatnonzero(ends | (nearby > _RINGING_SOURCE * feature[beats]))
    flagged = np.zeros(beats.size, dtype=bool)
    if suspect.size == 0:
        return flagged
    half = round(_RINGING_WINDOW_S * fs)
    pad = round(_RINGING_PAD_S * fs)
    width = max(round(INTEGRATION_S * fs), 1)
    offsets = np.arange(-half, half + 1)
    batch = max(_RINGING_BATCH_VALUES // (n_leads * (offsets.size + 2 * pad)), 1)
    for start in range(0, suspect.size, batch):
        tested = suspect[start : start + batch]
        at = beats[tested, np.newaxis]
        where = at + offsets
        first, last = np.maximum(at - half, 0), np.minimum(at + half, n - 1)
        # the straight line through the cut's ends (at the signal's, if sooner) is the
        # baseline carried on beyond it, so that wander and offset add no edge to the cut
        along = (where - first) / np.maximum(last - first, 1)
        windows = leads[:, np.clip(where, 0, n - 1)]
        chord = leads[:, first] + along * (leads[:, last] - leads[:, first])
        inside = (where >= 0) & (where < n)
        held = np.pad(np.where(inside, windows - chord, 0.0), ((0, 0), (0, 0), (pad, pad)))
        band = qrs_band(held, fs)[..., pad : pad + offsets.size]
        energy = qrs_slope_energy(band, width)[..., half]
        local = (lead_weights.at(at[:, 0]) * energy).sum(axis=0)
        flagged[tested] = local < _RINGING_SHARE * feature[at[:, 0]]
    return flagged


def largest_around(
    x: NDArray[np.float64], at: NDArray[np.int64], reach: int
) -> NDArray[np.float64]:
    """The largest of ``x`` within ``reach`` samples of each of ``at`` (inside ``x``).

    What ``maximum_filter1d(x, 2 * reach + 1, mode="nearest")[at]`` gives, without
    filtering all of ``x`` for a few thousand samples.
    """
    first = np.maximum(at - reach, 0)
    last = np.minimum(at + reach, x.size - 1)
    bounds = np.stack([first, last], axis=-1).ravel()
    # reduceat takes the largest of x[first:last] (x[first] where first == last) ...
    largest = np.maximum.reduceat(x, bounds)[::2] if at.size else np.zeros(0)
    # ... and x[last] closes the window
    return np.asarray(np.maximum(largest, x[last]), dtype=np.float64)
