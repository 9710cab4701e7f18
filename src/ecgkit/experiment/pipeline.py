"""The main job: train, evaluate and explain a beat classifier on an inter-patient split.

:func:`run_experiment` is what ``ecgkit train`` runs: MIT-BIH records (a full copy or the
bundled excerpt) -> de Chazal DS1/DS2 split -> labelled beats -> a patient-wise validation
split inside DS1 -> :class:`~ecgkit.train.Trainer` -> metrics on DS2 with the best
checkpoint -> figures (confusion matrix, training curves, Grad-CAM of test beats), all in
one run folder (:mod:`ecgkit.experiment.run_folder`) that :func:`load_run` reopens.
"""

from __future__ import annotations

import importlib.util
import os
import warnings
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Literal

import numpy as np

from ecgkit._files import run_lock
from ecgkit.annotate.recipe import BeatRecipe
from ecgkit.data import (
    MITBIH,
    BeatDataset,
    BeatSet,
    RateCopies,
    build_beats,
    check_patient_disjoint,
    inter_patient_split,
    patient_train_val_split,
    with_template_residual,
)
from ecgkit.experiment.figures import EXPLAIN_METHODS, MAX_EXPLAIN_BEATS, draw_explanation
from ecgkit.experiment.recipe import RATE_COPY_SEED, ExperimentConfig
from ecgkit.experiment.run_folder import (
    RunInfo,
    best_checkpoint,
    last_checkpoint,
    read_run_config_file,
    training_finished,
    write_metrics,
    write_run_config,
)
from ecgkit.metrics import ClassificationMetrics, Prediction, class_priors
from ecgkit.models import ECGModel, ModelSpec, create_model
from ecgkit.train import TrainConfig, Trainer, beat_augmentation

__all__ = [
    "ExperimentResult",
    "Run",
    "build_model",
    "evaluate_run",
    "explain_run",
    "load_run",
    "read_run_config",
    "run_experiment",
    "split_beats",
    "with_rate_copies",
]


@dataclass(frozen=True)
class ExperimentResult:
    """What :func:`run_experiment` produced.

    Attributes
    ----------
    metrics : ClassificationMetrics
        On the test records (DS2), with the best checkpoint.
    out_dir : pathlib.Path
        The run folder.
    n_train, n_val, n_test : int
        Beats in each part.
    files : dict of str to pathlib.Path
        Everything written, by role.
    prediction : Prediction
        Class probabilities and predictions on every test beat, in the order of the
        test records' beats (e.g. to average several runs).
    """

    metrics: ClassificationMetrics
    out_dir: Path
    n_train: int
    n_val: int
    n_test: int
    files: dict[str, Path]
    prediction: Prediction


@dataclass
class Run:
    """A run folder reopened by :func:`load_run`: its config, model (best weights), trainer.

    ``features`` names the RR features the model takes, or is False for a waveform model;
    ``class_priors`` are the training class frequencies its decisions are adjusted for;
    ``recipe`` is how to apply the model to a new recording (None for a run folder
    written before ecgkit stored it); ``finished`` is False for a run whose training
    stopped before its last epoch (killed, or stopped by an error).
    """

    config: ExperimentConfig
    model: ECGModel
    trainer: Trainer
    features: tuple[str, ...] | Literal[False]
    class_priors: tuple[float, ...]
    recipe: BeatRecipe | None = None
    finished: bool = True

    def predict(self, beats: BeatSet) -> Prediction:
        """Predictions on ``beats``, adjusted for the priors as in the run.

        Raises ``ValueError`` when the beats were not made at the run's sampling rate and
        window (for a new recording use :class:`ecgkit.annotate.Predictor`, which
        resamples).
        """
        if self.recipe is not None and (
            beats.fs != self.recipe.fs or beats.n_samples != self.recipe.window_samples
        ):
            raise ValueError(
                f"beats are {beats.n_samples}-sample windows at {beats.fs:g} Hz; the model "
                f"was trained on {self.recipe.window_samples}-sample windows at "
                f"{self.recipe.fs:g} Hz: build them with BeatConfig(fs={self.recipe.fs:g}), "
                "or use ecgkit.annotate.Predictor, which resamples"
            )
        prediction = predict_beats(
            self.trainer, beats, self.features, adapt_batchnorm=self.config.adapt_batchnorm
        )
        if self.config.prior_adjustment == 0:
            return prediction
        return prediction.adjusted(self.class_priors, self.config.prior_adjustment)


