"""Grad-CAM, Grad-CAM++ and input-gradient saliency for 1-D convolutional models."""

from __future__ import annotations

import inspect
import threading
import warnings
import weakref
from collections.abc import Iterable, Sequence
from typing import Any, Literal, overload

import numpy as np
import torch
import torch.nn.functional as F  # noqa: N812
from numpy.typing import NDArray
from torch import nn

__all__ = ["GradCAM", "GradCAMPlusPlus", "Saliency", "default_layer"]

#: Per-item scaling of attribution maps; None leaves them raw ("none" is deprecated).
Normalization = Literal["minmax", "max", "none"] | None


def default_layer(model: nn.Module) -> nn.Module:
    """The layer Grad-CAM uses when none is given.

    The model's ``gradcam_layer`` when it declares one (every ecgkit model does), else its
    last ``nn.Conv1d``.

    Raises
    ------
    ValueError
        When the model has neither.
    """
    try:
        declared = getattr(model, "gradcam_layer", None)
    except NotImplementedError:  # ECGModel subclasses that do not declare one
        declared = None
    if isinstance(declared, nn.Module):
        return declared
    convs = [m for m in model.modules() if isinstance(m, nn.Conv1d)]
    if not convs:
        raise ValueError(f"{type(model).__name__} has no nn.Conv1d layer; pass layer= explicitly")
    return convs[-1]


def _numeric_tensor(value: Any, name: str, what: str) -> torch.Tensor:
    """``value`` as a tensor, refused by ``name`` when it is None, text, ragged or not numbers.

    ``what`` says what was expected, e.g. ``"a batch [B, C, L]"``.
    """
    if isinstance(value, torch.Tensor):
        return value
    if value is None or isinstance(value, (str, bytes)):
        raise TypeError(f"{name} must be {what} of numbers, got {type(value).__name__}")
    try:
        array = np.asarray(value)
    except ValueError:
        raise ValueError(
            f"{name} must be {what}; got a ragged {type(value).__name__} whose items differ "
            "in shape"
        ) from None
    if array.dtype.kind not in "biufc":
        raise TypeError(
            f"{name} must hold floating-point numbers, got {type(value).__name__} of dtype "
            f"{array.dtype}"
        )
    return torch.as_tensor(array)


def _as_batch(x: Any, device: torch.device) -> torch.Tensor:
    tensor = _numeric_tensor(x, "x", "a rectangular batch [B, C, L]")
    if tensor.ndim != 3:
        raise ValueError(f"x must be a batch [B, C, L], got shape {tuple(tensor.shape)}")
    if not torch.is_floating_point(tensor):
        raise TypeError(f"x must hold floating-point samples, got {tensor.dtype}")
    if not torch.isfinite(tensor).all():
        raise ValueError("x contains NaN or infinite values")
    return tensor.detach().to(device=device, dtype=torch.float32)


def _as_extra(extra: Any, n_items: int, device: torch.device, position: int) -> torch.Tensor:
    tensor = _numeric_tensor(extra, f"extra_inputs[{position}]", "a rectangular array")
    if not torch.is_floating_point(tensor):
        raise TypeError(f"extra_inputs[{position}] must be floating point, got {tensor.dtype}")
    if tensor.ndim == 0 or tensor.shape[0] != n_items:
        raise ValueError(
            f"extra_inputs[{position}] must have one row per item ({n_items}), got shape "
            f"{tuple(tensor.shape)}"
        )
    if not torch.isfinite(tensor).all():
        raise ValueError(f"extra_inputs[{position}] contains NaN or infinite values")
    return tensor.detach().clone().to(device=device, dtype=torch.float32)


def _declared_int(model: nn.Module, name: str) -> int | None:
    """An ``ECGModel`` attribute such as ``in_channels``, or None when the model has none."""
    value = getattr(model, name, None)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _first_conv_channels(model: nn.Module) -> int | None:
    first = next((m for m in model.modules() if isinstance(m, nn.Conv1d)), None)
    return None if first is None else first.in_channels


