"""1-D networks for beats and rhythm strips, built by name.

>>> from ecgkit.models import create_model, list_models
>>> list_models()
['beat_cnn', 'beat_rr_cnn', 'resnet1d', 'resnet1d18', 'resnet1d34']
>>> model = create_model("beat_cnn", in_channels=1, num_classes=5)
"""

import ecgkit._torch  # noqa: F401  (one clear line when torch is missing)
from ecgkit.models.cnn import BeatCNN
from ecgkit.models.pretrained import (
    ModelSpec,
    Pretrained,
    PretrainedError,
    list_pretrained,
    load_pretrained,
)
from ecgkit.models.registry import (
    ECGModel,
    create_model,
    list_models,
    model_info,
    register_model,
    takes_features,
)
from ecgkit.models.resnet1d import BasicBlock1d, ResNet1d
from ecgkit.models.rr import BeatRRNet

__all__ = [
    "BasicBlock1d",
    "BeatCNN",
    "BeatRRNet",
    "ECGModel",
    "ModelSpec",
    "Pretrained",
    "PretrainedError",
    "ResNet1d",
    "create_model",
    "list_models",
    "list_pretrained",
    "load_pretrained",
    "model_info",
    "register_model",
    "takes_features",
]
