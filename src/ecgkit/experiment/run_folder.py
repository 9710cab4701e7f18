"""The run folder: the only writer and reader of its format.

A run folder written by ``ecgkit train`` holds

- ``config.json`` (:func:`write_run_config` / :func:`read_run_config_file`): the recipe
  (:class:`~ecgkit.experiment.ExperimentConfig`), what the data decided (input channels,
  the beat recipe with classes and priors, the patients the split shares) and the ecgkit
  version; each fact once;
- ``metrics.json`` (:func:`write_metrics`): the test scores of the best checkpoint;
- ``checkpoints/{last,best}.pt``, ``history.csv`` and ``history.json``: written by the
  :class:`~ecgkit.train.Trainer`, which owns nothing else here;
- figures (``confusion.png``, ``curves.png``, ``gradcam.png``).

Format versions: 1 (ecgkit before 0.1: the Trainer's config.json, with the training config,
classes, priors and model options beside the recipe again) is read; 2 is written.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ecgkit import __version__
from ecgkit._files import atomic_write
from ecgkit.annotate.recipe import BeatRecipe
from ecgkit.experiment.recipe import ExperimentConfig
from ecgkit.models import ModelSpec

__all__ = [
    "RUN_FORMAT",
    "RunInfo",
    "best_checkpoint",
    "last_checkpoint",
    "read_run_config_file",
    "training_finished",
    "write_metrics",
    "write_run_config",
]

#: Version of the ``config.json`` layout this ecgkit writes.
RUN_FORMAT = 2

CONFIG_FILE = "config.json"
METRICS_FILE = "metrics.json"


def last_checkpoint(run_dir: Path) -> Path:
    """The checkpoint a stopped run resumes from."""
    return run_dir / "checkpoints" / "last.pt"


def best_checkpoint(run_dir: Path) -> Path:
    """The checkpoint a run is evaluated and applied with."""
    return run_dir / "checkpoints" / "best.pt"


@dataclass(frozen=True)
class RunInfo:
    """What a run's ``config.json`` says.

    Attributes
    ----------
    experiment : ExperimentConfig
        The recipe the run was made with.
    model : ModelSpec
        The network as built (the recipe's model and options, the data's channels and
        classes).
    recipe : BeatRecipe, optional
        How to apply the model to a new recording; None for runs of an ecgkit that did not
        store it.
    class_priors : tuple of float
        Training class frequencies the decisions are adjusted for (empty when unknown).
    shared_patients : tuple of str
        Patients the published split puts on both sides (named, not hidden).
    ecgkit_version : str, optional
        The ecgkit that wrote the run.
    world_size : int
        Processes that trained it (``torchrun``).
    """

    experiment: ExperimentConfig
    model: ModelSpec
    recipe: BeatRecipe | None
    class_priors: tuple[float, ...]
    shared_patients: tuple[str, ...] = ()
    ecgkit_version: str | None = __version__
    world_size: int = 1

    def to_json(self) -> dict[str, Any]:
        """The ``config.json`` content (format :data:`RUN_FORMAT`)."""
        if self.recipe is None:
            raise ValueError("a run is written with its beat recipe (recipe=None)")
        return {
            "format": RUN_FORMAT,
            "ecgkit_version": self.ecgkit_version,
            "experiment": self.experiment.to_json(),
            "in_channels": self.model.in_channels,
            "recipe": self.recipe.to_json(),
            "shared_patients": list(self.shared_patients),
            "world_size": self.world_size,
        }

    @classmethod
    def from_json(cls, saved: dict[str, Any], *, source: str = "config.json") -> RunInfo:
        """Inverse of :meth:`to_json`; also reads format 1.

        Raises ``ValueError`` naming ``source`` for content no ecgkit wrote.
        """
        version = saved.get("format", 1)
        if version not in (1, RUN_FORMAT):
            raise ValueError(
                f"{source} is run format {version!r}; this ecgkit reads formats 1 to "
                f"{RUN_FORMAT} (written by a newer ecgkit?)"
            )
        if "experiment" not in saved or ("model" not in saved and "in_channels" not in saved):
            raise ValueError(f"{source} was not written by ecgkit train")
        try:
            experiment = ExperimentConfig.from_json(saved["experiment"])
            recipe: BeatRecipe | None = None
            if version == 1:
                if "recipe" in saved:
                    recipe = BeatRecipe.from_json(saved["recipe"], source=source)
                model = ModelSpec.from_json(saved["model"])
                priors = tuple(float(p) for p in saved.get("class_priors", ()))
            else:
                recipe = BeatRecipe.from_json(saved["recipe"], source=source)
                model = ModelSpec(
                    experiment.model,
                    int(saved["in_channels"]),
                    len(recipe.classes),
                    experiment.model_options(),
                )
                priors = recipe.class_priors
            return cls(
                experiment=experiment,
                model=model,
                recipe=recipe,
                class_priors=priors,
                shared_patients=tuple(str(p) for p in saved.get("shared_patients", ())),
                ecgkit_version=saved.get("ecgkit_version"),
                world_size=int(saved.get("world_size", 1)),
            )
        except (KeyError, TypeError) as error:
            raise ValueError(
                f"{source} does not hold a run this ecgkit can read (field {error}); was it "
                "edited by hand?"
            ) from error


def _write_json(path: Path, payload: dict[str, Any]) -> Path:
    with atomic_write(path) as handle:
        handle.write(json.dumps(payload, indent=2).encode())
    return path


def write_run_config(run_dir: Path, info: RunInfo) -> Path:
    """Write ``config.json`` (atomically); returns its path."""
    return _write_json(run_dir / CONFIG_FILE, info.to_json())


def read_run_config_file(run_dir: Path) -> tuple[Path, RunInfo]:
    """A run folder's ``config.json``: its path and what it says.

    Raises
    ------
    FileNotFoundError
        When ``run_dir`` has no ``config.json``.
    ValueError
        When it is not JSON or not written by ``ecgkit train``, naming the file.
    """
    config_file = run_dir / CONFIG_FILE
    if not config_file.is_file():
        raise FileNotFoundError(f"{run_dir} is not an ecgkit run folder (no config.json)")
    try:
        saved = json.loads(config_file.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise ValueError(f"{config_file} is not valid JSON: {error}") from None
    if not isinstance(saved, dict):
        raise ValueError(f"{config_file} was not written by ecgkit train")
    return config_file, RunInfo.from_json(saved, source=str(config_file))


def write_metrics(run_dir: Path, payload: dict[str, Any]) -> Path:
    """Write ``metrics.json`` (atomically); returns its path."""
    return _write_json(run_dir / METRICS_FILE, payload)


def training_finished(run_dir: Path) -> bool:
    """Whether the run's history says training ended normally (older runs: assumed so)."""
    try:
        history = json.loads((run_dir / "history.json").read_text())
    except (OSError, json.JSONDecodeError):
        return False
    return bool(history.get("finished", True))