def _forward_inputs(model: nn.Module) -> tuple[list[str], int, bool] | None:
    """Positional parameters of ``model.forward``, how many are required, and ``*args``.

    None when the signature cannot be read (a scripted or C++ module).
    """
    try:
        parameters = list(inspect.signature(model.forward).parameters.values())
    except (TypeError, ValueError):
        return None
    positional = [p for p in parameters if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    required = sum(p.default is p.empty for p in positional)
    variadic = any(p.kind is p.VAR_POSITIONAL for p in parameters)
    return [p.name for p in positional], required, variadic


def _check_inputs(model: nn.Module, x: torch.Tensor, extra: Sequence[torch.Tensor]) -> None:
    """Refuse inputs the model cannot take, before its forward pass fails on them."""
    channels = _declared_int(model, "in_channels")
    if channels is not None and x.shape[1] != channels:
        raise ValueError(
            f"x has {x.shape[1]} channel(s) (shape {tuple(x.shape)}) but "
            f"{type(model).__name__} expects {channels}"
        )
    signature = _forward_inputs(model)
    if signature is not None:
        names, required, variadic = signature
        given = 1 + len(extra)
        if given < required or (not variadic and given > len(names)):
            low, high = max(required - 1, 0), max(len(names) - 1, 0)
            if variadic:
                count = f"at least {low}"
            else:
                count = str(high) if low == high else f"{low} to {high}"
            listed = f" ({', '.join(names[1:])})" if len(names) > 1 else ""
            raise ValueError(
                f"extra_inputs: {type(model).__name__}.forward takes {count} input(s) after "
                f"x{listed}, got {len(extra)} array(s)"
            )
    n_features = _declared_int(model, "n_features")
    if n_features and extra and (extra[0].ndim != 2 or extra[0].shape[1] != n_features):
        raise ValueError(
            f"extra_inputs[0] must be features [B, {n_features}] for "
            f"{type(model).__name__}, got shape {tuple(extra[0].shape)}"
        )


def _check_extra_sequence(extra_inputs: object) -> None:
    # one array where a sequence of them is due would be taken row by row
    if isinstance(extra_inputs, (str, bytes, np.ndarray, torch.Tensor)) or not isinstance(
        extra_inputs, Iterable
    ):
        raise TypeError(
            "extra_inputs must be a sequence of arrays, one per further model input, "
            f"e.g. (features,); got a {type(extra_inputs).__name__}"
        )


def _check_model(model: Any) -> nn.Module:
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}")
    return model


def _check_target(target: Any) -> None:
    """Refuse targets that are not class indices: booleans and non-integral numbers."""
    if target is None:
        return
    values = target.detach().cpu().numpy() if isinstance(target, torch.Tensor) else target
    array = np.asarray(values)
    if array.dtype == bool or not np.issubdtype(array.dtype, np.integer):
        raise TypeError(
            f"target must be an int class index or one per item, got {array.dtype} {target!r}"
        )


#: One lock per model: attribution switches the model to eval mode and back, which two
#: threads on one model would interleave.
_MODEL_LOCKS: weakref.WeakKeyDictionary[nn.Module, threading.Lock] = weakref.WeakKeyDictionary()
_LOCKS_GUARD = threading.Lock()


def _lock_of(model: nn.Module) -> threading.Lock:
    with _LOCKS_GUARD:
        lock = _MODEL_LOCKS.get(model)
        if lock is None:
            lock = _MODEL_LOCKS[model] = threading.Lock()
        return lock


def _normalize(maps: torch.Tensor, how: Normalization) -> torch.Tensor:
    if how is None or how == "none":
        return maps
    if how == "max":
        scale = maps.abs().amax(dim=-1, keepdim=True)
        return torch.where(scale > 0, maps / scale.clamp_min(1e-12), torch.zeros_like(maps))
    low = maps.amin(dim=-1, keepdim=True)
    span = maps.amax(dim=-1, keepdim=True) - low
    return torch.where(span > 0, (maps - low) / span.clamp_min(1e-12), torch.zeros_like(maps))


