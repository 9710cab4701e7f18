"""R-peak detection: ecgkit's own detector and neurokit2's detectors behind one call."""

from __future__ import annotations

import dataclasses
import math
import warnings
from typing import Any

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view
from numpy.typing import ArrayLike, NDArray

from ecgkit.signal._chunks import CHUNK_MARGIN_S, chunk_bounds
from ecgkit.signal._compiled import compiled, interpreted
from ecgkit.signal._feature import (
    BAND_HZ,
    NYQUIST_SHARE,
    detection_bands,
    flat_leads,
    leads_first,
    qrs_feature,
)
from ecgkit.signal._gate import noise_gate
from ecgkit.signal._indices import sorted_unique
from ecgkit.signal._maxima import largest_magnitude, peaks_apart
from ecgkit.signal._median import sorted_median
from ecgkit.signal._r_wave import r_wave_positions, refine_sos, sharp_sos
from ecgkit.signal._recurring import recover_recurring
from ecgkit.signal._ringing import ringing
from ecgkit.signal._threshold import RECENT_RR, STARTUP_BEATS, T_WAVE_S, threshold_loop
from ecgkit.signal._validation import (
    FloatArray,
    as_indices,
    as_signal,
    check_axis,
    check_fs,
    check_non_negative,
    check_positive,
)
from ecgkit.signal.calibration import trains_at_ends
from ecgkit.signal.filters import apply_sos
from ecgkit.signal.gaps import GAP_MIN_FLAT_S, bridge_gaps, flat_stretches, touches_gaps
from ecgkit.signal.resample import resample

__all__ = ["FIDUCIALS", "NEUROKIT_METHODS", "PEAK_METHODS", "detect_r_peaks", "refine_peaks"]

#: neurokit2 detectors reachable through :func:`detect_r_peaks`, each with the
#: ``neurokit2.ecg_clean`` method its authors pair it with.
NEUROKIT_METHODS: dict[str, str] = {
    "neurokit": "neurokit",
    "pantompkins1985": "pantompkins1985",
    "hamilton2002": "hamilton2002",
    "elgendi2010": "elgendi2010",
    "engzeemod2012": "engzeemod2012",
    "christov2004": "neurokit",
    "gamboa2008": "neurokit",
    "zong2003": "neurokit",
    "martinez2004": "neurokit",
    "manikandan2012": "neurokit",
    "nabian2018": "neurokit",
    "kalidas2017": "neurokit",
    "rodrigues2021": "neurokit",
    "emrich2023": "neurokit",
    "promac": "neurokit",
}

#: Every method name :func:`detect_r_peaks` accepts.
PEAK_METHODS: tuple[str, ...] = ("ecgkit", *NEUROKIT_METHODS)

#: The points of the QRS complex :func:`refine_peaks` and :func:`detect_r_peaks` place
#: beats on: its largest absolute deflection, or the peak of its R wave.
FIDUCIALS: tuple[str, ...] = ("extremum", "r_wave")

# ecgkit detector settings (seconds and Hz); see the Notes of detect_r_peaks
# the lowest rate the detector is checked at (the stress suite's 128 Hz row): a slower
# recording is detected upsampled by a whole factor to at least this rate, where its time
# constants (120 ms integration, 200 ms refractory ...) span enough samples
_MIN_DETECTION_FS_HZ = 128.0
_REFRACTORY_S = 0.2
_LEARNING_S = 2.0
_P_WAVE_RATIO = 0.5
_GAP_FRACTION = 0.35
# where noise lifts the floor above this, a beat lower than this share of its four
# neighbours that splits one RR interval (its neighbours less than 1.5 RR apart) is noise
_NOISY_MIN_HEIGHT = 0.1
_NOISE_BEAT_RATIO = 0.6
_NOISE_BEAT_SPAN = 1.5


def _candidates(feature: NDArray[np.float64], fs: float) -> NDArray[np.int64]:
    """The feature's local maxima at least the refractory period apart."""
    return peaks_apart(feature, max(round(_REFRACTORY_S * fs), 1))


