"""The rhythm around every classified beat, and the decisions it changes.

A supraventricular premature beat (S) is an atrial beat that comes early in an otherwise
regular atrial rhythm. In atrial fibrillation there is no atrial rhythm to come early in:
every conducted beat is "premature" by the intervals, and a beat classifier that learnt S
from prematurity calls many of them S. The same holds wherever the P waves are clearly
absent, AF or not: AF with a regular ventricular response, or AF too short or too broken
up to make an episode. :func:`rhythm_context` finds both (:func:`ecgkit.signal.detect_af`,
with the beats the classifier calls ventricular left out), and :func:`assess_rhythm`
moves the share of the S probability of those beats that the model's recipe says onto N
(:func:`gate_supraventricular`).
"""

from __future__ import annotations

import dataclasses
import warnings
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ecgkit.annotate.context import (
    neighbour_span,
    rhythm_stretches,
    segment_bounds,
    without_intervals,
)
from ecgkit.annotate.prepare import held
from ecgkit.signal import AF_MIN_EPISODE_S, AF_P_WAVE_MIN_FS_HZ, af_runs, detect_af

if TYPE_CHECKING:
    from ecgkit.annotate.predictor import BeatAnnotations

__all__ = [
    "VENTRICULAR_CLASSES",
    "RhythmContext",
    "assess_rhythm",
    "gate_effect",
    "gate_supraventricular",
    "rhythm_context",
]

#: Classes whose beats have no atrial origin: left out of the rhythm measures.
VENTRICULAR_CLASSES = ("V", "F")

# assess_rhythm warns when more than this share of the beats outside AF (and at least
# _WARN_MIN_BEATS of them) have no P waves: AF with a regular response, a junctional or
# paced rhythm, or a lead on which P waves do not show, where no beat can be called S
_WARN_NO_P_SHARE = 0.5
_WARN_MIN_BEATS = 6


def gate_supraventricular(
    probabilities: NDArray[np.floating[Any]],
    gated: NDArray[np.bool_],
    classes: Sequence[str],
    strength: float = 1.0,
) -> NDArray[np.floating[Any]]:
    """Move a share of the S probability of beats without an atrial rhythm onto N.

    Parameters
    ----------
    probabilities : numpy.ndarray, shape (n_beats, n_classes)
        Class probabilities (rows may be NaN for beats not classified).
    gated : numpy.ndarray of bool, shape (n_beats,)
        Beats to gate: those inside an atrial fibrillation episode and, as
        :func:`assess_rhythm` gates, those whose P waves are clearly absent
        (:attr:`RhythmContext.without_atrial_rhythm`).
    classes : sequence of str
        Class names in column order; without both ``"N"`` and ``"S"`` nothing changes.
    strength : float
        Share of the S probability moved, in [0, 1]: 1 never leaves S the most probable
        class of a gated beat, 0.5 leaves it only where S had at least twice N's probability
        plus the other classes' margin, 0 changes nothing.

    Returns
    -------
    numpy.ndarray, shape (n_beats, n_classes)
        A copy; rows still sum to what they summed to.
    """
    if not 0 <= strength <= 1:
        raise ValueError(f"strength must be in [0, 1], got {strength!r}")
    if gated.shape != (probabilities.shape[0],):
        raise ValueError(f"gated must have shape ({probabilities.shape[0]},), got {gated.shape}")
    out = probabilities.copy()
    if strength == 0 or "S" not in classes or "N" not in classes:
        return out
    normal, premature = list(classes).index("N"), list(classes).index("S")
    moved = strength * out[gated, premature]
    out[gated, normal] += moved
    out[gated, premature] -= moved
    return out


def gate_effect(gate: float) -> str:
    """What a rhythm gate of strength ``gate`` does to the S calls it acts on, in words."""
    if gate == 0:
        return "marked only"
    if gate == 1:
        return "none called S"
    return f"{gate:g} of their S probability moved to N"


