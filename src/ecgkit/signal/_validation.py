"""Input checks shared by :mod:`ecgkit.signal`: one place that says what a valid input is."""

from __future__ import annotations

import math
import numbers
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

FloatArray = NDArray[np.floating[Any]]

_MIN_CUTOFF_RATIO = 1e-6
# a time axis this short next to a much longer one is most likely the lead axis
_MAX_LEADS = 16


def check_fs(fs: object, name: str = "fs") -> float:
    """Return ``fs`` as a float after checking it is a finite sampling rate > 0 Hz."""
    if isinstance(fs, bool) or not isinstance(fs, numbers.Real):
        raise TypeError(f"{name} must be a real number in Hz, got {type(fs).__name__}")
    value = float(fs)
    if not math.isfinite(value) or value <= 0:
        raise ValueError(f"{name} must be a finite sampling rate > 0 Hz, got {fs!r}")
    return value


def check_positive(value: object, name: str, unit: str = "s") -> float:
    """Return ``value`` as a float after checking it is finite and > 0."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number in {unit}, got {type(value).__name__}")
    out = float(value)
    if not math.isfinite(out) or out <= 0:
        raise ValueError(f"{name} must be finite and > 0 {unit}, got {value!r}")
    return out


def check_real(value: object, name: str) -> float:
    """Return ``value`` as a float after checking it is a finite real number (not bool)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__} {value!r}")
    out = float(value)
    if not math.isfinite(out):
        raise ValueError(f"{name} must be finite, got {value!r}")
    return out


def check_count(value: object, name: str, minimum: int | None = 0) -> int:
    """Return ``value`` as an int after checking it is an integer (not bool) >= ``minimum``.

    ``minimum=None`` checks the type alone.
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer, got {type(value).__name__} {value!r}")
    if minimum is not None and value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")
    return int(value)


def check_non_negative(value: object, name: str, unit: str = "s") -> float:
    """Return ``value`` as a float after checking it is finite and >= 0."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number in {unit}, got {type(value).__name__}")
    out = float(value)
    if not math.isfinite(out) or out < 0:
        raise ValueError(f"{name} must be finite and >= 0 {unit}, got {value!r}")
    return out


def check_cutoff(freq: object, fs: float, name: str) -> float:
    """Return a cut-off frequency after checking ``fs / 1e6 <= freq < fs / 2`` (Hz).

    Below a millionth of the sampling rate a Butterworth filter is numerically singular.
    """
    value = check_positive(freq, name, unit="Hz")
    if value < fs * _MIN_CUTOFF_RATIO:
        raise ValueError(
            f"{name}={value:g} Hz is below fs/1e6 at fs={fs:g} Hz, where the filter is "
            "numerically singular: resample to a lower rate first"
        )
    nyquist = fs / 2.0
    if value >= nyquist:
        raise ValueError(
            f"{name} must be below the Nyquist frequency fs/2 = {nyquist:g} Hz, got {value:g} Hz"
        )
    return value


def check_axis(axis: object, ndim: int, name: str = "axis") -> int:
    """Return ``axis`` normalised to ``0 <= axis < ndim``."""
    if isinstance(axis, bool) or not isinstance(axis, numbers.Integral):
        raise TypeError(f"{name} must be an integer, got {type(axis).__name__}")
    value = int(axis)
    if not -ndim <= value < ndim:
        raise ValueError(f"{name}={value} is out of range for an array with {ndim} dimension(s)")
    return value % ndim


def samples_first_hint(shape: tuple[int, ...], axis: int, min_samples: int = 1) -> str:
    """A hint to append to a too-short error when ``shape`` looks samples-first.

    ``Record.signal`` is ``[n_samples, n_leads]`` while :mod:`ecgkit.signal` defaults to
    ``axis=-1``; passed as is, its few leads are taken for samples.

    Parameters
    ----------
    shape : tuple of int
        Shape of the signal.
    axis : int
        The time axis given, normalised to ``0 <= axis < len(shape)``.
    min_samples : int
        Samples the caller needs along the time axis.

    Returns
    -------
    str
        ``"; the array looks samples-first (shape ...): pass axis=k"`` when the time axis
        has at most 16 entries and another axis ``k`` is at least 4 times longer and long
        enough, else ``""``.
    """
    if shape[axis] > _MAX_LEADS:
        return ""
    others = [(length, i) for i, length in enumerate(shape) if i != axis]
    if not others:
        return ""
    longest, at = max(others)
    if longest < max(min_samples, 4 * shape[axis]):
        return ""
    return f"; the array looks samples-first (shape {shape}): pass axis={at}"