@dataclasses.dataclass
class _Levels:
    """The state of the adaptive threshold: its two levels and the rhythm it has seen.

    ``signal`` and ``noise`` are the running levels of beats and of rejected candidates
    (feature units), ``recent_rr`` the last eight RR intervals (samples) and ``rr_mean``
    their mean, or a first guess before two beats are known.
    """

    signal: float
    noise: float
    rr_mean: float
    recent_rr: list[int] = dataclasses.field(default_factory=list)


@dataclasses.dataclass
class _Pass:
    """The beats one pass of the adaptive threshold accepted, in order.

    ``positions`` (samples), ``heights`` (feature, capped at ``LEVEL_CAP``) and ``chosen``
    (candidate index) of each beat, and the levels right after its ``STARTUP_BEATS``-th
    beat (None when it found fewer).
    """

    positions: NDArray[np.int64]
    heights: NDArray[np.float64]
    chosen: NDArray[np.int64]
    settled: _Levels | None


def _adaptive_threshold(
    feature: NDArray[np.float64],
    fs: float,
    candidates: NDArray[np.int64],
    min_height: NDArray[np.float64],
    dropouts: NDArray[np.int64],
) -> NDArray[np.int64]:
    """Pan-Tompkins dual-level thresholding, T-wave rejection, search-back, P-wave pruning.

    ``candidates`` are :func:`_candidates`; one below its ``min_height`` is never a beat.
    ``dropouts`` are the ``[start, stop)`` flat stretches bridged before the feature: no
    RR interval across one enters the rhythm (the one that spans a 10-s dropout would be
    the rhythm's mean for the next eight beats, and keep search-back off).
    The thresholding runs twice over the start of the signal: the first pass learns the
    levels and the rhythm from its first ``STARTUP_BEATS`` beats, the second reads the
    candidates before the last of them again with what the first learnt, so that the
    first beats get a threshold set by beats and a search-back that knows the rhythm
    (which the first pass cannot give them before two intervals are known).
    """
    t_wave = round(T_WAVE_S * fs)
    if candidates.size == 0:
        return np.zeros(0, dtype=np.int64)
    values = feature[candidates]
    learn_end = max(round(_LEARNING_S * fs), 1)
    learning = candidates < learn_end
    learn_values = values[learning] if learning.any() else values[:1]
    # the signal level starts at 1, where the feature puts the typical QRS (its median 2-s
    # maximum), not at the first 2 s's tallest peak, so that a start inside an artefact or
    # just before a drop in amplitude does not hide the beats that follow; the noise level
    # at the feature's mean (mostly the level between beats); the RR interval at the
    # spacing of the tall candidates of the learning period
    tall = candidates[learning][learn_values > 0.5] if learning.any() else candidates[:0]
    first_levels = _Levels(
        signal=1.0,
        noise=float(feature[:learn_end].mean()),
        rr_mean=float(np.median(np.diff(tall))) if len(tall) > 2 else 0.8 * fs,
    )
    stretch = np.searchsorted(dropouts[:, 1], candidates, side="right").astype(np.int64)
    first = _threshold_pass(
        values, fs, candidates, min_height, stretch, first_levels, candidates.size
    )
    positions, heights, kept = first.positions, first.heights, first.chosen
    if first.settled is not None:
        # the first pass's beats from its last start-up beat on, the second's before it
        k = STARTUP_BEATS - 1
        second = _threshold_pass(
            values, fs, candidates, min_height, stretch, first.settled, int(kept[k])
        )
        positions = np.concatenate([second.positions, positions[k:]])
        heights = np.concatenate([second.heights, heights[k:]])
        kept = np.concatenate([second.chosen, kept[k:]])
    if positions.size > 1:
        gaps = np.diff(positions)
        spans = gaps + np.concatenate(([gaps[0]], gaps[:-1]))
        close = (gaps < t_wave) & (gaps < _GAP_FRACTION * spans)
        smaller = heights[:-1] < _P_WAVE_RATIO * heights[1:]
        drop = np.append(close & smaller, False)
        positions, heights, kept = positions[~drop], heights[~drop], kept[~drop]
    return _drop_noise_beats(positions, heights, min_height[kept])


