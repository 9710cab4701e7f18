"""Random beat-window augmentation for training (amplitude, baseline, noise, shift)."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import torch

from ecgkit.train.interference import InterferenceAugment

__all__ = [
    "AUGMENTATIONS",
    "Augmentation",
    "BeatAugment",
    "ChainedAugment",
    "beat_augmentation",
]

#: What a recipe can train with: nothing, circular shifts of up to 3 samples alone,
#: shifts with random gain, baseline offset and noise (:class:`BeatAugment`'s defaults),
#: or shifts with a tremor-like sinusoid on half the windows (:class:`InterferenceAugment`).
Augmentation = Literal["none", "shifts", "full", "interference"]
AUGMENTATIONS: tuple[Augmentation, ...] = ("none", "shifts", "full", "interference")


@dataclass(frozen=True)
class BeatAugment:
    """Random, label-preserving changes to a batch of windows ``[B, C, L]``.

    Patients differ in amplitude, baseline, noise and in where exactly the fiducial point
    falls; a model that never saw those differences learns them as identity. Each window
    gets its own gain, offset and noise; the shift is drawn once per batch. All draws come
    from torch's global RNG, so a seeded run is reproducible and a resumed run continues
    the same stream.

    Attributes
    ----------
    scale : tuple of float
        Amplitude factor range, drawn log-uniformly (0.8 to 1.25 by default).
    offset_sd : float
        Standard deviation of a constant baseline offset, in signal units (mV, or z-scores
        for normalised beats).
    noise_sd : float
        Standard deviation of white noise added to every sample, in signal units.
    max_shift : int
        Largest circular time shift in samples (both directions); 0 keeps the R position.
    """

    scale: tuple[float, float] = (0.8, 1.25)
    offset_sd: float = 0.05
    noise_sd: float = 0.02
    max_shift: int = 3

    def __post_init__(self) -> None:
        low, high = self.scale
        if not 0 < low <= high:
            raise ValueError(f"scale must be (low, high) with 0 < low <= high, got {self.scale}")
        if self.offset_sd < 0 or self.noise_sd < 0 or self.max_shift < 0:
            raise ValueError("offset_sd, noise_sd and max_shift must be >= 0")

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        """An augmented copy of ``x`` (``[B, C, L]``, any device)."""
        if x.ndim != 3:
            raise ValueError(f"x must be [B, C, L], got shape {tuple(x.shape)}")
        batch = x.shape[0]
        log_low, log_high = math.log(self.scale[0]), math.log(self.scale[1])
        factor = torch.exp(torch.empty(batch, 1, 1, device=x.device).uniform_(log_low, log_high))
        out = x * factor + self.offset_sd * torch.randn(batch, 1, 1, device=x.device)
        if self.noise_sd:
            out = out + self.noise_sd * torch.randn_like(out)
        if self.max_shift:
            shift = int(torch.randint(-self.max_shift, self.max_shift + 1, ()).item())
            out = torch.roll(out, shift, dims=-1)
        return out


@dataclass(frozen=True)
class ChainedAugment:
    """Augmentations applied one after the other, in order."""

    steps: tuple[Callable[[torch.Tensor], torch.Tensor], ...]

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        """``x`` through every step."""
        for step in self.steps:
            x = step(x)
        return x


def beat_augmentation(
    kind: Augmentation,
    *,
    fs: float | None = None,
    template: bool = False,
) -> Callable[[torch.Tensor], torch.Tensor] | None:
    """The augmentation a recipe names (``ExperimentConfig.augment``).

    Parameters
    ----------
    kind : {"none", "shifts", "full", "interference"}
        ``"none"``: no augmentation (None). ``"shifts"``: circular shifts of up to
        :attr:`BeatAugment.max_shift` samples alone, amplitudes untouched.
        ``"full"``: :class:`BeatAugment`'s defaults. ``"interference"``:
        :class:`~ecgkit.train.InterferenceAugment`'s sinusoid on half the
        windows (z-scored leads), then the shifts.
    fs : float, optional
        Sampling rate of the windows in Hz; ``"interference"`` needs it.
    template : bool
        The windows carry each lead's template residual after the leads
        (``"interference"`` recomputes them).

    Raises
    ------
    ValueError
        If ``kind`` is not one of :data:`AUGMENTATIONS`, or is ``"interference"`` without
        ``fs``.
    """
    if kind == "none":
        return None
    shifts = BeatAugment(scale=(1.0, 1.0), offset_sd=0.0, noise_sd=0.0)
    if kind == "shifts":
        return shifts
    if kind == "full":
        return BeatAugment()
    if kind == "interference":
        if fs is None:
            raise ValueError("augment='interference' needs fs, the windows' rate in Hz")
        interference = InterferenceAugment(fs=fs, template=template)
        return ChainedAugment((interference, shifts))
    raise ValueError(f"augment must be one of {AUGMENTATIONS}, got {kind!r}")