def as_signal(
    x: ArrayLike,
    name: str = "x",
    *,
    axis: int = -1,
    min_samples: int = 1,
    max_ndim: int | None = None,
) -> FloatArray:
    """Convert ``x`` to a finite floating array and check its shape.

    float32 and float64 inputs keep their dtype; integer inputs become float64 so that
    squares and sums cannot overflow. Booleans, complex numbers and objects are rejected.

    Parameters
    ----------
    x : array_like
        The signal.
    name : str
        Argument name used in error messages.
    axis : int
        The time axis.
    min_samples : int
        Minimum number of samples along ``axis``.
    max_ndim : int, optional
        Largest number of dimensions accepted.

    Returns
    -------
    numpy.ndarray
        ``x`` as float32 or float64 (not copied when already so).
    """
    if isinstance(x, (str, bytes)):
        raise TypeError(f"{name} must be a numeric array, got {type(x).__name__}")
    try:
        arr = np.asarray(x)
    except ValueError as error:  # ragged nested sequences
        raise ValueError(f"{name} must be a rectangular numeric array: {error}") from None
    if arr.dtype == np.bool_ or not (
        np.issubdtype(arr.dtype, np.integer) or np.issubdtype(arr.dtype, np.floating)
    ):
        raise TypeError(f"{name} must be a real numeric array, got dtype {arr.dtype}")
    if arr.ndim == 0:
        raise ValueError(f"{name} must have at least one dimension, got a scalar")
    if max_ndim is not None and arr.ndim > max_ndim:
        raise ValueError(f"{name} must have at most {max_ndim} dimension(s), got shape {arr.shape}")
    ax = check_axis(axis, arr.ndim)
    if arr.size == 0:
        raise ValueError(f"{name} is empty (shape {arr.shape})")
    if arr.shape[ax] < min_samples:
        raise ValueError(
            f"{name} is too short: needs at least {min_samples} samples along axis {ax}, "
            f"got {arr.shape[ax]}{samples_first_hint(arr.shape, ax, min_samples)}"
        )
    if arr.dtype not in (np.float32, np.float64):
        arr = arr.astype(np.float64)
    if not np.isfinite(arr).all():
        raise ValueError(f"{name} contains NaN or infinite values")
    return arr


def as_increasing_indices(
    indices: ArrayLike, name: str, n_samples: int | None = None
) -> NDArray[np.int64]:
    """:func:`as_indices`, also checked to be strictly increasing (R peaks, beats)."""
    out = as_indices(indices, name, n_samples)
    if out.size > 1 and np.any(np.diff(out) <= 0):
        raise ValueError(f"{name} must be strictly increasing sample indices")
    return out


def as_indices(indices: ArrayLike, name: str, n_samples: int | None = None) -> NDArray[np.int64]:
    """Return sample indices as a 1-D int64 array, checked to lie inside the signal."""
    arr = np.asarray(indices)
    if arr.ndim != 1:
        raise ValueError(f"{name} must be a 1-D array of sample indices, got shape {arr.shape}")
    if arr.size == 0:
        return np.zeros(0, dtype=np.int64)
    if arr.dtype == np.bool_ or not np.issubdtype(arr.dtype, np.integer):
        if (
            np.issubdtype(arr.dtype, np.floating)
            and np.all(np.isfinite(arr))
            and np.all(arr == np.round(arr))
        ):
            arr = arr.astype(np.int64)
        else:
            raise TypeError(f"{name} must hold integer sample indices, got dtype {arr.dtype}")
    out = arr.astype(np.int64, copy=False)
    if out.min() < 0:
        raise ValueError(f"{name} must be >= 0 (sample indices), got {int(out.min())}")
    if n_samples is not None and out.max() >= n_samples:
        raise ValueError(f"{name} must be < the signal length {n_samples}, got {int(out.max())}")
    return out