def _threshold_pass(
    values: NDArray[np.float64],
    fs: float,
    candidates: NDArray[np.int64],
    min_height: NDArray[np.float64],
    stretch: NDArray[np.int64],
    levels: _Levels,
    stop: int,
) -> _Pass:
    """One pass of the adaptive threshold over ``candidates[:stop]``, from ``levels``.

    ``values`` is the feature at the candidates. ``levels`` is copied, not changed. The
    loop is :func:`ecgkit.signal._threshold.threshold_loop`, compiled by numba when it is
    there, else run by the interpreter on Python lists.
    """
    refractory = max(round(_REFRACTORY_S * fs), 1)
    t_wave = round(T_WAVE_S * fs)
    inputs = (
        candidates[:stop],
        values[:stop],
        values[:stop] > min_height[:stop],
        min_height[:stop],
        stretch[:stop],
    )
    state = [levels.signal, levels.noise, levels.rr_mean]
    recent = levels.recent_rr + [-1] * (RECENT_RR - len(levels.recent_rr))
    # the loop's arguments: read-only inputs, then its state, then what it writes
    args: list[Any]
    fast = compiled()
    if fast:
        args = [np.ascontiguousarray(a) for a in inputs]
        args += [np.array(state), np.array(recent, dtype=np.int64)]
        args += [np.empty(stop, np.int64), np.empty(stop), np.empty(stop, np.int64)]
        args += [np.empty(3), np.empty(RECENT_RR, np.int64)]
    else:
        args = [a.tolist() for a in inputs] + [state, recent]
        args += [[0] * stop, [0.0] * stop, [0] * stop, [0.0] * 3, [0] * RECENT_RR]
    position_at, value_at, above_at, least_at, stretch_at, state_at, recent_at, *written = args
    beats, heights, chosen, settled_state, settled_recent = written
    loop = threshold_loop if fast else interpreted(threshold_loop)
    n_beats, n_settled = loop(
        position_at, value_at, above_at, least_at, stretch_at, stop, refractory, t_wave,
        state_at, recent_at, beats, heights, chosen, settled_state, settled_recent,
    )  # fmt: skip
    settled = None
    if n_settled >= 0:
        settled = _Levels(
            signal=float(settled_state[0]),
            noise=float(settled_state[1]),
            rr_mean=float(settled_state[2]),
            recent_rr=[int(r) for r in settled_recent[:n_settled]],
        )
    return _Pass(
        np.asarray(beats[:n_beats], dtype=np.int64),
        np.asarray(heights[:n_beats], dtype=np.float64),
        np.asarray(chosen[:n_beats], dtype=np.int64),
        settled,
    )


def _drop_noise_beats(
    positions: NDArray[np.int64], heights: NDArray[np.float64], min_height: NDArray[np.float64]
) -> NDArray[np.int64]:
    """Drop weak beats in noisy stretches that split one RR interval into two.

    A beat goes when the local floor is raised by noise (``min_height`` above
    ``_NOISY_MIN_HEIGHT``), it is less than ``_NOISE_BEAT_RATIO`` times as high as the
    median of its four neighbours, and its two neighbours are less than
    ``_NOISE_BEAT_SPAN`` local RR intervals apart (half the median of the spans over two
    intervals around it), so that no beat goes missing with it.
    """
    n = positions.size
    if n < 5:
        return positions
    span = (positions[2:] - positions[:-2]).astype(np.float64)
    # the local RR is half the median span over two intervals, not the median interval:
    # an extra beat shortens both intervals it splits but not the spans around it, so a
    # noisy stretch's extras do not pull down the rhythm they are measured against
    padded_spans = np.pad(span, 4, mode="edge")
    # medians from a sort of each row (numpy's values; its median partitions every short
    # row apart, several times slower)
    local_rr = sorted_median(np.sort(sliding_window_view(padded_spans, 9), axis=-1), 9) / 2
    padded_heights = np.pad(heights, 2, mode="edge")
    around = np.sort(sliding_window_view(padded_heights, 5)[:, [0, 1, 3, 4]], axis=-1)
    neighbour_height = sorted_median(around, 4)
    inner = slice(1, n - 1)
    drop = np.zeros(n, dtype=bool)
    drop[inner] = (
        (min_height[inner] > _NOISY_MIN_HEIGHT)
        & (heights[inner] < _NOISE_BEAT_RATIO * neighbour_height[inner])
        & (span < _NOISE_BEAT_SPAN * local_rr)
    )
    return positions[~drop]


