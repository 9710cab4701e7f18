"""Checkpoints written atomically and read back with ``torch.load(weights_only=True)``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import torch

from ecgkit._files import atomic_write

__all__ = ["CheckpointError", "load_checkpoint", "save_checkpoint"]

_FORMAT = "ecgkit-checkpoint-1"


class CheckpointError(ValueError):
    """A checkpoint file is missing, truncated, corrupt or not an ecgkit checkpoint."""


def save_checkpoint(path: str | Path, state: dict[str, Any]) -> None:
    """Write ``state`` (tensors, numbers, strings, lists and dicts of them) to ``path``.

    The file is written to a temporary name in the same folder, flushed to disk and renamed,
    so a crash never leaves a half-written checkpoint under ``path``.
    """
    with atomic_write(path) as handle:
        torch.save({"format": _FORMAT, **state}, handle)


def load_checkpoint(path: str | Path, map_location: str | torch.device = "cpu") -> dict[str, Any]:
    """Read a checkpoint written by :func:`save_checkpoint`.

    Loads with ``weights_only=True``: no pickled code runs, whoever wrote the file.

    Raises
    ------
    CheckpointError
        When the file is missing, truncated, corrupt, or not an ecgkit checkpoint.
    """
    path = Path(path)
    if not path.is_file():
        raise CheckpointError(f"checkpoint not found: {path}")
    try:
        state = torch.load(path, map_location=map_location, weights_only=True)
    except Exception as error:  # torch raises RuntimeError, UnpicklingError, EOFError ...
        raise CheckpointError(
            f"checkpoint {path} is truncated or corrupt and cannot be loaded: {error}"
        ) from error
    if not isinstance(state, dict) or state.get("format") != _FORMAT:
        raise CheckpointError(f"{path} is not an ecgkit checkpoint ({_FORMAT})")
    return state