def predict_beats(
    trainer: Trainer,
    beats: BeatSet,
    features: tuple[str, ...] | Literal[False],
    *,
    adapt_batchnorm: bool,
) -> Prediction:
    """The trainer's predictions of ``beats``, in order (no prior adjustment).

    With ``adapt_batchnorm`` each record's beats are predicted with that record's own
    statistics in the model's BatchNorm layers over time series
    (:func:`ecgkit.train.batchnorm.recording_statistics`), as annotation does for each
    recording.
    """
    return trainer.predict(
        BeatDataset(beats, features=features),
        adapt_batchnorm=adapt_batchnorm,
        groups=beats.record if adapt_batchnorm else None,
    )


def _source(config: ExperimentConfig) -> MITBIH:
    return MITBIH.bundled() if config.data_dir is None else MITBIH(config.data_dir)


def split_beats(config: ExperimentConfig) -> tuple[BeatSet, BeatSet, frozenset[str]]:
    """The training (DS1) and test (DS2) beats of an experiment, built as it builds them.

    Returns
    -------
    train, test : BeatSet
        Beats of the split's training and test records (with the template channel when
        ``config.template``); no patient is on both sides except ``shared``.
    shared : frozenset of str
        Patients the published split puts on both sides (201/202), named, not hidden.
    """
    split = inter_patient_split(strict=config.split == "de-chazal-strict")
    beats = build_beats(
        _source(config), split.train + split.test, config.beat_config(), cache_dir=config.cache_dir
    )
    if config.template:
        # each record's template comes from its own beats, labels unseen
        beats = with_template_residual(beats)
    train, test = beats.select_records(split.train), beats.select_records(split.test)
    check_patient_disjoint(train.patient, test.patient, allow=split.shared_patients)
    return train, test, split.shared_patients


def with_rate_copies(config: ExperimentConfig, beats: BeatSet) -> BeatSet:
    """``beats`` followed by those of a copy of each of their records at another heart rate.

    The copies are :class:`ecgkit.data.RateCopies` of ``beats``' records, each at a scale
    drawn from ``config.rate_copies`` by :data:`~ecgkit.experiment.RATE_COPY_SEED` in the
    records' sorted order, built as ``beats`` were (``config.beat_config()``, the template
    channel from each copy's own beats). A copy keeps its record's patient.

    Parameters
    ----------
    config : ExperimentConfig
        The experiment; ``config.rate_copies`` must be set.
    beats : BeatSet
        Beats of whole records of ``config``'s source (e.g. the training side of
        :func:`split_beats`).

    Returns
    -------
    BeatSet
        ``beats``, then the copies' beats, labelled as their records' reference beats;
        its report is ``beats``' followed by the copies' build.
    """
    if config.rate_copies is None:
        raise ValueError("config.rate_copies is None: there are no copies to add")
    records = sorted(set(beats.record.tolist()))
    source = RateCopies.drawn(
        _source(config), records, scale_range=config.rate_copies, seed=RATE_COPY_SEED
    )
    copies = build_beats(
        source, [source.copy_of(r) for r in records], config.beat_config(),
        cache_dir=config.cache_dir,
    )  # fmt: skip
    if config.template:
        copies = with_template_residual(copies)
    return beats.joined(copies)


def build_model(config: ExperimentConfig, in_channels: int, num_classes: int) -> ECGModel:
    """The experiment's model, initialised from ``config.train.seed``."""
    import torch

    torch.manual_seed(config.train.seed)
    return create_model(
        config.model, in_channels=in_channels, num_classes=num_classes, **config.model_options()
    )