@dataclasses.dataclass(frozen=True)
class RhythmContext:
    """The rhythm around each beat of one recording, from :func:`rhythm_context`.

    Attributes
    ----------
    in_af : numpy.ndarray of bool, shape (n_beats,)
        Beats in runs of AF at least ``min_episode_s`` long
        (:attr:`~ecgkit.signal.AFDetection.in_af`): those the rhythm gate treats as AF.
    p_waves_absent : numpy.ndarray of bool, shape (n_beats,)
        Beats whose P waves are clearly absent, whatever the intervals
        (:attr:`~ecgkit.signal.AFDetection.p_waves_clearly_absent`).
    p_waves_assessed : bool
        Whether the P waves were looked at: False without a lead or under
        :data:`~ecgkit.signal.AF_P_WAVE_MIN_FS_HZ`, where AF was found from the intervals
        alone and no beat is known to lack P waves.
    in_episode : numpy.ndarray of bool, shape (n_beats,), optional
        Beats inside an AF episode by the clinical definition, at least
        :data:`~ecgkit.signal.AF_MIN_EPISODE_S` (30 s) long, a recording shorter than
        that judged whole (:func:`~ecgkit.signal.detect_af`'s defaults); None: the same
        as ``in_af``.
    """

    in_af: NDArray[np.bool_]
    p_waves_absent: NDArray[np.bool_]
    p_waves_assessed: bool = True
    in_episode: NDArray[np.bool_] | None = None

    @property
    def in_af_episode(self) -> NDArray[np.bool_]:
        """Beats inside a clinical AF episode (``in_episode``, else ``in_af``)."""
        return self.in_af if self.in_episode is None else self.in_episode

    @property
    def without_atrial_rhythm(self) -> NDArray[np.bool_]:
        """Beats with no atrial rhythm to come early in: in AF or without P waves.

        The beats the rhythm gate acts on (:func:`assess_rhythm`).
        """
        return self.in_af | self.p_waves_absent


def rhythm_context(
    sample: ArrayLike,
    fs: float,
    signal: ArrayLike | None,
    exclude: ArrayLike,
    *,
    min_episode_s: float = AF_MIN_EPISODE_S,
) -> RhythmContext:
    """The beats inside AF episodes, and those whose P waves are clearly absent.

    Parameters
    ----------
    sample : array_like of int, shape (n_beats,)
        Strictly increasing R positions in samples.
    fs : float
        Sampling rate in Hz.
    signal : array_like, shape (n_samples,), optional
        One lead in mV at ``fs`` for the P-wave evidence; None (or ``fs`` under
        :data:`~ecgkit.signal.AF_P_WAVE_MIN_FS_HZ`) decides AF by the intervals alone and
        finds no beat without P waves.
    exclude : array_like of bool, shape (n_beats,)
        Beats of ventricular origin (called V or F), left out of both measures.
    min_episode_s : float
        Shortest run of AF beats marked, in seconds.

    Returns
    -------
    RhythmContext
        ``in_af`` from :func:`~ecgkit.signal.detect_af` with ``min_episode_s``;
        ``in_episode`` from it with the clinical 30 s (the same detection where
        ``min_episode_s`` is 30 s); and ``p_waves_absent``: the beats whose
        :attr:`~ecgkit.signal.AFDetection.p_wave_consistency` is under
        :data:`~ecgkit.signal.AF_CLEARLY_ABSENT_P_WAVE_THRESHOLD` (0.3), whatever the
        intervals: no atrial rhythm that a beat could come early in. The consistency is a
        median over the beats around each beat (excluded ones get their neighbours'); where
        none of them has a usable atrial window (NaN: a flat lead, the recording's first
        300 ms) a beat is not among them, and without ``signal`` none is.
    """
    detection = detect_af(sample, fs, signal=signal, exclude=exclude, min_episode_s=min_episode_s)
    in_episode = detection.in_af
    if min_episode_s != AF_MIN_EPISODE_S:
        # the gate may act on shorter runs than an episode; what is reported as AF keeps
        # the clinical definition (a run of a few beats is not an episode): the same
        # measures, only the episode rules again
        in_episode = af_runs(detection.candidate, detection.r_peaks, detection.fs, exclude=exclude)
    return RhythmContext(
        in_af=detection.in_af,
        p_waves_absent=detection.p_waves_clearly_absent,
        p_waves_assessed=detection.p_wave_consistency is not None,
        in_episode=in_episode,
    )


