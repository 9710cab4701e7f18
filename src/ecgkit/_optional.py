"""Optional dependencies: one clear line, naming the extra, when one is missing."""

from __future__ import annotations

import importlib.util

__all__ = ["DISTRIBUTION", "require_torch"]

#: The name ecgkit is installed by (``import ecgkit`` is unchanged): ``ecgkit`` on the
#: package index belongs to an unrelated project.
DISTRIBUTION = "ecgkit-ml"


def require_torch(importer: str) -> None:
    """Raise ``ImportError`` naming the extra to install when PyTorch is missing.

    Parameters
    ----------
    importer : str
        The module that needs torch, e.g. ``"ecgkit.models"``.
    """
    if importlib.util.find_spec("torch") is None:
        raise ImportError(
            f"{importer} needs PyTorch, which is not installed: pip install "
            f"'{DISTRIBUTION}[torch]' (for the CPU-only build, install torch from PyTorch's "
            "CPU wheel index first; see the README)"
        )
