"""Fixed-length, R-peak-aligned beat windows with RR-interval features."""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view
from numpy.typing import ArrayLike, NDArray

from ecgkit.signal._validation import (
    FloatArray,
    as_increasing_indices,
    as_signal,
    check_axis,
    check_fs,
    check_non_negative,
    check_real,
)

_MAX_WINDOW_S = 60.0

__all__ = ["Beats", "EdgePolicy", "rr_intervals", "segment_beats"]

EdgePolicy = Literal["drop", "pad"]


@dataclass(frozen=True)
class Beats:
    """R-peak-aligned beat windows, the output of :func:`segment_beats`.

    Attributes
    ----------
    windows : numpy.ndarray, shape (n_beats, n_leads, n_samples)
        One window per beat, in the signal's floating dtype; sample ``r_index`` of every
        window is the beat's R peak.
    r_index : int
        Position of the R peak inside each window (samples).
    r_sample : numpy.ndarray of int64, shape (n_beats,)
        Sample of each beat's R peak in the source signal.
    beat_index : numpy.ndarray of int64, shape (n_beats,)
        Position of each beat in the ``r_peaks`` given to :func:`segment_beats` (dropped
        beats leave gaps), so labels aligned with ``r_peaks`` are ``labels[beat_index]``.
    padded : numpy.ndarray of bool, shape (n_beats,)
        True where the window ran past an edge of the signal and was padded.
    pre_rr, post_rr, local_rr, mean_rr : numpy.ndarray of float64, shape (n_beats,)
        RR intervals in seconds: to the previous beat, to the next beat, the mean of the
        ``local_beats`` previous ``pre_rr`` values (the current one included), and the
        mean RR of the whole signal. The first beat's ``pre_rr`` is its ``post_rr`` and the
        last beat's ``post_rr`` is its ``pre_rr``; with a single R peak all are NaN, as
        there is no interval to measure.
    fs : float
        Sampling rate in Hz.
    """

    windows: FloatArray
    r_index: int
    r_sample: NDArray[np.int64]
    beat_index: NDArray[np.int64]
    padded: NDArray[np.bool_]
    pre_rr: NDArray[np.float64]
    post_rr: NDArray[np.float64]
    local_rr: NDArray[np.float64]
    mean_rr: NDArray[np.float64]
    fs: float

    def __len__(self) -> int:
        return int(self.windows.shape[0])

    @property
    def n_samples(self) -> int:
        """Window length in samples."""
        return int(self.windows.shape[-1])

    def rr_features(self) -> NDArray[np.float64]:
        """RR features as ``[n_beats, 4]``: pre, post, local and mean RR in seconds."""
        return np.stack([self.pre_rr, self.post_rr, self.local_rr, self.mean_rr], axis=1)


