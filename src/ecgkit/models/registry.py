"""Models by name: ``create_model("resnet1d", in_channels=1, num_classes=5)``."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any, TypeVar

from torch import nn

__all__ = [
    "ECGModel",
    "check_odd_kernel",
    "create_model",
    "list_models",
    "model_info",
    "register_model",
    "takes_features",
]


class ECGModel(nn.Module):
    """Base class of ecgkit's models.

    Every model takes a batch ``[B, in_channels, L]`` of any length ``L`` (global pooling
    before the classifier) and returns logits ``[B, num_classes]``; models that also use
    per-beat features (``n_features > 0``) take them as a second input ``[B, n_features]``.

    Attributes
    ----------
    in_channels, num_classes, n_features : int
        Input leads, output classes, extra features (0: none).
    """

    in_channels: int
    num_classes: int
    n_features: int = 0

    @property
    def gradcam_layer(self) -> nn.Module:
        """The layer :class:`ecgkit.explain.GradCAM` uses by default.

        The last convolutional stage, whose output still has a time axis.
        """
        raise NotImplementedError


_M = TypeVar("_M", bound=Callable[..., ECGModel])
_REGISTRY: dict[str, Callable[..., ECGModel]] = {}


def register_model(name: str) -> Callable[[_M], _M]:
    """Class or factory decorator that makes a model available to :func:`create_model`."""

    def decorate(factory: _M) -> _M:
        if name in _REGISTRY:
            raise ValueError(f"a model named {name!r} is already registered")
        _REGISTRY[name] = factory
        return factory

    return decorate


def list_models() -> list[str]:
    """Names of the registered models, sorted."""
    return sorted(_REGISTRY)


def create_model(
    name: str, *, in_channels: int = 1, num_classes: int = 5, **kwargs: Any
) -> ECGModel:
    """Build a registered model.

    Parameters
    ----------
    name : str
        One of :func:`list_models`.
    in_channels : int
        Leads per input window.
    num_classes : int
        Output classes (5 for AAMI N, S, V, F, Q).
    **kwargs
        Architecture options of that model (see its class).

    Returns
    -------
    ECGModel
    """
    if name not in _REGISTRY:
        raise ValueError(f"unknown model {name!r}; available: {', '.join(list_models())}")
    for arg, value in (("in_channels", in_channels), ("num_classes", num_classes)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"{arg} must be a positive integer, got {value!r}")
    return _REGISTRY[name](in_channels=in_channels, num_classes=num_classes, **kwargs)


def takes_features(name: str) -> bool:
    """Whether the model registered as ``name`` takes per-beat features (``n_features``)."""
    if name not in _REGISTRY:
        raise ValueError(f"unknown model {name!r}; available: {', '.join(list_models())}")
    return "n_features" in inspect.signature(_REGISTRY[name]).parameters


def model_info(model: nn.Module) -> dict[str, int]:
    """Number of parameters (all and trainable) of a model."""
    return {
        "parameters": sum(p.numel() for p in model.parameters()),
        "trainable": sum(p.numel() for p in model.parameters() if p.requires_grad),
    }


def check_odd_kernel(kernel_size: int) -> None:
    """Raise ``ValueError`` unless ``kernel_size`` is a positive odd integer (samples).

    Odd kernels with ``padding=kernel_size // 2`` keep every layer's output aligned with
    its input, which Grad-CAM relies on to map a layer back onto the signal.
    """
    if (
        isinstance(kernel_size, bool)
        or not isinstance(kernel_size, int)
        or kernel_size < 1
        or kernel_size % 2 == 0
    ):
        raise ValueError(f"kernel_size must be a positive odd integer, got {kernel_size!r}")