def assess_rhythm(
    annotations: BeatAnnotations,
    signal: ArrayLike | None,
    *,
    gate: float,
    min_episode_s: float = AF_MIN_EPISODE_S,
) -> BeatAnnotations:
    """Mark the beats without an atrial rhythm and gate their S probability.

    Parameters
    ----------
    annotations : BeatAnnotations
        Classified beats of one recording.
    signal : array_like, shape (n_samples,), optional
        The lead the model saw, in mV at ``annotations.fs``, for the P-wave evidence of
        :func:`~ecgkit.signal.detect_af`; None decides by the intervals alone (and so
        does a rate under :data:`~ecgkit.signal.AF_P_WAVE_MIN_FS_HZ`, with a warning).
    gate : float
        Strength of :func:`gate_supraventricular` (the recipe's ``rhythm_gate``) for the
        beats inside AF and those whose P waves are clearly absent
        (:func:`rhythm_context`); the most probable class is taken again afterwards. 0
        only marks the beats.
    min_episode_s : float
        Shortest run of AF beats marked and gated, in seconds (the recipe's
        ``rhythm_min_episode_s``).

    Returns
    -------
    BeatAnnotations
        A copy with ``in_af``, ``af_episode`` and ``p_waves_absent`` set (and, gated,
        new ``probabilities`` and ``label``); ``p_waves_absent`` is None where the P
        waves were not assessed.

    Warns
    -----
    UserWarning
        When most beats outside AF (more than half, at least 6) show no P waves: AF with
        a regular response, a junctional or paced rhythm, or a lead on which the P waves
        do not show, where the gate lets no beat be called S. When ``signal`` is given at
        a rate too low to see P waves: AF is then found from the intervals alone, which
        also take sinus rhythm rich in ectopic beats for it.
    """
    # ventricular beats, and the waves of ventricular flutter (a ventricular run: no AF in
    # it, an episode it interrupts is two), are left out of the AF measures
    exclude = np.isin(annotations.class_names, VENTRICULAR_CLASSES) | (annotations.flag == "vf")
    context = _context_by_segment(annotations, signal, exclude, min_episode_s)
    marked = dataclasses.replace(
        annotations,
        in_af=context.in_af,
        p_waves_absent=context.p_waves_absent if context.p_waves_assessed else None,
        af_episode=context.in_af_episode,
    )
    if signal is not None and not context.p_waves_assessed:
        warnings.warn(
            f"{annotations.record_id}: P waves not assessed at {annotations.fs:g} Hz (they "
            f"need at least {AF_P_WAVE_MIN_FS_HZ:g} Hz): atrial fibrillation is found from the "
            "intervals alone, which also take sinus rhythm rich in ectopic beats for it",
            UserWarning,
            stacklevel=2,
        )
    # beats in noise (or waves of ventricular flutter) have no rhythm to show P waves in
    outside = ~context.in_af & ~without_intervals(annotations.flag)
    if outside.sum() >= _WARN_MIN_BEATS:
        share = float(context.p_waves_absent[outside].mean())
        if share > _WARN_NO_P_SHARE:
            _warn_no_p_waves(annotations, share, gate)
    without_atrial_rhythm = context.without_atrial_rhythm
    if gate == 0 or not without_atrial_rhythm.any():
        return marked
    probabilities = gate_supraventricular(
        annotations.probabilities, without_atrial_rhythm, annotations.classes, gate
    )
    label = annotations.label.copy()
    gated = without_atrial_rhythm & (label >= 0)
    label[gated] = probabilities[gated].argmax(axis=1)
    return dataclasses.replace(marked, probabilities=probabilities, label=label)


