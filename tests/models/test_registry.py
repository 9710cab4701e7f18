import pytest
import torch
from torch import nn

from ecgkit.models import ECGModel, create_model, list_models, model_info


@pytest.mark.parametrize("name", list_models())
@pytest.mark.parametrize(("channels", "length"), [(1, 64), (2, 252), (12, 1000), (3, 37)])
def test_every_model_maps_b_c_l_to_b_classes(name, channels, length):
    torch.manual_seed(0)
    model = create_model(name, in_channels=channels, num_classes=4).eval()
    x = torch.randn(3, channels, length)
    inputs = (x, torch.randn(3, model.n_features)) if model.n_features else (x,)
    out = model(*inputs)
    assert out.shape == (3, 4)
    assert torch.isfinite(out).all()


@pytest.mark.parametrize("name", list_models())
def test_every_model_declares_a_conv_layer_for_gradcam(name):
    model = create_model(name)
    assert isinstance(model, ECGModel)
    layer = model.gradcam_layer
    assert any(isinstance(m, nn.Conv1d) for m in layer.modules())
    assert any(layer is m for m in model.modules())


def test_documented_parameter_counts():
    counts = {name: model_info(create_model(name))["parameters"] for name in list_models()}
    assert counts == {
        "beat_cnn": 101_797,
        "beat_rr_cnn": 102_261,
        "resnet1d": 965_157,
        "resnet1d18": 2_185_637,
        "resnet1d34": 4_153_381,
    }


def test_create_model_rejects_unknown_names_and_bad_sizes():
    with pytest.raises(ValueError, match="unknown model 'vgg'"):
        create_model("vgg")
    with pytest.raises(ValueError, match="in_channels"):
        create_model("beat_cnn", in_channels=0)
    with pytest.raises(ValueError, match="kernel_size"):
        create_model("resnet1d", kernel_size=4)
