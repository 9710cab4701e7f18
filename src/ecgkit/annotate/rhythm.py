"""The rhythm around every classified beat, and the decisions it changes.

A supraventricular premature beat (S) is an atrial beat that comes early in an otherwise
regular atrial rhythm. In atrial fibrillation there is no atrial rhythm to come early in:
every conducted beat is "premature" by the intervals, and a beat classifier that learnt S
from prematurity calls many of them S. :func:`assess_rhythm` finds the AF episodes
(:func:`ecgkit.signal.detect_af`, with the beats the classifier calls ventricular left out)
and, when the model's recipe asks for it, moves the S probability of beats inside AF onto N.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import ArrayLike

from ecgkit.signal import detect_af

if TYPE_CHECKING:
    from ecgkit.annotate.predictor import BeatAnnotations

__all__ = ["VENTRICULAR_CLASSES", "assess_rhythm"]

#: Classes whose beats have no atrial origin: left out of the rhythm measures.
VENTRICULAR_CLASSES = ("V", "F")


def assess_rhythm(
    annotations: BeatAnnotations, signal: ArrayLike | None, *, gate: bool
) -> BeatAnnotations:
    """Mark the beats inside AF episodes and, with ``gate``, stop calling them S.

    Parameters
    ----------
    annotations : BeatAnnotations
        Classified beats of one recording.
    signal : array_like, shape (n_samples,), optional
        The lead the model saw, in mV at ``annotations.fs``, for the P-wave evidence of
        :func:`~ecgkit.signal.detect_af`; None decides by the intervals alone.
    gate : bool
        Move the S probability of every beat in AF onto N and take the most probable
        class again (needs classes named ``"N"`` and ``"S"``).

    Returns
    -------
    BeatAnnotations
        A copy with ``in_af`` set (and, gated, new ``probabilities`` and ``label``).
    """
    exclude = np.isin(annotations.class_names, VENTRICULAR_CLASSES)
    detection = detect_af(annotations.sample, annotations.fs, signal=signal, exclude=exclude)
    in_af = detection.in_af
    classes = annotations.classes
    if not gate or "S" not in classes or "N" not in classes or not in_af.any():
        return dataclasses.replace(annotations, in_af=in_af)
    normal, premature = classes.index("N"), classes.index("S")
    probabilities = annotations.probabilities.copy()
    label = annotations.label.copy()
    gated = in_af & (label >= 0)
    probabilities[gated, normal] += probabilities[gated, premature]
    probabilities[gated, premature] = 0.0
    label[gated] = probabilities[gated].argmax(axis=1)
    return dataclasses.replace(annotations, probabilities=probabilities, label=label, in_af=in_af)
