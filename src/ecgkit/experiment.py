"""The main job: train, evaluate and explain a beat classifier on an inter-patient split.

:func:`run_experiment` is what ``ecgkit train`` runs: MIT-BIH records (a full copy or the
bundled excerpt) -> de Chazal DS1/DS2 split -> labelled beats -> a patient-wise validation
split inside DS1 -> :class:`~ecgkit.train.Trainer` -> metrics on DS2 with the best
checkpoint -> figures (confusion matrix, training curves, Grad-CAM of test beats), all in
one run folder that :func:`load_run` reopens.
"""

from __future__ import annotations

import importlib.util
import json
import warnings
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

import numpy as np

from ecgkit import __version__
from ecgkit._files import atomic_write, run_lock
from ecgkit.annotate.recipe import BeatRecipe
from ecgkit.data import (
    AAMI_MAPPING,
    MITBIH,
    RELATIVE_RR_FEATURES,
    RR_FEATURES,
    BeatConfig,
    BeatDataset,
    BeatSet,
    build_beats,
    check_patient_disjoint,
    inter_patient_split,
    patient_train_val_split,
    with_template_residual,
)
from ecgkit.metrics import ClassificationMetrics, Prediction, class_priors
from ecgkit.models import ECGModel, ModelSpec, create_model, takes_features
from ecgkit.train import BeatAugment, TrainConfig, Trainer
from ecgkit.train.trainer import migrate_train_config

__all__ = [
    "EXPLAIN_METHODS",
    "MAX_EXPLAIN_BEATS",
    "DEFAULT_RHYTHM_GATE",
    "UNWEIGHTED_PRIOR_ADJUSTMENT",
    "ExperimentConfig",
    "ExperimentResult",
    "Run",
    "build_model",
    "default_prior_adjustment",
    "evaluate_run",
    "explain_run",
    "load_run",
    "read_run_config",
    "rhythm_effect",
    "run_experiment",
    "split_beats",
]

#: Prior-adjustment strength after an unweighted loss, chosen by patient-wise
#: cross-validation inside DS1 (``benchmarks/select_prior_adjustment.py``).
UNWEIGHTED_PRIOR_ADJUSTMENT = 0.5

#: Rhythm-gate strength of new recipes (:attr:`ecgkit.annotate.BeatRecipe.rhythm_gate`),
#: chosen by patient-wise cross-validation inside DS1 (``benchmarks/select_rhythm_gate.py``).
DEFAULT_RHYTHM_GATE = 1.0


def default_prior_adjustment(class_weighting: str | None) -> float:
    """The prior-adjustment strength that goes with a loss weighting.

    0.5 after an unweighted loss, 0 after a weighted one, which already favours the rare
    classes.
    """
    return UNWEIGHTED_PRIOR_ADJUSTMENT if class_weighting in (None, "none") else 0.0


#: Amplitude axis of the beats drawn, by per-beat normalisation.
_AMPLITUDE_LABELS = {
    None: "mV",
    "zscore": "z-score",
    "robust": "robust z-score",
    "minmax": "min-max",
}

#: Most beats :func:`explain_run` draws (one panel each).
MAX_EXPLAIN_BEATS = 64

#: Attribution methods :func:`explain_run` accepts.
EXPLAIN_METHODS = ("gradcam", "gradcam++", "saliency")


