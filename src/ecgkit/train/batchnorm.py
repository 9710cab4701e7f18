"""BatchNorm statistics of the recording being classified (AdaBN, Li et al. 2016).

A network trained on many patients normalises each layer with the mean and variance of
its training beats. A new patient's beats sit elsewhere (electrode placement, body shape,
the recorder's filters), so its normal beats can land where the training set kept its
ectopic ones. Re-estimating the normalisation statistics on the new recording's own beats
(Li et al. 2016, "Revisiting batch normalization for practical domain adaptation",
arXiv:1603.04779) moves them back, with no label and no training.

Only the BatchNorm layers over time series (input ``[B, C, L]``) are re-estimated: a
layer over per-beat features (RR intervals, input ``[B, F]``) keeps its training
statistics, so that a patient whose every beat is premature still reads as premature.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Iterator, Sequence

import numpy as np
import torch
from numpy.typing import NDArray
from torch import nn
from torch.nn.modules.batchnorm import _BatchNorm

__all__ = ["array_batches", "equal_batches", "recording_statistics", "time_series_norms"]


def time_series_norms(model: nn.Module, inputs: Sequence[torch.Tensor]) -> list[_BatchNorm]:
    """The model's BatchNorm layers whose input has a time axis (``[B, C, L]``).

    Found by one forward pass of ``inputs`` (the model's inputs for a batch) in eval mode,
    which changes nothing in the model.
    """
    norms = [m for m in model.modules() if isinstance(m, _BatchNorm)]
    ranks: dict[int, int] = {}

    def record(index: int) -> Callable[[nn.Module, tuple[torch.Tensor, ...]], None]:
        def hook(_module: nn.Module, args: tuple[torch.Tensor, ...]) -> None:
            ranks[index] = args[0].dim()

        return hook

    handles = [m.register_forward_pre_hook(record(i)) for i, m in enumerate(norms)]
    was_training = model.training
    try:
        model.eval()
        with torch.no_grad():
            model(*inputs)
    finally:
        for handle in handles:
            handle.remove()
        model.train(was_training)
    return [m for i, m in enumerate(norms) if ranks.get(i, 0) >= 3]


@contextlib.contextmanager
def recording_statistics(
    model: nn.Module, batches: Callable[[], Iterable[Sequence[torch.Tensor]]]
) -> Iterator[None]:
    """Inside the block, the model's time-series BatchNorm layers hold ``batches``' statistics.

    ``batches`` gives, each time it is called, the model's inputs batch by batch (the
    beats of one recording, on the model's device). The layers' running mean and variance
    are reset and re-estimated as the mean over the batches of each batch's statistics
    (BatchNorm's cumulative average; give batches of about equal size), by one pass in
    training mode for those layers alone (dropout stays off). On leaving the block, every
    layer's trained statistics come back.

    Raises
    ------
    ValueError
        Where ``batches`` gives no batch.
    """
    iterator = iter(batches())
    first = next(iterator, None)
    if first is None:
        raise ValueError("batches gave no batch: no beat to take statistics from")
    norms = time_series_norms(model, first)
    saved = [
        ({k: v.clone() for k, v in m.state_dict().items()}, m.momentum, m.training) for m in norms
    ]
    was_training = model.training
    try:
        for m in norms:
            m.reset_running_stats()
            m.momentum = None  # a cumulative average over the batches
        model.eval()
        for m in norms:
            m.train()
        with torch.no_grad():
            for batch in batches():
                model(*batch)
        for m in norms:
            m.eval()
        yield
    finally:
        model.train(was_training)
        for m, (state, momentum, training) in zip(norms, saved, strict=True):
            m.load_state_dict(state)
            m.momentum = momentum
            m.train(training)


def array_batches(
    arrays: Sequence[NDArray[np.float32]], size: int, device: torch.device
) -> Callable[[], Iterator[tuple[torch.Tensor, ...]]]:
    """The model inputs ``arrays`` (one row per beat) as batches of about equal size.

    For :func:`recording_statistics`: batches of at most ``size`` rows whose sizes differ
    by at most one (:func:`equal_batches`, as :meth:`ecgkit.train.Trainer.predict` splits
    them), so that the mean of their statistics weighs every beat alike.
    """
    parts = equal_batches(len(arrays[0]), size)

    def batches() -> Iterator[tuple[torch.Tensor, ...]]:
        for part in parts:
            rows = part.numpy()
            yield tuple(torch.from_numpy(a[rows]).to(device) for a in arrays)

    return batches


def equal_batches(n: int, size: int) -> list[torch.Tensor]:
    """Indices ``0..n-1`` in order, in batches of at most ``size`` that differ by one at most."""
    return list(torch.tensor_split(torch.arange(n), max(-(-n // size), 1)))
