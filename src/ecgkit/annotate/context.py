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

from ecgkit.signal import RR_FEATURES, rr_features

__all__ = [
    "CONTEXT_S",
    "NO_INTERVAL_FLAGS",
    "block_rr_features",
    "context_blocks",
    "neighbour_span",
    "rhythm_stretches",
    "segment_bounds",
    "segment_rr_features",
    "without_intervals",
]

#: Flags of beats no RR interval may start or end at: ``"noise"`` (where such a beat is,
#: and so the intervals to it, are those of noise) and ``"vf"`` (a wave of ventricular
#: flutter or fibrillation, no beat of a rhythm).
NO_INTERVAL_FLAGS = ("noise", "vf")

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


def without_intervals(flag: NDArray[np.str_]) -> NDArray[np.bool_]:
    """Beats flagged one of :data:`NO_INTERVAL_FLAGS`, shape ``flag.shape``."""
    return np.isin(flag, NO_INTERVAL_FLAGS)


def rhythm_stretches(segment: NDArray[np.int64], cut: NDArray[np.bool_]) -> NDArray[np.int64]:
    """The stretch of each beat over which intervals are measured.

    Parameters
    ----------
    segment : numpy.ndarray of int64, shape (n_beats,)
        Non-decreasing segment of each beat: the beats between two gaps share one.
    cut : numpy.ndarray of bool, shape (n_beats,)
        Beats no interval may start or end at (:func:`without_intervals`: noise, and the
        waves of ventricular flutter).

    Returns
    -------
    numpy.ndarray of int64, shape (n_beats,)
        Non-decreasing from 0: the segments, cut again before and after each beat of
        ``cut``, which is a stretch of its own. ``segment`` renumbered where ``cut`` is
        all False.
    """
    starts = np.ones(segment.size, dtype=bool)
    starts[1:] = (segment[1:] != segment[:-1]) | cut[1:] | cut[:-1]
    return np.cumsum(starts) - 1


def segment_bounds(gaps: NDArray[np.int64], n_samples: int) -> NDArray[np.int64]:
    """``[start, stop)`` of each stretch of a recording between its ``gaps``, ``(k + 1, 2)``."""
    return np.concatenate([[0], gaps.ravel(), [n_samples]]).reshape(-1, 2).astype(np.int64)


def neighbour_span(
    first: int,
    last: int,
    sample: NDArray[np.int64],
    segment: NDArray[np.int64],
    bounds: NDArray[np.int64],
) -> tuple[int, int]:
    """From the beat before beat ``first`` to the beat after beat ``last``, in samples.

    Where there is no such beat in the same stretch between gaps (``segment``), the edge
    of that stretch (``bounds``, from :func:`segment_bounds`) instead.
    """
    start, stop = (int(b) for b in bounds[segment[first]])
    if first > 0 and segment[first - 1] == segment[first]:
        start = int(sample[first - 1])
    if last + 1 < segment.size and segment[last + 1] == segment[last]:
        stop = int(sample[last + 1])
    return start, stop


def segment_rr_features(
    r_peaks: NDArray[np.int64], fs: float, segment: NDArray[np.int64], *, local_beats: int
) -> NDArray[np.float64]:
    """:func:`ecgkit.signal.rr_features` of a recording cut by gaps into segments.

    Parameters
    ----------
    r_peaks : numpy.ndarray of int64, shape (n_beats,)
        Strictly increasing R positions in samples (at least two).
    fs : float
        Sampling rate in Hz.
    segment : numpy.ndarray of int64, shape (n_beats,)
        Non-decreasing segment of each beat: the beats between two gaps of the recording
        (:func:`ecgkit.signal.signal_gaps`) share one.
    local_beats : int
        As :func:`~ecgkit.signal.rr_features`.

    Returns
    -------
    numpy.ndarray of float64, shape (n_beats, len(RR_FEATURES))
        With one segment, ``rr_features`` of the whole recording. Otherwise each
        segment's rows are ``rr_features`` of its beats alone, as if it were a recording
        of its own (no interval across a gap: its first beat's ``pre`` is its ``post``),
        except ``mean_rr_s``, the mean of every interval inside a segment, and the two
        ratios to it; a segment of one beat has no rhythm (NaN in the columns in seconds
        and their ratios, as ``rr_features`` of one beat).
    """
    if segment.size == 0 or segment[0] == segment[-1]:
        return rr_features(r_peaks, fs, local_beats=local_beats)
    out = np.empty((r_peaks.size, len(RR_FEATURES)))
    for value in np.unique(segment):
        members = segment == value
        out[members] = rr_features(r_peaks[members], fs, local_beats=local_beats)
    inside = np.diff(segment) == 0
    if inside.any():
        out[:, _MEAN] = float(np.mean(np.diff(r_peaks)[inside])) / fs
        out[:, _PRE_RATIO] = out[:, _PRE] / out[:, _MEAN]
        out[:, _POST_RATIO] = out[:, _POST] / out[:, _MEAN]
    return out


def block_rr_features(
    every_rr: NDArray[np.float64],
    block: NDArray[np.int64],
    segment: NDArray[np.int64] | None = None,
) -> NDArray[np.float64]:
    """:func:`ecgkit.signal.rr_features` rows with the recording mean taken per block.

    Parameters
    ----------
    every_rr : numpy.ndarray of float64, shape (n_beats, len(RR_FEATURES))
        ``rr_features`` of the whole recording (at least two beats), or
        :func:`segment_rr_features` of it.
    block : numpy.ndarray of int64, shape (n_beats,)
        Context block of each beat (:func:`context_blocks`), non-decreasing.
    segment : numpy.ndarray of int64, shape (n_beats,), optional
        Segment of each beat, as :func:`segment_rr_features` took them: a segment's
        first beat has no interval ending at it. None: one segment.

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
    # the interval ending at beat j (j >= 1) is beat j's pre-RR; a segment's first beat's
    # pre is a copy of its post (or NaN), not an interval ending at it
    ends = np.ones(block.size - 1, dtype=bool) if segment is None else np.diff(segment) == 0
    intervals, owner = every_rr[1:, _PRE][ends], block[1:][ends]
    count = np.bincount(owner, minlength=block[-1] + 1)
    total = np.bincount(owner, weights=intervals, minlength=block[-1] + 1)
    # a block without intervals takes the recording's mean (a one-beat segment has none)
    known = every_rr[np.isfinite(every_rr[:, _MEAN]), _MEAN]
    fallback = known[0] if known.size else np.nan
    mean = np.where(count > 0, total / np.maximum(count, 1), fallback)[block]
    out[:, _MEAN] = mean
    out[:, _PRE_RATIO] = every_rr[:, _PRE] / mean
    out[:, _POST_RATIO] = every_rr[:, _POST] / mean
    return out
