"""Smooth interference (a tremor's artefact) added to z-scored beat windows for training."""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch

__all__ = ["InterferenceAugment"]


@dataclass(frozen=True)
class InterferenceAugment:
    """A sinusoid added to some windows of a batch ``[B, C, L]`` as a tremor would add it.

    A muscle tremor (Parkinsonian 4-6 Hz, essential or physiological up to 12 Hz) or a
    shiver adds a smooth oscillation to the ECG, inside the QRS band, that no filter takes
    out and that beat likeness and slope tests do not tell from ectopy. A model that never
    saw one calls a normal beat under 0.2 mV of it V or S. Each chosen window's leads get
    a sinusoid of one frequency (its own amplitude and phase per lead) added before their
    per-beat z-score, which is then taken again; where the windows carry template-residual
    channels (each lead minus its recording's template beat, after the leads), the
    residuals are recomputed against the unchanged template, since a template is the
    median of many beats and an oscillation not locked to the beats averages out of it.

    Attributes
    ----------
    fs : float
        Sampling rate of the windows, in Hz.
    template : bool
        The windows' second half of channels are the leads' template residuals (so
        their number is even); else every channel is a lead.
    probability : float
        Share of the windows that get a sinusoid (0-1).
    hz : tuple of float
        Frequency range, drawn uniformly, in Hz.
    amplitude : tuple of float
        Amplitude range, drawn log-uniformly, in units of the z-scored lead (its SD over
        the window before the sinusoid is 1: a 0.2 mV tremor on a beat whose window has an
        SD of 0.33 mV is 0.6).
    """

    fs: float
    template: bool = True
    probability: float = 0.5
    hz: tuple[float, float] = (3.0, 12.0)
    amplitude: tuple[float, float] = (0.05, 2.0)

    def __post_init__(self) -> None:
        if not self.fs > 0:
            raise ValueError(f"fs must be > 0 Hz, got {self.fs}")
        if not 0 <= self.probability <= 1:
            raise ValueError(f"probability must be in [0, 1], got {self.probability}")
        low, high = self.hz
        if not 0 < low <= high < self.fs / 2:
            raise ValueError(
                f"hz must be (low, high) with 0 < low <= high < fs / 2 = {self.fs / 2:g}, "
                f"got {self.hz}"
            )
        low, high = self.amplitude
        if not 0 < low <= high:
            raise ValueError(f"amplitude must be (low, high) with 0 < low <= high, got {low, high}")

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        """A copy of ``x`` (``[B, C, L]``, z-scored leads) with the interference added."""
        if x.ndim != 3 or x.shape[1] == 0 or (self.template and x.shape[1] % 2):
            what = "an even number of channels (leads, then their template residuals)"
            raise ValueError(
                f"x must be [B, C, L] with {what if self.template else 'C >= 1'}, "
                f"got shape {tuple(x.shape)}"
            )
        batch, channels, length = x.shape
        n_leads = channels // 2 if self.template else channels
        device = x.device
        chosen = torch.rand(batch, device=device) < self.probability
        hz = torch.empty(batch, 1, 1, device=device).uniform_(*self.hz)
        phase = torch.empty(batch, n_leads, 1, device=device).uniform_(0.0, 2 * math.pi)
        log_low, log_high = (math.log(a) for a in self.amplitude)
        amplitude = torch.exp(
            torch.empty(batch, n_leads, 1, device=device).uniform_(log_low, log_high)
        )
        time_s = torch.arange(length, device=device, dtype=x.dtype) / self.fs
        wave = amplitude * torch.sin(2 * math.pi * hz * time_s + phase) * chosen[:, None, None]
        leads = x[:, :n_leads]
        moved = leads + wave.to(x.dtype)
        # the per-beat z-score of the prepared windows (ddof 0), taken again
        centre = moved.mean(dim=-1, keepdim=True)
        scale = moved.std(dim=-1, keepdim=True, correction=0).clamp_min(1e-12)
        moved = torch.where(chosen[:, None, None], (moved - centre) / scale, leads)
        if not self.template:
            return moved
        residual = x[:, n_leads:]
        residual = torch.where(chosen[:, None, None], moved - (leads - residual), residual)
        return torch.cat([moved, residual], dim=1)
