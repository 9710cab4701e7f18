"""Calibration pulses: the rectangles a recorder or an ECG printout puts before the ECG.

An electrocardiograph marks its gain with a rectangular pulse (1 mV for 200 ms, a box
10 mm high and 5 mm wide at 10 mm/mV and 25 mm/s), and many recordings start (or end)
with one or a few of them: the first second of a Holter export, the left edge of each
row of a printed 12-lead ECG and so of each lead digitised from it. A pulse has two
edges steeper than a QRS's and flat levels between them, which the detector takes for
beats and the classifier for whatever they resemble: five 1-mV pulses before MIT-BIH 100
gave ten "beats", seven of them called S, without a word.

:func:`calibration_pulses` finds such a train at either end of a signal: a stretch that
starts at the signal's first sample (or ends at its last) and holds nothing but flat
levels and rectangular pulses, each one

- a step of :data:`CALIBRATION_MIN_MV` to :data:`CALIBRATION_MAX_MV` (standard pulses are
  0.5, 1 or 2 mV; an amplifier at its limit makes larger rectangles), and at least a
  tenth of the lead's span (its 0.5-99.5th percentiles over the 10 s searched), within
  :data:`PULSE_EDGE_S`, the signal flat over the 20 ms before and after it (its standard
  deviation there at most 5 % of the step),
- followed :data:`PULSE_MIN_S` to :data:`PULSE_MAX_S` later by a step back to within a
  quarter of either step of the level before it, the plateau between flat (its deviation
  from a parabola, which takes the droop of a high-pass, at most twice the noise beside
  it plus 1 % of the step) and further from the lead's median over the 10 s searched
  than the levels on either side (the interval between two clipped R waves has steep
  edges and a flat baseline too, but that baseline is the lead's median level),

and the level before each pulse (from the start, or from the pulse before) as flat as its
plateau must be. A train that holds its pulses' level for more than half of the 10 s
searched is not found (the median is then its level).

Inside a recording a single rectangle is no calibration: deep ventricular complexes in
V1 and amplifiers at their limits make rectangles too (MIT-BIH 200's V1 holds several).
A recorder's test signal (a square wave, or a pulse a second, switched on during a
recording) comes from a clock, so with ``inside=True`` a train is also
:data:`TRAIN_MIN_PULSES` or more pulses as above (without the median test: a square
wave's two levels are as far from it) at one period: pointing the same way, each level
between two of them as flat as a plateau and :data:`PULSE_MIN_S` to :data:`PULSE_MAX_S`
long, widths, steps and levels' lengths within :data:`TRAIN_AGREEMENT` of the first's.

The criteria come from the pulse's definition; on real ECGs (every 10-s strip of
MIT-BIH, both leads, for trains at the ends; its 48 whole records for trains inside
them; LUDB, 12 leads, for both) no train is found
(``benchmarks/bench_calibration.py``). A recording clipped at both of an amplifier's
rails makes such trains (its R waves held at one rail, the levels between at the other,
at a paced or ventricular rhythm's one period). :func:`ecgkit.signal.detect_r_peaks`
leaves out the beats inside a train at its ends (it does not search inside).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ecgkit.signal._validation import as_signal, check_axis, check_fs
from ecgkit.signal.atrial import true_runs
from ecgkit.signal.gaps import merge_intervals

__all__ = [
    "CALIBRATION_MAX_MV",
    "CALIBRATION_MIN_MV",
    "CALIBRATION_SEARCH_S",
    "PULSE_EDGE_S",
    "PULSE_MAX_S",
    "PULSE_MIN_S",
    "TRAIN_AGREEMENT",
    "TRAIN_MIN_PULSES",
    "calibration_pulses",
]

#: The smallest calibration step (mV): a quarter of the smallest standard pulse (0.5 mV at
#: 20 mm/mV, ... 1 mV at 10 mm/mV, 2 mV at 5 mm/mV) with room for a recorder's own gain.
CALIBRATION_MIN_MV = 0.2
#: The largest calibration step (mV): the largest standard pulse (2 mV at 5 mm/mV) with
#: room for a recorder's own gain. An amplifier driven to its limit makes larger
#: rectangles (MIT-BIH 200's V1: 3.8-4.5 mV), and against a step that large the small
#: complexes before it would pass for a flat level.
CALIBRATION_MAX_MV = 3.0
#: How far (s) from each end of a signal a calibration train may reach.
CALIBRATION_SEARCH_S = 10.0
#: A pulse's edge rises (or falls) within this long (s): one sample where a calibration
#: is generated digitally or drawn, a few where a 100 Hz low-pass rounds it (its ringing
#: settles within 16 ms at 250 Hz).
PULSE_EDGE_S = 0.016
#: The shortest and longest pulse (s, from edge to edge): standard pulses last 0.1-0.2 s,
#: a square-wave calibration 0.5 s; a QRS's flat part (a clipped R wave, a QS complex's
#: trough) lasts less than 80 ms.
PULSE_MIN_S = 0.08
PULSE_MAX_S = 2.0
#: Inside a recording, a calibration is a train of at least this many pulses at one
#: period (a recorder's test signal comes from a clock); a single rectangle is not.
TRAIN_MIN_PULSES = 3
#: ... the pulses' widths and steps, and the levels' lengths, within this share of the
#: first pulse's (and the first level's).
TRAIN_AGREEMENT = 0.25
# the signal is flat over this long (s, at least 3 samples) on either side of an edge ...
_FLAT_S = 0.02
# ... its standard deviation there at most this share of the step
_FLAT_SPREAD = 0.05
# a step is at least this share of the lead's span (0.5-99.5th percentiles): a digitised
# trace's small rectangles (LUDB's flat stretches hold some of 3 % of its span) are not
_MIN_SHARE_OF_SPAN = 0.1
# the step back ends within this share of either step (the smaller) of the level before
_BACK_SHARE = 0.25
# the plateau's deviation from a parabola: at most this many times the noise of the flat
# stretches beside it, plus this share of the step
_PLATEAU_NOISE_RATIO = 2.0
_PLATEAU_LEAST_SPREAD = 0.01

# steps within this factor of the largest of their run are as large (rounding aside)
_TIE = 1.0 - 1e-9

_ENDS = ("start", "end")


def calibration_pulses(
    x: ArrayLike,
    fs: float,
    *,
    axis: int = -1,
    ends: str | Collection[str] = _ENDS,
    inside: bool = False,
) -> NDArray[np.int64]:
    """``[start, stop)`` rows of the calibration trains at the ends of ``x``, any lead.

    Parameters
    ----------
    x : array_like
        Signal (mV), finite; ``axis`` is time. 1-D, or 2-D with one lead per row (time
        along ``axis``).
    fs : float
        Sampling rate in Hz.
    axis : int
        Time axis.
    ends : str or collection of str
        Where to look: ``"start"`` (a train from the first sample on), ``"end"`` (one
        up to the last sample), or both (default). A chunk of a longer recording is
        searched only at the recording's own ends.
    inside : bool
        Also look for trains anywhere in ``x``: :data:`TRAIN_MIN_PULSES` or more pulses
        at one period (see the module), which a single rectangle inside an ECG is not.
        Reads the whole signal.

    Returns
    -------
    numpy.ndarray of int64, shape (n_trains, 2)
        ``[start, stop)`` samples of each train, in time order, neither overlapping nor
        touching: from the first sample (or from just before the first pulse of a train
        at the end) to just after its last pulse (or the last sample), where a
        train of one or more pulses (see the module) lies within
        :data:`CALIBRATION_SEARCH_S` of that end in any lead, and with ``inside``, from
        just before the first pulse to just after the last of each train inside ``x``.
        Empty where none is.

    Raises
    ------
    ValueError
        When ``x`` is empty, holds NaN or infinite values or has more than 2 dimensions,
        ``fs`` is not a positive rate, or ``ends`` names something else.

    Examples
    --------
    >>> import numpy as np
    >>> from ecgkit.signal import calibration_pulses
    >>> x = np.zeros(1000)          # 4 s at 250 Hz
    >>> x[50:100] = 1.0             # a 1 mV, 200 ms pulse
    >>> x[400:] = np.sin(np.arange(600) / 8.0)   # then something that is not flat
    >>> calibration_pulses(x, fs=250).tolist()
    [[0, 105]]
    """
    fs = check_fs(fs)
    wanted = {ends} if isinstance(ends, str) else set(ends)
    if not wanted <= set(_ENDS):
        raise ValueError(f"ends must name 'start' and/or 'end', got {sorted(wanted)!r}")
    if not isinstance(inside, (bool, np.bool_)):
        raise TypeError(f"inside must be True or False, got {type(inside).__name__}")
    arr = as_signal(x, "x", max_ndim=2)
    at_ends = trains_at_ends(arr, fs, axis=axis, ends=wanted) if wanted else None
    if not inside:
        return np.zeros((0, 2), dtype=np.int64) if at_ends is None else at_ends
    within = trains_inside(arr, fs, axis=axis)
    return within if at_ends is None else merge_intervals(np.concatenate([at_ends, within]))


def trains_inside(
    arr: NDArray[np.floating[Any]], fs: float, *, axis: int = -1
) -> NDArray[np.int64]:
    """:func:`calibration_pulses` ``(inside=True, ends=())`` of a checked, finite ``arr``."""
    time_axis = check_axis(axis, arr.ndim)
    n = arr.shape[time_axis]
    leads = np.moveaxis(np.asarray(arr, dtype=np.float64), time_axis, -1).reshape(-1, n)
    found = [train for lead in leads for train in _periodic_trains(lead, fs)]
    return merge_intervals(np.asarray(found, dtype=np.int64).reshape(-1, 2))


def trains_at_ends(
    arr: NDArray[np.floating[Any]], fs: float, *, axis: int = -1, ends: Collection[str] = _ENDS
) -> NDArray[np.int64]:
    """:func:`calibration_pulses` of a checked, finite 1-D or 2-D ``arr``.

    Reads only the :data:`CALIBRATION_SEARCH_S` at each end (a memory-mapped recording is
    not read whole); for :func:`ecgkit.signal.detect_r_peaks`, which has checked its
    input already.
    """
    time_axis = check_axis(axis, arr.ndim)
    n = arr.shape[time_axis]
    reach = min(n, round(CALIBRATION_SEARCH_S * fs))
    found = []
    for end in _ENDS:
        if end not in ends:
            continue
        cut: list[slice] = [slice(None)] * arr.ndim
        cut[time_axis] = slice(n - reach, n) if end == "end" else slice(0, reach)
        window = arr[tuple(cut)]
        leads = np.moveaxis(np.asarray(window, dtype=np.float64), time_axis, -1).reshape(-1, reach)
        for lead in leads:
            stop = _train_from_start(lead[::-1] if end == "end" else lead, fs)
            if stop:
                found.append((n - stop, n) if end == "end" else (0, stop))
    return merge_intervals(np.asarray(found, dtype=np.int64).reshape(-1, 2))


def _train_from_start(lead: NDArray[np.float64], fs: float) -> int:
    """Where the calibration train that starts ``lead`` ends (0: none).

    Steps and levels are judged against the span and median of ``lead`` itself, the
    :data:`CALIBRATION_SEARCH_S` searched.
    """
    scale = _Scale.of(lead, fs)
    at, step = _edges(lead, scale.edge, scale.flat, scale.least, scale.median)
    reached = 0
    for k in range(at.size - 1):
        a, b = int(at[k]), int(at[k + 1])
        most = _pulse_allowance(lead, scale, a, b, float(step[k]), float(step[k + 1]))
        if most is None:
            continue
        level = abs(lead[a + scale.edge : b + 1].mean() - scale.median)
        before = lead[a - scale.flat + 1 : a + 1]
        after = lead[b + scale.edge : b + scale.edge + scale.flat]
        if max(abs(before.mean() - scale.median), abs(after.mean() - scale.median)) >= level:
            continue  # the interval between two steep waves, at the lead's baseline
        if _bend(lead[reached : a - scale.flat + 1]) > most:
            break  # something not flat before this pulse: the ECG has started
        reached = b + scale.edge + scale.flat
    return reached


def _periodic_trains(lead: NDArray[np.float64], fs: float) -> list[tuple[int, int]]:
    """``[start, stop)`` of each run of :data:`TRAIN_MIN_PULSES` or more pulses at one period.

    Consecutive pulses point the same way, the level between them is as flat as a
    plateau must be and lasts :data:`PULSE_MIN_S` to :data:`PULSE_MAX_S`, and each pulse's
    width and step, and each level's length, lie within :data:`TRAIN_AGREEMENT` of the
    first's. Runs may overlap (a square wave's pulses up and its pulses down).
    """
    scale = _Scale.of(lead, fs)
    at, step = _edges(lead, scale.edge, scale.flat, scale.least, scale.median)
    pulses: dict[int, float] = {}  # first edge's index -> flatness allowance
    for k in range(at.size - 1):
        most = _pulse_allowance(
            lead, scale, int(at[k]), int(at[k + 1]), float(step[k]), float(step[k + 1])
        )
        if most is not None:
            pulses[k] = most
    trains = []
    chained: set[int] = set()
    for first in sorted(pulses):
        if first in chained:
            continue
        run = [first]
        width, height = at[first + 1] - at[first], abs(step[first])
        spacing = None
        while (k := run[-1]) + 2 in pulses:
            gap = int(at[k + 2] - at[k + 1])
            agrees = (
                np.sign(step[k + 2]) == np.sign(step[first])
                and abs(at[k + 3] - at[k + 2] - width) <= TRAIN_AGREEMENT * width
                and abs(abs(step[k + 2]) - height) <= TRAIN_AGREEMENT * height
                and scale.shortest <= gap <= scale.longest
                and (spacing is None or abs(gap - spacing) <= TRAIN_AGREEMENT * spacing)
            )
            level = lead[int(at[k + 1]) + scale.edge : int(at[k + 2]) + 1]
            if not agrees or _bend(level) > max(pulses[k], pulses[k + 2]):
                break
            spacing = gap if spacing is None else spacing
            run.append(k + 2)
        chained.update(run)
        if len(run) >= TRAIN_MIN_PULSES:
            last = run[-1] + 1
            trains.append(
                (int(at[first]) - scale.flat + 1, int(at[last]) + scale.edge + scale.flat)
            )
    return trains


@dataclass(frozen=True)
class _Scale:
    """What a lead's steps are judged by, in its own units and samples."""

    least: float  # the smallest step (mV)
    median: float  # the lead's median level (mV)
    edge: int  # samples an edge may take
    flat: int  # samples flat on either side of an edge
    shortest: int  # the shortest pulse or level (samples)
    longest: int  # the longest

    @classmethod
    def of(cls, lead: NDArray[np.float64], fs: float) -> _Scale:
        span = float(np.ptp(np.percentile(lead, [0.5, 99.5])))
        return cls(
            least=max(CALIBRATION_MIN_MV, _MIN_SHARE_OF_SPAN * span),
            median=float(np.median(lead)),
            edge=max(round(PULSE_EDGE_S * fs), 1),
            flat=max(round(_FLAT_S * fs), 3),
            shortest=max(round(PULSE_MIN_S * fs), 3),
            longest=round(PULSE_MAX_S * fs),
        )


