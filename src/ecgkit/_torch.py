"""Imported first by every part of ecgkit that needs PyTorch.

Without torch installed, importing :mod:`ecgkit.models`, :mod:`ecgkit.train`,
:mod:`ecgkit.explain` or :mod:`ecgkit.annotate` then fails with one line that names the
extra to install, instead of a bare ``No module named 'torch'``.
"""

from ecgkit._optional import require_torch

require_torch("ecgkit.models, ecgkit.train, ecgkit.explain and ecgkit.annotate")
