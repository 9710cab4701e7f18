"""Trained models shipped inside the package, checked by SHA-256 before they are used.

Each pretrained model is two files in ``ecgkit/models/_pretrained/``: ``<name>.json`` (the
architecture of every ensemble member, the beat recipe the models were trained with, the
model card and the SHA-256 of the weights) and ``<name>.npz`` (the weights, float16). They
are made by ``tools/train_pretrained.py``, which anyone can rerun to get the same weights.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import torch

from ecgkit._files import file_sha256
from ecgkit.models.registry import ECGModel, create_model

__all__ = [
    "PRETRAINED_FORMAT",
    "ModelSpec",
    "Pretrained",
    "PretrainedError",
    "list_pretrained",
    "load_pretrained",
    "pretrained_dir",
    "state_dict_from_arrays",
    "state_dict_to_arrays",
]

#: Version of the pretrained file layout; a reader refuses another one.
PRETRAINED_FORMAT = 1


class PretrainedError(ValueError):
    """A pretrained model is unknown, incomplete, or its weights fail their checksum."""


@dataclass(frozen=True)
class ModelSpec:
    """How to rebuild one model: registry name, channels, classes and options."""

    name: str
    in_channels: int
    num_classes: int
    kwargs: dict[str, Any]

    def build(self) -> ECGModel:
        """A freshly initialised model of this architecture."""
        return create_model(
            self.name, in_channels=self.in_channels, num_classes=self.num_classes, **self.kwargs
        )

    def to_json(self) -> dict[str, Any]:
        """JSON-ready values."""
        return asdict(self)

    @classmethod
    def from_json(cls, values: dict[str, Any]) -> ModelSpec:
        """Inverse of :meth:`to_json`."""
        return cls(
            name=str(values["name"]),
            in_channels=int(values["in_channels"]),
            num_classes=int(values["num_classes"]),
            kwargs=dict(values.get("kwargs", {})),
        )


@dataclass(frozen=True)
class Pretrained:
    """A loaded pretrained model (an ensemble of one or more members).

    Attributes
    ----------
    name : str
        Its name in :func:`list_pretrained`.
    models : tuple of ECGModel
        The members, in eval mode, float32 weights.
    specs : tuple of ModelSpec
        Architecture of each member.
    recipe : dict
        The beat recipe the members were trained with, as stored (read it with
        :meth:`ecgkit.annotate.BeatRecipe.from_json`).
    card : dict
        The model card: training data and licence, results, intended use.
    """

    name: str
    models: tuple[ECGModel, ...]
    specs: tuple[ModelSpec, ...]
    recipe: dict[str, Any]
    card: dict[str, Any]


def pretrained_dir() -> Path:
    """The package folder that holds the pretrained models."""
    return Path(str(resources.files("ecgkit.models") / "_pretrained"))


def list_pretrained(root: str | Path | None = None) -> list[str]:
    """Names of the pretrained models shipped with ecgkit (or found in ``root``), sorted."""
    folder = pretrained_dir() if root is None else Path(root)
    return sorted(p.stem for p in folder.glob("*.json") if p.with_suffix(".npz").is_file())


def state_dict_to_arrays(
    states: list[dict[str, torch.Tensor]], dtype: type[np.floating[Any]] = np.float16
) -> dict[str, np.ndarray[Any, Any]]:
    """Flatten the state dicts of ensemble members into named arrays (``"<i>/<key>"``).

    Floating tensors are stored as ``dtype``; integer buffers (batch-norm counters) keep
    their type.
    """
    arrays: dict[str, np.ndarray[Any, Any]] = {}
    for i, state in enumerate(states):
        for key, tensor in state.items():
            value = tensor.detach().cpu().numpy()
            arrays[f"{i}/{key}"] = value.astype(dtype) if tensor.is_floating_point() else value
    return arrays


def state_dict_from_arrays(
    arrays: dict[str, np.ndarray[Any, Any]], n_models: int
) -> list[dict[str, torch.Tensor]]:
    """Inverse of :func:`state_dict_to_arrays`, with float32 floating tensors."""
    states: list[dict[str, torch.Tensor]] = [{} for _ in range(n_models)]
    for name, value in arrays.items():
        index, _, key = name.partition("/")
        if not index.isdigit() or int(index) >= n_models:
            raise PretrainedError(f"weight {name!r} belongs to no model of {n_models}")
        tensor = torch.from_numpy(np.array(value))
        states[int(index)][key] = tensor.float() if tensor.is_floating_point() else tensor
    return states


def load_pretrained(name: str, *, root: str | Path | None = None) -> Pretrained:
    """Load a pretrained model shipped with ecgkit, after checking its weights' SHA-256.

    Parameters
    ----------
    name : str
        One of :func:`list_pretrained`, e.g. ``"beat_rr_cnn.mitdb_ds1"``.
    root : str or pathlib.Path, optional
        Another folder of pretrained files (``<name>.json`` + ``<name>.npz``).

    Returns
    -------
    Pretrained
        The members in eval mode with float32 weights; two loads give bit-identical
        models.

    Raises
    ------
    PretrainedError
        For an unknown name, a missing or unreadable file, another format version, or
        weights whose SHA-256 differs from the one recorded (a damaged or altered file).
    """
    folder = pretrained_dir() if root is None else Path(root)
    available = list_pretrained(folder)
    if name not in available:
        raise PretrainedError(
            f"unknown pretrained model {name!r}; available: {', '.join(available) or 'none'}"
        )
    spec_file = folder / f"{name}.json"
    try:
        spec = json.loads(spec_file.read_text())
    except (OSError, json.JSONDecodeError) as error:
        raise PretrainedError(f"cannot read {spec_file}: {error}") from error
    if spec.get("format") != PRETRAINED_FORMAT:
        raise PretrainedError(
            f"{spec_file}: format {spec.get('format')!r} is not {PRETRAINED_FORMAT}"
        )
    try:
        weights_file = folder / spec["weights"]["file"]
        expected = spec["weights"]["sha256"]
        specs = tuple(ModelSpec.from_json(m) for m in spec["models"])
        recipe, card = dict(spec["recipe"]), dict(spec.get("card", {}))
    except (KeyError, TypeError, ValueError) as error:
        raise PretrainedError(
            f"{spec_file}: incomplete pretrained description ({error})"
        ) from error
    actual = file_sha256(weights_file)
    if actual != expected:
        raise PretrainedError(
            f"{weights_file}: SHA-256 {actual} differs from the recorded {expected}; the "
            "file is damaged or was altered, reinstall ecgkit"
        )
    try:
        with np.load(weights_file, allow_pickle=False) as npz:
            arrays = {key: npz[key] for key in npz.files}
    except (OSError, ValueError) as error:
        raise PretrainedError(f"cannot read {weights_file}: {error}") from error
    models = []
    for model_spec, state in zip(specs, state_dict_from_arrays(arrays, len(specs)), strict=True):
        model = model_spec.build()
        try:
            model.load_state_dict(state)
        except RuntimeError as error:
            raise PretrainedError(
                f"{weights_file} does not fit {model_spec.name}: {error}"
            ) from error
        models.append(model.eval())
    return Pretrained(name, tuple(models), specs, recipe, card)