def refine_peaks(
    x: ArrayLike,
    peaks: ArrayLike,
    fs: float,
    *,
    window_s: float = 0.06,
    axis: int = -1,
    fiducial: str = "extremum",
) -> NDArray[np.int64]:
    """Move each peak onto the QRS's fiducial point: its largest deflection or its R wave.

    Parameters
    ----------
    x : array_like, shape (n_samples,)
        One lead; it is band-passed 0.5-40 Hz first so that baseline wander cannot win.
    peaks : array_like of int
        Approximate R-peak sample indices.
    fs : float
        Sampling rate in Hz.
    window_s : float
        Half-width of the search window in seconds.
    axis : int
        Time axis of ``x``.
    fiducial : {"extremum", "r_wave"}
        ``"extremum"``: the largest absolute deflection within ``±window_s`` (the R wave,
        or the Q or S wave where that is larger, as MIT-BIH's annotations place beats;
        unchanged by a sign flip of ``x``). ``"r_wave"``: the peak of the R wave, the
        QRS's positive wave, as LUDB's and the electrocardiographer's R peak: where the
        largest deflection is negative (rS, Qr: aVR, V1-V3), the positive turning point
        next to it, on either side within 100 ms, that reaches 10 % of it both 0.5-40 Hz
        and 10-40 Hz band-passed (an ST segment rising after the S does not); a QS
        complex keeps its nadir. It follows the lead's sign: an inverted lead's R wave
        is the original's Q or S.

    Returns
    -------
    numpy.ndarray of int64
        Sorted, unique sample indices.

    Notes
    -----
    LUDB marks the R wave of each lead; MIT-BIH places a beat whose largest deflection
    in the first lead is negative on that deflection in 5,543 of 9,518 cases and on the
    positive peak in 1,351. ecgkit's classifiers are trained on MIT-BIH's placement, so
    :func:`detect_r_peaks` places on the extremum unless told otherwise.
    """
    fs = check_fs(fs)
    _check_fiducial(fiducial)
    arr = as_signal(x, axis=axis, max_ndim=1)
    half = _half_window(window_s, fs, arr.shape[0], "window_s")
    idx = as_indices(peaks, "peaks", arr.shape[0])
    if idx.size == 0 or half == 0:
        return sorted_unique(idx)
    try:
        # sosfilt takes only writable sections: each call gets its own copy of the design
        y = apply_sos(arr, refine_sos(fs).copy())
    except ValueError:
        y = arr - arr.mean()
    return _place(arr, y, idx, fs, half, fiducial)


def _half_window(window_s: float, fs: float, n: int, name: str) -> int:
    """:func:`refine_peaks`' search half-width in samples, at most the signal's ``n``.

    A window wider than the signal searches the whole signal: no more is needed.
    """
    return min(round(check_non_negative(window_s, name) * fs), n)


def _place(
    arr: FloatArray,
    y: FloatArray,
    idx: NDArray[np.int64],
    fs: float,
    half: int,
    fiducial: str,
) -> NDArray[np.int64]:
    """:func:`refine_peaks` of ``idx`` in lead ``arr``, given ``y``, its 0.5-40 Hz band.

    ``half`` is the search half-width in samples (> 0), from :func:`_half_window`.
    """
    if idx.size == 0:
        return sorted_unique(idx)
    refined = largest_magnitude(y, idx, half)
    if fiducial == "r_wave":
        try:
            sharp = apply_sos(arr, sharp_sos(fs).copy())
        except ValueError:  # too short to filter: no R wave to tell apart from the ST
            return sorted_unique(refined)
        refined = r_wave_positions(y, sharp, refined, fs)
    return sorted_unique(refined)


def _check_fiducial(fiducial: str) -> None:
    if fiducial not in FIDUCIALS:
        raise ValueError(f"fiducial must be one of {', '.join(FIDUCIALS)}; got {fiducial!r}")


def _neurokit_peaks(lead: NDArray[np.float64], fs: float, method: str) -> NDArray[np.int64]:
    import neurokit2 as nk

    cleaned = nk.ecg_clean(lead, sampling_rate=fs, method=NEUROKIT_METHODS[method])
    try:
        found: dict[str, Any] = nk.ecg_findpeaks(cleaned, sampling_rate=fs, method=method)
    except ImportError as error:  # some neurokit2 detectors need packages of their own
        raise ValueError(
            f"method {method!r} needs a package that is not installed ({error}); install it "
            "or choose another method"
        ) from error
    return np.asarray(found["ECG_R_Peaks"], dtype=np.int64)


