"""Windows of beats centred on each beat, NaN past the recording's ends (views, no copies)."""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view
from numpy.typing import NDArray

__all__ = ["centred", "nan_padded", "row_windows"]


def row_windows(padded: NDArray[np.float64], half_window: int) -> NDArray[np.float64]:
    """Every run of ``2 * half_window + 1`` rows: ``[n, 2 * half_window + 1, ...]``."""
    return np.moveaxis(sliding_window_view(padded, 2 * half_window + 1, axis=0), -1, 1)


def nan_padded(values: NDArray[np.float64], half_window: int) -> NDArray[np.float64]:
    """``values`` with ``half_window`` rows of NaN before and after (windows shrink at the ends)."""
    pad = [(half_window, half_window)] + [(0, 0)] * (values.ndim - 1)
    return np.pad(values, pad, constant_values=np.nan)


def centred(values: NDArray[np.float64], half_window: int) -> NDArray[np.float64]:
    """Windows ``[n, 2 * half_window + 1, ...]`` centred on each row, NaN past the ends."""
    return row_windows(nan_padded(values, half_window), half_window)
