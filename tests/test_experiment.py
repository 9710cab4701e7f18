import dataclasses
import json

import numpy as np
import pytest

from ecgkit.data import RELATIVE_RR_FEATURES, RR_FEATURES, load_example
from ecgkit.experiment import (
    ExperimentConfig,
    evaluate_run,
    explain_run,
    load_run,
    predict_beats,
    run_experiment,
    split_beats,
)
from ecgkit.train import TrainConfig


def test_config_uses_rate_independent_rr_features_and_rejects_unknown_ones():
    assert ExperimentConfig().rr_features == RELATIVE_RR_FEATURES
    assert not {"pre_rr_s", "post_rr_s", "local_rr_s", "mean_rr_s"} & set(RELATIVE_RR_FEATURES)
    with pytest.raises(ValueError, match="rr_features"):
        ExperimentConfig(rr_features=("pre_rr_ratio", "heart_rate"))
    with pytest.raises(ValueError, match="rr_features"):
        ExperimentConfig(rr_features=())
    with pytest.raises(ValueError, match="prior_adjustment"):
        ExperimentConfig(prior_adjustment=1.5)


def test_defaults_are_the_benchmark_recipe_and_double_compensation_warns():
    config = ExperimentConfig()
    assert (config.classes, config.normalize, config.template) == ("NSVF", "zscore", True)
    assert (config.train.class_weighting, config.prior_adjustment) == (None, 0.75)
    with pytest.warns(UserWarning, match="twice"):
        ExperimentConfig(train=TrainConfig(class_weighting="balanced"))


def test_config_survives_a_json_round_trip():
    config = ExperimentConfig(
        rr_features=RR_FEATURES[:3], template=True, classes="NSVF", prior_adjustment=0.5
    )
    again = ExperimentConfig.from_json(json.loads(json.dumps(config.to_json())))
    assert again == config
    newer_fields = ("rr_features", "prior_adjustment")
    older = {k: v for k, v in config.to_json().items() if k not in newer_fields}
    assert ExperimentConfig.from_json(older).prior_adjustment == 0.0  # older runs: no adjustment


@pytest.mark.slow
def test_a_reopened_run_uses_the_same_rr_features_and_prior_adjustment(tmp_path):
    chosen = ("pre_median_ratio", "rr_irregularity")
    config = ExperimentConfig(
        rr_features=chosen,
        classes="NSVF",
        prior_adjustment=1.0,
        augment="interference",  # the recipe name reaches the trainer with the windows' rate
        val_fraction=0.0,
        train=TrainConfig(epochs=1, batch_size=256, class_weighting=None, progress=False),
        explain_beats=2,
        out_dir=tmp_path / "run",
    )
    result = run_experiment(config, verbose=False)
    saved = json.loads((tmp_path / "run" / "config.json").read_text())
    assert saved["experiment"]["augment"] == "interference"
    assert saved["experiment"]["rr_features"] == list(chosen)
    assert saved["recipe"]["rr_features"] == list(chosen)
    priors = np.array(saved["recipe"]["class_priors"])
    np.testing.assert_allclose(priors.sum(), 1.0)
    assert priors[0] > 0.8  # normal beats dominate DS1
    run = load_run(tmp_path / "run")
    assert run.model.n_features == len(chosen)
    _, test, _ = split_beats(run.config)
    # each record with its own BatchNorm statistics, as the recipe says
    raw = predict_beats(run.trainer, test, chosen, adapt_batchnorm=run.config.adapt_batchnorm)
    expected = raw.adjusted(priors, 1.0).predicted
    np.testing.assert_array_equal(result.prediction.predicted, expected)
    assert (raw.predicted != expected).any()  # the adjustment moved some decisions
    again = evaluate_run(tmp_path / "run")
    assert again.accuracy == pytest.approx(result.metrics.accuracy)
    figure = explain_run(tmp_path / "run", n_beats=2, method="gradcam++")
    assert figure.stat().st_size > 10_000
    # the run stores how to apply its model to a recording it never saw
    assert run.recipe is not None
    assert (run.recipe.fs, run.recipe.rr_features, run.recipe.prior_adjustment) == (
        360.0,
        chosen,
        1.0,
    )
    assert run.recipe.class_priors == pytest.approx(tuple(priors))
    assert saved["ecgkit_version"]
    resampled = dataclasses.replace(test, fs=250.0)
    with pytest.raises(ValueError, match="windows at 250 Hz"):
        run.predict(resampled)
    from ecgkit.annotate import Predictor

    record, _ = load_example("213")  # a DS2 record with N, S, V and F beats
    peaks = np.asarray(test.r_sample[test.record == "213"])
    beats = Predictor.from_run(tmp_path / "run").annotate(record, peaks=peaks)
    ok = beats.flag == ""
    from_run = result.prediction.predicted[test.record == "213"]
    assert ok.sum() > 300
    assert np.mean(beats.label[ok] == from_run[ok]) > 0.97  # detector-free: same beats