def _vote(per_lead: list[NDArray[np.int64]], fs: float) -> NDArray[np.int64]:
    """Keep beats found in a strict majority of leads (positions within 100 ms)."""
    n_leads = len(per_lead)
    if n_leads == 1:
        return per_lead[0]
    pooled = np.sort(np.concatenate(per_lead))
    if pooled.size == 0:
        return pooled
    gap = round(0.1 * fs)
    starts = np.flatnonzero(np.diff(pooled, prepend=-gap - 1) > gap)
    groups = np.split(pooled, starts[1:])
    needed = n_leads // 2 + 1
    kept = [int(np.median(g)) for g in groups if len(g) >= needed]
    return np.asarray(kept, dtype=np.int64)


def detect_r_peaks(
    x: ArrayLike,
    fs: float,
    method: str = "ecgkit",
    *,
    axis: int = -1,
    refine_window_s: float = 0.06,
    reference_lead: int = 0,
    chunk_s: float | None = None,
    fiducial: str = "extremum",
) -> NDArray[np.int64]:
    """Detect R peaks in a single- or multi-lead ECG.

    Parameters
    ----------
    x : array_like, shape (n_samples,) or (n_leads, n_samples)
        The ECG (any unit; mV is usual). For a 2-D array ``axis`` names the time axis, so a
        ``[n_samples, n_leads]`` record is passed with ``axis=0``.
    fs : float
        Sampling rate in Hz. Under 128 Hz the signal is detected upsampled by a whole
        factor to 128 Hz or more (polyphase) and the beats mapped back to its samples.
    method : str
        ``"ecgkit"`` (default, see Notes) or a neurokit2 detector from
        :data:`NEUROKIT_METHODS` (``"neurokit"``, ``"pantompkins1985"``, ``"hamilton2002"``,
        ``"elgendi2010"``, ``"kalidas2017"``, ``"rodrigues2021"``, ...), run on the signal as
        cleaned by the ``neurokit2.ecg_clean`` method its authors pair with it.
    axis : int
        Time axis of ``x``.
    refine_window_s : float
        Every detection is moved to the largest absolute deflection of the 0.5-40 Hz
        band-passed ``reference_lead`` within ``±refine_window_s`` seconds, so that all
        methods place their beats on the R wave (or on the S wave where it is the larger
        deflection), and from there as ``fiducial`` says. 0 turns refinement off (and
        ``fiducial`` with it).
    reference_lead : int
        Lead used for the refinement of a multi-lead signal.
    chunk_s : float, optional
        Detect in chunks of about this many seconds (0.75-1.5x, at least 600) that overlap
        by 5 minutes, so that a 24-hour recording (a memory map is fine) needs memory for
        one chunk, not for the filtered whole; each beat belongs to exactly one chunk, and
        the beats are those of one pass (on the 48 MIT-BIH records joined into 24 hours,
        the same as each record alone). None: one pass.
    fiducial : {"extremum", "r_wave"}
        The point of each QRS the refinement places the beat on (see
        :func:`refine_peaks`): its largest absolute deflection (default; MIT-BIH's
        placement, which ecgkit's classifiers are trained on) or the peak of its R wave
        (LUDB's and the clinical R peak; differs where a lead's QRS is mostly negative).

    Returns
    -------
    numpy.ndarray of int64, shape (n_beats,)
        Sorted, unique sample indices of the R peaks. Empty, with a ``UserWarning``, when
        every lead is flat (no energy in the QRS band beyond rounding: a constant, a
        zero-filled signal, a lead off); flat leads of a multi-lead signal are left out of
        the detection.

    Notes
    -----
    ecgkit's detector follows Pan and Tompkins (1985), offline and multi-lead:

    0. a stretch of 1 s or more over which every lead holds one value (a lead off, a
       zero-filled dropout: :func:`~ecgkit.signal.flat_stretches`) with recorded samples
       on both sides is replaced by a straight line joining them
       (:func:`~ecgkit.signal.bridge_gaps`), so that the steps at its edges do not pass
       for beats, and no RR interval across it counts in the rhythm of step 4;
    1. each lead is band-passed to 3-25 Hz (zero-phase), differentiated, squared and
       averaged over a centred 120 ms window; that slope energy is divided by the lead's
       median 2 s maximum (for a single lead, the median over the 5 minutes around each
       moment, so that a gain change inside a recording is followed) so that leads of any
       gain weigh alike; several leads are averaged
       with weights inversely proportional to each lead's local noise floor (the median of
       its feature over about 2.5 s), so that wherever one lead is buried in noise the
       others carry the detection (fusion at the feature level); the typical level is
       taken to be at least 1e-6 of the largest 2 s maximum (1e-3 in amplitude), so that a
       lead whose blocks mostly hold nothing (a flat line, rounding noise, slow wander
       around one transient) does not blow its nothing up to QRS size, and such a lead is
       left out of the fusion while another lead holds QRS complexes;
    2. local maxima at least 200 ms apart are candidates;
    3. a candidate is a beat when it exceeds ``noise + 0.25 (signal - noise)``, with both
       levels updated by exponential averaging (not where 2.5 times the local floor is
       above a typical QRS, which that noise hides: a burst of loud noise leaves the
       levels as they were before it), and 2.5 times the local floor of the
       feature (which muscle noise and electrode motion raise); the floor does not count
       where the 2-20 Hz ECG repeats itself every 150-450 ms (autocorrelation above 0.4),
       as the waves of a ventricular flutter do; a candidate within 360 ms of the previous
       beat and below half its height is a T wave;
    4. when no beat has come for 1.4 mean RR intervals, the largest rejected candidate
       above 0.3 times the threshold becomes a beat (search-back), unless it is small next
       to both the running noise level and the rhythm's expectation, or a T wave; the
       start of the signal, up to the eighth beat, is read twice, the second time from
       the levels and the rhythm the first reading had there, so that the first beats
       are searched back for as later ones are (a lone pass knows no rhythm before its
       third beat);
    5. because the whole signal is known, a beat that is less than half as high as the
       next one, less than 360 ms before it and in the last 35 % of the interval between
       its neighbours is a P wave or artefact, and is dropped; so is, in a noisy stretch,
       a beat lower than 0.6 times its neighbours whose neighbours are less than 1.5 RR
       intervals apart; and a rejected candidate becomes a beat where it recurs, at the
       same time after the beat before it and of the same height, in two of the four
       intervals around (small normal beats beside ectopic beats several times larger,
       in bigeminy or trigeminy, stay under a threshold that follows the large beats),
       unless it is where a T wave (within 0.45 s times the square root of the interval)
       or a P wave (within 300 ms before the next beat, or with a wave of its height
       100-300 ms before that beat, as a blocked P wave has) would be, or under 0.08 of
       its neighbours' feature;
    6. a beat must owe at least 20 % of its feature to the ECG within 150 ms of it (each
       lead cut there, less the straight line through the cut's ends, band-passed alone);
       otherwise it is the ringing of the band-pass filter around a transient elsewhere
       (a baseline step, an edge, a spike) or at the ends of the signal, and is dropped.
       Beats of MIT-BIH keep 65 % or more, ringing 5 % or less. With the least level of
       step 1, one transient (a step, an edge, a spike) in an otherwise flat or QRS-free
       signal gives at most one beat, at the transient, not one beat per lobe of the
       ringing (5 beats 140-240 ms apart for a step); a lone beat in a flat line is
       still found. A signal with no transient and no QRS (slow wander alone, white
       noise) may still give beats: its largest feature is its own noise;
    7. a recorder's calibration at either end of the signal (rectangular pulses such as
       1 mV for 200 ms: :func:`~ecgkit.signal.calibration_pulses`, in any lead) gives no
       beat, whatever the method: each pulse's edges had passed for two beats. It costs
       about 0.4 ms a call (the 10 s at each end are searched).

    On the 48 records of the MIT-BIH Arrhythmia Database (first lead, all beat
    annotations, 150 ms match window) it reaches Se 99.81 % and +P 99.83 %, and under
    noise of the Noise Stress Test's kinds it keeps the most beats; see the benchmarks page
    of the documentation.

    With numba installed (the ``fast`` extra) the detector's filters, slope energy,
    candidates and threshold loop run compiled, with the results of the numpy and scipy
    code they replace (the same float64 operations in the same order; the candidates as
    ``scipy.signal.find_peaks`` chooses them): the same beats in about 60 % of the time;
    ``ECGKIT_NUMBA=0`` in the environment turns the kernels off.

    The output depends only on the waveform's shape: it is invariant to the gain and
    offset of ``x`` (but for step 7, whose pulses are 0.2-3 mV) and, with the default
    ``fiducial="extremum"``, to the sign of each lead (an inverted lead gives the same
    beats; the R wave of ``"r_wave"`` is not). For
    the neurokit2 methods, a multi-lead signal is processed lead by lead and a beat is
    kept when a strict majority of leads found it within 100 ms.

    References
    ----------
    J. Pan and W. J. Tompkins, "A real-time QRS detection algorithm", IEEE Trans. Biomed.
    Eng. 32(3), 1985.
    """
    peaks = _detect_r_peaks(
        x, fs, method, axis=axis, refine_window_s=refine_window_s,
        reference_lead=reference_lead, chunk_s=chunk_s, fiducial=fiducial,
    )  # fmt: skip
    # checked by _detect_r_peaks: a finite 1-D or 2-D signal, a positive rate
    trains = trains_at_ends(np.asarray(x), float(fs), axis=axis)
    if trains.size and peaks.size:
        peaks = peaks[~touches_gaps(peaks, peaks + 1, trains)]
    return peaks


