import numpy as np
import pytest
import torch
from torch import nn

from ecgkit.explain import GradCAM, GradCAMPlusPlus, Saliency, default_layer
from ecgkit.models import create_model, list_models

METHODS = [GradCAM, GradCAMPlusPlus, Saliency]


def user_model():
    """A plain user nn.Module (not an ecgkit model)."""
    torch.manual_seed(0)
    return nn.Sequential(
        nn.Conv1d(2, 6, 5, padding=2),
        nn.ReLU(),
        nn.MaxPool1d(2),
        nn.Conv1d(6, 8, 5, padding=2),
        nn.ReLU(),
        nn.AdaptiveAvgPool1d(1),
        nn.Flatten(),
        nn.Linear(8, 3),
    )


def _inputs(model, batch=4, length=120, channels=1):
    x = torch.randn(batch, channels, length)
    extra = (torch.randn(batch, model.n_features),) if getattr(model, "n_features", 0) else ()
    return x, extra


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("name", list_models())
def test_maps_are_aligned_to_the_input_samples(method, name):
    torch.manual_seed(0)
    model = create_model(name)
    x, extra = _inputs(model)
    maps = method(model).attribute(x, extra_inputs=extra)
    assert maps.shape == (4, 120)
    assert maps.min() >= 0
    assert maps.max() <= 1
    numpy_maps = method(model).attribute(x.numpy(), extra_inputs=extra)
    assert isinstance(numpy_maps, np.ndarray)
    assert numpy_maps.dtype == np.float32
    np.testing.assert_allclose(numpy_maps, maps.numpy(), atol=1e-6)


@pytest.mark.parametrize(
    "model_factory",
    [user_model, lambda: create_model("beat_cnn"), lambda: create_model("resnet1d")],
)
def test_raw_gradcam_equals_captum_layer_gradcam(model_factory):
    from captum.attr import LayerGradCam

    model = model_factory().eval()
    channels = model[0].in_channels if isinstance(model, nn.Sequential) else 1
    x = torch.randn(5, channels, 200)
    layer = default_layer(model)
    target = torch.tensor([0, 1, 2, 1, 0])
    ours = GradCAM(model, layer).attribute(x, target, relu=False, normalize=None, interpolate=False)
    theirs = LayerGradCam(model, layer).attribute(x, target=target, relu_attributions=False)
    assert theirs.shape[1] == 1
    torch.testing.assert_close(ours, theirs[:, 0].detach(), rtol=1e-5, atol=1e-5)


def test_default_layer_is_the_declared_one_or_the_last_conv1d():
    model = create_model("resnet1d")
    assert default_layer(model) is model.gradcam_layer
    plain = user_model()
    assert default_layer(plain) is plain[3]
    with pytest.raises(ValueError, match="Conv1d"):
        default_layer(nn.Linear(3, 2))


@pytest.mark.parametrize("method", METHODS)
def test_no_state_leaks_grads_modes_and_hooks_are_as_before(method):
    model = create_model("beat_cnn")
    model.train()
    model.head.eval()  # a mixed state must come back as it was
    for p in model.parameters():
        p.grad = torch.full_like(p, 0.5)
    modes = {name: m.training for name, m in model.named_modules()}
    method(model).attribute(torch.randn(3, 1, 100))
    assert {name: m.training for name, m in model.named_modules()} == modes
    assert all(torch.equal(p.grad, torch.full_like(p, 0.5)) for p in model.parameters())
    assert all(not m._forward_hooks for m in model.modules())


class Exploding(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv1d(1, 4, 3)

    def forward(self, x):
        self.conv(x)
        raise RuntimeError("boom")


def test_hooks_are_removed_and_modes_restored_when_the_forward_pass_raises():
    model = Exploding().train()
    with pytest.raises(RuntimeError, match="boom"):
        GradCAM(model).attribute(torch.randn(2, 1, 50))
    assert not model.conv._forward_hooks
    assert model.training


def test_target_selects_the_explained_class():
    model = user_model().eval()
    x = torch.randn(3, 2, 80)
    cam = GradCAM(model)
    predicted = model(x).argmax(dim=1)
    by_default = cam.attribute(x, normalize=None)
    explicit = cam.attribute(x, predicted, normalize=None)
    torch.testing.assert_close(by_default, explicit)
    assert cam.attribute(x, 1).shape == (3, 80)


@pytest.mark.parametrize(
    ("x", "target", "message"),
    [
        (torch.randn(3, 100), None, r"\[B, C, L\]"),
        (torch.full((2, 2, 50), float("nan")), None, "NaN"),
        (torch.randn(2, 2, 50), 7, "target"),
        (torch.randn(2, 2, 50), [0, 1, 2], "target"),
        (torch.zeros((2, 2, 50), dtype=torch.int64), None, "floating"),
    ],
)
def test_bad_input_is_rejected(x, target, message):
    with pytest.raises((ValueError, TypeError), match=message):
        GradCAM(user_model()).attribute(x, target)


def test_gradcam_highlights_the_discriminative_bump():
    # a convolution that responds to the bump and a head that reads it: the map peaks there
    model = nn.Sequential(
        nn.Conv1d(1, 1, 9, padding=4, bias=False),
        nn.AdaptiveAvgPool1d(1),
        nn.Flatten(),
        nn.Linear(1, 2),
    )
    with torch.no_grad():
        model[0].weight.fill_(1 / 9)
        model[3].weight.copy_(torch.tensor([[1.0], [-1.0]]))
        model[3].bias.zero_()
    x = torch.zeros(1, 1, 200)
    x[0, 0, 140:150] = 1.0
    maps = GradCAM(model, model[0]).attribute(x, 0)
    assert 130 <= int(maps.argmax()) <= 160


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_works_on_cuda():
    model = create_model("beat_cnn").cuda()
    maps = GradCAM(model).attribute(torch.randn(2, 1, 100, device="cuda"))
    assert maps.device.type == "cuda"
    assert maps.shape == (2, 100)


def test_normalize_none_string_still_works_with_a_deprecation_warning():
    torch.manual_seed(0)
    model = create_model("beat_cnn", in_channels=1, num_classes=3).eval()
    x = torch.randn(2, 1, 128)
    cam = GradCAM(model)
    raw = cam.attribute(x, 0, normalize=None)
    with pytest.warns(DeprecationWarning, match="normalize=None"):
        old = cam.attribute(x, 0, normalize="none")
    torch.testing.assert_close(old, raw)
