"""The recipe: one definition, migrated from older versions, copied per seed."""

import warnings
from pathlib import Path

import pytest

from ecgkit.experiment import BENCHMARK_RECIPE, ExperimentConfig
from ecgkit.experiment.recipe import migrate_experiment, per_seed


def test_per_seed_changes_only_the_seed_and_the_run_folder():
    copies = per_seed(BENCHMARK_RECIPE, [3, 7])
    assert [c.train.seed for c in copies] == [3, 7]
    assert [c.out_dir for c in copies] == [Path("runs/ecgkit/seed3"), Path("runs/ecgkit/seed7")]
    for copy in copies:
        assert copy.to_json() | {"out_dir": None, "train": None} == BENCHMARK_RECIPE.to_json() | {
            "out_dir": None,
            "train": None,
        }
        assert copy.train.epochs == BENCHMARK_RECIPE.train.epochs == 4


def test_an_old_experiment_migrates_to_the_behaviour_it_was_made_with():
    stored = ExperimentConfig().to_json()
    for key in (
        "rr_features",
        "prior_adjustment",
        "rhythm_gate",
        "rhythm_min_episode_s",
        "decision_weights",
        "adapt_batchnorm",
    ):
        del stored[key]
    stored["train"]["scheduler"] = "none"
    migrated = migrate_experiment(stored)
    assert migrated["prior_adjustment"] == migrated["rhythm_gate"] == 0.0
    assert migrated["rhythm_min_episode_s"] == 30.0
    assert ExperimentConfig().rhythm_min_episode_s == 0.0
    assert migrated["decision_weights"] == {}
    old = ExperimentConfig.from_json(stored).recipe(360.0, tuple("NSVF"), (0.25,) * 4)
    assert old.decision_weights == ()
    assert not old.adapt_batchnorm
    assert ExperimentConfig().recipe(360.0, tuple("NSVF"), (0.25,) * 4).adapt_batchnorm
    assert migrated["train"]["scheduler"] is None
    assert ExperimentConfig.from_json(stored).rr_features != ExperimentConfig().rr_features
    # today's values are left alone
    assert migrate_experiment(ExperimentConfig().to_json()) == ExperimentConfig().to_json()


@pytest.mark.parametrize(("stored", "read"), [(False, "none"), (True, "full")])
def test_an_old_bool_augment_reads_back_as_the_augmentation_it_trained_with(stored, read):
    values = ExperimentConfig().to_json()
    values["augment"] = stored
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # reading an old run folder is not deprecated use
        assert ExperimentConfig.from_json(values).augment == read
    del values["augment"]
    assert ExperimentConfig.from_json(values).augment == "none"


def test_a_bool_augment_in_code_still_works_with_a_deprecation_warning_and_bad_names_fail():
    with pytest.warns(DeprecationWarning, match="augment='full'"):
        assert ExperimentConfig(augment=True).augment == "full"  # type: ignore[arg-type]
    with pytest.warns(DeprecationWarning, match="augment='none'"):
        assert ExperimentConfig(augment=False).augment == "none"  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="augment must be one of"):
        ExperimentConfig(augment="shift")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("rhythm_gate", 1.5),
        ("rhythm_gate", -0.1),
        ("rhythm_min_episode_s", -1.0),
        ("rhythm_min_episode_s", float("inf")),
        ("rhythm_min_episode_s", float("nan")),
        # the recipe's own check: a bool or a string is refused as the recipe refuses it
        ("rhythm_gate", True),
        ("rhythm_min_episode_s", True),
        ("rhythm_min_episode_s", "20"),
    ],
)
def test_a_rhythm_setting_out_of_range_is_refused_before_training(field, value):
    with pytest.raises(ValueError, match=field):
        ExperimentConfig(**{field: value})


def test_decision_weights_reach_the_recipe_in_class_order_and_the_rest_keep_one():
    recipe = ExperimentConfig(decision_weights={"V": 0.25, "S": 2.0}).recipe(
        360.0, ("N", "S", "V", "F"), (0.9, 0.02, 0.07, 0.01)
    )
    assert recipe.decision_weights == (1.0, 2.0, 0.25, 1.0)
    none = ExperimentConfig(decision_weights={}).recipe(360.0, tuple("NSVF"), (0.25,) * 4)
    assert none.decision_weights == ()
    config = ExperimentConfig(decision_weights={"S": 0.5})
    assert ExperimentConfig.from_json(config.to_json()) == config


@pytest.mark.parametrize(
    ("weights", "error", "match"),
    [
        ({"Q": 1.0}, ValueError, "not classes"),  # NSVF has no Q
        ({"S": 0.0}, ValueError, "finite number > 0"),
        ({"S": -1.0}, ValueError, "finite number > 0"),
        ({"V": float("inf")}, ValueError, "finite number > 0"),
        ({"V": float("nan")}, ValueError, "finite number > 0"),
        ({"V": True}, ValueError, "finite number > 0"),
        ({"V": "0.5"}, ValueError, "finite number > 0"),
        ([("V", 0.5)], TypeError, "map class names"),
    ],
)
def test_bad_decision_weights_are_refused_before_training(weights, error, match):
    with pytest.raises(error, match=match):
        ExperimentConfig(decision_weights=weights)