def run_experiment(
    config: ExperimentConfig,
    *,
    verbose: bool = True,
    resume: bool = False,
    allow_changes: bool = False,
) -> ExperimentResult:
    """Train on DS1, pick the best epoch on held-out DS1 patients, test on DS2, explain.

    With ``config.val_fraction == 0`` every DS1 patient trains and the last epoch is kept.

    Parameters
    ----------
    config : ExperimentConfig
        What to run.
    verbose : bool
        Print progress lines and the final table.
    resume : bool
        Continue a stopped run in ``config.out_dir`` from its ``checkpoints/last.pt``
        (bit for bit as if it had never stopped); the run's recipe must be ``config``.
    allow_changes : bool
        With ``resume``: ``config.train`` may differ from the run's training config (see
        ``Trainer.fit(allow_changes=True)``); the rest of the recipe may not.

    Returns
    -------
    ExperimentResult

    Raises
    ------
    ecgkit._files.RunFolderLockedError
        When another live process is writing to ``config.out_dir``.
    """
    if not _main_process():  # under torchrun, rank 0 holds the folder and writes it
        return _run_experiment(config, False, resume, allow_changes)
    with run_lock(config.out_dir):
        return _run_experiment(config, verbose, resume, allow_changes)


def _main_process() -> bool:
    """Whether this process is rank 0 of a ``torchrun`` launch (or not launched by it)."""
    return os.environ.get("RANK", "0") == "0"


def _resume_point(config: ExperimentConfig, allow_changes: bool) -> Path:
    """The checkpoint a resumed run continues from, after checking the recipe is the same.

    With ``allow_changes`` the training config may differ (the Trainer checks it).
    """
    out = config.out_dir
    last = last_checkpoint(out)
    if not last.is_file():
        raise ValueError(f"nothing to resume in {out}: it has no checkpoints/last.pt")
    saved = read_run_config_file(out)[1].experiment.to_json()
    mine = config.to_json()
    places = {"out_dir", "data_dir", "cache_dir"}  # where things are, not the recipe
    if allow_changes:
        places.add("train")
    changed = sorted(k for k in (set(saved) | set(mine)) - places if saved.get(k) != mine.get(k))
    if changed:
        allowed = " (only the training options may change)" if allow_changes else ""
        raise ValueError(
            f"cannot resume {out} with another recipe (changed: {', '.join(changed)}){allowed}; "
            "start a new run instead"
        )
    return last


