"""Figures of a run: attribution maps of test beats and the rhythm's share in each decision."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import numpy as np

from ecgkit.data import BeatSet
from ecgkit.metrics import Prediction
from ecgkit.models import ECGModel

__all__ = ["EXPLAIN_METHODS", "MAX_EXPLAIN_BEATS", "draw_explanation", "rhythm_effect"]

#: Amplitude axis of the beats drawn, by per-beat normalisation.
_AMPLITUDE_LABELS = {
    None: "mV",
    "zscore": "z-score",
    "robust": "robust z-score",
    "minmax": "min-max",
}

#: Most beats :func:`~ecgkit.experiment.explain_run` draws (one panel each).
MAX_EXPLAIN_BEATS = 64

#: Attribution methods :func:`~ecgkit.experiment.explain_run` accepts.
EXPLAIN_METHODS = ("gradcam", "gradcam++", "saliency")


def _pick_beats(test: BeatSet, predicted: np.ndarray, n_beats: int, seed: int) -> np.ndarray:
    """Beats spread over the classes present, seeded.

    A misclassified beat of each class where there is one, then correctly classified ones.
    """
    rng = np.random.default_rng(seed)
    present = [c for c in range(len(test.classes)) if (test.labels == c).any()]
    chosen: list[int] = []
    per_class = max(1, n_beats // max(len(present), 1))
    for c in present:
        wrong = np.flatnonzero((test.labels == c) & (predicted != c))
        correct = np.flatnonzero((test.labels == c) & (predicted == c))
        picks = rng.choice(wrong, min(1, wrong.size, per_class), replace=False).tolist()
        rest = per_class - len(picks)
        picks += rng.choice(correct, min(rest, correct.size), replace=False).tolist()
        chosen.extend(picks)
    return np.array(chosen[:n_beats], dtype=np.int64)


def rhythm_effect(
    model: ECGModel,
    windows: np.ndarray,
    rr: np.ndarray,
    typical_rr: np.ndarray,
    target: np.ndarray,
) -> np.ndarray:
    """How much the RR features moved each decision.

    The change in the target class's probability when a beat's RR features are replaced by
    those of a typical beat of its recording.

    Parameters
    ----------
    model : ECGModel
        A model that takes ``(windows, rr)``.
    windows : numpy.ndarray, shape (n, C, L)
        Beat windows.
    rr : numpy.ndarray, shape (n, F)
        Their RR features.
    typical_rr : numpy.ndarray, shape (n, F) or (F,)
        The RR features of a typical beat of each one's recording (e.g. the recording's
        median over all its beats).
    target : numpy.ndarray of int, shape (n,)
        Class to measure (e.g. the predicted one).

    Returns
    -------
    numpy.ndarray of float, shape (n,)
        ``p(target | rr) - p(target | typical rr)``: positive where the rhythm argued for
        the class (a premature S beat), near 0 where the waveform decided alone.
    """
    import torch

    typical = np.array(np.broadcast_to(typical_rr, rr.shape), dtype=np.float32)
    was_training = model.training
    model.eval()
    try:
        with torch.no_grad():
            x = torch.as_tensor(windows, dtype=torch.float32)
            rows = torch.arange(len(target))
            index = torch.as_tensor(target, dtype=torch.long)
            actual = torch.softmax(model(x, torch.as_tensor(rr, dtype=torch.float32)), 1)
            usual = torch.softmax(model(x, torch.as_tensor(typical, dtype=torch.float32)), 1)
            return (actual[rows, index] - usual[rows, index]).numpy()
    finally:
        model.train(was_training)


def draw_explanation(
    model: ECGModel,
    test_beats: BeatSet,
    prediction: Prediction,
    *,
    n_beats: int,
    method: str,
    seed: int,
    path: Path,
    features: tuple[str, ...] | Literal[False],
    normalize: str | None,
) -> Path:
    """Attribution maps of a few test beats (predicted class), drawn over the waveforms."""
    from ecgkit.explain import GradCAM, GradCAMPlusPlus, Saliency
    from ecgkit.plot import plot_attribution

    index = _pick_beats(test_beats, prediction.predicted, n_beats, seed)
    beats = test_beats.subset(index)
    explainer = {"gradcam": GradCAM, "gradcam++": GradCAMPlusPlus, "saliency": Saliency}[method]
    extra = (beats.rr_columns(features),) if features else ()
    maps = explainer(model).attribute(
        beats.windows, prediction.predicted[index], extra_inputs=extra
    )
    classes = beats.classes
    effect = None
    if features:
        every_rr = test_beats.rr_columns(features)
        median_of = {r: np.median(every_rr[test_beats.record == r], axis=0) for r in beats.record}
        typical = np.stack([median_of[r] for r in beats.record])
        effect = rhythm_effect(
            model, beats.windows, beats.rr_columns(features), typical, prediction.predicted[index]
        )
    titles = [
        f"{beats.record[i]} #{beats.r_sample[i]}: {classes[beats.labels[i]]} -> "
        f"{classes[prediction.predicted[j]]} ({prediction.probabilities[j].max():.2f})"
        + ("" if effect is None else f"\nrhythm {effect[i]:+.2f}")
        for i, j in enumerate(index)
    ]
    plot_attribution(
        beats.windows,
        maps,
        beats.fs,
        r_index=beats.r_index,
        titles=titles,
        amplitude_label=_AMPLITUDE_LABELS[normalize],
        path=path,
    )
    return path
