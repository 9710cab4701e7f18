"""How sure a classifier's scores are, when beats come in patients.

Beats of one patient are not independent draws: a model that fails on one patient's
morphology fails on thousands of its beats at once, and a class may live in a handful
of patients (MIT-BIH's fusion beats in one record of DS1, its S beats mostly in one
record of DS2). The uncertainty of a score is therefore that of the patients (or
records) sampled, not of the beats. Both functions resample whole groups with
replacement (the cluster bootstrap; Field and Welsh 2007, "Bootstrapping clustered
data", J. R. Stat. Soc. B 69(3)): :func:`bootstrap_metrics` gives intervals of one
prediction's Se, +P and macro F1, :func:`bootstrap_macro_f1_difference` those of the
difference between two predictions of the same beats (paired: both scored on every
resample).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = [
    "MacroF1Difference",
    "MetricIntervals",
    "bootstrap_macro_f1_difference",
    "bootstrap_metrics",
]


@dataclass(frozen=True)
class MacroF1Difference:
    """Macro F1 of predictions ``a`` minus that of ``b``, with its group-bootstrap spread.

    Attributes
    ----------
    difference : float
        Macro F1 of ``a`` minus macro F1 of ``b`` on all beats (fractions, -1 to 1), as
        :func:`~ecgkit.metrics.compute_metrics` scores them.
    standard_error : float
        Standard deviation of the difference over the resamples.
    interval : tuple of float
        Percentile interval of the difference over the resamples, ``confidence`` wide.
    confidence : float
        Width of ``interval`` (e.g. 0.9).
    probability_not_better : float
        Share of resamples in which ``a`` is not better than ``b`` (difference <= 0).
    n_groups : int
        Groups (patients, records) resampled.
    n_resamples : int
        Bootstrap resamples drawn.
    """

    difference: float
    standard_error: float
    interval: tuple[float, float]
    confidence: float
    probability_not_better: float
    n_groups: int
    n_resamples: int

    def to_dict(self) -> dict[str, object]:
        """JSON-ready values."""
        return {
            "difference": self.difference,
            "standard_error": self.standard_error,
            "interval": list(self.interval),
            "confidence": self.confidence,
            "probability_not_better": self.probability_not_better,
            "n_groups": self.n_groups,
            "n_resamples": self.n_resamples,
        }


@dataclass(frozen=True)
class MetricIntervals:
    """Per-class Se and +P and the macro F1 of one prediction, with group-bootstrap intervals.

    Every value is a fraction (0-1); ``*_interval`` arrays have shape ``(n_classes, 2)``
    (low, high), ``macro_f1_interval`` is (low, high). A resample without true beats of a
    class leaves that class's Se out of its interval; one that never calls a class,
    its +P.

    Attributes
    ----------
    classes : tuple of str
        Class names, in label order.
    sensitivity, positive_predictivity : numpy.ndarray of float64, shape (n_classes,)
        On all beats, as :func:`~ecgkit.metrics.compute_metrics` scores them.
    sensitivity_interval, positive_predictivity_interval : numpy.ndarray of float64
        Percentile intervals over the resamples, ``confidence`` wide.
    macro_f1 : float
        On all beats.
    macro_f1_interval : tuple of float
        Percentile interval over the resamples.
    confidence : float
        Width of the intervals.
    n_groups, n_resamples : int
        Groups resampled and resamples drawn.
    """

    classes: tuple[str, ...]
    sensitivity: NDArray[np.float64]
    sensitivity_interval: NDArray[np.float64]
    positive_predictivity: NDArray[np.float64]
    positive_predictivity_interval: NDArray[np.float64]
    macro_f1: float
    macro_f1_interval: tuple[float, float]
    confidence: float
    n_groups: int
    n_resamples: int

    def to_dict(self) -> dict[str, object]:
        """JSON-ready values: per-class dicts keyed by class name (None for NaN)."""
        return {
            "per_class": {
                name: {
                    "sensitivity": float(self.sensitivity[i]),
                    "sensitivity_interval": _listed(self.sensitivity_interval[i]),
                    "positive_predictivity": float(self.positive_predictivity[i]),
                    "positive_predictivity_interval": _listed(
                        self.positive_predictivity_interval[i]
                    ),
                }
                for i, name in enumerate(self.classes)
            },
            "macro_f1": self.macro_f1,
            "macro_f1_interval": list(self.macro_f1_interval),
            "confidence": self.confidence,
            "n_groups": self.n_groups,
            "n_resamples": self.n_resamples,
        }


def bootstrap_metrics(
    y_true: ArrayLike,
    y_pred: ArrayLike,
    groups: ArrayLike,
    classes: tuple[str, ...],
    *,
    n_resamples: int = 2000,
    confidence: float = 0.9,
    seed: int = 0,
) -> MetricIntervals:
    """Se, +P and macro F1 of a prediction with intervals from resampling whole groups.

    Parameters
    ----------
    y_true, y_pred : array_like of int, shape (n_beats,)
        True and predicted class indices in ``[0, len(classes))``.
    groups : array_like, shape (n_beats,)
        The patient (or record) of every beat; at least two distinct values.
    classes : tuple of str
        Class names.
    n_resamples : int
        Bootstrap resamples (>= 1).
    confidence : float
        Width of the percentile intervals, in (0, 1).
    seed : int
        Seed of the resampling.

    Returns
    -------
    MetricIntervals

    Raises
    ------
    ValueError, TypeError
        As :func:`bootstrap_macro_f1_difference`, for the same arguments.
    """
    n_classes = len(classes)
    true, (pred,), index, n_groups = _checked(
        y_true, {"y_pred": y_pred}, groups, n_classes, n_resamples, confidence
    )
    per_group = _group_confusions(true, pred, index, n_groups, n_classes)
    total = per_group.sum(axis=0)
    resampled = _weighted(_draws(n_groups, n_resamples, seed), per_group)
    counts = resampled.astype(np.float64)
    tp = np.diagonal(counts, axis1=-2, axis2=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        se = tp / counts.sum(axis=-1)  # NaN where a resample has no true beat of a class
        ppv = tp / counts.sum(axis=-2)  # NaN where it never calls the class
    quantiles = _bounds(confidence)
    macro = _macro_f1(resampled)
    low, high = np.percentile(macro, quantiles)
    return MetricIntervals(
        classes=tuple(classes),
        sensitivity=_share(np.diagonal(total), total.sum(axis=1)),
        sensitivity_interval=_nan_interval(se, quantiles),
        positive_predictivity=_share(np.diagonal(total), total.sum(axis=0)),
        positive_predictivity_interval=_nan_interval(ppv, quantiles),
        macro_f1=float(_macro_f1(total[np.newaxis])[0]),
        macro_f1_interval=(float(low), float(high)),
        confidence=float(confidence),
        n_groups=n_groups,
        n_resamples=int(n_resamples),
    )


def bootstrap_macro_f1_difference(
    y_true: ArrayLike,
    pred_a: ArrayLike,
    pred_b: ArrayLike,
    groups: ArrayLike,
    n_classes: int,
    *,
    n_resamples: int = 2000,
    confidence: float = 0.9,
    seed: int = 0,
) -> MacroF1Difference:
    """Paired cluster bootstrap of the macro F1 difference between two predictions.

    Each resample draws as many groups as there are, with replacement, and scores both
    predictions on the beats of the drawn groups (a group drawn twice counts twice). The
    macro F1 of a resample is the mean F1 over the classes with true beats in it, as
    :func:`~ecgkit.metrics.compute_metrics` defines it.

    Parameters
    ----------
    y_true, pred_a, pred_b : array_like of int, shape (n_beats,)
        True class indices and the two predictions of the same beats, in ``[0, n_classes)``.
    groups : array_like, shape (n_beats,)
        The patient (or record) of every beat; at least two distinct values.
    n_classes : int
        Number of classes.
    n_resamples : int
        Bootstrap resamples (>= 1).
    confidence : float
        Width of the percentile interval, in (0, 1).
    seed : int
        Seed of the resampling; the same seed draws the same groups for any predictions.

    Returns
    -------
    MacroF1Difference

    Raises
    ------
    ValueError
        Where the arrays differ in shape or are empty, hold indices outside
        ``[0, n_classes)``, or give fewer than two groups; or where ``n_resamples`` or
        ``confidence`` is out of range.
    TypeError
        Where the labels are not integers, or ``n_classes`` or ``n_resamples`` is not an
        int.
    """
    true, (a, b), index, n_groups = _checked(
        y_true, {"pred_a": pred_a, "pred_b": pred_b}, groups, n_classes, n_resamples, confidence
    )
    per_group_a = _group_confusions(true, a, index, n_groups, n_classes)
    per_group_b = _group_confusions(true, b, index, n_groups, n_classes)
    full = _macro_f1(per_group_a.sum(axis=0)[np.newaxis]) - _macro_f1(
        per_group_b.sum(axis=0)[np.newaxis]
    )
    counts = _draws(n_groups, n_resamples, seed)
    differences = _macro_f1(_weighted(counts, per_group_a)) - _macro_f1(
        _weighted(counts, per_group_b)
    )
    low, high = np.percentile(differences, _bounds(confidence))
    return MacroF1Difference(
        difference=float(full[0]),
        standard_error=float(differences.std()),
        interval=(float(low), float(high)),
        confidence=float(confidence),
        probability_not_better=float(np.mean(differences <= 0)),
        n_groups=n_groups,
        n_resamples=int(n_resamples),
    )


def _checked(
    y_true: ArrayLike,
    predictions: dict[str, ArrayLike],
    groups: ArrayLike,
    n_classes: int,
    n_resamples: int,
    confidence: float,
) -> tuple[NDArray[np.integer], list[NDArray[np.integer]], NDArray[np.intp], int]:
    """The labels, predictions and group index checked; the number of groups."""
    true = np.asarray(y_true)
    preds = {name: np.asarray(values) for name, values in predictions.items()}
    group = np.asarray(groups)
    if true.ndim != 1 or true.size == 0:
        raise ValueError(f"y_true must be a non-empty 1-D array, got shape {true.shape}")
    for name, values in (*preds.items(), ("groups", group)):
        if values.shape != true.shape:
            raise ValueError(f"{name} must have y_true's shape {true.shape}, got {values.shape}")
    if isinstance(n_classes, bool) or not isinstance(n_classes, (int, np.integer)):
        raise TypeError(f"n_classes must be an int, got {type(n_classes).__name__}")
    for name, values in (("y_true", true), *preds.items()):
        if not np.issubdtype(values.dtype, np.integer):
            raise TypeError(f"{name} must hold integer class indices, got dtype {values.dtype}")
        if values.min() < 0 or values.max() >= n_classes:
            raise ValueError(
                f"{name} must hold class indices in [0, {n_classes}), "
                f"got {values.min()}..{values.max()}"
            )
    if isinstance(n_resamples, bool) or not isinstance(n_resamples, (int, np.integer)):
        raise TypeError(f"n_resamples must be an int, got {type(n_resamples).__name__}")
    if n_resamples < 1:
        raise ValueError(f"n_resamples must be >= 1, got {n_resamples}")
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must be in (0, 1), got {confidence!r}")
    names, index = np.unique(group, return_inverse=True)
    if names.size < 2:
        raise ValueError(f"groups must name at least two groups, got {names.size}")
    return true, list(preds.values()), index, int(names.size)


def _bounds(confidence: float) -> list[float]:
    """The percentiles (0-100) of a central interval ``confidence`` wide."""
    tail = 100 * (1 - confidence) / 2
    return [tail, 100 - tail]


def _listed(interval: NDArray[np.float64]) -> list[float | None]:
    """An interval as a JSON list, None where it is NaN (no resample defined it)."""
    return [None if np.isnan(value) else float(value) for value in interval]


def _draws(n_groups: int, n_resamples: int, seed: int) -> NDArray[np.int64]:
    """How often each group is drawn in each resample, shape ``(n_resamples, n_groups)``.

    Each resample draws ``n_groups`` groups with replacement; the same seed draws the
    same groups whatever is scored on them.
    """
    drawn = np.random.default_rng(seed).integers(0, n_groups, size=(n_resamples, n_groups))
    counts = np.zeros((n_resamples, n_groups), dtype=np.int64)
    np.add.at(counts, (np.arange(n_resamples)[:, np.newaxis], drawn), 1)
    return counts


def _share(part: NDArray[np.int64], whole: NDArray[np.int64]) -> NDArray[np.float64]:
    """Part / whole per class, 0 where whole is 0 (``compute_metrics``' zero division)."""
    return np.divide(
        part.astype(np.float64), whole, out=np.zeros(part.shape, dtype=np.float64), where=whole > 0
    )


def _nan_interval(values: NDArray[np.float64], quantiles: list[float]) -> NDArray[np.float64]:
    """Per-class percentile interval of resampled ``values``, shape ``(n_classes, 2)``.

    Resamples where a class's value is NaN are left out; NaN for a class no resample
    defines.
    """
    out = np.full((values.shape[-1], 2), np.nan)
    for k in range(values.shape[-1]):
        column = values[:, k]
        defined = column[~np.isnan(column)]
        if defined.size:
            out[k] = np.percentile(defined, quantiles)
    return out


def _group_confusions(
    true: NDArray[np.integer],
    pred: NDArray[np.integer],
    group: NDArray[np.intp],
    n_groups: int,
    n_classes: int,
) -> NDArray[np.int64]:
    """``confusion[group, true, predicted]`` counts, shape ``(n_groups, k, k)``."""
    flat = (group * n_classes + true) * n_classes + pred
    counts = np.bincount(flat.astype(np.int64), minlength=n_groups * n_classes * n_classes)
    return counts.reshape(n_groups, n_classes, n_classes)


def _weighted(counts: NDArray[np.int64], confusions: NDArray[np.int64]) -> NDArray[np.int64]:
    """Each resample's confusion matrix: the groups' matrices times how often each was drawn."""
    k = confusions.shape[-1]
    return (counts @ confusions.reshape(confusions.shape[0], k * k)).reshape(-1, k, k)


def _macro_f1(confusion: NDArray[np.int64]) -> NDArray[np.float64]:
    """Macro F1 of each ``(k, k)`` confusion matrix of a stack.

    The mean F1 over the classes with true beats; Se or +P of 0/0 counts as 0
    (scikit-learn's ``zero_division=0``).
    """
    tp = np.diagonal(confusion, axis1=-2, axis2=-1).astype(np.float64)
    support = confusion.sum(axis=-1).astype(np.float64)
    called = confusion.sum(axis=-2).astype(np.float64)
    # F1 = 2 TP / (true + called); 0 where both are 0
    denominator = support + called
    f1 = np.divide(2 * tp, denominator, out=np.zeros_like(tp), where=denominator > 0)
    present = support > 0
    return np.asarray((f1 * present).sum(axis=-1) / present.sum(axis=-1), dtype=np.float64)
