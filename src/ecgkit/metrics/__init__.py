"""Scoring without torch, in the manner of :mod:`sklearn.metrics`.

Per-class Se, +P and F1 (:func:`compute_metrics`), predictions and their decision rule
(:class:`Prediction`), class priors and the adjustment of decisions for them
(:func:`class_priors`, :func:`adjust_for_priors`), per-class decision weights
(:func:`weigh_decisions`), and EC57 beat-by-beat matching of detections to reference beats
(:func:`match_peaks`, from :mod:`ecgkit.signal`), and how sure the scores of a classifier, or
the difference between two, are when beats come in patients (:func:`bootstrap_metrics`,
:func:`bootstrap_macro_f1_difference`). Importing this package loads numpy and
scikit-learn, never PyTorch, so scoring a detector or choosing a prior strength needs no
deep-learning stack.
"""

from ecgkit.metrics.classification import ClassificationMetrics, compute_metrics
from ecgkit.metrics.prediction import Prediction
from ecgkit.metrics.priors import adjust_for_priors, class_priors, weigh_decisions
from ecgkit.metrics.uncertainty import (
    MacroF1Difference,
    MetricIntervals,
    bootstrap_macro_f1_difference,
    bootstrap_metrics,
)
from ecgkit.signal.match import PeakMatch, match_peaks

__all__ = [
    "ClassificationMetrics",
    "MacroF1Difference",
    "MetricIntervals",
    "PeakMatch",
    "Prediction",
    "adjust_for_priors",
    "bootstrap_macro_f1_difference",
    "bootstrap_metrics",
    "class_priors",
    "compute_metrics",
    "match_peaks",
    "weigh_decisions",
]
