"""Inputs that used to give a silently wrong result: each now gives the right one or an error."""

import warnings

import numpy as np
import pytest

from ecgkit.data import load_example
from ecgkit.signal import detect_r_peaks


@pytest.mark.parametrize("value", [0.0, 0.5, 1.0, 1.23, 100.0, -3.0])
@pytest.mark.parametrize("method", ["ecgkit", "neurokit"])
def test_a_flat_line_has_no_heartbeat(value, method):
    with pytest.warns(UserWarning, match="flat"):
        peaks = detect_r_peaks(np.full(21600, value), 360.0, method=method)
    assert peaks.size == 0


def test_a_lead_off_beside_a_working_lead_does_not_change_the_beats():
    record, _ = load_example("100")
    lead = record.signal[:, 0]
    alone = detect_r_peaks(lead, 360.0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for position in (0, 1):
            both = np.stack([lead, np.full_like(lead, 1.0)])[:: 1 if position == 0 else -1]
            np.testing.assert_array_equal(
                detect_r_peaks(both, 360.0, reference_lead=position), alone
            )


def _tiny_run(lr, tmp_path):
    import torch

    from ecgkit.data import ArrayDataset
    from ecgkit.models import create_model
    from ecgkit.train import TrainConfig, Trainer

    rng = np.random.default_rng(0)
    data = ArrayDataset(rng.normal(size=(64, 1, 64)), rng.integers(0, 3, 64))
    torch.manual_seed(0)
    model = create_model("beat_cnn", num_classes=3, width=8)
    config = TrainConfig(epochs=3, batch_size=16, lr=lr, progress=False)
    return Trainer(model, config, run_dir=tmp_path), data


def test_a_non_finite_learning_rate_is_refused():
    from ecgkit.train import TrainConfig

    for lr in (float("inf"), float("nan")):
        with pytest.raises(ValueError, match="lr must be finite"):
            TrainConfig(lr=lr)


@pytest.mark.parametrize("lr", [1e30, 1e20])
def test_training_stops_at_the_first_non_finite_loss_and_keeps_the_checkpoints(lr, tmp_path):
    from ecgkit.train import NonFiniteLossError

    trainer, data = _tiny_run(lr, tmp_path)
    with pytest.raises(
        NonFiniteLossError, match=r"epoch 1, step \d+: the loss is nan.*learning rate"
    ):
        trainer.fit(data)
    assert not (tmp_path / "checkpoints" / "last.pt").exists()


@pytest.mark.parametrize("clip", [1.0, None])
def test_training_stops_at_an_infinite_gradient_before_its_step(clip, tmp_path):
    import dataclasses

    import torch

    from ecgkit.train import NonFiniteLossError

    trainer, data = _tiny_run(1e-3, tmp_path)
    trainer.config = dataclasses.replace(trainer.config, gradient_clip_norm=clip)
    # an overflow in the backward pass: the loss stays finite, one gradient does not
    weight = next(trainer.model.parameters())
    weight.register_hook(lambda grad: grad * float("inf"))
    before = {k: v.detach().clone() for k, v in trainer.model.named_parameters()}
    with pytest.raises(NonFiniteLossError, match=r"epoch 1, step 1: the gradient's norm is"):
        trainer.fit(data)
    after = dict(trainer.model.named_parameters())
    assert all(torch.equal(before[k], after[k]) for k in before)  # the step was not taken
    assert not (tmp_path / "checkpoints" / "last.pt").exists()


def test_an_exploding_loss_warns_that_the_learning_rate_is_too_high(tmp_path):
    trainer, data = _tiny_run(10.0, tmp_path)
    with pytest.warns(RuntimeWarning, match=r"exploded to .*lr=10\) is probably"):
        trainer.fit(data)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [({"n_beats": 100_000}, "n_beats must be in"), ({"path": "figure.pdf"}, "ending in .png")],
)
def test_explain_refuses_unbounded_figures_and_a_pdf_path_it_would_fill_with_png(
    tmp_path, kwargs, message
):
    from ecgkit.experiment import explain_run

    with pytest.raises(ValueError, match=message):
        explain_run(tmp_path, **kwargs)


@pytest.mark.parametrize(
    ("error", "line"),
    [
        (OSError(28, "No space left on device", "run/checkpoints/last.pt"),
         "disk full while writing run/checkpoints/last.pt"),
        (OSError(30, "Read-only file system", "out/beats.csv"),
         "read-only file system while writing out/beats.csv"),
        (ValueError("two\nlines"), "two lines"),
    ],
)  # fmt: skip
def test_command_errors_are_one_plain_line(error, line):
    from ecgkit.cli import _one_line

    assert _one_line(error) == line


@pytest.mark.parametrize(
    ("changes", "message"), [({"seed": -1}, "seed"), ({"device": "tpu"}, "device must be")]
)
def test_train_config_refuses_what_would_fail_after_training(changes, message):
    from ecgkit.train import TrainConfig

    with pytest.raises(ValueError, match=message):
        TrainConfig(**changes)


@pytest.mark.mitdb
@pytest.mark.parametrize("scale", [0.1, 0.25, 4.0])
def test_a_gain_change_inside_a_recording_loses_no_beats(scale, mitdb_dir):
    from ecgkit.data import BEAT_SYMBOLS, read_annotations, read_record
    from ecgkit.signal import match_peaks

    record, annotations = read_record(mitdb_dir / "100"), read_annotations(mitdb_dir / "100")
    lead = record.signal[:, 0].copy()
    lead[lead.size // 2 :] *= scale  # a lead moved, a gain switched: the second half changes
    # (the whole-record QRS scale of the detector before: 1,128 of 2,273 beats lost at 0.1)
    reference = annotations.select(BEAT_SYMBOLS).sample
    match = match_peaks(detect_r_peaks(lead, 360.0), reference, 360.0)
    assert match.fn <= 2, f"missed {match.fn} of {reference.size}"
    assert match.fp <= 2
