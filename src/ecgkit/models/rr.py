"""A beat classifier that combines the waveform with RR-interval features."""

from __future__ import annotations

import torch
from torch import nn

from ecgkit.models.cnn import BeatCNN
from ecgkit.models.registry import ECGModel, register_model
from ecgkit.signal import RR_FEATURES

__all__ = ["BeatRRNet"]


@register_model("beat_rr_cnn")
class BeatRRNet(ECGModel):
    """:class:`~ecgkit.models.BeatCNN` on the waveform plus a small MLP on RR features.

    RR intervals relative to the patient's own rhythm (:data:`ecgkit.signal.RR_FEATURES`) are
    what separates supraventricular ectopic beats, whose shape is often normal, from normal
    beats across patients (de Chazal et al. 2004). The two embeddings are concatenated and
    joined by a one-hidden-layer head. With the defaults (1 lead, 11 features, 5 classes) it
    has 112,187 parameters. ``forward(x, features)`` takes ``[B, in_channels, L]`` and
    ``[B, n_features]``.

    Parameters
    ----------
    in_channels, num_classes : int
        Leads and classes.
    n_features : int
        RR features per beat (11 for :data:`ecgkit.signal.RR_FEATURES`, 7 for
        :data:`ecgkit.signal.RELATIVE_RR_FEATURES`).
    width : int
        Width of the waveform CNN.
    feature_width : int
        Hidden units of the feature MLP.
    dropout : float
        Dropout before the head.
    fusion_width : int
        Hidden units of the head that joins the two embeddings (0: a linear head). A
        hidden layer lets the rhythm veto the waveform: a beat without a normal P wave is
        supraventricular in a regular rhythm and normal in atrial fibrillation, an
        interaction a linear head over the joined embeddings cannot express.
    """

    def __init__(
        self,
        *,
        in_channels: int = 1,
        num_classes: int = 5,
        n_features: int = len(RR_FEATURES),
        width: int = 32,
        feature_width: int = 32,
        dropout: float = 0.2,
        fusion_width: int = 64,
    ) -> None:
        super().__init__()
        if n_features < 1:
            raise ValueError(f"n_features must be >= 1, got {n_features}")
        if fusion_width < 0:
            raise ValueError(f"fusion_width must be >= 0, got {fusion_width}")
        self.in_channels, self.num_classes, self.n_features = in_channels, num_classes, n_features
        self.waveform = BeatCNN(in_channels=in_channels, num_classes=num_classes, width=width)
        self.waveform.head = nn.Identity()  # type: ignore[assignment]
        self.rr = nn.Sequential(
            nn.BatchNorm1d(n_features),
            nn.Linear(n_features, feature_width),
            nn.ReLU(inplace=True),
        )
        joined = 4 * width + feature_width
        if fusion_width:
            self.head = nn.Sequential(
                nn.Dropout(dropout),
                nn.Linear(joined, fusion_width),
                nn.ReLU(inplace=True),
                nn.Dropout(dropout),
                nn.Linear(fusion_width, num_classes),
            )
        else:
            self.head = nn.Sequential(nn.Dropout(dropout), nn.Linear(joined, num_classes))

    @property
    def gradcam_layer(self) -> nn.Module:
        """The last conv block of the waveform branch."""
        return self.waveform.gradcam_layer

    def forward(self, x: torch.Tensor, features: torch.Tensor) -> torch.Tensor:
        """Logits ``[B, num_classes]`` from windows ``[B, C, L]`` and features ``[B, F]``."""
        joined = torch.cat([self.waveform.embed(x), self.rr(features)], dim=1)
        return self.head(joined)  # type: ignore[no-any-return]
