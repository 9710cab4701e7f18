"""Compact convolutional network for single beats."""

from __future__ import annotations

import torch
from torch import nn

from ecgkit.models.registry import ECGModel, check_odd_kernel, register_model

__all__ = ["BeatCNN", "conv_block"]


def conv_block(in_channels: int, out_channels: int, kernel_size: int, pool: int) -> nn.Sequential:
    """Conv1d -> BatchNorm1d -> ReLU (-> MaxPool1d when ``pool > 1``), length-preserving."""
    layers: list[nn.Module] = [
        nn.Conv1d(in_channels, out_channels, kernel_size, padding=kernel_size // 2, bias=False),
        nn.BatchNorm1d(out_channels),
        nn.ReLU(inplace=True),
    ]
    if pool > 1:
        layers.append(nn.MaxPool1d(pool, ceil_mode=True))
    return nn.Sequential(*layers)


@register_model("beat_cnn")
class BeatCNN(ECGModel):
    """A compact beat classifier: four conv blocks, global average pooling, a linear head.

    With the defaults (``width=32``, 1 lead, 5 classes) it has 101,797 parameters and runs on
    a laptop CPU; channels grow 32 -> 64 -> 64 -> 128 while max-pooling shortens time 8x.

    Parameters
    ----------
    in_channels, num_classes : int
        Leads and classes.
    width : int
        Channels of the first block (the others scale with it).
    kernel_size : int
        Odd convolution kernel, in samples (7 samples = 19 ms at 360 Hz).
    dropout : float
        Dropout before the linear head.
    """

    def __init__(
        self,
        *,
        in_channels: int = 1,
        num_classes: int = 5,
        width: int = 32,
        kernel_size: int = 7,
        dropout: float = 0.2,
    ) -> None:
        super().__init__()
        check_odd_kernel(kernel_size)
        self.in_channels, self.num_classes = in_channels, num_classes
        widths = (width, 2 * width, 2 * width, 4 * width)
        self.features = nn.Sequential(
            conv_block(in_channels, widths[0], kernel_size, 2),
            conv_block(widths[0], widths[1], kernel_size, 2),
            conv_block(widths[1], widths[2], kernel_size, 2),
            conv_block(widths[2], widths[3], kernel_size, 1),
        )
        self.head = nn.Sequential(nn.Dropout(dropout), nn.Linear(widths[3], num_classes))

    @property
    def gradcam_layer(self) -> nn.Module:
        """The last conv block."""
        return self.features[-1]

    def embed(self, x: torch.Tensor) -> torch.Tensor:
        """Pooled features ``[B, 4 * width]`` of a batch ``[B, in_channels, L]``."""
        maps: torch.Tensor = self.features(x)
        return maps.mean(dim=-1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Logits ``[B, num_classes]`` of a batch ``[B, in_channels, L]``."""
        return self.head(self.embed(x))  # type: ignore[no-any-return]
