import pytest
import torch
from torch import nn

from ecgkit.data import RR_FEATURES
from ecgkit.models import ECGModel, create_model, list_models, model_info, takes_features


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
        "beat_rr_cnn": 112_187,
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


def test_takes_features_tells_which_models_take_rr_features():
    assert takes_features("beat_rr_cnn")
    assert create_model("beat_rr_cnn").n_features == len(RR_FEATURES)
    assert not takes_features("beat_cnn")
    assert create_model("beat_cnn").n_features == 0
    with pytest.raises(ValueError, match="unknown model"):
        takes_features("vgg")


def test_the_rr_model_joins_waveform_and_rhythm_through_a_hidden_layer_or_a_linear_head():
    hidden = create_model("beat_rr_cnn", num_classes=4, n_features=7)
    linear = create_model("beat_rr_cnn", num_classes=4, n_features=7, fusion_width=0)
    n_linear = sum(isinstance(m, nn.Linear) for m in linear.head.modules())
    assert sum(isinstance(m, nn.Linear) for m in hidden.head.modules()) == n_linear + 1
    out = linear.eval()(torch.randn(2, 1, 100), torch.randn(2, 7))
    assert out.shape == (2, 4)
    with pytest.raises(ValueError, match="fusion_width"):
        create_model("beat_rr_cnn", fusion_width=-1)
