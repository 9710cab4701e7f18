"""Training: a :class:`Trainer` with fit / evaluate / predict, checkpoints, resume and metrics.

Works on any map-style torch dataset whose items are ``(inputs..., label)``, on CPU or CUDA,
in one process or several under ``torchrun`` (DistributedDataParallel).
"""

from typing import Any

import ecgkit._torch  # noqa: F401  (one clear line when torch is missing)
from ecgkit.train.augment import (
    AUGMENTATIONS,
    Augmentation,
    BeatAugment,
    ChainedAugment,
    beat_augmentation,
)
from ecgkit.train.checkpoint import CheckpointError, load_checkpoint, save_checkpoint
from ecgkit.train.interference import InterferenceAugment
from ecgkit.train.trainer import (
    CPU_PREDICT_BATCH,
    EpochCallback,
    History,
    NonFiniteLossError,
    TrainConfig,
    Trainer,
)

__all__ = [
    "AUGMENTATIONS",
    "CPU_PREDICT_BATCH",
    "Augmentation",
    "BeatAugment",
    "ChainedAugment",
    "CheckpointError",
    "EpochCallback",
    "History",
    "InterferenceAugment",
    "NonFiniteLossError",
    "TrainConfig",
    "Trainer",
    "beat_augmentation",
    "load_checkpoint",
    "save_checkpoint",
]

#: Names that moved to :mod:`ecgkit.metrics` (which needs no torch); importing them from
#: here still works for one release, with a DeprecationWarning.
_MOVED_TO_METRICS = frozenset(
    {"ClassificationMetrics", "Prediction", "adjust_for_priors", "class_priors", "compute_metrics"}
)


def __getattr__(name: str) -> Any:
    if name in _MOVED_TO_METRICS:
        import warnings

        import ecgkit.metrics

        warnings.warn(
            f"ecgkit.train.{name} moved to ecgkit.metrics.{name} (no torch needed); the old "
            "name goes in the next release",
            DeprecationWarning,
            stacklevel=2,
        )
        return getattr(ecgkit.metrics, name)
    raise AttributeError(f"module 'ecgkit.train' has no attribute {name!r}")