@dataclass(frozen=True)
class ExperimentConfig:
    """What ``ecgkit train`` does.

    The defaults are the recipe that generalised best to unseen patients in the DS1 -> DS2
    benchmark (docs/benchmarks.rst): four AAMI classes, z-scored beats with the record
    template channel, rate-independent RR features, an unweighted loss on every DS1 patient
    and decisions adjusted halfway towards equal class priors.

    Attributes
    ----------
    data_dir : pathlib.Path, optional
        Folder of the MIT-BIH Arrhythmia Database; None uses the bundled 5-minute excerpt.
    split : {"de-chazal", "de-chazal-strict"}
        DS1 -> DS2 as published, or with record 202 moved to DS1 (no shared patient).
    model : str
        A name from :func:`ecgkit.models.list_models`.
    model_kwargs : dict
        Architecture options for that model.
    leads : tuple of str
        Leads to use, by name.
    classes : {"NSVFQ", "NSVF"}
        The five AAMI classes, or four with Q left unlabelled (DS1 holds only 8 Q beats;
        much of the literature reports N, S, V and F only).
    normalize : {"zscore", "robust", "minmax"}, optional
        Per-beat amplitude normalisation; None keeps mV.
    augment : bool
        Train with :class:`~ecgkit.train.BeatAugment` (random amplitude, baseline, noise
        and a shift of up to 3 samples).
    template : bool
        Add, for every lead, the beat minus its record's template beat
        (:func:`ecgkit.data.with_template_residual`): what is unusual about a beat for
        its own patient.
    rr_features : tuple of str
        RR features given to a model that takes them (columns of
        :data:`ecgkit.data.RR_FEATURES`); by default the ratios and irregularity measures
        that do not depend on the patient's heart rate
        (:data:`ecgkit.data.RELATIVE_RR_FEATURES`).
    prior_adjustment : float
        Strength of the adjustment of test decisions for the training class priors
        (:func:`ecgkit.metrics.adjust_for_priors`): 0 keeps the model's decisions, 1 scores
        every class as if equally common. Pairs with ``train.class_weighting=None``: the
        model learns the true frequencies, the decision rule then favours the rare classes
        (with loss weights as well, a ``UserWarning`` says the imbalance is compensated
        twice).
    rhythm_gate : float
        Written into the model's recipe: the share of the S probability of beats inside
        atrial fibrillation episodes moved to N when the model annotates a recording
        (:func:`ecgkit.annotate.gate_supraventricular`), chosen by patient-wise
        cross-validation inside DS1 (``benchmarks/select_rhythm_gate.py``). The DS2
        scores of the run itself are of the classifier alone.
    before_s, after_s : float
        Beat window around the R peak, in seconds.
    val_fraction : float
        Share of DS1's patients held out (by patient) to pick the best epoch; 0 trains on
        all of DS1 and keeps the last epoch.
    train : TrainConfig
        The training run.
    out_dir : pathlib.Path
        Run folder.
    cache_dir : pathlib.Path, optional
        Beat cache (see :func:`ecgkit.data.build_beats`).
    explain_beats : int
        Test beats shown in the Grad-CAM figure (spread over the classes).
    """

    data_dir: Path | None = None
    split: Literal["de-chazal", "de-chazal-strict"] = "de-chazal"
    model: str = "beat_rr_cnn"
    model_kwargs: dict[str, Any] = field(default_factory=dict)
    leads: tuple[str, ...] = ("MLII",)
    classes: Literal["NSVFQ", "NSVF"] = "NSVF"
    normalize: Literal["zscore", "robust", "minmax"] | None = "zscore"
    augment: bool = False
    template: bool = True
    rr_features: tuple[str, ...] = RELATIVE_RR_FEATURES
    prior_adjustment: float = UNWEIGHTED_PRIOR_ADJUSTMENT
    rhythm_gate: float = DEFAULT_RHYTHM_GATE
    before_s: float = 0.25
    after_s: float = 0.45
    val_fraction: float = 0.0
    train: TrainConfig = field(
        default_factory=lambda: TrainConfig(epochs=8, batch_size=128, lr=2e-3, class_weighting=None)
    )
    out_dir: Path = Path("runs/ecgkit")
    cache_dir: Path | None = None
    explain_beats: int = 8

    def __post_init__(self) -> None:
        if self.split not in ("de-chazal", "de-chazal-strict"):
            raise ValueError(f"split must be 'de-chazal' or 'de-chazal-strict', got {self.split!r}")
        if self.classes not in ("NSVFQ", "NSVF"):
            raise ValueError(f"classes must be 'NSVFQ' or 'NSVF', got {self.classes!r}")
        if not 0 <= self.val_fraction <= 0.5:
            raise ValueError(f"val_fraction must be in [0, 0.5], got {self.val_fraction!r}")
        if not 0 <= self.prior_adjustment <= 1:
            raise ValueError(f"prior_adjustment must be in [0, 1], got {self.prior_adjustment!r}")
        if self.prior_adjustment > 0 and self.train.class_weighting is not None:
            warnings.warn(
                f"prior_adjustment={self.prior_adjustment} with class_weighting="
                f"{self.train.class_weighting!r} compensates for the class imbalance twice; "
                "set prior_adjustment=0 or class_weighting=None",
                UserWarning,
                stacklevel=3,
            )
        unknown = sorted(set(self.rr_features) - set(RR_FEATURES))
        if unknown or not self.rr_features:
            raise ValueError(
                f"rr_features must name columns of RR_FEATURES {RR_FEATURES}, got "
                f"{list(self.rr_features)}"
            )

    def to_json(self) -> dict[str, Any]:
        """JSON-ready values."""
        values = asdict(self)
        values["data_dir"] = None if self.data_dir is None else str(self.data_dir)
        values["out_dir"] = str(self.out_dir)
        values["cache_dir"] = None if self.cache_dir is None else str(self.cache_dir)
        values["leads"] = list(self.leads)
        values["rr_features"] = list(self.rr_features)
        return values

    @classmethod
    def from_json(cls, values: dict[str, Any]) -> ExperimentConfig:
        """Inverse of :meth:`to_json`."""
        v = dict(values)
        v["train"] = TrainConfig(**migrate_train_config(v["train"]))
        v["leads"] = tuple(v["leads"])
        # fields newer than the run keep the behaviour the run was made with
        v["rr_features"] = tuple(v.get("rr_features", RR_FEATURES))
        v.setdefault("prior_adjustment", 0.0)
        v.setdefault("rhythm_gate", 0.0)
        for key in ("data_dir", "out_dir", "cache_dir"):
            v[key] = None if v.get(key) is None else Path(v[key])
        return cls(**v)

    def model_options(self) -> dict[str, Any]:
        """``model_kwargs`` plus the feature count a model that takes RR features needs."""
        options = dict(self.model_kwargs)
        if takes_features(self.model):
            options.setdefault("n_features", len(self.rr_features))
        return options

    def model_features(self) -> tuple[str, ...] | Literal[False]:
        """The RR features the model takes, or False for a waveform-only model."""
        return self.rr_features if takes_features(self.model) else False

    def recipe(self, fs: float, classes: tuple[str, ...], priors: tuple[float, ...]) -> BeatRecipe:
        """The beat recipe of a model trained on beats at ``fs`` Hz with these priors."""
        beats = self.beat_config()
        features = self.model_features()
        return BeatRecipe(
            fs=float(fs),
            before_s=self.before_s,
            after_s=self.after_s,
            leads=tuple(str(lead) for lead in self.leads),
            clean=beats.clean,
            normalize=self.normalize,
            template=self.template,
            rr_features=features if features else (),
            classes=tuple(classes),
            class_priors=tuple(float(p) for p in priors),
            prior_adjustment=self.prior_adjustment,
            local_beats=beats.local_beats,
            detector=beats.detector,
            rhythm_gate=self.rhythm_gate,
        )

    def beat_config(self) -> BeatConfig:
        """The beat-building configuration."""
        if self.classes == "NSVF":
            mapping = {code: None if name == "Q" else name for code, name in AAMI_MAPPING.items()}
            labels = {"label_mapping": mapping, "classes": ("N", "S", "V", "F")}
        else:
            labels = {}
        return BeatConfig(
            leads=self.leads,
            before_s=self.before_s,
            after_s=self.after_s,
            normalize=self.normalize,
            **labels,  # type: ignore[arg-type]
        )


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
        prediction = self.trainer.predict(BeatDataset(beats, features=self.features))
        if self.config.prior_adjustment == 0:
            return prediction
        return prediction.adjusted(self.class_priors, self.config.prior_adjustment)