def test_rhythm_effect_is_zero_at_the_median_rhythm_and_signed_elsewhere():
    import torch

    from ecgkit.experiment import rhythm_effect
    from ecgkit.models import create_model

    torch.manual_seed(0)
    model = create_model("beat_rr_cnn", in_channels=1, num_classes=3, n_features=2, width=8)
    model.train()
    rng = np.random.default_rng(0)
    windows = rng.normal(size=(6, 1, 64)).astype(np.float32)
    rr = np.ones((6, 2), dtype=np.float32)
    rr[0] = [0.6, 1.4]  # a premature beat
    effect = rhythm_effect(model, windows, rr, np.ones(2, dtype=np.float32), np.zeros(6, dtype=int))
    np.testing.assert_allclose(effect[1:], 0, atol=1e-6)  # these sit at the median rhythm
    assert effect[0] != 0
    assert model.training  # mode restored


def test_rate_copies_are_a_checked_range_that_survives_json():
    config = ExperimentConfig(rate_copies=[np.float64(0.5), 0.9])
    assert config.rate_copies == (0.5, 0.9)
    assert ExperimentConfig.from_json(json.loads(json.dumps(config.to_json()))) == config
    older = {k: v for k, v in config.to_json().items() if k != "rate_copies"}
    assert ExperimentConfig.from_json(older).rate_copies is None  # older runs: no copies
    for bad in ((0.9, 0.5), (0.0, 0.5), (0.5, 3.0), (0.5,), (0.5, float("nan")), (True, 1.0), 0.7):
        with pytest.raises(ValueError, match="rate_copies"):
            ExperimentConfig(rate_copies=bad)


def test_rate_copies_add_copies_of_the_training_records_alone():
    from ecgkit.data import COPY_MARK
    from ecgkit.experiment import with_rate_copies

    config = ExperimentConfig(rate_copies=(0.6, 0.8))
    train, _, _ = split_beats(config)
    two = train.select_records(["101", "208"])
    both = with_rate_copies(config, two)
    copies = both.subset(np.char.find(both.record.astype(str), COPY_MARK) >= 0)
    assert both.subset(np.arange(len(two))).record.tolist() == two.record.tolist()
    assert sorted({r.split(COPY_MARK)[0] for r in copies.record.tolist()}) == ["101", "208"]
    # a copy keeps its record's patient and labels, and the template channel of its own
    for record in ("101", "208"):
        mine = copies.subset([r.startswith(record) for r in copies.record.tolist()])
        own = two.select_records([record])
        assert set(mine.patient.tolist()) == set(own.patient.tolist())
        assert abs(len(mine) - len(own)) <= 2  # at most an edge beat either end
        assert (
            np.abs(
                np.bincount(mine.labels, minlength=4) - np.bincount(own.labels, minlength=4)
            ).sum()
            <= 2
        )
    assert copies.windows.shape[1:] == two.windows.shape[1:]
    n_built = len(two.report.records)
    assert both.report.records[:n_built] == two.report.records
    assert {r.split(COPY_MARK)[0] for r in both.report.records[n_built:]} == {"101", "208"}
    assert sum(both.report.n_beats[n_built:]) == len(copies)
    with pytest.raises(ValueError, match="rate_copies"):
        with_rate_copies(ExperimentConfig(), two)


@pytest.mark.slow
def test_a_run_with_rate_copies_keeps_its_validation_patients_clean(tmp_path, capsys):
    def run(name, rate_copies):
        config = ExperimentConfig(
            rate_copies=rate_copies,
            val_fraction=0.2,
            train=TrainConfig(epochs=1, batch_size=256, class_weighting=None, progress=False),
            explain_beats=2,
            out_dir=tmp_path / name,
        )
        return run_experiment(config, verbose=True)

    plain = run("plain", None)
    copied = run("copied", (0.6, 0.8))
    assert copied.n_val == plain.n_val  # the validation patients got no copies
    assert copied.n_test == plain.n_test
    assert 1.9 * plain.n_train < copied.n_train < 2.1 * plain.n_train
    assert f"({copied.n_train - plain.n_train} of them rate copies)" in capsys.readouterr().out
    saved = json.loads((tmp_path / "copied" / "config.json").read_text())
    assert saved["experiment"]["rate_copies"] == [0.6, 0.8]
