"""1-D residual networks of configurable depth, for beats and rhythm strips."""

from __future__ import annotations

import torch
from torch import nn

from ecgkit.models.registry import ECGModel, check_odd_kernel, register_model

__all__ = ["BasicBlock1d", "ResNet1d"]


class BasicBlock1d(nn.Module):
    """Two ``kernel_size`` convolutions with batch norm and an identity (or 1x1) shortcut."""

    def __init__(self, in_channels: int, out_channels: int, kernel_size: int, stride: int) -> None:
        super().__init__()
        pad = kernel_size // 2
        self.conv1 = nn.Conv1d(in_channels, out_channels, kernel_size, stride, pad, bias=False)
        self.bn1 = nn.BatchNorm1d(out_channels)
        self.conv2 = nn.Conv1d(out_channels, out_channels, kernel_size, 1, pad, bias=False)
        self.bn2 = nn.BatchNorm1d(out_channels)
        self.relu = nn.ReLU(inplace=True)
        self.shortcut: nn.Module = nn.Identity()
        if stride != 1 or in_channels != out_channels:
            self.shortcut = nn.Sequential(
                nn.Conv1d(in_channels, out_channels, 1, stride, bias=False),
                nn.BatchNorm1d(out_channels),
            )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """``[B, in_channels, L] -> [B, out_channels, ceil(L / stride)]``."""
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return self.relu(out + self.shortcut(x))  # type: ignore[no-any-return]


class ResNet1d(ECGModel):
    """A 1-D ResNet: a stem convolution, stages of :class:`BasicBlock1d`, global pooling.

    ``resnet1d`` (blocks ``(1, 1, 1, 1)``, width 32, 1 lead, 5 classes) has 965,157
    parameters; ``resnet1d18`` (``(2, 2, 2, 2)``) has 2,185,637; ``resnet1d34`` (``(3, 4, 6, 3)``)
    has 4,153,381. Each stage after the first halves time and doubles channels (up to 8x width).

    Parameters
    ----------
    in_channels, num_classes : int
        Leads and classes.
    blocks : tuple of int
        Residual blocks per stage (depth).
    width : int
        Channels of the first stage.
    kernel_size : int
        Odd kernel of the residual convolutions, in samples.
    dropout : float
        Dropout before the linear head.
    """

    def __init__(
        self,
        *,
        in_channels: int = 1,
        num_classes: int = 5,
        blocks: tuple[int, ...] = (1, 1, 1, 1),
        width: int = 32,
        kernel_size: int = 7,
        dropout: float = 0.2,
    ) -> None:
        super().__init__()
        if not blocks or any(b < 1 for b in blocks):
            raise ValueError(f"blocks must be positive counts per stage, got {blocks!r}")
        check_odd_kernel(kernel_size)
        self.in_channels, self.num_classes = in_channels, num_classes
        self.stem = nn.Sequential(
            nn.Conv1d(in_channels, width, 15, stride=2, padding=7, bias=False),
            nn.BatchNorm1d(width),
            nn.ReLU(inplace=True),
        )
        stages: list[nn.Module] = []
        channels = width
        for i, count in enumerate(blocks):
            out = width * 2 ** min(i, 3)
            layers = [BasicBlock1d(channels, out, kernel_size, 1 if i == 0 else 2)]
            layers += [BasicBlock1d(out, out, kernel_size, 1) for _ in range(count - 1)]
            stages.append(nn.Sequential(*layers))
            channels = out
        self.stages = nn.Sequential(*stages)
        self.head = nn.Sequential(nn.Dropout(dropout), nn.Linear(channels, num_classes))

    @property
    def gradcam_layer(self) -> nn.Module:
        """The last residual stage."""
        return self.stages[-1]

    def embed(self, x: torch.Tensor) -> torch.Tensor:
        """Pooled features of a batch ``[B, in_channels, L]``."""
        maps: torch.Tensor = self.stages(self.stem(x))
        return maps.mean(dim=-1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Logits ``[B, num_classes]``."""
        return self.head(self.embed(x))  # type: ignore[no-any-return]


@register_model("resnet1d")
def resnet1d(**kwargs: object) -> ResNet1d:
    """A ResNet with one block per stage (default ``blocks=(1, 1, 1, 1)``)."""
    return ResNet1d(**kwargs)  # type: ignore[arg-type]


@register_model("resnet1d18")
def resnet1d18(**kwargs: object) -> ResNet1d:
    """ResNet-18 layout: ``blocks=(2, 2, 2, 2)``."""
    return ResNet1d(blocks=(2, 2, 2, 2), **kwargs)  # type: ignore[arg-type]


@register_model("resnet1d34")
def resnet1d34(**kwargs: object) -> ResNet1d:
    """ResNet-34 layout: ``blocks=(3, 4, 6, 3)``."""
    return ResNet1d(blocks=(3, 4, 6, 3), **kwargs)  # type: ignore[arg-type]
