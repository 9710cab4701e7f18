import argparse
import dataclasses
import json

import pytest

from ecgkit.cli import build_parser
from ecgkit.experiment import ExperimentConfig
from ecgkit.options import add_config_options, config_fields, config_from_options, given_options
from ecgkit.train import TrainConfig


def _train_options() -> set[str]:
    parser = build_parser()
    subcommands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    train = subcommands.choices["train"]
    return {flag for action in train._actions for flag in action.option_strings}


def test_every_recipe_field_is_an_ecgkit_train_option():
    options = _train_options()
    fields = [f.name for f in dataclasses.fields(ExperimentConfig) if f.name != "train"]
    fields += [f.name for f in dataclasses.fields(TrainConfig)]
    missing = [name for name in fields if f"--{name.replace('_', '-')}" not in options]
    assert not missing
    assert {"--config", "--resume", "--out"} <= options


def _parse(argv):
    parser = argparse.ArgumentParser()
    add_config_options(parser)
    return parser.parse_args(argv)


def test_no_option_gives_the_default_config_and_each_option_changes_its_field():
    assert config_from_options(_parse([])) == ExperimentConfig()
    config = config_from_options(
        _parse(
            [
                "--epochs",
                "3",
                "--model-kwargs",
                '{"fusion_width": 32}',
                "--normalize",
                "none",
                "--rr-features",
                "all",
                "--no-template",
                "--gradient-clip-norm",
                "none",
                "--leads",
                "MLII",
                "V1",
                "--out",
                "elsewhere",
                "--class-weighting",
                "sqrt",
                "--augment",
                "none",
            ]
        )
    )
    # "none" is one of augment's names, not a None
    assert config.augment == "none"
    assert config.train.epochs == 3
    assert config.model_kwargs == {"fusion_width": 32}
    assert config.normalize is None
    assert len(config.rr_features) == 11
    assert config.template is False
    assert config.train.gradient_clip_norm is None
    assert config.leads == ("MLII", "V1")
    assert str(config.out_dir) == "elsewhere"
    # a weighted loss goes with no prior adjustment unless one is given
    assert config.prior_adjustment == 0.0
    assert config_from_options(_parse(["--rr-features", "relative"])).rr_features == (
        ExperimentConfig().rr_features
    )


def test_only_given_options_change_a_base_config_and_are_listed():
    base = dataclasses.replace(ExperimentConfig(), before_s=0.3, explain_beats=3)
    args = _parse(["--seed", "7"])
    config = config_from_options(args, base)
    assert config == dataclasses.replace(base, train=dataclasses.replace(base.train, seed=7))
    assert given_options(args) == ["--seed"]


def test_bad_values_are_refused_naming_the_option_or_field():
    with pytest.raises(SystemExit):
        _parse(["--normalize", "median"])
    with pytest.raises(SystemExit):
        _parse(["--model-kwargs", "[1, 2]"])
    with pytest.raises(ValueError, match="epochs"):
        config_from_options(_parse(["--epochs", "0"]))


def test_help_of_every_field_comes_from_its_documentation():
    undocumented = [name for name, _, _, doc in config_fields() if not doc]
    assert not undocumented


@pytest.mark.slow
def test_config_reruns_a_run_with_the_same_recipe_byte_for_byte(tmp_path):
    from ecgkit.cli import main

    first, second = tmp_path / "first", tmp_path / "second"
    assert main(["train", "--epochs", "1", "--explain-beats", "2", "--lr", "0.003",
                 "--seed", "3", "--out", str(first)]) == 0  # fmt: skip
    assert main(["train", "--config", str(first / "config.json"), "--out", str(second)]) == 0
    one = json.loads((first / "config.json").read_text())["experiment"]
    two = json.loads((second / "config.json").read_text())["experiment"]
    assert one.pop("out_dir") != two.pop("out_dir")
    assert json.dumps(one, indent=2) == json.dumps(two, indent=2)
    reread = config_from_options(_parse([]), ExperimentConfig.from_json({**one, "out_dir": "x"}))
    again = {key: value for key, value in reread.to_json().items() if key != "out_dir"}
    assert json.dumps(again, indent=2) == json.dumps(one, indent=2)


def test_rate_copies_take_two_numbers_or_none():
    config = config_from_options(_parse(["--rate-copies", "0.5", "0.9"]))
    assert config.rate_copies == (0.5, 0.9)
    assert config_from_options(_parse(["--rate-copies", "none"])).rate_copies is None
    with pytest.raises(ValueError, match="rate_copies"):
        config_from_options(_parse(["--rate-copies", "0.9"]))
    with pytest.raises(SystemExit):
        _parse(["--rate-copies", "fast"])
