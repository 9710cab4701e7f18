"""Decisions adjusted for the class priors of the training data (logit adjustment).

A classifier trained with an unweighted loss learns probabilities under the training
class frequencies: in MIT-BIH about 90 % of beats are normal, so a beat that is 15 %
likely supraventricular is called normal. Dividing each class probability by its prior
raised to ``strength`` (0: unchanged, 1: as if every class were equally common) moves the
decision towards rare classes *after* training, without the loss weights that make a model
overfit the few rare-class patients it trains on (Menon et al. 2021). Decision weights
(:func:`weigh_decisions`) then move single class boundaries, as chosen by cross-validation.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = ["adjust_for_priors", "class_priors", "weigh_decisions"]


def class_priors(labels: ArrayLike, n_classes: int) -> NDArray[np.float64]:
    """Share of each class among ``labels``, shape ``(n_classes,)``.

    Raises
    ------
    ValueError
        When ``labels`` is empty, holds a label outside ``0 .. n_classes - 1``, or misses a
        class (a prior of 0 cannot be adjusted for).
    """
    y = np.asarray(labels)
    if y.ndim != 1 or y.size == 0 or not np.issubdtype(y.dtype, np.integer):
        raise ValueError(f"labels must be a non-empty 1-D integer array, got {y.dtype} {y.shape}")
    if y.min() < 0 or y.max() >= n_classes:
        raise ValueError(f"labels must be in 0 .. {n_classes - 1}, got {y.min()} .. {y.max()}")
    counts = np.bincount(y, minlength=n_classes)
    if (counts == 0).any():
        missing = np.flatnonzero(counts == 0).tolist()
        raise ValueError(f"labels has no item of class {missing}: its prior would be 0")
    return np.asarray(counts / y.size, dtype=np.float64)


def adjust_for_priors(
    probabilities: ArrayLike, priors: ArrayLike, strength: float = 1.0
) -> NDArray[np.float64]:
    """Class probabilities divided by ``priors ** strength`` and normalised again.

    Parameters
    ----------
    probabilities : array_like, shape (n, n_classes)
        Predicted class probabilities (rows sum to 1), from a model trained on data whose
        class frequencies were ``priors``.
    priors : array_like, shape (n_classes,)
        Class frequencies of the training data, all > 0 (see :func:`class_priors`).
    strength : float
        The exponent: 0 returns the probabilities unchanged, 1 scores every class as if it
        were equally common (the Bayes rule for the balanced error), values between trade
        overall accuracy for sensitivity on rare classes.

    Returns
    -------
    numpy.ndarray of float64, shape (n, n_classes)
        Adjusted probabilities; their argmax is the adjusted decision.
    """
    p = _probabilities(probabilities)
    prior = _positive_per_class(priors, p.shape[1], "priors")
    if isinstance(strength, bool) or not np.isfinite(strength) or strength < 0:
        raise ValueError(f"strength must be a finite number >= 0, got {strength!r}")
    return weigh_decisions(p, prior ** -float(strength))


def weigh_decisions(probabilities: ArrayLike, weights: ArrayLike) -> NDArray[np.float64]:
    """Class probabilities multiplied by per-class decision weights and normalised again.

    Parameters
    ----------
    probabilities : array_like, shape (n, n_classes)
        Class probabilities (rows sum to 1), usually after :func:`adjust_for_priors`.
    weights : array_like, shape (n_classes,)
        One finite weight > 0 per class: above 1 the class is decided more often, below 1
        less often; all equal leaves every decision unchanged.

    Returns
    -------
    numpy.ndarray of float64, shape (n, n_classes)
        Weighted probabilities; their argmax is the weighted decision.

    Raises
    ------
    ValueError
        If ``probabilities`` is not a non-empty ``(n, n_classes)`` array of finite values
        >= 0, or ``weights`` is not ``(n_classes,)`` finite values > 0.

    Examples
    --------
    >>> import numpy as np
    >>> p = np.array([[0.55, 0.45]])
    >>> int(weigh_decisions(p, [1.0, 1.5]).argmax())
    1
    """
    p = _probabilities(probabilities)
    weighted = p * _positive_per_class(weights, p.shape[1], "weights")
    total = weighted.sum(axis=1, keepdims=True)
    return np.asarray(weighted / np.where(total > 0, total, 1.0), dtype=np.float64)


def _probabilities(probabilities: ArrayLike) -> NDArray[np.float64]:
    """``probabilities`` as a float64 ``(n, n_classes)`` array, or a ValueError naming it."""
    p = np.asarray(probabilities, dtype=np.float64)
    if p.ndim != 2 or p.shape[0] == 0:
        raise ValueError(f"probabilities must have shape (n, n_classes) with n > 0, got {p.shape}")
    if not np.isfinite(p).all() or (p < 0).any():
        raise ValueError("probabilities must be finite and >= 0")
    return p


def _positive_per_class(values: ArrayLike, n_classes: int, name: str) -> NDArray[np.float64]:
    """``values`` as ``n_classes`` finite floats > 0, or a ValueError naming ``name``."""
    out = np.asarray(values, dtype=np.float64)
    if out.shape != (n_classes,):
        raise ValueError(f"{name} must have shape ({n_classes},), got {out.shape}")
    if not np.isfinite(out).all() or (out <= 0).any():
        raise ValueError(f"{name} must be finite and > 0, got {out.tolist()}")
    return out