class _Attribution:
    """Shared machinery: eval mode, hooks and restoration of the model's state."""

    def __init__(self, model: nn.Module, layer: nn.Module | None = None) -> None:
        self.model = _check_model(model)
        self.layer = default_layer(model) if layer is None else layer
        if not any(self.layer is m for m in model.modules()):
            raise ValueError("layer must be a submodule of model")

    def _device(self) -> torch.device:
        for tensor in (*self.model.parameters(), *self.model.buffers()):
            return tensor.device
        return torch.device("cpu")

    def _run(
        self, x: torch.Tensor, extra: Sequence[torch.Tensor], target: Any, need_layer: bool
    ) -> tuple[torch.Tensor, torch.Tensor | None, torch.Tensor]:
        """Forward in eval mode; return (selected scores, layer output or None, targets)."""
        captured: list[torch.Tensor] = []

        def keep_output(_module: nn.Module, _inputs: Any, output: Any) -> None:
            captured.append(output if isinstance(output, torch.Tensor) else output[0])

        modes = [(m, m.training) for m in self.model.modules()]
        handle = self.layer.register_forward_hook(keep_output) if need_layer else None
        try:
            self.model.eval()
            with torch.enable_grad():
                try:
                    logits = self.model(x, *extra)
                except RuntimeError as error:
                    # models that do not declare in_channels: name the likely cause
                    channels = _first_conv_channels(self.model)
                    if channels is None or channels == x.shape[1]:
                        raise
                    raise ValueError(
                        f"x has {x.shape[1]} channel(s) (shape {tuple(x.shape)}) but the first "
                        f"Conv1d of {type(self.model).__name__} expects {channels}"
                    ) from error
                if logits.ndim != 2:
                    raise ValueError(
                        f"model must return logits [B, n_classes], got {tuple(logits.shape)}"
                    )
                if target is None:
                    targets = logits.detach().argmax(dim=1)
                else:
                    targets = torch.as_tensor(target, device=logits.device, dtype=torch.long)
                    targets = targets.expand(logits.shape[0]) if targets.ndim == 0 else targets
                    if targets.shape != (logits.shape[0],):
                        raise ValueError(
                            f"target must be an int or one per item, got {tuple(targets.shape)}"
                        )
                    if targets.min() < 0 or targets.max() >= logits.shape[1]:
                        raise ValueError(f"target must be in [0, {logits.shape[1]})")
                scores = logits.gather(1, targets[:, None]).squeeze(1)
        finally:
            if handle is not None:
                handle.remove()
            for module, mode in modes:
                module.training = mode
        layer_out = captured[-1] if captured else None
        if need_layer and (layer_out is None or layer_out.ndim != 3):
            raise ValueError("layer must output [B, channels, time] during the forward pass")
        return scores, layer_out, targets

    def _finish(
        self,
        maps: torch.Tensor,
        length: int,
        relu: bool,
        normalize: Normalization,
        interpolate: bool,
    ) -> torch.Tensor:
        if relu:
            maps = F.relu(maps)
        if interpolate and maps.shape[-1] != length:
            maps = F.interpolate(maps[:, None, :], size=length, mode="linear", align_corners=False)[
                :, 0
            ]
        return _normalize(maps, normalize).detach()

    @overload
    def attribute(
        self,
        x: torch.Tensor,
        target: int | Sequence[int] | torch.Tensor | NDArray[np.integer] | None = None,
        *,
        extra_inputs: Sequence[torch.Tensor | NDArray[Any]] = (),
        relu: bool = True,
        normalize: Normalization = "minmax",
        interpolate: bool = True,
        batch_size: int = 256,
    ) -> torch.Tensor: ...

    @overload
    def attribute(
        self,
        x: NDArray[Any],
        target: int | Sequence[int] | torch.Tensor | NDArray[np.integer] | None = None,
        *,
        extra_inputs: Sequence[torch.Tensor | NDArray[Any]] = (),
        relu: bool = True,
        normalize: Normalization = "minmax",
        interpolate: bool = True,
        batch_size: int = 256,
    ) -> NDArray[np.float32]: ...

    def attribute(
        self,
        x: torch.Tensor | NDArray[Any],
        target: int | Sequence[int] | torch.Tensor | NDArray[np.integer] | None = None,
        *,
        extra_inputs: Sequence[torch.Tensor | NDArray[Any]] = (),
        relu: bool = True,
        normalize: Normalization = "minmax",
        interpolate: bool = True,
        batch_size: int = 256,
    ) -> torch.Tensor | NDArray[np.float32]:
        """Attribution maps aligned to the input samples.

        Parameters
        ----------
        x : torch.Tensor or numpy.ndarray, shape (B, C, L)
            A batch of windows.
        target : int or sequence of int, optional
            Class to explain, one for all or one per item; None explains the predicted class.
        extra_inputs : sequence of arrays
            Further model inputs after ``x`` (e.g. RR features ``[B, F]``).
        relu : bool
            Keep only evidence for the class (Grad-CAM's ReLU); off shows evidence against
            as negative values.
        normalize : {"minmax", "max"} or None
            Per item: scale to [0, 1], divide by the largest magnitude, or (None) leave
            raw. ``"none"`` still means None, with a ``DeprecationWarning``, for one
            release.
        interpolate : bool
            Stretch layer-resolution maps linearly to the input length ``L``; off returns
            the layer's own time resolution.
        batch_size : int
            Items per forward and backward pass: memory stays bounded however many
            windows are explained.

        Returns
        -------
        torch.Tensor or numpy.ndarray of float32, shape (B, L)
            Same kind as ``x`` (a tensor stays on the model's device).

        Raises
        ------
        TypeError
            When ``x`` or an item of ``extra_inputs`` is not a float array (None, a str,
            objects), or ``target`` is not an integer class index.
        ValueError
            When ``x`` is not a rectangular ``[B, C, L]`` batch of finite values or has
            another channel count than the model; when ``extra_inputs`` holds more or fewer
            arrays than the model's forward takes after ``x``, or features of another width
            than the model's ``n_features``; for bad options.
        """
        if normalize == "none":
            warnings.warn(
                "attribute(normalize='none') is deprecated; pass normalize=None",
                DeprecationWarning,
                stacklevel=2,
            )
            normalize = None
        if normalize not in ("minmax", "max", None):
            raise ValueError(f"normalize must be 'minmax', 'max' or None, got {normalize!r}")
        if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
            raise ValueError(f"batch_size must be a positive integer, got {batch_size!r}")
        _check_target(target)
        _check_extra_sequence(extra_inputs)
        device = self._device()
        # the caller may hold torch.no_grad() or torch.inference_mode(), as people do at
        # inference: attribution needs gradients, so it turns them back on for itself
        with torch.inference_mode(False), torch.enable_grad(), _lock_of(self.model):
            batch = _as_batch(x, device).clone()
            extra = [_as_extra(e, batch.shape[0], device, i) for i, e in enumerate(extra_inputs)]
            _check_inputs(self.model, batch, extra)
            targets = self._targets(target, batch.shape[0])
            parts = []
            for start in range(0, batch.shape[0], batch_size):
                part = slice(start, start + batch_size)
                maps = self._maps(
                    batch[part],
                    [e[part] for e in extra],
                    None if targets is None else targets[part],
                )
                parts.append(self._finish(maps, batch.shape[-1], relu, normalize, interpolate))
            result = torch.cat(parts) if parts else torch.zeros(0, batch.shape[-1])
        if isinstance(x, torch.Tensor):
            return result
        return result.cpu().numpy().astype(np.float32)

    @staticmethod
    def _targets(target: Any, n_items: int) -> torch.Tensor | None:
        """``target`` as one class index per item (None: each item's predicted class)."""
        if target is None:
            return None
        values = torch.as_tensor(
            target.detach().cpu() if isinstance(target, torch.Tensor) else np.asarray(target),
            dtype=torch.long,
        )
        values = values.expand(n_items) if values.ndim == 0 else values
        if values.shape != (n_items,):
            raise ValueError(f"target must be an int or one per item, got {tuple(values.shape)}")
        return values

    def _maps(self, x: torch.Tensor, extra: Sequence[torch.Tensor], target: Any) -> torch.Tensor:
        raise NotImplementedError


