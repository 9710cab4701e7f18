"""Beat-by-beat comparison of detected and reference R peaks, as in ANSI/AAMI EC57."""

from __future__ import annotations

import heapq
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ecgkit.signal._validation import as_indices, check_fs, check_non_negative

__all__ = ["PeakMatch", "match_peaks"]


def _ratio(numerator: int, denominator: int) -> float:
    return numerator / denominator if denominator else float("nan")


@dataclass(frozen=True)
class PeakMatch:
    """Result of :func:`match_peaks`.

    Attributes
    ----------
    tp, fp, fn : int
        True positives (matched pairs), false positives (unmatched detections) and false
        negatives (unmatched reference beats).
    detected_index, reference_index : numpy.ndarray of int64, shape (tp,)
        Positions in ``detected`` and ``reference`` of each matched pair, by reference time.
    timing_error_s : numpy.ndarray of float64, shape (tp,)
        ``detected - reference`` of each matched pair, in seconds.
    fs : float
        Sampling rate in Hz.
    """

    tp: int
    fp: int
    fn: int
    detected_index: NDArray[np.int64]
    reference_index: NDArray[np.int64]
    timing_error_s: NDArray[np.float64]
    fs: float

    @property
    def sensitivity(self) -> float:
        """Se = TP / (TP + FN); NaN when there is no reference beat."""
        return _ratio(self.tp, self.tp + self.fn)

    @property
    def positive_predictivity(self) -> float:
        """+P = TP / (TP + FP); NaN when nothing was detected."""
        return _ratio(self.tp, self.tp + self.fp)

    @property
    def f1(self) -> float:
        """F1 = 2 TP / (2 TP + FP + FN); NaN when both sides are empty."""
        return _ratio(2 * self.tp, 2 * self.tp + self.fp + self.fn)

    @property
    def mean_timing_error_s(self) -> float:
        """Mean of ``detected - reference`` over matched pairs, seconds; NaN with no match."""
        return float(self.timing_error_s.mean()) if self.tp else float("nan")

    @property
    def std_timing_error_s(self) -> float:
        """Standard deviation of the timing error, seconds; NaN with no match."""
        return float(self.timing_error_s.std()) if self.tp else float("nan")


def match_peaks(
    detected: ArrayLike,
    reference: ArrayLike,
    fs: float,
    *,
    tolerance_s: float = 0.15,
) -> PeakMatch:
    """Match detected beats to reference beats one to one, as ANSI/AAMI EC57 prescribes.

    Parameters
    ----------
    detected, reference : array_like of int
        Sample indices of the detected and of the reference (annotated) beats.
    fs : float
        Sampling rate in Hz.
    tolerance_s : float
        A detection within ``tolerance_s`` seconds of a reference beat may match it; EC57
        uses 150 ms.

    Returns
    -------
    PeakMatch
        Counts, Se, +P, F1, matched pairs and timing errors.

    Notes
    -----
    Each reference beat is matched at most once and each detection at most once. Pairs are
    taken closest first (ties broken by time), so the result is symmetric: swapping
    ``detected`` and ``reference`` keeps TP and swaps FP with FN and Se with +P.

    The closest free pair is always next to each other among the beats not yet matched
    (anything between them would be closer), so only neighbours are ever compared: the
    cost is O((n + m) log(n + m)) whatever the tolerance.
    """
    fs = check_fs(fs)
    tol = int(np.floor(check_non_negative(tolerance_s, "tolerance_s") * fs + 1e-9))
    det = as_indices(detected, "detected")
    ref = as_indices(reference, "reference")
    det_order = np.argsort(det, kind="stable")
    ref_order = np.argsort(ref, kind="stable")
    det_sorted = det[det_order]
    ref_sorted = ref[ref_order]
    matched_det, matched_ref = _closest_first(det_sorted, ref_sorted, tol)
    md = np.asarray(matched_det, dtype=np.int64)
    mr = np.asarray(matched_ref, dtype=np.int64)
    by_time = np.argsort(ref_sorted[mr], kind="stable")
    md, mr = md[by_time], mr[by_time]
    tp = int(md.size)
    return PeakMatch(
        tp=tp,
        fp=int(det.size - tp),
        fn=int(ref.size - tp),
        detected_index=det_order[md].astype(np.int64),
        reference_index=ref_order[mr].astype(np.int64),
        timing_error_s=(det_sorted[md] - ref_sorted[mr]).astype(np.float64) / fs,
        fs=fs,
    )


def _closest_first(
    det: NDArray[np.int64], ref: NDArray[np.int64], tol: int
) -> tuple[list[int], list[int]]:
    """Greedy closest-first one-to-one matching of two sorted index arrays.

    Beats of both kinds are merged in time order into a linked list; a heap holds the
    detection-reference neighbours within ``tol`` samples, keyed by distance, then time.
    Matching a pair removes both, and their outer neighbours become neighbours.
    """
    positions = np.concatenate([det, ref])
    kinds = np.concatenate([np.zeros(det.size, np.int8), np.ones(ref.size, np.int8)])
    own = np.concatenate([np.arange(det.size), np.arange(ref.size)])
    order = np.lexsort((own, kinds, positions))
    pos, kind, index = positions[order].tolist(), kinds[order].tolist(), own[order].tolist()
    n = len(pos)
    left = list(range(-1, n - 1))
    right = list(range(1, n + 1))
    alive = [True] * n
    heap: list[tuple[int, int, int, int, int, int]] = []

    def push(a: int, b: int) -> None:  # a before b in time
        if a >= 0 and b < n and kind[a] != kind[b] and pos[b] - pos[a] <= tol:
            d, r = (a, b) if kind[a] == 0 else (b, a)
            heapq.heappush(heap, (pos[b] - pos[a], pos[a] + pos[b], index[d], index[r], a, b))

    for i in range(n - 1):
        push(i, i + 1)
    matched_det: list[int] = []
    matched_ref: list[int] = []
    while heap:
        *_, a, b = heapq.heappop(heap)
        if not (alive[a] and alive[b] and right[a] == b):
            continue
        d, r = (a, b) if kind[a] == 0 else (b, a)
        matched_det.append(index[d])
        matched_ref.append(index[r])
        alive[a] = alive[b] = False
        outer_left, outer_right = left[a], right[b]
        if outer_left >= 0:
            right[outer_left] = outer_right
        if outer_right < n:
            left[outer_right] = outer_left
        push(outer_left, outer_right)
    return matched_det, matched_ref
