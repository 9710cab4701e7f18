"""Classification metrics in the field's terms: Se, +P and F1 per class, from a confusion matrix."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = ["ClassificationMetrics", "compute_metrics"]


@dataclass(frozen=True)
class ClassificationMetrics:
    """Scores of a set of predictions.

    Attributes
    ----------
    classes : tuple of str
        Class names, in label order.
    confusion : numpy.ndarray of int64, shape (n_classes, n_classes)
        ``confusion[true, predicted]`` counts.
    sensitivity, positive_predictivity, f1 : numpy.ndarray of float64, shape (n_classes,)
        Per class: Se = TP / (TP + FN) (recall), +P = TP / (TP + FP) (precision) and their
        harmonic mean. A class with no true beats has Se 0; one never predicted has +P 0
        (scikit-learn's ``zero_division=0``), so means never turn NaN.
    support : numpy.ndarray of int64, shape (n_classes,)
        True beats per class.
    accuracy : float
        Share of correct predictions.
    macro_f1 : float
        Mean F1 over the classes that have true beats.
    loss : float or None
        Mean loss, when the metrics come from :meth:`ecgkit.train.Trainer.evaluate`.
    """

    classes: tuple[str, ...]
    confusion: NDArray[np.int64]
    sensitivity: NDArray[np.float64]
    positive_predictivity: NDArray[np.float64]
    f1: NDArray[np.float64]
    support: NDArray[np.int64]
    accuracy: float
    macro_f1: float
    loss: float | None = None

    def to_dict(self) -> dict[str, object]:
        """JSON-ready values: per-class dicts keyed by class name."""
        per_class = {
            name: {
                "sensitivity": float(self.sensitivity[i]),
                "positive_predictivity": float(self.positive_predictivity[i]),
                "f1": float(self.f1[i]),
                "support": int(self.support[i]),
            }
            for i, name in enumerate(self.classes)
        }
        return {
            "classes": list(self.classes),
            "accuracy": self.accuracy,
            "macro_f1": self.macro_f1,
            "loss": self.loss,
            "per_class": per_class,
            "confusion": self.confusion.tolist(),
        }

    def table(self) -> str:
        """A plain-text table: one row per class (Se, +P, F1 in %, support), then totals."""
        lines = [f"{'class':>6} {'Se %':>7} {'+P %':>7} {'F1 %':>7} {'beats':>8}"]
        for i, name in enumerate(self.classes):
            lines.append(
                f"{name:>6} {100 * self.sensitivity[i]:7.2f} "
                f"{100 * self.positive_predictivity[i]:7.2f} {100 * self.f1[i]:7.2f} "
                f"{int(self.support[i]):8d}"
            )
        lines.append(f"accuracy {100 * self.accuracy:.2f} %   macro F1 {100 * self.macro_f1:.2f} %")
        return "\n".join(lines)


def compute_metrics(
    y_true: ArrayLike, y_pred: ArrayLike, classes: tuple[str, ...], *, loss: float | None = None
) -> ClassificationMetrics:
    """Score predicted labels against true labels.

    Parameters
    ----------
    y_true, y_pred : array_like of int, shape (n,)
        True and predicted class indices in ``[0, len(classes))``.
    classes : tuple of str
        Class names.
    loss : float, optional
        Carried into the result.

    Returns
    -------
    ClassificationMetrics
    """
    from sklearn.metrics import confusion_matrix, precision_recall_fscore_support

    true = np.asarray(y_true)
    pred = np.asarray(y_pred)
    if true.shape != pred.shape or true.ndim != 1 or true.size == 0:
        raise ValueError(
            "y_true and y_pred must be equal non-empty 1-D arrays, "
            f"got {true.shape} and {pred.shape}"
        )
    n = len(classes)
    for name, values in (("y_true", true), ("y_pred", pred)):
        if values.min() < 0 or values.max() >= n:
            raise ValueError(
                f"{name} must hold class indices in [0, {n}), got {values.min()}..{values.max()}"
            )
    labels = np.arange(n)
    confusion = confusion_matrix(true, pred, labels=labels).astype(np.int64)
    ppv, se, f1, support = precision_recall_fscore_support(
        true, pred, labels=labels, zero_division=0
    )
    present = support > 0
    return ClassificationMetrics(
        classes=tuple(classes),
        confusion=confusion,
        sensitivity=np.asarray(se, dtype=np.float64),
        positive_predictivity=np.asarray(ppv, dtype=np.float64),
        f1=np.asarray(f1, dtype=np.float64),
        support=np.asarray(support, dtype=np.int64),
        accuracy=float(np.trace(confusion) / true.size),
        macro_f1=float(np.mean(np.asarray(f1)[present])),
        loss=loss,
    )
