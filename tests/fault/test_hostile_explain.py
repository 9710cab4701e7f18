"""Grad-CAM given inputs its model cannot take: a one-line error naming the argument."""

import numpy as np
import pytest
import torch
from torch import nn

from ecgkit.explain import GradCAM, GradCAMPlusPlus, Saliency
from ecgkit.models import create_model


@pytest.fixture(scope="module")
def model():
    torch.manual_seed(0)
    return create_model("beat_cnn", in_channels=1, num_classes=3, width=8)


@pytest.fixture(scope="module")
def rr_model():
    torch.manual_seed(0)
    return create_model("beat_rr_cnn", in_channels=1, num_classes=3, n_features=2, width=8)


@pytest.fixture(scope="module")
def windows():
    return np.random.default_rng(0).normal(size=(6, 1, 128)).astype(np.float32)


def _one_line_naming(error, *names):
    message = str(error.value)
    assert "\n" not in message
    for name in names:
        assert name in message, message


@pytest.mark.parametrize(
    ("x", "error"),
    [
        (None, TypeError),
        (object(), TypeError),
        ("beats", TypeError),
        (np.zeros((2, 1, 8), dtype=object), TypeError),
        ([[[1.0, 2.0]], [[1.0]]], ValueError),
    ],
    ids=["none", "object", "str", "object_array", "ragged"],
)
def test_x_that_is_not_a_float_batch_is_refused_naming_x(model, x, error):
    with pytest.raises(error, match=r"^x must ") as raised:
        GradCAM(model).attribute(x)
    _one_line_naming(raised)


@pytest.mark.parametrize("explainer", [GradCAM, GradCAMPlusPlus, Saliency])
def test_x_with_another_channel_count_than_the_model_is_refused_naming_both(
    model, windows, explainer
):
    with pytest.raises(ValueError, match=r"x has 2 channel\(s\).*expects 1") as raised:
        explainer(model).attribute(np.repeat(windows, 2, axis=1))
    _one_line_naming(raised, "(6, 2, 128)")


def test_a_model_without_declared_channels_still_names_x_and_its_first_conv(windows):
    class Plain(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = nn.Conv1d(1, 4, 5, padding=2)
            self.head = nn.Linear(4, 3)

        def forward(self, x):
            return self.head(self.conv(x).mean(-1))

    with pytest.raises(ValueError, match=r"x has 2 channel\(s\).*first Conv1d of Plain expects 1"):
        GradCAM(Plain()).attribute(np.repeat(windows, 2, axis=1))


_FEATURES = np.ones((6, 2), dtype=np.float32)


@pytest.mark.parametrize(
    ("extra", "error", "names"),
    [
        ((), ValueError, ("extra_inputs", "features", "got 0")),
        ((_FEATURES, _FEATURES), ValueError, ("extra_inputs", "got 2")),
        ((np.ones((6, 5), np.float32),), ValueError, ("extra_inputs[0]", "[B, 2]", "(6, 5)")),
        ((_FEATURES.astype(np.int64),), TypeError, ("extra_inputs[0]", "floating point")),
        (("rr",), TypeError, ("extra_inputs[0]",)),
        (_FEATURES, TypeError, ("extra_inputs", "(features,)")),
        (None, TypeError, ("extra_inputs",)),
    ],
    ids=["missing", "too_many", "wrong_width", "int", "str_item", "bare_array", "none"],
)
def test_extra_inputs_the_model_cannot_take_are_refused_naming_extra_inputs(
    rr_model, windows, extra, error, names
):
    with pytest.raises(error) as raised:
        GradCAM(rr_model).attribute(windows, extra_inputs=extra)
    _one_line_naming(raised, *names)


def test_extra_inputs_given_to_a_model_without_them_are_refused(model, windows):
    with pytest.raises(ValueError, match=r"extra_inputs: BeatCNN\.forward takes 0 input"):
        GradCAM(model).attribute(windows, extra_inputs=(_FEATURES,))


def test_valid_extra_inputs_still_give_maps(rr_model, windows):
    assert GradCAM(rr_model).attribute(windows, extra_inputs=(_FEATURES,)).shape == (6, 128)


@pytest.mark.parametrize("explainer", [GradCAM, GradCAMPlusPlus, Saliency])
@pytest.mark.parametrize("bad_model", ["model", None, lambda x: x], ids=["str", "none", "func"])
def test_a_model_that_is_not_a_module_is_refused_naming_model(explainer, bad_model):
    with pytest.raises(TypeError, match=r"model must be a torch\.nn\.Module"):
        explainer(bad_model)
