"""The recipe: one definition, migrated from older versions, copied per seed."""

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
    for key in ("rr_features", "prior_adjustment", "rhythm_gate", "rhythm_min_episode_s"):
        del stored[key]
    stored["train"]["scheduler"] = "none"
    migrated = migrate_experiment(stored)
    assert migrated["prior_adjustment"] == migrated["rhythm_gate"] == 0.0
    assert migrated["rhythm_min_episode_s"] == 30.0
    assert ExperimentConfig().rhythm_min_episode_s == 30.0
    assert migrated["train"]["scheduler"] is None
    assert ExperimentConfig.from_json(stored).rr_features != ExperimentConfig().rr_features
    # today's values are left alone
    assert migrate_experiment(ExperimentConfig().to_json()) == ExperimentConfig().to_json()


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
