"""The recipe of a training run: :class:`ExperimentConfig`, its defaults and JSON form.

One definition: ``ecgkit train``'s options (:mod:`ecgkit.options`), the benchmarks and the
run folder's ``config.json`` all come from the fields of :class:`ExperimentConfig`. Values
stored by older versions are migrated on reading (:func:`migrate_experiment`) so that an
old run is read with the behaviour it was made with.
"""

from __future__ import annotations

import math
import numbers
import warnings
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

from ecgkit.annotate.recipe import BeatRecipe, check_decision_weights, check_rhythm_settings
from ecgkit.data import AAMI_MAPPING, RELATIVE_RR_FEATURES, RR_FEATURES, BeatConfig
from ecgkit.models import takes_features
from ecgkit.train import AUGMENTATIONS, Augmentation, TrainConfig
from ecgkit.train.trainer import migrate_train_config

__all__ = [
    "BENCHMARK_RECIPE",
    "DEFAULT_DECISION_WEIGHTS",
    "DEFAULT_RHYTHM_GATE",
    "DEFAULT_RHYTHM_MIN_EPISODE_S",
    "UNWEIGHTED_PRIOR_ADJUSTMENT",
    "ExperimentConfig",
    "default_prior_adjustment",
    "migrate_experiment",
    "per_seed",
]

#: Prior-adjustment strength after an unweighted loss, chosen by patient-wise
#: cross-validation inside DS1, jointly with the gate and the decision weights on the
#: five-seed ensemble with each record's own BatchNorm statistics
#: (``benchmarks/select_decision_weights.py``; docs/benchmarks.rst, session 22).
UNWEIGHTED_PRIOR_ADJUSTMENT = 0.75

#: Rhythm-gate strength of new recipes (:attr:`ecgkit.annotate.BeatRecipe.rhythm_gate`),
#: chosen by the same joint cross-validation: half the S probability of beats in AF or
#: without P waves goes to N.
DEFAULT_RHYTHM_GATE = 0.5
#: Shortest AF run (s) the rhythm gate of new recipes acts on
#: (:attr:`ecgkit.annotate.BeatRecipe.rhythm_min_episode_s`), chosen by the same joint
#: cross-validation: every beat :func:`ecgkit.signal.detect_af` flags, however short its
#: run, is marked AF (``BeatAnnotations.in_af``) and gated.
DEFAULT_RHYTHM_MIN_EPISODE_S = 0.0
#: Decision weights of new recipes (:attr:`ecgkit.annotate.BeatRecipe.decision_weights`):
#: S and V called more often than the prior adjustment alone would, chosen by the same
#: joint cross-validation (docs/benchmarks.rst, session 22).
DEFAULT_DECISION_WEIGHTS: dict[str, float] = {"S": 2.0**1.5, "V": 2.0**0.5}
#: Seed of the scales of ``rate_copies``: the copies are training data, the same for every
#: training seed.
RATE_COPY_SEED = 0
#: Largest scale ``rate_copies`` accepts (a copy at half the rate).
RATE_COPY_MAX_SCALE = 2.0


def _scale_range(value: object) -> tuple[float, float]:
    """``rate_copies`` as a pair of floats, after checking ``0 < low <= high <= 2``."""
    pair = tuple(value) if isinstance(value, (tuple, list)) else ()
    numbers_ok = len(pair) == 2 and all(
        not isinstance(v, bool) and isinstance(v, numbers.Real) and math.isfinite(v) for v in pair
    )
    if not numbers_ok or not 0 < pair[0] <= pair[1] <= RATE_COPY_MAX_SCALE:
        raise ValueError(
            "rate_copies must be (low, high), RR scales with 0 < low <= high <= "
            f"{RATE_COPY_MAX_SCALE:g}, or None; got {value!r}"
        )
    return float(pair[0]), float(pair[1])


def _augmentation_of_bool(augment: bool) -> Augmentation:
    """The name of what ``augment=True/False`` meant before augmentations had names."""
    return "full" if augment else "none"


def default_prior_adjustment(class_weighting: str | None) -> float:
    """The prior-adjustment strength that goes with a loss weighting.

    0.5 after an unweighted loss, 0 after a weighted one, which already favours the rare
    classes.
    """
    return UNWEIGHTED_PRIOR_ADJUSTMENT if class_weighting in (None, "none") else 0.0