def _run_experiment(
    config: ExperimentConfig, verbose: bool, resume: bool, allow_changes: bool
) -> ExperimentResult:
    out = config.out_dir
    resume_from = _resume_point(config, allow_changes) if resume else None
    train_all, test, shared = split_beats(config)
    val: BeatSet | None = None
    if config.val_fraction > 0:
        train_index, val_index = patient_train_val_split(
            train_all.labels,
            train_all.patient,
            val_fraction=config.val_fraction,
            random_state=config.train.seed,
        )
        train, val = train_all.subset(train_index), train_all.subset(val_index)
        check_patient_disjoint(train.patient, val.patient)
    else:
        train = train_all
    n_record_beats = len(train)  # before the copies' beats are added
    if config.rate_copies is not None:  # the training records alone: validation stays clean
        train = with_rate_copies(config, train)
    model = build_model(config, train.n_leads, len(train.classes))
    features = config.model_features()
    priors = (
        class_priors(train.labels, len(train.classes)).tolist()
        if config.prior_adjustment > 0
        else (np.bincount(train.labels, minlength=len(train.classes)) / len(train)).tolist()
    )
    if verbose:
        data = "the bundled excerpt" if config.data_dir is None else config.data_dir
        print(f"ecgkit train: {config.model} on {data}, split {config.split}")
        held_out = (
            f"{len(val)} validation beats (DS1, split by patient)"
            if val is not None
            else "no validation (last epoch kept)"
        )
        n_copies = len(train) - n_record_beats
        copies = f" ({n_copies} of them rate copies)" if n_copies else ""
        print(f"{len(train)} train{copies} / {held_out}, {len(test)} test beats (DS2)")
        print(f"train classes {train.class_counts()}  test classes {test.class_counts()}")
    info = RunInfo(
        experiment=config,
        model=ModelSpec(config.model, train.n_leads, len(train.classes), config.model_options()),
        recipe=config.recipe(train.fs, train.classes, tuple(priors)),
        class_priors=tuple(priors),
        shared_patients=tuple(sorted(shared)),
    )

    def report(_trainer: Trainer, record: dict[str, float]) -> None:
        scores = (
            f"val loss {record['val_loss']:.4f}  "
            f"val macro F1 {100 * record['val_macro_f1']:5.1f} %  "
            if "val_loss" in record
            else ""
        )
        print(
            f"epoch {int(record['epoch']):3d}  train loss {record['train_loss']:.4f}  "
            f"{scores}{record['seconds']:.1f} s"
        )

    callbacks = [report] if verbose else []
    trainer = Trainer(
        model,
        config.train,
        run_dir=out,
        callbacks=callbacks,
        augment=beat_augmentation(config.augment, fs=train.fs, template=config.template),
        # the best epoch is picked by the prior-adjusted decisions the run reports
        decision=(
            (lambda p: p.adjusted(priors, config.prior_adjustment))
            if config.prior_adjustment > 0
            else None
        ),
    )
    info = replace(info, world_size=trainer.world_size)
    # a checkpoint says how it was made even when copied out of its run folder
    trainer.metadata = info.to_json()
    if trainer.is_main:
        write_run_config(out, info)
    history = trainer.fit(
        BeatDataset(train, features=features),
        None if val is None else BeatDataset(val, features=features),
        resume_from=resume_from,
        allow_changes=allow_changes,
    )
    trainer.load_weights(best_checkpoint(out))
    prediction = Run(config, model, trainer, features, tuple(priors), info.recipe).predict(test)
    metrics = prediction.metrics(test.classes)
    n_val = 0 if val is None else len(val)
    if not trainer.is_main:  # the other ranks of a torchrun launch write nothing
        return ExperimentResult(metrics, out, len(train), n_val, len(test), {}, prediction)
    files = {
        "config": out / "config.json",
        "history": out / "history.csv",
        "checkpoint": best_checkpoint(out),
        "metrics": write_metrics(
            out,
            {
                "test": metrics.to_dict(),
                "best_epoch": history.best_epoch,
                "split": config.split,
                "n_train": len(train),
                "n_val": 0 if val is None else len(val),
                "n_test": len(test),
            },
        ),
    }
    if importlib.util.find_spec("matplotlib") is None:
        if verbose:
            print('figures skipped: matplotlib is missing (pip install "ecgkit-ml[plot]")')
    else:
        from ecgkit.plot import plot_confusion_matrix, plot_history

        files["confusion"] = out / "confusion.png"
        plot_confusion_matrix(
            metrics.confusion, metrics.classes, title="DS2 (test)", path=files["confusion"]
        )
        files["curves"] = out / "curves.png"
        plot_history(history, path=files["curves"])
        files["gradcam"] = draw_explanation(
            model,
            test,
            prediction,
            n_beats=config.explain_beats,
            method="gradcam",
            seed=config.train.seed,
            path=out / "gradcam.png",
            features=features,
            normalize=config.normalize,
        )
    if verbose:
        print(metrics.table())
        print(f"run folder: {out}")
    return ExperimentResult(metrics, out, len(train), n_val, len(test), files, prediction)


def read_run_config(run_dir: str | Path) -> ExperimentConfig:
    """The recipe a run folder was made with (its ``config.json``), without its model."""
    return read_run_config_file(Path(run_dir))[1].experiment