def _detect_r_peaks(
    x: ArrayLike,
    fs: float,
    method: str = "ecgkit",
    *,
    axis: int = -1,
    refine_window_s: float = 0.06,
    reference_lead: int = 0,
    chunk_s: float | None = None,
    fiducial: str = "extremum",
) -> NDArray[np.int64]:
    """:func:`detect_r_peaks` without the calibration at its ends (chunks call this)."""
    fs = check_fs(fs)
    if method not in PEAK_METHODS:
        raise ValueError(f"method must be one of {', '.join(PEAK_METHODS)}; got {method!r}")
    _check_fiducial(fiducial)
    min_samples = max(math.ceil(0.5 * fs), 16)
    arr = as_signal(x, axis=axis, min_samples=min_samples, max_ndim=2)
    if chunk_s is not None:
        chunk = round(check_positive(chunk_s, "chunk_s") * fs)
        if chunk_s < 2 * CHUNK_MARGIN_S:
            raise ValueError(f"chunk_s must be >= {2 * CHUNK_MARGIN_S:g} s, got {chunk_s!r}")
        bounds = chunk_bounds(arr.shape[check_axis(axis, arr.ndim)], chunk)
        if len(bounds) > 1:
            return _detect_in_chunks(
                arr, fs, method, bounds, axis=axis, refine_window_s=refine_window_s,
                reference_lead=reference_lead, fiducial=fiducial,
            )  # fmt: skip
    if fs < _MIN_DETECTION_FS_HZ:
        if BAND_HZ[0] >= NYQUIST_SHARE * fs:
            raise ValueError(
                f"fs={fs:g} Hz is too low to see a QRS complex: the detector's band starts "
                f"at {BAND_HZ[0]:g} Hz, which needs fs above {BAND_HZ[0] / NYQUIST_SHARE:.3g} Hz"
            )
        return _detect_upsampled(
            arr, fs, method, axis=axis, refine_window_s=refine_window_s,
            reference_lead=reference_lead, fiducial=fiducial,
        )  # fmt: skip
    leads = leads_first(arr, axis)
    # a lead off or a zero-filled dropout: detected across a straight line, not its steps
    gaps = flat_stretches(leads, max(round(GAP_MIN_FLAT_S * fs), 2))
    if gaps.size:
        leads = bridge_gaps(leads, gaps)
    if isinstance(reference_lead, bool) or not isinstance(reference_lead, (int, np.integer)):
        raise TypeError(
            f"reference_lead must be an integer lead index, got {type(reference_lead).__name__}"
        )
    if not -leads.shape[0] <= reference_lead < leads.shape[0]:
        raise ValueError(
            f"reference_lead={reference_lead} is out of range for {leads.shape[0]} lead(s)"
        )
    half = _half_window(refine_window_s, fs, leads.shape[1], "refine_window_s")
    reference = reference_lead % leads.shape[0]
    band, placement = detection_bands(leads, fs, reference if half > 0 else None)
    flat = flat_leads(band)
    if flat.all():
        warnings.warn(
            "no R peaks: the signal is flat (constant up to rounding in the 3-25 Hz QRS band: "
            "a lead off, or a zero-filled or constant signal)",
            UserWarning,
            stacklevel=2,
        )
        return np.zeros(0, dtype=np.int64)
    if flat.any():  # a lead off beside working leads: detect on the working ones
        reference_lead = 0 if flat[reference] else int((~flat[:reference]).sum())
        leads, band = leads[~flat], band[~flat]
        if flat[reference] and half > 0:
            placement = np.asarray(
                apply_sos(leads[reference_lead], refine_sos(fs).copy()), dtype=np.float64
            )
    if method == "ecgkit":
        feature, lead_weights = qrs_feature(band, fs)
        candidates = _candidates(feature, fs)
        min_height = noise_gate(feature, band, fs, candidates)
        peaks = _adaptive_threshold(feature, fs, candidates, min_height, gaps)
        peaks = recover_recurring(feature, fs, candidates, min_height, peaks)
        peaks = peaks[~ringing(leads, feature, lead_weights, peaks, fs)]
    else:
        peaks = _vote([_neurokit_peaks(lead, fs, method) for lead in leads], fs)
    peaks = peaks[(peaks >= 0) & (peaks < leads.shape[1])]
    if placement is None:
        return sorted_unique(peaks)
    return _place(leads[reference_lead], placement, peaks, fs, half, fiducial)


