"""TrainConfig and run folders given absurd values: refused at once, naming the field or file."""

import math

import numpy as np
import pytest

from ecgkit.train import TrainConfig

NAN, INF = math.nan, math.inf


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("lr", "0.1"), ("lr", None), ("lr", True),
        ("weight_decay", "0"), ("weight_decay", None),
        ("momentum", "0.9"), ("momentum", None),
        ("label_smoothing", "0"), ("gradient_clip_norm", "1"),
        ("epochs", 1.5), ("epochs", True), ("epochs", "3"), ("epochs", None),
        ("batch_size", 2.5), ("batch_size", "8"),
        ("seed", 1.5), ("seed", "0"), ("seed", True),
        ("num_workers", 1.5), ("num_workers", "2"), ("num_workers", None),
        ("early_stopping_patience", 1.5), ("early_stopping_patience", True),
        ("device", None), ("device", 5),
    ],
)  # fmt: skip
def test_a_field_of_the_wrong_type_is_refused_naming_it(field, value):
    with pytest.raises(TypeError, match=f"^{field} must be") as raised:
        TrainConfig(**{field: value})
    assert "\n" not in str(raised.value)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("lr", NAN), ("lr", INF), ("lr", 0),
        ("weight_decay", INF), ("weight_decay", NAN), ("weight_decay", -1),
        ("momentum", NAN), ("momentum", INF), ("momentum", -0.1), ("momentum", 1.0),
        ("label_smoothing", NAN), ("gradient_clip_norm", NAN), ("gradient_clip_norm", INF),
        ("seed", -1), ("seed", 2**63), ("seed", 2**64),
        ("num_workers", -1), ("early_stopping_patience", 0),
    ],
)  # fmt: skip
def test_a_field_out_of_range_or_not_finite_is_refused_naming_it(field, value):
    with pytest.raises(ValueError, match=f"^{field} must be"):
        TrainConfig(**{field: value})


def test_numpy_scalars_are_accepted_and_stored_as_python_numbers():
    config = TrainConfig(epochs=np.int64(3), lr=np.float32(0.5), seed=np.uint8(7), momentum=0)
    assert (type(config.epochs), type(config.lr), type(config.seed)) == (int, float, int)
    assert (config.epochs, config.lr, config.seed, config.momentum) == (3, 0.5, 7, 0.0)
    assert TrainConfig(seed=2**63 - 1).seed == 2**63 - 1


def test_sgd_with_a_nan_momentum_is_refused_before_it_trains_to_nan_weights():
    with pytest.raises(ValueError, match="momentum must be finite, got nan"):
        TrainConfig(optimizer="sgd", momentum=NAN)


@pytest.mark.parametrize(
    "content", [b"{ bad", b"", b"\xff\xfe\x00binary"], ids=["syntax", "empty", "binary"]
)
def test_a_run_folder_whose_config_is_not_json_is_refused_naming_the_file(tmp_path, content):
    from ecgkit.experiment import read_run_config

    (tmp_path / "config.json").write_bytes(content)
    with pytest.raises(ValueError, match=r"config\.json is not valid JSON: ") as raised:
        read_run_config(tmp_path)
    assert str(tmp_path) in str(raised.value)


def test_a_run_folder_whose_config_is_a_json_number_is_refused_naming_the_file(tmp_path):
    from ecgkit.experiment import read_run_config

    (tmp_path / "config.json").write_text("3")
    with pytest.raises(ValueError, match=r"config\.json was not written by ecgkit train"):
        read_run_config(tmp_path)


def test_ecgkit_evaluate_names_a_corrupt_config_file(tmp_path, capsys):
    from ecgkit.cli import main

    (tmp_path / "config.json").write_text("{ 'single': 'quotes' }")
    assert main(["evaluate", str(tmp_path)]) == 2
    error = capsys.readouterr().err.strip()
    assert error.startswith(f"ecgkit evaluate: error: {tmp_path / 'config.json'} is not valid JSON")
    assert "\n" not in error
