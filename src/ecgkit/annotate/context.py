"""The recording-level context of a beat, taken over blocks as long as a training record.

Two of a beat model's inputs are measured against the whole recording: the template beat
(the median of its least premature beats) that each window is compared with, and the mean
RR interval that ``pre_rr_ratio`` and ``post_rr_ratio`` divide by. The models learned them
from 30-minute records. Over a day-long recording, the mean rate mixes sleep and exercise
(a beat of a fast hour then looks premature) and the median beat mixes postures,
electrode positions or, in a file that joins several recordings, patients (a beat unlike
that blend looks ventricular). So a recording of at least twice :data:`CONTEXT_S` is cut
into equal blocks of 30-60 minutes, and each block is the context of its beats, as each
30-minute record was in training; a shorter recording is one block, as before.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from ecgkit.signal import RR_FEATURES

__all__ = ["CONTEXT_S", "block_rr_features", "context_blocks"]

#: Shortest block of a recording whose beats share one context, in seconds: the length of
#: the MIT-BIH records the shipped models were trained on.
CONTEXT_S = 1800.0

_PRE, _POST, _MEAN, _PRE_RATIO, _POST_RATIO = (
    RR_FEATURES.index(name)
    for name in ("pre_rr_s", "post_rr_s", "mean_rr_s", "pre_rr_ratio", "post_rr_ratio")
)


def context_blocks(
    r_seconds: NDArray[np.float64], duration_s: float, context_s: float = CONTEXT_S
) -> NDArray[np.int64]:
    """The context block of each beat.

    Parameters
    ----------
    r_seconds : numpy.ndarray of float64, shape (n_beats,)
        R positions in seconds from the recording's start.
    duration_s : float
        The recording's length in seconds.
    context_s : float
        Shortest block, in seconds.

    Returns
    -------
    numpy.ndarray of int64, shape (n_beats,)
        0 for every beat of a recording shorter than ``2 * context_s``; otherwise the
        index of the block (``duration_s // context_s`` equal blocks, each at least
        ``context_s`` and under ``2 * context_s`` long) that holds the beat.
    """
    n_blocks = max(1, int(duration_s // context_s))
    if n_blocks == 1 or r_seconds.size == 0:
        return np.zeros(r_seconds.shape, dtype=np.int64)
    block = np.floor(r_seconds / duration_s * n_blocks).astype(np.int64)
    return np.clip(block, 0, n_blocks - 1)


def block_rr_features(
    every_rr: NDArray[np.float64], block: NDArray[np.int64]
) -> NDArray[np.float64]:
    """:func:`ecgkit.signal.rr_features` rows with the recording mean taken per block.

    Parameters
    ----------
    every_rr : numpy.ndarray of float64, shape (n_beats, len(RR_FEATURES))
        ``rr_features`` of the whole recording (at least two beats).
    block : numpy.ndarray of int64, shape (n_beats,)
        Context block of each beat (:func:`context_blocks`), non-decreasing.

    Returns
    -------
    numpy.ndarray of float64, shape (n_beats, len(RR_FEATURES))
        A copy in which ``mean_rr_s`` is the mean of the intervals ending in the beat's
        block (the recording's mean where the block has none) and ``pre_rr_ratio`` and
        ``post_rr_ratio`` divide by it; the other columns are unchanged (they are local).
        With one block, the rows as given.
    """
    if block.size == 0 or block[-1] == 0:
        return every_rr
    out = every_rr.copy()
    # the interval ending at beat j (j >= 1) is beat j's pre-RR; beat 0's pre is a copy
    intervals, owner = every_rr[1:, _PRE], block[1:]
    count = np.bincount(owner, minlength=block[-1] + 1)
    total = np.bincount(owner, weights=intervals, minlength=block[-1] + 1)
    mean = np.where(count > 0, total / np.maximum(count, 1), every_rr[0, _MEAN])[block]
    out[:, _MEAN] = mean
    out[:, _PRE_RATIO] = every_rr[:, _PRE] / mean
    out[:, _POST_RATIO] = every_rr[:, _POST] / mean
    return out
