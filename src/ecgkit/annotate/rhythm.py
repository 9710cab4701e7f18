"""The rhythm around every classified beat, and the decisions it changes.

A supraventricular premature beat (S) is an atrial beat that comes early in an otherwise
regular atrial rhythm. In atrial fibrillation there is no atrial rhythm to come early in:
every conducted beat is "premature" by the intervals, and a beat classifier that learnt S
from prematurity calls many of them S. :func:`assess_rhythm` finds the AF episodes
(:func:`ecgkit.signal.detect_af`, with the beats the classifier calls ventricular left out)
and moves the share of the S probability of beats inside AF that the model's recipe says
onto N (:func:`gate_supraventricular`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ecgkit.signal import AF_MIN_EPISODE_S, detect_af

if TYPE_CHECKING:
    from ecgkit.annotate.predictor import BeatAnnotations

__all__ = ["VENTRICULAR_CLASSES", "assess_rhythm", "gate_supraventricular"]

#: Classes whose beats have no atrial origin: left out of the rhythm measures.
VENTRICULAR_CLASSES = ("V", "F")


def gate_supraventricular(
    probabilities: NDArray[np.floating[Any]],
    in_af: NDArray[np.bool_],
    classes: Sequence[str],
    strength: float = 1.0,
) -> NDArray[np.floating[Any]]:
    """Move a share of the S probability of beats inside AF onto N.

    Parameters
    ----------
    probabilities : numpy.ndarray, shape (n_beats, n_classes)
        Class probabilities (rows may be NaN for beats not classified).
    in_af : numpy.ndarray of bool, shape (n_beats,)
        Beats inside an atrial fibrillation episode.
    classes : sequence of str
        Class names in column order; without both ``"N"`` and ``"S"`` nothing changes.
    strength : float
        Share of the S probability moved, in [0, 1]: 1 never leaves S the most probable
        class inside AF, 0.5 leaves it only where S had at least twice N's probability
        plus the other classes' margin, 0 changes nothing.

    Returns
    -------
    numpy.ndarray, shape (n_beats, n_classes)
        A copy; rows still sum to what they summed to.
    """
    if not 0 <= strength <= 1:
        raise ValueError(f"strength must be in [0, 1], got {strength!r}")
    if in_af.shape != (probabilities.shape[0],):
        raise ValueError(f"in_af must have shape ({probabilities.shape[0]},), got {in_af.shape}")
    out = probabilities.copy()
    if strength == 0 or "S" not in classes or "N" not in classes:
        return out
    normal, premature = list(classes).index("N"), list(classes).index("S")
    moved = strength * out[in_af, premature]
    out[in_af, normal] += moved
    out[in_af, premature] -= moved
    return out


def assess_rhythm(
    annotations: BeatAnnotations,
    signal: ArrayLike | None,
    *,
    gate: float,
    min_episode_s: float = AF_MIN_EPISODE_S,
) -> BeatAnnotations:
    """Mark the beats inside AF episodes and gate their S probability.

    Parameters
    ----------
    annotations : BeatAnnotations
        Classified beats of one recording.
    signal : array_like, shape (n_samples,), optional
        The lead the model saw, in mV at ``annotations.fs``, for the P-wave evidence of
        :func:`~ecgkit.signal.detect_af`; None decides by the intervals alone.
    gate : float
        Strength of :func:`gate_supraventricular` (the recipe's ``rhythm_gate``); the
        most probable class is taken again afterwards. 0 only marks the beats.
    min_episode_s : float
        Shortest run of AF beats marked and gated, in seconds (the recipe's
        ``rhythm_min_episode_s``).

    Returns
    -------
    BeatAnnotations
        A copy with ``in_af`` set (and, gated, new ``probabilities`` and ``label``).
    """
    exclude = np.isin(annotations.class_names, VENTRICULAR_CLASSES)
    in_af = detect_af(
        annotations.sample,
        annotations.fs,
        signal=signal,
        exclude=exclude,
        min_episode_s=min_episode_s,
    ).in_af
    if gate == 0 or not in_af.any():
        return dataclasses.replace(annotations, in_af=in_af)
    probabilities = gate_supraventricular(
        annotations.probabilities, in_af, annotations.classes, gate
    )
    label = annotations.label.copy()
    gated = in_af & (label >= 0)
    label[gated] = probabilities[gated].argmax(axis=1)
    return dataclasses.replace(annotations, probabilities=probabilities, label=label, in_af=in_af)