@dataclass(frozen=True)
class ExperimentConfig:
    """What ``ecgkit train`` does.

    The defaults are the recipe that generalised best to unseen patients in the DS1 -> DS2
    benchmark (docs/benchmarks.rst): four AAMI classes, z-scored beats with the record
    template channel, rate-independent RR features, an unweighted loss on every DS1 patient
    with the windows shifted by up to 3 samples, and decisions adjusted halfway towards
    equal class priors.

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
    augment : {"none", "shifts", "full", "interference"}
        Training augmentation (:func:`ecgkit.train.beat_augmentation`): none, circular
        shifts of up to 3 samples alone (the default, chosen by patient-wise
        cross-validation inside DS1: the model learns that where the detector put the R
        peak within a few samples says nothing about the class), shifts with random
        amplitude, baseline and noise (:class:`~ecgkit.train.BeatAugment`), or shifts
        with a tremor-like sinusoid on half the beats
        (:class:`~ecgkit.train.InterferenceAugment`; needs ``normalize="zscore"``).
        ``True`` and ``False`` of older versions are read as ``"full"`` and ``"none"``.
    rate_copies : tuple of float, optional
        ``(low, high)``: train also on a copy of each training record (never of a
        validation or test one) with every RR interval times a scale drawn uniformly from
        this range once per record, the ST-T shortened by Fridericia's cube root
        (:class:`ecgkit.data.RateCopies`, seed :data:`RATE_COPY_SEED`), so that a faster
        rhythm is not a new input. Under 1 is faster; ``(0.5, 0.9)`` is what
        ``benchmarks/select_rate_augment.py`` measured. None (the default) trains on the
        records alone.
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
        atrial fibrillation episodes or with clearly absent P waves moved to N when the
        model annotates a recording
        (:func:`ecgkit.annotate.gate_supraventricular`), chosen by patient-wise
        cross-validation inside DS1 (``benchmarks/select_rhythm_gate.py``). The DS2
        scores of the run itself are of the classifier alone.
    rhythm_min_episode_s : float
        Written into the model's recipe: the shortest run of AF beats, in seconds, that
        annotation marks as AF and gates, chosen with ``rhythm_gate`` by the same
        cross-validation.
    decision_weights : dict
        Written into the model's recipe: class name to the weight its probability is
        multiplied by before the class is decided when the model annotates a recording
        (:func:`ecgkit.metrics.weigh_decisions`; classes not named keep 1), chosen by
        patient-wise cross-validation inside DS1
        (``benchmarks/select_decision_weights.py``). Like the gate, not in the run's own
        DS2 scores.
    adapt_batchnorm : bool
        Predict each record's beats with its own statistics in the model's BatchNorm layers
        over time series (AdaBN: :func:`ecgkit.train.batchnorm.recording_statistics`), not
        the training beats' statistics; chosen by patient-wise cross-validation inside DS1
        (docs/benchmarks.rst). Written into the model's recipe, so that annotation does the
        same for each recording. The run's DS2 scores use it; the best epoch of a run with
        a validation share is picked without it.
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
    augment: Augmentation = "shifts"
    rate_copies: tuple[float, float] | None = None
    template: bool = True
    rr_features: tuple[str, ...] = RELATIVE_RR_FEATURES
    prior_adjustment: float = UNWEIGHTED_PRIOR_ADJUSTMENT
    rhythm_gate: float = DEFAULT_RHYTHM_GATE
    rhythm_min_episode_s: float = DEFAULT_RHYTHM_MIN_EPISODE_S
    decision_weights: dict[str, float] = field(
        default_factory=lambda: dict(DEFAULT_DECISION_WEIGHTS)
    )
    adapt_batchnorm: bool = True
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
        augment: object = self.augment  # typed as the names, but older code passes a bool
        if isinstance(augment, bool):
            legacy = _augmentation_of_bool(augment)
            warnings.warn(
                f"augment={augment} is spelt augment={legacy!r} now",
                DeprecationWarning,
                stacklevel=3,
            )
            object.__setattr__(self, "augment", legacy)
        if self.augment not in AUGMENTATIONS:
            raise ValueError(f"augment must be one of {AUGMENTATIONS}, got {self.augment!r}")
        if self.augment == "interference" and self.normalize != "zscore":
            raise ValueError(
                "augment='interference' adds its sinusoid to z-scored beats: it needs "
                f"normalize='zscore', got {self.normalize!r}"
            )
        if self.rate_copies is not None:
            object.__setattr__(self, "rate_copies", _scale_range(self.rate_copies))
        if self.split not in ("de-chazal", "de-chazal-strict"):
            raise ValueError(f"split must be 'de-chazal' or 'de-chazal-strict', got {self.split!r}")
        if self.classes not in ("NSVFQ", "NSVF"):
            raise ValueError(f"classes must be 'NSVFQ' or 'NSVF', got {self.classes!r}")
        if not 0 <= self.val_fraction <= 0.5:
            raise ValueError(f"val_fraction must be in [0, 0.5], got {self.val_fraction!r}")
        if not 0 <= self.prior_adjustment <= 1:
            raise ValueError(f"prior_adjustment must be in [0, 1], got {self.prior_adjustment!r}")
        # the recipe's own check, before training rather than after it
        check_rhythm_settings(self.rhythm_gate, self.rhythm_min_episode_s)
        check_decision_weights(self.decision_weights, tuple(self.classes))
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
        values["rate_copies"] = None if self.rate_copies is None else list(self.rate_copies)
        return values

    @classmethod
    def from_json(cls, values: dict[str, Any]) -> ExperimentConfig:
        """Inverse of :meth:`to_json`; values of older versions are migrated first."""
        v = migrate_experiment(values)
        v["train"] = TrainConfig(**v["train"])
        v["leads"] = tuple(v["leads"])
        v["rr_features"] = tuple(v["rr_features"])
        v["rate_copies"] = None if v["rate_copies"] is None else tuple(v["rate_copies"])
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
            rhythm_min_episode_s=self.rhythm_min_episode_s,
            decision_weights=(
                tuple(float(self.decision_weights.get(name, 1.0)) for name in classes)
                if self.decision_weights
                else ()
            ),
            adapt_batchnorm=self.adapt_batchnorm,
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


#: Fields added after the first run format, with the value that keeps an older run's
#: behaviour (not today's default): RR features in seconds were all there was, decisions
#: were not adjusted, there was no rhythm gate, AF meant the 30-s episodes of
#: :func:`ecgkit.signal.detect_af`, no class was weighed, and the training statistics
#: normalised every record. (``augment`` was always
#: written, as a bool until shift-only augmentation became the default.)
_ADDED_FIELDS: dict[str, Any] = {
    "augment": "none",
    "rr_features": list(RR_FEATURES),
    "prior_adjustment": 0.0,
    "rhythm_gate": 0.0,
    "rhythm_min_episode_s": 30.0,
    "decision_weights": {},
    "adapt_batchnorm": False,
    "rate_copies": None,
}


def migrate_experiment(values: dict[str, Any]) -> dict[str, Any]:
    """Stored :meth:`ExperimentConfig.to_json` values as this version spells them.

    Fields an older ecgkit did not write get the value that reproduces what that version
    did; the training config's ``"none"`` becomes None (:func:`migrate_train_config`), and
    a bool ``augment`` its name (True was :class:`~ecgkit.train.BeatAugment`'s defaults).
    """
    migrated = {**_ADDED_FIELDS, **values}
    if isinstance(migrated["augment"], bool):
        migrated["augment"] = _augmentation_of_bool(migrated["augment"])
    if isinstance(migrated.get("train"), dict):
        migrated["train"] = migrate_train_config(migrated["train"])
    return migrated


#: The recipe docs/benchmarks.rst reports and the shipped pretrained model was trained
#: with: :class:`ExperimentConfig`'s defaults with 4 epochs of batch 256 and a 64-unit
#: fusion layer (``benchmarks/`` and ``tools/train_pretrained.py`` start from it and add
#: the data folder and the seed).
BENCHMARK_RECIPE = ExperimentConfig(
    model_kwargs={"fusion_width": 64},
    train=TrainConfig(epochs=4, batch_size=256, lr=2e-3, class_weighting=None, progress=False),
)


def per_seed(config: ExperimentConfig, seeds: Iterable[int]) -> list[ExperimentConfig]:
    """One copy of ``config`` per training seed, in run folders ``<out_dir>/seed<k>``.

    For an ensemble, or to measure a recipe's spread over seeds.
    """
    return [
        replace(
            config,
            train=replace(config.train, seed=int(seed)),
            out_dir=config.out_dir / f"seed{int(seed)}",
        )
        for seed in seeds
    ]