def _detect_upsampled(
    arr: FloatArray,
    fs: float,
    method: str,
    *,
    axis: int,
    refine_window_s: float,
    reference_lead: int,
    fiducial: str,
) -> NDArray[np.int64]:
    """:func:`detect_r_peaks` of a recording under ``_MIN_DETECTION_FS_HZ``.

    Detected at the smallest whole multiple of ``fs`` that reaches it (polyphase
    upsampling), the beats mapped back to the nearest sample of ``arr``.
    """
    factor = math.ceil(_MIN_DETECTION_FS_HZ / fs)
    ax = check_axis(axis, arr.ndim)
    upsampled = resample(arr, fs, fs * factor, axis=ax)
    peaks = _detect_r_peaks(
        upsampled, fs * factor, method, axis=ax, refine_window_s=refine_window_s,
        reference_lead=reference_lead, fiducial=fiducial,
    )  # fmt: skip
    at_input = np.rint(peaks / factor).astype(np.int64)
    return sorted_unique(np.minimum(at_input, arr.shape[ax] - 1))


def _detect_in_chunks(
    arr: FloatArray,
    fs: float,
    method: str,
    bounds: list[tuple[int, int]],
    *,
    axis: int,
    refine_window_s: float,
    reference_lead: int,
    fiducial: str,
) -> NDArray[np.int64]:
    """:func:`detect_r_peaks` chunk by chunk, each padded by a margin on both sides.

    Each chunk keeps its own beats; a beat that two chunks both place at their shared
    border (within the refractory period) is counted once.
    """
    ax = check_axis(axis, arr.ndim)
    margin = round(CHUNK_MARGIN_S * fs)
    n = arr.shape[ax]
    found: list[NDArray[np.int64]] = []
    for start, stop in bounds:
        lo, hi = max(start - margin, 0), min(stop + margin, n)
        window: list[slice] = [slice(None)] * arr.ndim
        window[ax] = slice(lo, hi)
        peaks = lo + _detect_r_peaks(
            np.asarray(arr[tuple(window)]), fs, method, axis=axis,
            refine_window_s=refine_window_s, reference_lead=reference_lead, fiducial=fiducial,
        )  # fmt: skip
        peaks = peaks[(peaks >= start) & (peaks < stop)]
        if (
            found
            and found[-1].size
            and peaks.size
            and peaks[0] - found[-1][-1] < _REFRACTORY_S * fs
        ):
            peaks = peaks[1:]
        found.append(peaks)
    return np.concatenate(found).astype(np.int64)