def rr_intervals(
    r_peaks: ArrayLike, fs: float, *, local_beats: int = 10
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """RR-interval features of every beat, in seconds.

    Parameters
    ----------
    r_peaks : array_like of int, shape (n_beats,)
        Strictly increasing R-peak sample indices (``ValueError`` otherwise: unsorted
        peaks would give negative intervals).
    fs : float
        Sampling rate in Hz.
    local_beats : int
        Number of previous intervals averaged into the local RR.

    Returns
    -------
    pre_rr, post_rr, local_rr, mean_rr : numpy.ndarray of float64, shape (n_beats,)
        See :class:`Beats`.
    """
    fs = check_fs(fs)
    if isinstance(local_beats, bool) or not isinstance(local_beats, int) or local_beats < 1:
        raise ValueError(f"local_beats must be a positive integer, got {local_beats!r}")
    peaks = as_increasing_indices(r_peaks, "r_peaks")
    n = peaks.size
    if n < 2:
        nan = np.full(n, np.nan)
        return nan, nan.copy(), nan.copy(), nan.copy()
    rr = np.diff(peaks).astype(np.float64) / fs
    pre = np.concatenate(([rr[0]], rr))
    post = np.concatenate((rr, [rr[-1]]))
    cumulative = np.concatenate(([0.0], np.cumsum(pre)))
    start = np.maximum(np.arange(n) + 1 - local_beats, 0)
    local = (cumulative[1:] - cumulative[start]) / (np.arange(n) + 1 - start)
    return pre, post, local, np.full(n, rr.mean())


def segment_beats(
    x: ArrayLike,
    fs: float,
    r_peaks: ArrayLike,
    *,
    before_s: float = 0.25,
    after_s: float = 0.45,
    edge: EdgePolicy = "drop",
    pad_value: float | None = None,
    axis: int = -1,
    local_beats: int = 10,
    before: float | None = None,
    after: float | None = None,
) -> Beats:
    """Cut fixed-length windows around R peaks.

    Parameters
    ----------
    x : array_like, shape (n_samples,) or (n_leads, n_samples)
        The ECG; ``axis`` names the time axis (``axis=0`` for ``[n_samples, n_leads]``).
    fs : float
        Sampling rate in Hz.
    r_peaks : array_like of int, shape (n_beats,)
        Sorted R-peak sample indices, e.g. from :func:`~ecgkit.signal.detect_r_peaks` or an
        annotation file.
    before_s, after_s : float
        Window extent before and after the R peak, in seconds. The window has
        ``round(before_s * fs) + round(after_s * fs)`` samples and the R peak at index
        ``round(before_s * fs)``, the same for every beat whatever the heart rate.
    edge : {"drop", "pad"}
        Beats whose window runs past either end of the signal are dropped (default), or
        kept with the missing samples padded and ``padded`` set.
    pad_value : float, optional
        With ``edge="pad"``: the constant to pad with; None repeats the edge sample, which
        adds no step to a signal that does not sit at 0.
    axis : int
        Time axis.
    local_beats : int
        Number of intervals averaged into ``local_rr``.
    before, after : float, optional
        Deprecated names of ``before_s`` and ``after_s`` (durations end in ``_s``
        throughout ecgkit); they still work, with a ``DeprecationWarning``, until the next
        minor release.

    Returns
    -------
    Beats
        Windows ``[n_beats, n_leads, n_samples]`` (one lead for a 1-D signal), the R index
        inside the window, the source sample and input position of each beat, the padding
        mask and RR features. RR features are computed from all of ``r_peaks``, dropped
        beats included, so a beat next to the edge keeps its true neighbours.

    Notes
    -----
    The windows are gathered in one vectorised step from a strided view of the signal (no
    Python loop, one copy of exactly the kept windows). ``windows[i]`` equals
    ``x[..., r_sample[i] - r_index : r_sample[i] - r_index + n_samples]`` for every beat
    that is not padded.

    Examples
    --------
    >>> import numpy as np
    >>> from ecgkit.signal import segment_beats
    >>> x = np.sin(np.linspace(0, 20 * np.pi, 3600))
    >>> beats = segment_beats(x, fs=360, r_peaks=[50, 1000, 2000, 3550])
    >>> beats.windows.shape, beats.r_index, beats.beat_index.tolist()
    ((2, 1, 252), 90, [1, 2])
    """
    fs = check_fs(fs)
    if edge not in ("drop", "pad"):
        raise ValueError(f"edge must be 'drop' or 'pad', got {edge!r}")
    deprecated = [
        name for name, value in (("before", before), ("after", after)) if value is not None
    ]
    if deprecated:
        warnings.warn(
            f"segment_beats({'=, '.join(deprecated)}=) is deprecated; use "
            f"{'_s=, '.join(deprecated)}_s= (seconds)",
            DeprecationWarning,
            stacklevel=2,
        )
    before_s = before_s if before is None else before
    after_s = after_s if after is None else after
    n_before = round(check_non_negative(before_s, "before_s") * fs)
    n_after = round(check_non_negative(after_s, "after_s") * fs)
    length = n_before + n_after
    if length < 1:
        raise ValueError(f"before_s + after_s must span at least one sample at fs={fs:g} Hz")
    if length > _MAX_WINDOW_S * fs:
        # a beat window is a second or two, a rhythm strip ten: longer is a unit mistake,
        # and the windows would not fit in memory
        raise ValueError(
            f"before_s + after_s must be at most {_MAX_WINDOW_S:g} s, got "
            f"{length / fs:g} s; are they in seconds?"
        )
    arr = as_signal(x, axis=axis, max_ndim=2)
    ax = check_axis(axis, arr.ndim)
    leads = np.atleast_2d(np.moveaxis(arr, ax, -1))
    n_samples = leads.shape[-1]
    if pad_value is not None:
        pad_value = check_real(pad_value, "pad_value")
    peaks = as_increasing_indices(r_peaks, "r_peaks", n_samples)
    pre, post, local, mean = rr_intervals(peaks, fs, local_beats=local_beats)
    starts = peaks - n_before
    inside = (starts >= 0) & (starts + length <= n_samples)
    keep = inside if edge == "drop" else np.ones(peaks.size, dtype=bool)
    kept = np.flatnonzero(keep)
    if edge == "pad" and not inside.all():
        widths = ((0, 0), (length, length))
        if pad_value is None:
            source = np.pad(leads, widths, mode="edge")
        else:
            source = np.pad(leads, widths, mode="constant", constant_values=pad_value)
        offset = length
    else:
        source = leads
        offset = 0
    if length > source.shape[-1]:
        windows = np.empty((0, leads.shape[0], length), dtype=arr.dtype)
    else:
        view = sliding_window_view(source, length, axis=-1)
        windows = np.ascontiguousarray(view[:, starts[kept] + offset].swapaxes(0, 1))
    return Beats(
        windows=windows,
        r_index=n_before,
        r_sample=peaks[kept],
        beat_index=kept.astype(np.int64),
        padded=~inside[kept],
        pre_rr=pre[kept],
        post_rr=post[kept],
        local_rr=local[kept],
        mean_rr=mean[kept],
        fs=fs,
    )