def _write_json(path: Path, payload: dict[str, Any]) -> Path:
    with atomic_write(path) as handle:
        handle.write(json.dumps(payload, indent=2).encode())
    return path


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


def build_model(config: ExperimentConfig, in_channels: int, num_classes: int) -> ECGModel:
    """The experiment's model, initialised from ``config.train.seed``."""
    import torch

    torch.manual_seed(config.train.seed)
    return create_model(
        config.model, in_channels=in_channels, num_classes=num_classes, **config.model_options()
    )


def run_experiment(
    config: ExperimentConfig, *, verbose: bool = True, resume: bool = False
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

    Returns
    -------
    ExperimentResult

    Raises
    ------
    ecgkit._files.RunFolderLockedError
        When another live process is writing to ``config.out_dir``.
    """
    with run_lock(config.out_dir):
        return _run_experiment(config, verbose, resume)


def _resume_point(config: ExperimentConfig) -> Path:
    """The checkpoint a resumed run continues from, after checking the recipe is the same."""
    out = config.out_dir
    last = out / "checkpoints" / "last.pt"
    if not last.is_file():
        raise ValueError(f"nothing to resume in {out}: it has no checkpoints/last.pt")
    saved = _read_run(out)[1]["experiment"]
    mine = config.to_json()
    places = {"out_dir", "data_dir", "cache_dir"}  # where things are, not the recipe
    changed = sorted(k for k in (set(saved) | set(mine)) - places if saved.get(k) != mine.get(k))
    if changed:
        raise ValueError(
            f"cannot resume {out} with another recipe (changed: {', '.join(changed)}); "
            "start a new run instead"
        )
    return last


def _run_experiment(config: ExperimentConfig, verbose: bool, resume: bool) -> ExperimentResult:
    out = config.out_dir
    resume_from = _resume_point(config) if resume else None
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
        print(f"{len(train)} train / {held_out}, {len(test)} test beats (DS2)")
        print(f"train classes {train.class_counts()}  test classes {test.class_counts()}")
    metadata = {
        "experiment": config.to_json(),
        "model": ModelSpec(
            config.model, train.n_leads, len(train.classes), config.model_options()
        ).to_json(),
        "classes": list(train.classes),
        "class_priors": priors,
        "shared_patients": sorted(shared),
        "recipe": config.recipe(train.fs, train.classes, tuple(priors)).to_json(),
        "ecgkit_version": __version__,
    }

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
        metadata=metadata,
        callbacks=callbacks,
        augment=BeatAugment() if config.augment else None,
        # the best epoch is picked by the prior-adjusted decisions the run reports
        decision=(
            (lambda p: p.adjusted(priors, config.prior_adjustment))
            if config.prior_adjustment > 0
            else None
        ),
    )
    history = trainer.fit(
        BeatDataset(train, features=features),
        None if val is None else BeatDataset(val, features=features),
        resume_from=resume_from,
    )
    trainer.load_weights(out / "checkpoints" / "best.pt")
    recipe = BeatRecipe.from_json(metadata["recipe"])
    prediction = Run(config, model, trainer, features, tuple(priors), recipe).predict(test)
    metrics = prediction.metrics(test.classes)
    files = {
        "config": out / "config.json",
        "history": out / "history.csv",
        "checkpoint": out / "checkpoints" / "best.pt",
        "metrics": _write_json(
            out / "metrics.json",
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
        files["gradcam"] = _draw_explanation(
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
    n_val = 0 if val is None else len(val)
    return ExperimentResult(metrics, out, len(train), n_val, len(test), files, prediction)


def _read_run(run_dir: Path) -> tuple[Path, dict[str, Any], ExperimentConfig]:
    """A run folder's ``config.json``: its path, its content and the recipe in it."""
    config_file = run_dir / "config.json"
    if not config_file.is_file():
        raise FileNotFoundError(f"{run_dir} is not an ecgkit run folder (no config.json)")
    try:
        saved = json.loads(config_file.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise ValueError(f"{config_file} is not valid JSON: {error}") from None
    if not isinstance(saved, dict) or "experiment" not in saved or "model" not in saved:
        raise ValueError(f"{config_file} was not written by ecgkit train")
    try:
        config = ExperimentConfig.from_json(saved["experiment"])
    except (KeyError, TypeError) as error:
        raise ValueError(
            f"{config_file} does not hold a run this ecgkit can read (field {error}); was "
            "it edited by hand?"
        ) from error
    return config_file, saved, config


def read_run_config(run_dir: str | Path) -> ExperimentConfig:
    """The recipe a run folder was made with (its ``config.json``), without its model."""
    return _read_run(Path(run_dir))[2]


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
    config_file, saved, config = _read_run(run_dir)
    try:
        spec = ModelSpec.from_json(saved["model"])
        model = spec.build()
    except (KeyError, TypeError) as error:
        raise ValueError(
            f"{config_file} does not hold a run this ecgkit can read (field {error}); was "
            "it edited by hand?"
        ) from error
    if data_dir is not None:
        config = replace(config, data_dir=Path(data_dir))
    trainer = Trainer(model, TrainConfig(**{**asdict(config.train), "progress": False}))
    trainer.load_weights(run_dir / "checkpoints" / "best.pt")
    priors = tuple(float(p) for p in saved.get("class_priors", ()))
    if config.prior_adjustment > 0 and len(priors) != spec.num_classes:
        raise ValueError(f"{config_file} has no class priors to adjust the decisions for")
    recipe = (
        BeatRecipe.from_json(saved["recipe"], source=str(config_file))
        if "recipe" in saved
        else None
    )
    finished = _training_finished(run_dir)
    return Run(config, model, trainer, config.model_features(), priors, recipe, finished)


def _training_finished(run_dir: Path) -> bool:
    """Whether the run's history says training ended normally (older runs: assumed so)."""
    try:
        history = json.loads((run_dir / "history.json").read_text())
    except (OSError, json.JSONDecodeError):
        return False
    return bool(history.get("finished", True))


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


def _pick_beats(test: BeatSet, predicted: np.ndarray, n_beats: int, seed: int) -> np.ndarray:
    """Beats spread over the classes present, seeded.

    A misclassified beat of each class where there is one, then correctly classified ones.
    """
    rng = np.random.default_rng(seed)
    present = [c for c in range(len(test.classes)) if (test.labels == c).any()]
    chosen: list[int] = []
    per_class = max(1, n_beats // max(len(present), 1))
    for c in present:
        wrong = np.flatnonzero((test.labels == c) & (predicted != c))
        correct = np.flatnonzero((test.labels == c) & (predicted == c))
        picks = rng.choice(wrong, min(1, wrong.size, per_class), replace=False).tolist()
        rest = per_class - len(picks)
        picks += rng.choice(correct, min(rest, correct.size), replace=False).tolist()
        chosen.extend(picks)
    return np.array(chosen[:n_beats], dtype=np.int64)


def rhythm_effect(
    model: ECGModel,
    windows: np.ndarray,
    rr: np.ndarray,
    typical_rr: np.ndarray,
    target: np.ndarray,
) -> np.ndarray:
    """How much the RR features moved each decision.

    The change in the target class's probability when a beat's RR features are replaced by
    those of a typical beat of its recording.

    Parameters
    ----------
    model : ECGModel
        A model that takes ``(windows, rr)``.
    windows : numpy.ndarray, shape (n, C, L)
        Beat windows.
    rr : numpy.ndarray, shape (n, F)
        Their RR features.
    typical_rr : numpy.ndarray, shape (n, F) or (F,)
        The RR features of a typical beat of each one's recording (e.g. the recording's
        median over all its beats).
    target : numpy.ndarray of int, shape (n,)
        Class to measure (e.g. the predicted one).

    Returns
    -------
    numpy.ndarray of float, shape (n,)
        ``p(target | rr) - p(target | typical rr)``: positive where the rhythm argued for
        the class (a premature S beat), near 0 where the waveform decided alone.
    """
    import torch

    typical = np.array(np.broadcast_to(typical_rr, rr.shape), dtype=np.float32)
    was_training = model.training
    model.eval()
    try:
        with torch.no_grad():
            x = torch.as_tensor(windows, dtype=torch.float32)
            rows = torch.arange(len(target))
            index = torch.as_tensor(target, dtype=torch.long)
            actual = torch.softmax(model(x, torch.as_tensor(rr, dtype=torch.float32)), 1)
            usual = torch.softmax(model(x, torch.as_tensor(typical, dtype=torch.float32)), 1)
            return (actual[rows, index] - usual[rows, index]).numpy()
    finally:
        model.train(was_training)


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
    return _draw_explanation(
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


def _draw_explanation(
    model: ECGModel,
    test_beats: BeatSet,
    prediction: Prediction,
    *,
    n_beats: int,
    method: str,
    seed: int,
    path: Path,
    features: tuple[str, ...] | Literal[False],
    normalize: str | None,
) -> Path:
    """Attribution maps of a few test beats (predicted class), drawn over the waveforms."""
    from ecgkit.explain import GradCAM, GradCAMPlusPlus, Saliency
    from ecgkit.plot import plot_attribution

    index = _pick_beats(test_beats, prediction.predicted, n_beats, seed)
    beats = test_beats.subset(index)
    explainer = {"gradcam": GradCAM, "gradcam++": GradCAMPlusPlus, "saliency": Saliency}[method]
    extra = (beats.rr_columns(features),) if features else ()
    maps = explainer(model).attribute(
        beats.windows, prediction.predicted[index], extra_inputs=extra
    )
    classes = beats.classes
    effect = None
    if features:
        every_rr = test_beats.rr_columns(features)
        median_of = {r: np.median(every_rr[test_beats.record == r], axis=0) for r in beats.record}
        typical = np.stack([median_of[r] for r in beats.record])
        effect = rhythm_effect(
            model, beats.windows, beats.rr_columns(features), typical, prediction.predicted[index]
        )
    titles = [
        f"{beats.record[i]} #{beats.r_sample[i]}: {classes[beats.labels[i]]} -> "
        f"{classes[prediction.predicted[j]]} ({prediction.probabilities[j].max():.2f})"
        + ("" if effect is None else f"\nrhythm {effect[i]:+.2f}")
        for i, j in enumerate(index)
    ]
    plot_attribution(
        beats.windows,
        maps,
        beats.fs,
        r_index=beats.r_index,
        titles=titles,
        amplitude_label=_AMPLITUDE_LABELS[normalize],
        path=path,
    )
    return path