class GradCAM(_Attribution):
    """Grad-CAM for 1-D convolutional models (Selvaraju et al. 2017).

    The map is ``sum_k w_k A_k(t)`` with ``A`` the layer's output ``[B, K, T]`` and ``w_k``
    the time average of ``d score / d A_k``. Gradients are taken with
    :func:`torch.autograd.grad` to the layer only, so the model's parameter ``.grad`` are
    never touched; the model runs in eval mode and every module's train/eval mode is
    restored afterwards; the hook is removed even when the forward pass raises.

    Parameters
    ----------
    model : torch.nn.Module
        Any model with a ``Conv1d`` whose forward returns logits ``[B, n_classes]``.
    layer : torch.nn.Module, optional
        Layer to explain; defaults to :func:`default_layer`.

    Examples
    --------
    >>> import torch
    >>> from ecgkit.models import create_model
    >>> cam = GradCAM(create_model("beat_cnn"))
    >>> cam.attribute(torch.randn(2, 1, 252)).shape
    torch.Size([2, 252])
    """

    def _gradients(
        self, x: torch.Tensor, extra: Sequence[torch.Tensor], target: Any
    ) -> tuple[torch.Tensor, torch.Tensor]:
        scores, activations, _ = self._run(x.requires_grad_(True), extra, target, need_layer=True)
        assert activations is not None
        (grads,) = torch.autograd.grad(scores.sum(), activations)
        return activations.detach(), grads

    def _maps(self, x: torch.Tensor, extra: Sequence[torch.Tensor], target: Any) -> torch.Tensor:
        activations, grads = self._gradients(x, extra, target)
        weights = grads.mean(dim=-1, keepdim=True)
        return (weights * activations).sum(dim=1)


