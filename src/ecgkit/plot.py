"""Figures: ECG strips on standard paper, Grad-CAM overlays, confusion matrices, curves.

Needs matplotlib (``pip install "ecgkit-ml[plot]"``). Every function builds a
:class:`matplotlib.figure.Figure` without pyplot (no global state, any backend), returns it,
and saves a PNG when given ``path`` (written atomically).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ecgkit._files import atomic_write
from ecgkit.signal._validation import check_axis, samples_first_hint

try:
    from matplotlib.collections import LineCollection
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator
except ImportError as error:  # pragma: no cover - exercised only without the extra
    raise ImportError('ecgkit.plot needs matplotlib: pip install "ecgkit-ml[plot]"') from error

__all__ = [
    "plot_attribution",
    "plot_beat_strips",
    "plot_confusion_matrix",
    "plot_ecg",
    "plot_history",
    "save_figure",
]

_MM_PER_INCH = 25.4
_PAPER_SPEED_MM_S = 25.0
_PAPER_GAIN_MM_MV = 10.0
_GRID_MINOR = "#f6c6c6"
_GRID_MAJOR = "#e58a8a"
# 10 m of paper, about 6.8 min of signal: 60,000 px at save_figure's 150 dpi, under the
# 65,536 px that Agg can render, and already minutes of grid lines to draw
_MAX_WIDTH_IN = 400.0


def save_figure(figure: Figure, path: str | Path, *, dpi: int = 150) -> Path:
    """Write ``figure`` as a PNG to ``path`` atomically (temp file, then rename)."""
    path = Path(path)
    with atomic_write(path) as handle:
        figure.savefig(handle, format="png", dpi=dpi, bbox_inches="tight")
    return path


def _paper_grid(
    axes: Any,
    times: NDArray[np.float64],
    amplitudes: NDArray[np.float64],
    *,
    time_origin: float = 0.0,
    widths: tuple[float, float] = (0.6, 0.3),
) -> None:
    """ECG paper behind a trace: lines at ``times`` (s) and ``amplitudes`` (mV).

    Every fifth line (0.2 s from ``time_origin``, 0.5 mV from 0) is bold; ``widths`` are
    the bold and the fine line widths.
    """
    for t in times:
        major = round((t - time_origin) / 0.04) % 5 == 0
        axes.axvline(t, color=_GRID_MAJOR if major else _GRID_MINOR,
                     lw=widths[0] if major else widths[1], zorder=0)  # fmt: skip
    for v in amplitudes:
        major = round(v / 0.1) % 5 == 0
        axes.axhline(v, color=_GRID_MAJOR if major else _GRID_MINOR,
                     lw=widths[0] if major else widths[1], zorder=0)  # fmt: skip


def _coloured_line(
    axes: Any,
    x: NDArray[np.float64],
    y: NDArray[np.float64],
    values: NDArray[np.float64],
    *,
    cmap: str,
    width: float,
    zorder: float | None = None,
) -> LineCollection:
    """A trace whose segments are coloured by ``values`` in [0, 1] (e.g. an attribution)."""
    points = np.stack([x, y], axis=1)
    lines = LineCollection(
        list(np.stack([points[:-1], points[1:]], axis=1)), cmap=cmap, linewidths=width
    )
    lines.set_array((values[:-1] + values[1:]) / 2)
    lines.set_clim(0, 1)
    if zorder is not None:
        lines.set_zorder(zorder)
    axes.add_collection(lines)
    return lines


def _leads(signal: ArrayLike, fs: float, axis: int) -> NDArray[np.float64]:
    """``signal`` as float64 ``[n_leads, n_samples]``, refused when too wide to draw."""
    x = np.asarray(signal)
    if x.ndim not in (1, 2):
        raise ValueError(f"signal must be [n_samples] or [n_leads, n_samples], got shape {x.shape}")
    ax = check_axis(axis, x.ndim)
    if x.shape[ax] < 2:
        raise ValueError(f"signal needs at least 2 samples along axis {ax}, got shape {x.shape}")
    hint = samples_first_hint(x.shape, ax, 2)
    if hint:
        # a strip of at most 16 samples is never meant: these are leads drawn as samples
        raise ValueError(
            f"signal has only {x.shape[ax]} samples along the time axis {ax} and "
            f"{max(x.shape)} leads{hint}"
        )
    width_in = x.shape[ax] / fs * _PAPER_SPEED_MM_S / _MM_PER_INCH + 0.8
    if width_in > _MAX_WIDTH_IN:
        first_10_s = f"x[..., :{int(10 * fs)}]" if ax == x.ndim - 1 else f"x[:{int(10 * fs)}]"
        max_min = (_MAX_WIDTH_IN - 0.8) * _MM_PER_INCH / _PAPER_SPEED_MM_S / 60
        raise ValueError(
            f"signal is {x.shape[ax] / fs:.0f} s long: at 25 mm/s its strip would be "
            f"{width_in:,.0f} inches ({width_in * 150:,.0f} px at 150 dpi) wide, more than the "
            f"{_MAX_WIDTH_IN:.0f} inches (about {max_min:.1f} min) plot_ecg draws; plot a "
            f"slice, e.g. {first_10_s} for the first 10 s"
        )
    x = np.moveaxis(np.asarray(x, dtype=np.float64), ax, -1).reshape(-1, x.shape[ax])
    if not np.isfinite(x).all():
        raise ValueError("signal contains NaN or infinite values")
    return x


def plot_ecg(
    signal: ArrayLike,
    fs: float,
    *,
    r_peaks: ArrayLike | None = None,
    lead_names: Sequence[str] | None = None,
    start_s: float = 0.0,
    title: str | None = None,
    axis: int = -1,
    path: str | Path | None = None,
) -> Figure:
    """An ECG strip on standard paper: 25 mm/s, 10 mm/mV, 1 mm and 5 mm grid.

    The figure is sized so that one millimetre of grid is one millimetre of paper at any
    dpi: 5 s of signal are 125 mm wide, and each lead gets a band of at least 30 mm (3 mV),
    taller when its amplitude needs it. Strips wider than 400 inches (about 6.8 minutes of
    signal) are refused: plot a slice.

    Parameters
    ----------
    signal : array_like, shape (n_samples,) or (n_leads, n_samples)
        ECG in mV; with ``axis=0``, ``(n_samples, n_leads)`` such as
        :attr:`ecgkit.data.Record.signal`.
    fs : float
        Sampling rate in Hz.
    r_peaks : array_like of int, optional
        Sample indices to mark on every lead.
    lead_names : sequence of str, optional
        One name per lead, written at the left of its band.
    start_s : float
        Time of the first sample, in seconds (for the time axis).
    title : str, optional
        Figure title.
    axis : int
        The time axis of a 2-D ``signal``, as in :mod:`ecgkit.signal`: -1 (default) for
        ``[n_leads, n_samples]``, 0 for ``[n_samples, n_leads]``.
    path : str or pathlib.Path, optional
        Also save a PNG there.

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    ValueError
        When the strip would be wider than 400 inches, naming a slice to plot instead;
        for fewer than 2 samples, NaN samples, ``fs <= 0`` or bad ``r_peaks``.
    """
    if not fs > 0:
        raise ValueError(f"fs must be > 0 Hz, got {fs!r}")
    x = _leads(signal, fs, axis)
    n_leads, n = x.shape
    if lead_names is not None and len(lead_names) != n_leads:
        raise ValueError(f"lead_names must have {n_leads} names, got {len(lead_names)}")
    duration = n / fs
    # each lead gets a band at least 3 mV tall, taller when its deflections need it
    band_mv = max(3.0, float(np.ceil(2 * (np.ptp(x, axis=1).max() + 0.4)) / 2))
    width_mm = duration * _PAPER_SPEED_MM_S
    height_mm = n_leads * band_mv * _PAPER_GAIN_MM_MV
    figure = Figure(figsize=(width_mm / _MM_PER_INCH + 0.8, height_mm / _MM_PER_INCH + 0.8))
    axes = figure.add_axes((0.6 / figure.get_figwidth(), 0.5 / figure.get_figheight(),
                            width_mm / _MM_PER_INCH / figure.get_figwidth(),
                            height_mm / _MM_PER_INCH / figure.get_figheight()))  # fmt: skip
    time = start_s + np.arange(n) / fs
    top = n_leads * band_mv
    _paper_grid(
        axes,
        start_s + np.arange(0, duration + 1e-9, 0.04),
        np.arange(0, top + 1e-9, 0.1),
        time_origin=start_s,
    )
    peaks = None if r_peaks is None else np.asarray(r_peaks, dtype=np.int64)
    if peaks is not None and peaks.size and (peaks.min() < 0 or peaks.max() >= n):
        raise ValueError(
            f"r_peaks must be sample indices in [0, {n}), got {peaks.min()}..{peaks.max()}"
        )
    for i, lead in enumerate(x):
        centre = top - band_mv * (i + 0.5)
        offset = centre - float(lead.max() + lead.min()) / 2
        axes.plot(time, lead + offset, color="black", lw=0.8, zorder=2)
        if peaks is not None and peaks.size:
            axes.plot(time[peaks], lead[peaks] + offset, "v", color="tab:blue", ms=4, zorder=3)
        if lead_names is not None:
            axes.text(start_s + 0.05, centre + 1.0, lead_names[i], fontsize=8, zorder=4)
    axes.set_xlim(start_s, start_s + duration)
    axes.set_ylim(0, top)
    axes.set_xlabel("time (s)")
    axes.set_ylabel("mV (10 mm/mV)")
    axes.set_yticks(np.arange(0, top + 1e-9, 0.5))
    axes.set_yticklabels([])
    if title:
        axes.set_title(title)
    if path is not None:
        save_figure(figure, path)
    return figure


def plot_attribution(
    windows: ArrayLike,
    maps: ArrayLike,
    fs: float,
    *,
    r_index: int | None = None,
    titles: Sequence[str] | None = None,
    columns: int = 4,
    cmap: str = "inferno",
    amplitude_label: str = "mV",
    path: str | Path | None = None,
) -> Figure:
    """Beats drawn with their attribution map (e.g. Grad-CAM) as a colour overlay.

    Parameters
    ----------
    windows : array_like, shape (n_beats, n_samples) or (n_beats, n_leads, n_samples)
        Beat windows (mV, or normalised units); the first lead is drawn.
    maps : array_like, shape (n_beats, n_samples)
        Attribution per sample, e.g. from :meth:`ecgkit.explain.GradCAM.attribute`
        (scaled to [0, 1] for colouring).
    fs : float
        Sampling rate in Hz (time axis in ms relative to the R peak).
    r_index : int, optional
        R position inside each window; marked with a dashed line.
    titles : sequence of str, optional
        One title per beat (e.g. ``"true V, predicted V (0.98)"``).
    columns : int
        Panels per row.
    cmap : str
        Matplotlib colormap of the overlay.
    amplitude_label : str
        Label of the amplitude axis: ``"mV"``, or e.g. ``"z-score"`` for normalised beats.
    path : str or pathlib.Path, optional
        Also save a PNG there.

    Returns
    -------
    matplotlib.figure.Figure
    """
    w = np.asarray(windows, dtype=np.float64)
    if w.ndim == 3:
        w = w[:, 0, :]
    m = np.asarray(maps, dtype=np.float64)
    if w.ndim != 2 or m.shape != w.shape or w.shape[0] == 0:
        raise ValueError(
            "windows [n, L] (or [n, C, L]) and maps [n, L] must match, "
            f"got {np.shape(windows)} and {m.shape}"
        )
    if titles is not None and len(titles) != w.shape[0]:
        raise ValueError(f"titles must have {w.shape[0]} entries, got {len(titles)}")
    n_beats, length = w.shape
    cols = max(1, min(columns, n_beats))
    rows = -(-n_beats // cols)
    figure = Figure(figsize=(3.2 * cols, 2.4 * rows), layout="constrained")
    origin = 0 if r_index is None else r_index
    time_ms = (np.arange(length) - origin) / fs * 1000
    span = np.ptp(m, axis=1, keepdims=True)
    scaled = np.where(span > 0, (m - m.min(axis=1, keepdims=True)) / np.where(span > 0, span, 1), 0)
    for i in range(n_beats):
        axes = figure.add_subplot(rows, cols, i + 1)
        lines = _coloured_line(axes, time_ms, w[i], scaled[i], cmap=cmap, width=2.0)
        axes.fill_between(
            time_ms,
            w[i].min(),
            w[i].max(),
            where=scaled[i] > 0.5,
            color="tab:orange",
            alpha=0.12,
            lw=0,
            label="attribution above half its peak",
        )
        if i == 0:
            axes.legend(loc="upper right", fontsize=7, frameon=False)
        axes.set_xlim(time_ms[0], time_ms[-1])
        pad = 0.1 * max(np.ptp(w[i]), 1e-3)
        axes.set_ylim(w[i].min() - pad, w[i].max() + pad)
        if r_index is not None:
            axes.axvline(0, color="grey", ls="--", lw=0.8)
        axes.set_xlabel("time from R (ms)" if r_index is not None else "time (ms)")
        axes.set_ylabel(amplitude_label)
        if titles is not None:
            axes.set_title(titles[i], fontsize=9)
    figure.colorbar(lines, ax=figure.axes, shrink=0.8, label="attribution")
    if path is not None:
        save_figure(figure, path)
    return figure


def plot_confusion_matrix(
    confusion: ArrayLike,
    classes: Sequence[str],
    *,
    normalize: bool = True,
    title: str | None = None,
    path: str | Path | None = None,
) -> Figure:
    """A confusion matrix, rows true class, columns predicted class.

    Parameters
    ----------
    confusion : array_like of int, shape (n_classes, n_classes)
        Counts ``[true, predicted]`` (e.g. ``ClassificationMetrics.confusion``).
    classes : sequence of str
        Class names.
    normalize : bool
        Colour by share of each true class (row); cells show counts either way.
    title : str, optional
        Axes title.
    path : str or pathlib.Path, optional
        Also save a PNG there.

    Returns
    -------
    matplotlib.figure.Figure
    """
    counts = np.asarray(confusion)
    k = len(classes)
    if counts.shape != (k, k):
        raise ValueError(f"confusion must be [{k}, {k}] for {k} classes, got {counts.shape}")
    rows = counts.sum(axis=1, keepdims=True)
    shares = np.divide(counts, rows, out=np.zeros(counts.shape), where=rows > 0)
    figure = Figure(figsize=(1.0 + 0.9 * k, 0.8 + 0.9 * k), layout="constrained")
    axes = figure.add_subplot()
    image = axes.imshow(shares if normalize else counts, cmap="Blues", vmin=0)
    for i in range(k):
        for j in range(k):
            dark = shares[i, j] > 0.5
            axes.text(
                j,
                i,
                f"{int(counts[i, j])}",
                ha="center",
                va="center",
                fontsize=8,
                color="white" if dark else "black",
            )
    axes.set_xticks(range(k), list(classes))
    axes.set_yticks(range(k), list(classes))
    axes.set_xlabel("predicted class")
    axes.set_ylabel("true class")
    if title:
        axes.set_title(title)
    figure.colorbar(image, ax=axes, label="share of true class" if normalize else "beats")
    if path is not None:
        save_figure(figure, path)
    return figure


def plot_history(history: Any, *, path: str | Path | None = None) -> Figure:
    """Training curves: losses, and validation accuracy and macro F1, per epoch.

    Parameters
    ----------
    history : ecgkit.train.History or sequence of dict
        Per-epoch records with ``epoch``, ``train_loss`` and optionally ``val_loss``,
        ``val_accuracy``, ``val_macro_f1``.
    path : str or pathlib.Path, optional
        Also save a PNG there.

    Returns
    -------
    matplotlib.figure.Figure
    """
    records = list(getattr(history, "records", history))
    if not records:
        raise ValueError("history has no epochs to plot")
    epochs = np.array([r["epoch"] for r in records])

    def column(name: str) -> NDArray[np.float64]:
        return np.array([r.get(name, np.nan) for r in records], dtype=np.float64)

    scored = [
        (name, label)
        for name, label in (("val_accuracy", "accuracy"), ("val_macro_f1", "macro F1"))
        if np.isfinite(column(name)).any()
    ]
    # without validation data there are no scores to draw: one panel, not an empty one
    figure = Figure(figsize=(9 if scored else 4.8, 3.2), layout="constrained")
    panels = figure.subplots(1, 2 if scored else 1, squeeze=False)[0]
    loss_axes = panels[0]
    loss_axes.plot(epochs, column("train_loss"), "o-", label="train")
    if np.isfinite(column("val_loss")).any():
        loss_axes.plot(epochs, column("val_loss"), "s-", label="validation")
    loss_axes.set_xlabel("epoch")
    loss_axes.set_ylabel("loss")
    loss_axes.legend()
    if scored:
        score_axes = panels[1]
        for name, label in scored:
            score_axes.plot(epochs, column(name), "o-", label=label)
        score_axes.set_xlabel("epoch")
        score_axes.set_ylabel("validation score")
        score_axes.set_ylim(0, 1)
        score_axes.legend()
    for axes in panels:
        axes.xaxis.set_major_locator(MaxNLocator(integer=True))  # epochs are whole
    if path is not None:
        save_figure(figure, path)
    return figure


def plot_beat_strips(
    strips: ArrayLike,
    fs: float,
    maps: ArrayLike,
    map_fs: float,
    *,
    beat_index: int,
    map_r_index: int,
    titles: Sequence[str] | None = None,
    columns: int = 2,
    cmap: str = "inferno",
    path: str | Path | None = None,
) -> Figure:
    """Beats on ECG paper, each with its attribution map drawn over its own window.

    Parameters
    ----------
    strips : array_like, shape (n_beats, n_samples)
        A stretch of one lead around each beat, in mV, all of the same length.
    fs : float
        Sampling rate of the strips in Hz.
    maps : array_like, shape (n_beats, n_window)
        Attribution of each beat's model window (e.g. Grad-CAM, scaled to [0, 1]).
    map_fs : float
        Sampling rate of the maps (the model's) in Hz.
    beat_index : int
        Sample of the strips where each beat's R peak lies.
    map_r_index : int
        Sample of the maps where the R peak lies.
    titles : sequence of str, optional
        One title per beat.
    columns : int
        Panels per row.
    cmap : str
        Matplotlib colormap of the overlay.
    path : str or pathlib.Path, optional
        Also save a PNG there.

    Returns
    -------
    matplotlib.figure.Figure
        Each panel has a 0.2 s / 0.5 mV major and 0.04 s / 0.1 mV minor grid; the strip
        is black outside the model's window and coloured by attribution inside it; the
        dashed line marks the R peak.
    """
    x = np.asarray(strips, dtype=np.float64)
    m = np.asarray(maps, dtype=np.float64)
    if x.ndim != 2 or m.ndim != 2 or x.shape[0] != m.shape[0] or x.shape[0] == 0:
        raise ValueError(
            f"strips [n, L] and maps [n, W] must have the same n > 0, got {x.shape} and {m.shape}"
        )
    if not (fs > 0 and map_fs > 0):
        raise ValueError(f"fs and map_fs must be > 0 Hz, got {fs!r} and {map_fs!r}")
    if not np.isfinite(x).all() or not np.isfinite(m).all():
        raise ValueError("strips and maps must be finite")
    if titles is not None and len(titles) != x.shape[0]:
        raise ValueError(f"titles must have {x.shape[0]} entries, got {len(titles)}")
    n_beats, length = x.shape
    cols = max(1, min(columns, n_beats))
    rows = -(-n_beats // cols)
    figure = Figure(figsize=(5.0 * cols, 2.6 * rows), layout="constrained")
    time = (np.arange(length) - beat_index) / fs
    map_time = (np.arange(m.shape[1]) - map_r_index) / map_fs
    lines = None
    for i in range(n_beats):
        axes = figure.add_subplot(rows, cols, i + 1)
        low = np.floor(x[i].min() / 0.5) * 0.5 - 0.25
        high = np.ceil(x[i].max() / 0.5) * 0.5 + 0.25
        _paper_grid(
            axes,
            np.arange(np.ceil(time[0] / 0.04) * 0.04, time[-1], 0.04),
            np.arange(np.ceil(low / 0.1) * 0.1, high, 0.1),
            widths=(0.5, 0.5),
        )
        axes.plot(time, x[i], color="black", lw=0.8, zorder=2)
        inside = (time >= map_time[0]) & (time <= map_time[-1])
        values = np.interp(time[inside], map_time, m[i])
        lines = _coloured_line(
            axes, time[inside], x[i][inside], values, cmap=cmap, width=2.2, zorder=3
        )
        axes.axvline(0, color="tab:blue", ls="--", lw=0.8, zorder=1)
        axes.set_xlim(time[0], time[-1])
        axes.set_ylim(low, high)
        axes.set_xlabel("time from R (s)")
        axes.set_ylabel("mV")
        if titles is not None:
            axes.set_title(titles[i], fontsize=9)
    if lines is not None:
        figure.colorbar(lines, ax=figure.axes, shrink=0.8, label="Grad-CAM (model window)")
    if path is not None:
        save_figure(figure, path)
    return figure