def _pulse_allowance(
    lead: NDArray[np.float64], scale: _Scale, a: int, b: int, up: float, down: float
) -> float | None:
    """How far from flat a level may be beside the pulse of edges ``a``, ``b``; None: no pulse.

    ``up`` and ``down`` are the two steps (mV, signed). A pulse: steps of opposite sign,
    :data:`PULSE_MIN_S` to :data:`PULSE_MAX_S` apart, neither over
    :data:`CALIBRATION_MAX_MV`, the second back within a quarter of the first, and a
    plateau within the allowance (twice the noise of the flat stretches beside the pulse
    plus 1 % of its step) of a parabola.
    """
    height = abs(up)
    if np.sign(up) == np.sign(down) or not scale.shortest <= b - a <= scale.longest:
        return None
    if max(height, abs(down)) > CALIBRATION_MAX_MV:
        return None
    if abs(up + down) > _BACK_SHARE * min(height, abs(down)):
        return None
    before = lead[a - scale.flat + 1 : a + 1]
    after = lead[b + scale.edge : b + scale.edge + scale.flat]
    most = _PLATEAU_NOISE_RATIO * max(float(before.std()), float(after.std()))
    most += _PLATEAU_LEAST_SPREAD * height
    return None if _bend(lead[a + scale.edge : b + 1]) > most else most


