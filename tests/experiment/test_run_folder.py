"""The run folder's config.json: one writer, one reader, each fact once, old formats read."""

import json

import pytest

from ecgkit.experiment import RUN_FORMAT, ExperimentConfig, RunInfo
from ecgkit.experiment.run_folder import read_run_config_file, write_run_config
from ecgkit.models import ModelSpec


def _info(**changes):
    config = ExperimentConfig(model="beat_rr_cnn", model_kwargs={"fusion_width": 16})
    recipe = config.recipe(360.0, ("N", "S", "V", "F"), (0.9, 0.03, 0.06, 0.01))
    values = {
        "experiment": config,
        "model": ModelSpec("beat_rr_cnn", 2, 4, config.model_options()),
        "recipe": recipe,
        "class_priors": recipe.class_priors,
        "shared_patients": ("201",),
        "world_size": 2,
        **changes,
    }
    return RunInfo(**values)


def test_a_run_config_reads_back_as_written(tmp_path):
    info = _info()
    path = write_run_config(tmp_path, info)
    assert read_run_config_file(tmp_path) == (path, info)


def test_each_fact_is_stored_once(tmp_path):
    write_run_config(tmp_path, _info())
    saved = json.loads((tmp_path / "config.json").read_text())
    assert saved["format"] == RUN_FORMAT
    # the training config and model options live in the experiment only; classes and
    # priors in the beat recipe only
    assert set(saved) == {
        "format",
        "ecgkit_version",
        "experiment",
        "in_channels",
        "recipe",
        "shared_patients",
        "world_size",
    }
    assert saved["experiment"]["model_kwargs"] == {"fusion_width": 16}


def test_a_format_1_run_config_is_read_with_its_model_and_priors(tmp_path):
    experiment = ExperimentConfig().to_json()
    for key in ("rr_features", "prior_adjustment", "rhythm_gate"):
        del experiment[key]  # written before these fields existed
    model = {"name": "beat_cnn", "in_channels": 1, "num_classes": 4, "kwargs": {"width": 8}}
    older = {
        "train": experiment["train"],
        "experiment": experiment,
        "model": model,
        "classes": ["N", "S", "V", "F"],
        "class_priors": [0.7, 0.1, 0.1, 0.1],
        "world_size": 1,
    }
    (tmp_path / "config.json").write_text(json.dumps(older))
    _, info = read_run_config_file(tmp_path)
    assert info.model == ModelSpec.from_json(model)
    assert info.class_priors == (0.7, 0.1, 0.1, 0.1)
    assert info.recipe is None
    # the older run's behaviour, not today's defaults
    assert (info.experiment.prior_adjustment, info.experiment.rhythm_gate) == (0.0, 0.0)


def test_a_newer_format_is_refused_by_name(tmp_path):
    saved = _info().to_json()
    saved["format"] = RUN_FORMAT + 1
    (tmp_path / "config.json").write_text(json.dumps(saved))
    with pytest.raises(ValueError, match=f"config.json is run format {RUN_FORMAT + 1}"):
        read_run_config_file(tmp_path)


def test_a_format_2_config_without_its_recipe_is_named_as_edited(tmp_path):
    saved = _info().to_json()
    del saved["recipe"]
    (tmp_path / "config.json").write_text(json.dumps(saved))
    with pytest.raises(ValueError, match="edited by hand"):
        read_run_config_file(tmp_path)


def test_a_run_is_not_written_without_its_beat_recipe(tmp_path):
    with pytest.raises(ValueError, match="beat recipe"):
        write_run_config(tmp_path, _info(recipe=None))
    assert not (tmp_path / "config.json").exists()
