"""Class probabilities and decisions of a model on a set of items, and their scores."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ecgkit.metrics.classification import ClassificationMetrics, compute_metrics
from ecgkit.metrics.priors import adjust_for_priors

__all__ = ["Prediction"]


@dataclass(frozen=True)
class Prediction:
    """Output of :meth:`Trainer.predict`.

    Attributes
    ----------
    probabilities : numpy.ndarray of float32, shape (n, n_classes)
        Softmax of the logits.
    predicted : numpy.ndarray of int64, shape (n,)
        Most probable class.
    labels : numpy.ndarray of int64, shape (n,)
        True labels from the dataset; -1 for unlabelled data.
    """

    probabilities: NDArray[np.float32]
    predicted: NDArray[np.int64]
    labels: NDArray[np.int64]

    def metrics(self, classes: Sequence[str]) -> ClassificationMetrics:
        """Scores of these predictions, with the mean cross-entropy as ``loss``."""
        n_classes = self.probabilities.shape[1]
        if self.labels.size and (self.labels < 0).any():
            raise ValueError("these predictions have no labels (unlabelled data): nothing to score")
        if len(classes) != n_classes:
            raise ValueError(f"classes has {len(classes)} names for a {n_classes}-class model")
        picked = self.probabilities[np.arange(self.labels.size), self.labels]
        loss = float(-np.log(np.clip(picked, 1e-12, None)).mean())
        return compute_metrics(self.labels, self.predicted, tuple(classes), loss=loss)

    def adjusted(self, priors: ArrayLike, strength: float) -> Prediction:
        """These predictions with the decision adjusted for the training class priors.

        See :func:`ecgkit.metrics.adjust_for_priors`; ``strength=0`` changes nothing.
        """
        probabilities = adjust_for_priors(self.probabilities, priors, strength).astype(np.float32)
        return Prediction(probabilities, probabilities.argmax(axis=1), self.labels)