def _bend(x: NDArray[np.float64]) -> float:
    """Standard deviation of ``x`` about its least-squares parabola (0 for 3 samples or fewer)."""
    if x.size <= 3:
        return 0.0
    t = np.linspace(-1.0, 1.0, x.size)
    return float(np.std(x - np.polyval(np.polyfit(t, x, 2), t)))


def _edges(
    lead: NDArray[np.float64], edge: int, flat: int, least: float, median: float
) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
    """The last sample before each step of ``lead`` and the step (level after - before).

    A step: the mean over the ``flat`` samples from ``edge`` after it minus that over the
    ``flat`` samples up to it, at least ``least`` in size, both stretches' standard
    deviations at most :data:`_FLAT_SPREAD` of it; of adjacent such samples, the largest.
    ``median`` (the lead's) only centres the sums.
    """
    count = lead.size - edge - 2 * flat + 2  # the samples i with room on both sides
    if count <= 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0)
    centred = lead - median
    sums = np.concatenate(([0.0], np.cumsum(centred)))
    squares = np.concatenate(([0.0], np.cumsum(centred * centred)))
    mean = (sums[flat:] - sums[:-flat]) / flat  # over lead[j : j + flat]
    # i = flat - 1 + k: the stretch up to it starts at k, the one after it at k + flat - 1 + edge
    ahead = flat - 1 + edge
    step = mean[ahead : ahead + count] - mean[:count]
    size = np.abs(step)
    (candidates,) = np.nonzero(size >= least)
    if candidates.size == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0)
    variance = (squares[flat:] - squares[:-flat]) / flat - mean * mean
    spread = np.sqrt(
        np.maximum(np.maximum(variance[candidates], variance[candidates + ahead]), 0.0)
    )
    steps = np.zeros(count, dtype=bool)
    steps[candidates[spread <= _FLAT_SPREAD * size[candidates]]] = True
    runs = true_runs(steps)
    # the first of the largest (to rounding: an ideal edge's alignments tie, and an offset
    # or a sign flip moves the last bits)
    best = np.array(
        [
            first + int(np.argmax(size[first : final + 1] >= _TIE * size[first : final + 1].max()))
            for first, final in runs
        ],
        dtype=np.int64,
    )
    return best + flat - 1, step[best]
