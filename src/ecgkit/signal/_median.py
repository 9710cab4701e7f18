"""Medians of rows already sorted: numpy's values, without numpy's slower routes."""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

__all__ = ["sorted_median"]


def sorted_median(
    ordered: NDArray[np.floating[Any]], count: NDArray[np.int64] | int
) -> NDArray[np.float64]:
    """The median of each sorted row of ``ordered`` from its first ``count`` values.

    ``ordered`` is sorted along its last axis and ``count`` is at least 1; the result has
    shape ``ordered.shape[:-1]``. As :func:`numpy.median` computes it: an odd count's
    middle value, exactly; the mean of the middle two of an even count. Taken from a sort,
    which is several times faster than numpy's partition on rows of a few hundred values
    and than its masked-array ``nanmedian`` on short windows (sort NaN last and count the
    values that are not NaN). The middle values are taken in float64 whatever the
    rows' float type, so that the mean of two float32 values is not rounded to float32.
    """
    count = np.broadcast_to(np.asarray(count), ordered.shape[:-1])[..., np.newaxis]
    low = np.take_along_axis(ordered, (count - 1) // 2, axis=-1)[..., 0].astype(np.float64)
    high = np.take_along_axis(ordered, count // 2, axis=-1)[..., 0].astype(np.float64)
    with np.errstate(invalid="ignore"):  # -inf and inf in the middle: NaN, as numpy's
        middle = np.where(count[..., 0] % 2 == 1, low, (low + high) / 2)
    return np.asarray(middle, dtype=np.float64)