class GradCAMPlusPlus(GradCAM):
    """Grad-CAM++ (Chattopadhay et al. 2018): pixel-wise weighted positive gradients.

    Weights ``w_k = sum_t a_k(t) relu(g_k(t))`` with
    ``a = g^2 / (2 g^2 + sum_t A_k(t) g^3)``, the closed form for an exponential score;
    better than Grad-CAM when a class shows at several places of a strip.
    """

    def _maps(self, x: torch.Tensor, extra: Sequence[torch.Tensor], target: Any) -> torch.Tensor:
        activations, grads = self._gradients(x, extra, target)
        g2 = grads.pow(2)
        denominator = 2 * g2 + activations.sum(dim=-1, keepdim=True) * grads.pow(3)
        alpha = torch.where(
            denominator != 0, g2 / torch.where(denominator != 0, denominator, 1.0), 0.0
        )
        weights = (alpha * F.relu(grads)).sum(dim=-1, keepdim=True)
        return (weights * activations).sum(dim=1)


class Saliency(_Attribution):
    """Input-gradient saliency: ``max_c |d score / d x_c(t)|`` (Simonyan et al. 2014).

    Already at input resolution; ``layer`` is ignored. Same interface and guarantees as
    :class:`GradCAM`.
    """

    def __init__(self, model: nn.Module, layer: nn.Module | None = None) -> None:
        self.model = _check_model(model)
        self.layer = layer if layer is not None else model

    def _maps(self, x: torch.Tensor, extra: Sequence[torch.Tensor], target: Any) -> torch.Tensor:
        x = x.requires_grad_(True)
        scores, _, _ = self._run(x, extra, target, need_layer=False)
        (grads,) = torch.autograd.grad(scores.sum(), x)
        return grads.abs().amax(dim=1)
