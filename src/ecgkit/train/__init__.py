"""Training: a :class:`Trainer` with fit / evaluate / predict, checkpoints, resume and metrics.

Works on any map-style torch dataset whose items are ``(inputs..., label)``, on CPU or CUDA,
in one process or several under ``torchrun`` (DistributedDataParallel).
"""

import ecgkit._torch  # noqa: F401  (one clear line when torch is missing)
from ecgkit.train.augment import BeatAugment
from ecgkit.train.checkpoint import CheckpointError, load_checkpoint, save_checkpoint
from ecgkit.train.metrics import ClassificationMetrics, compute_metrics
from ecgkit.train.priors import adjust_for_priors, class_priors
from ecgkit.train.trainer import (
    EpochCallback,
    History,
    NonFiniteLossError,
    Prediction,
    TrainConfig,
    Trainer,
)

__all__ = [
    "BeatAugment",
    "CheckpointError",
    "ClassificationMetrics",
    "EpochCallback",
    "History",
    "NonFiniteLossError",
    "Prediction",
    "TrainConfig",
    "Trainer",
    "adjust_for_priors",
    "class_priors",
    "compute_metrics",
    "load_checkpoint",
    "save_checkpoint",
]