def load_run(run_dir: str | Path, *, data_dir: Path | None = None) -> Run:
    """Reopen a run folder: config, the model with its best weights, a trainer around it.

    Parameters
    ----------
    run_dir : str or pathlib.Path
        Folder written by :func:`run_experiment`.
    data_dir : pathlib.Path, optional
        Override the data folder recorded in the run.
    """
    run_dir = Path(run_dir)
    config_file, info = read_run_config_file(run_dir)
    config = info.experiment
    if data_dir is not None:
        config = replace(config, data_dir=Path(data_dir))
    try:
        model = info.model.build()
    except (KeyError, TypeError) as error:
        raise ValueError(
            f"{config_file} does not hold a model this ecgkit can build ({error}); was it "
            "edited by hand?"
        ) from error
    trainer = Trainer(model, TrainConfig(**{**asdict(config.train), "progress": False}))
    trainer.load_weights(best_checkpoint(run_dir))
    if config.prior_adjustment > 0 and len(info.class_priors) != info.model.num_classes:
        raise ValueError(f"{config_file} has no class priors to adjust the decisions for")
    finished = training_finished(run_dir)
    features = config.model_features()
    return Run(config, model, trainer, features, info.class_priors, info.recipe, finished)


def evaluate_run(run_dir: str | Path, *, data_dir: Path | None = None) -> ClassificationMetrics:
    """Evaluate a run's best checkpoint on its test records again.

    Warns (``UserWarning``) when the run's training did not finish: its best checkpoint is
    then from an epoch before the planned end.
    """
    run = load_run(run_dir, data_dir=data_dir)
    if not run.finished:
        warnings.warn(
            f"run {run_dir} did not finish training (killed or stopped by an error): "
            "evaluating the best checkpoint it saved before it stopped",
            UserWarning,
            stacklevel=2,
        )
    _, test, _ = split_beats(run.config)
    return run.predict(test).metrics(test.classes)


def explain_run(
    run_dir: str | Path,
    *,
    test_beats: BeatSet | None = None,
    n_beats: int = 8,
    method: str = "gradcam",
    data_dir: Path | None = None,
    path: str | Path | None = None,
) -> Path:
    """Grad-CAM (or Grad-CAM++ / saliency) of test beats of a run, as a PNG.

    Parameters
    ----------
    run_dir : str or pathlib.Path
        A run folder.
    test_beats : BeatSet, optional
        The run's test beats, when already built.
    n_beats : int
        Beats to show, spread over the classes present; at most
        :data:`MAX_EXPLAIN_BEATS` (one figure panel each).
    method : {"gradcam", "gradcam++", "saliency"}
        Attribution method.
    data_dir : pathlib.Path, optional
        Override the run's data folder.
    path : str or pathlib.Path, optional
        Where to write the PNG (its suffix must be ``.png``); default
        ``<run_dir>/<method>.png``.

    Returns
    -------
    pathlib.Path
        The figure written.
    """
    if method not in EXPLAIN_METHODS:
        raise ValueError(f"method must be one of {EXPLAIN_METHODS}, got {method!r}")
    if not 1 <= n_beats <= MAX_EXPLAIN_BEATS:
        raise ValueError(
            f"n_beats must be in [1, {MAX_EXPLAIN_BEATS}] (one figure panel each), got {n_beats}"
        )
    if path is not None and Path(path).suffix.lower() != ".png":
        raise ValueError(f"the figure is a PNG: give a path ending in .png, got {path}")
    run = load_run(run_dir, data_dir=data_dir)
    if test_beats is None:
        _, test_beats, _ = split_beats(run.config)
    prediction = run.predict(test_beats)
    target = Path(path) if path is not None else Path(run_dir) / f"{method.replace('+', 'p')}.png"
    return draw_explanation(
        run.model,
        test_beats,
        prediction,
        n_beats=n_beats,
        method=method,
        seed=run.config.train.seed,
        path=target,
        features=run.features,
        normalize=run.config.normalize,
    )