def _context_by_segment(
    annotations: BeatAnnotations,
    signal: ArrayLike | None,
    exclude: NDArray[np.bool_],
    min_episode_s: float,
) -> RhythmContext:
    """:func:`rhythm_context` of a recording whose beats a gap or noise beats interrupt.

    No interval is measured across a gap (:attr:`BeatAnnotations.gaps`) or a beat flagged
    ``"noise"`` (:func:`ecgkit.signal.noisy_beats`: its place and the intervals to it are
    those of noise): the measures of each stretch between them are taken as of a
    recording of its own, on its own stretch of ``signal`` (widened to any given beat
    inside a gap, its missing samples held at a finite neighbour). The episode rules
    then run over the whole recording (:func:`ecgkit.signal.af_runs`): a run of AF
    continues across noise or a gap of at most :data:`~ecgkit.signal.AF_MAX_GAP_S`, its
    length is measured across them, and only a recording shorter than an episode is
    judged whole; the noise beats are in no AF run and not without P waves. The waves of
    ventricular flutter (``"vf"``) do not cut a stretch: they are among ``exclude``.
    """
    gaps = np.zeros((0, 2), np.int64) if annotations.gaps is None else annotations.gaps
    noise = annotations.flag == "noise"
    if annotations.sample.size == 0 and signal is not None:
        # no beat, nothing to measure: a second of the lead, held where it is missing (a
        # recording may be all gap), says whether P waves could be assessed at this rate
        signal = held(np.asarray(np.asarray(signal)[: round(annotations.fs)], dtype=np.float64))
    if annotations.sample.size == 0 or (gaps.shape[0] == 0 and not noise.any()):
        return rhythm_context(
            annotations.sample, annotations.fs, signal, exclude, min_episode_s=min_episode_s
        )
    sample, segment = annotations.sample, annotations.segment
    lead_signal = None if signal is None else np.asarray(signal)  # a view: no copy yet
    bounds = segment_bounds(gaps, annotations.n_samples)
    stretch = rhythm_stretches(segment, noise)
    candidate, absent = np.zeros(segment.size, dtype=bool), np.zeros(segment.size, dtype=bool)
    assessed = True
    # stretches are runs of consecutive beats; a noise beat is one of its own
    edges = np.flatnonzero(np.diff(stretch)) + 1
    for begin, end in zip(np.r_[0, edges], np.r_[edges, stretch.size], strict=True):
        if noise[begin]:
            continue
        first, last, members = int(begin), int(end) - 1, slice(int(begin), int(end))
        # a neighbouring noise beat of the same stretch between gaps ends it there
        start, stop = neighbour_span(first, last, sample, segment, bounds)
        start, stop = min(start, int(sample[first])), max(stop, int(sample[last]) + 1)
        # only this stretch is converted to float64 (a day-long lead is not, per stretch)
        lead = (
            None
            if lead_signal is None
            else held(np.asarray(lead_signal[start:stop], dtype=np.float64))
        )
        part = detect_af(sample[members] - start, annotations.fs, signal=lead,
                         exclude=exclude[members])  # fmt: skip
        candidate[members], absent[members] = part.candidate, part.p_waves_clearly_absent
        assessed = part.p_wave_consistency is not None

    def runs(shortest_s: float) -> NDArray[np.bool_]:
        return af_runs(
            candidate, sample, annotations.fs, unknown=noise, segment=segment, exclude=exclude,
            min_episode_s=shortest_s,
        )  # fmt: skip

    in_af = runs(min_episode_s)
    in_episode = in_af if min_episode_s == AF_MIN_EPISODE_S else runs(AF_MIN_EPISODE_S)
    return RhythmContext(in_af, absent, assessed, in_episode)


def _warn_no_p_waves(annotations: BeatAnnotations, share: float, gate: float) -> None:
    """Say that ``share`` of the beats outside AF show no P waves, and what it costs."""
    lead = annotations.lead_names[0] if annotations.lead_names else "the model's lead"
    warnings.warn(
        f"{annotations.record_id}: {share:.0%} of the beats outside atrial fibrillation show "
        f"no P waves on {lead} (marked no-P; rhythm gate: {gate_effect(gate)}): AF with a regular "
        "response, a junctional or paced rhythm, or a lead without visible P waves; give "
        "the model a lead that shows them (II, MLII) if the rhythm has them",
        UserWarning,
        stacklevel=3,
    )
