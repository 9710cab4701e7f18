"""Grad-CAM as people call it: under no_grad, from threads, on big batches, with bad options."""

import threading

import numpy as np
import pytest
import torch
from torch import nn

from ecgkit.explain import GradCAM, Saliency
from ecgkit.models import ECGModel, create_model


@pytest.fixture(scope="module")
def model():
    torch.manual_seed(0)
    return create_model("beat_cnn", num_classes=3, width=8)


@pytest.fixture(scope="module")
def windows():
    return np.random.default_rng(0).normal(size=(6, 1, 128)).astype(np.float32)


@pytest.mark.parametrize("context", [torch.no_grad, torch.inference_mode])
def test_gradcam_works_under_no_grad_and_inference_mode(model, windows, context):
    expected = GradCAM(model).attribute(windows)
    with context():
        inside = GradCAM(model).attribute(torch.from_numpy(windows))
        saliency = Saliency(model).attribute(windows)
    np.testing.assert_allclose(inside.numpy(), expected, atol=1e-6)
    assert saliency.shape == (6, 128)


def test_large_inputs_are_explained_in_batches_with_the_same_maps(model, windows):
    whole = GradCAM(model).attribute(windows, batch_size=256)
    in_twos = GradCAM(model).attribute(windows, batch_size=2)
    np.testing.assert_allclose(in_twos, whole, atol=1e-6)


def test_threads_sharing_a_model_all_succeed_and_leave_its_mode(model, windows):
    model.train()
    errors = []

    def explain():
        try:
            for _ in range(10):
                GradCAM(model).attribute(windows, 1)
        except Exception as error:
            errors.append(error)

    threads = [threading.Thread(target=explain) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    assert model.training
    model.eval()


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"normalize": "bogus"}, ValueError, "normalize"),
        ({"target": True}, TypeError, "target"),
        ({"target": 1.7}, TypeError, "target"),
        ({"batch_size": 0}, ValueError, "batch_size"),
    ],
)
def test_bad_options_are_refused(model, windows, kwargs, error, message):
    with pytest.raises(error, match=message):
        GradCAM(model).attribute(windows, **kwargs)


def test_nan_in_extra_inputs_is_refused(windows):
    torch.manual_seed(0)
    rr_model = create_model("beat_rr_cnn", num_classes=3, n_features=2, width=8)
    features = np.ones((6, 2), dtype=np.float32)
    features[2, 1] = np.nan
    with pytest.raises(ValueError, match=r"extra_inputs\[0\] contains NaN"):
        GradCAM(rr_model).attribute(windows, extra_inputs=(features,))


def test_a_model_without_a_declared_layer_falls_back_to_its_last_conv1d(windows):
    class Plain(ECGModel):
        def __init__(self):
            super().__init__()
            self.first = nn.Conv1d(1, 4, 5, padding=2)
            self.last = nn.Conv1d(4, 4, 5, padding=2)
            self.head = nn.Linear(4, 3)

        def forward(self, x):
            return self.head(self.last(torch.relu(self.first(x))).mean(-1))

    plain = Plain()
    cam = GradCAM(plain)
    assert cam.layer is plain.last
    assert cam.attribute(windows).shape == (6, 128)
