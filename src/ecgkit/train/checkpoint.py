"""Checkpoints written atomically and read back with ``torch.load(weights_only=True)``."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import torch

from ecgkit._files import atomic_write

__all__ = ["CheckpointError", "load_checkpoint", "save_checkpoint", "state_sha256"]

_FORMAT = "ecgkit-checkpoint-1"


class CheckpointError(ValueError):
    """A checkpoint file is missing, truncated, corrupt or not an ecgkit checkpoint."""


def _digest(value: Any, digest: Any) -> None:
    """Feed ``value`` (nested dicts, lists, tensors, scalars) into a hash, in a fixed order."""
    if isinstance(value, torch.Tensor):
        tensor = value.detach().cpu().contiguous()
        digest.update(f"tensor{tuple(tensor.shape)}{tensor.dtype}".encode())
        digest.update(tensor.reshape(-1).view(torch.uint8).numpy().tobytes())
    elif isinstance(value, dict):
        for key in sorted(value, key=str):
            digest.update(f"key:{key!s}".encode())
            _digest(value[key], digest)
    elif isinstance(value, (list, tuple)):
        digest.update(f"seq{len(value)}".encode())
        for item in value:
            _digest(item, digest)
    else:
        digest.update(repr(value).encode())


def state_sha256(state: dict[str, Any]) -> str:
    """SHA-256 of a checkpoint's content (every tensor's bytes, shape and dtype, and values)."""
    digest = hashlib.sha256()
    _digest({k: v for k, v in state.items() if k != "sha256"}, digest)
    return digest.hexdigest()


def save_checkpoint(path: str | Path, state: dict[str, Any]) -> None:
    """Write ``state`` (tensors, numbers, strings, lists and dicts of them) to ``path``.

    The file is written to a temporary name in the same folder, flushed to disk and renamed,
    so a crash never leaves a half-written checkpoint under ``path``. It carries the
    SHA-256 of its content, which :func:`load_checkpoint` checks.
    """
    payload = {"format": _FORMAT, **state}
    payload["sha256"] = state_sha256(payload)
    with atomic_write(path) as handle:
        torch.save(payload, handle)


def load_checkpoint(path: str | Path, map_location: str | torch.device = "cpu") -> dict[str, Any]:
    """Read a checkpoint written by :func:`save_checkpoint`.

    Loads with ``weights_only=True``: no pickled code runs, whoever wrote the file.

    Raises
    ------
    CheckpointError
        When the file is missing, truncated, corrupt, not an ecgkit checkpoint, or its
        content differs from the SHA-256 recorded in it (a flipped byte in a tensor).
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
    recorded = state.pop("sha256", None)  # checkpoints before ecgkit recorded it have none
    if recorded is not None and state_sha256(state) != recorded:
        raise CheckpointError(
            f"checkpoint {path} is damaged: its content no longer matches the SHA-256 "
            "recorded when it was written"
        )
    return state
