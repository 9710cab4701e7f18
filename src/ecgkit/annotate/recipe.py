"""What a recording must go through before a trained beat model sees it.

A :class:`BeatRecipe` is stored with every model that ecgkit writes (in a run folder's
``config.json`` and beside the pretrained weights), so that the model can be applied to a
recording it has never seen, at any sampling rate, with exactly the preparation its
training beats had.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

from ecgkit.signal import AF_MIN_EPISODE_S, RR_FEATURES
from ecgkit.signal._validation import check_fs
from ecgkit.signal.normalize import NormalizeMethod

__all__ = ["RECIPE_FORMAT", "BeatRecipe"]

#: Version of the stored recipe; a reader refuses a newer one.
RECIPE_FORMAT = 1

_NORMALIZE = (None, "zscore", "robust", "minmax")


def check_rhythm_settings(rhythm_gate: float, rhythm_min_episode_s: float) -> None:
    """Refuse a bad rhythm-gate strength or shortest AF run, naming the field.

    The strength must be a number in [0, 1], the shortest run a finite number of seconds
    >= 0: :class:`BeatRecipe`'s fields, and the experiment settings that become them
    (checked before training).
    """
    if isinstance(rhythm_gate, bool) or not 0 <= rhythm_gate <= 1:
        raise ValueError(f"rhythm_gate must be a number in [0, 1], got {rhythm_gate!r}")
    if (
        isinstance(rhythm_min_episode_s, bool)
        or not isinstance(rhythm_min_episode_s, (int, float))
        or not 0 <= rhythm_min_episode_s < math.inf
    ):
        raise ValueError(
            "rhythm_min_episode_s must be a finite number of seconds >= 0, got "
            f"{rhythm_min_episode_s!r}"
        )


def check_decision_weights(weights: dict[str, float], classes: tuple[str, ...]) -> None:
    """Refuse decision weights that do not name classes or are not finite numbers > 0.

    ``weights`` maps a class name to the weight its probability is multiplied by before
    the class is decided (:func:`ecgkit.metrics.weigh_decisions`); classes not named keep
    1. The check of :class:`BeatRecipe`'s ``decision_weights`` and of the experiment
    setting that becomes them (before training).
    """
    if not isinstance(weights, dict):
        raise TypeError(
            f"decision_weights must map class names to weights, got {type(weights).__name__}"
        )
    unknown = sorted(str(name) for name in set(weights) - set(classes))
    if unknown:
        raise ValueError(f"decision_weights names {unknown}, which are not classes {classes}")
    for name, weight in weights.items():
        if (
            isinstance(weight, bool)
            or not isinstance(weight, (int, float))
            or not 0 < weight < math.inf
        ):
            raise ValueError(
                f"decision_weights[{name!r}] must be a finite number > 0, got {weight!r}"
            )


@dataclass(frozen=True)
class BeatRecipe:
    """How a model's beats were made and how its decisions are taken.

    Attributes
    ----------
    fs : float
        Sampling rate the model was trained at, in Hz; recordings are resampled to it.
    before_s, after_s : float
        Beat window around the R peak, in seconds.
    leads : tuple of str
        Leads the model takes, by name, in channel order (e.g. ``("MLII",)``).
    clean : bool
        Band-pass 0.5-40 Hz (:func:`ecgkit.signal.clean`) before cutting windows.
    normalize : {"zscore", "robust", "minmax"}, optional
        Per-beat amplitude normalisation; None keeps mV.
    template : bool
        The model also takes, for every lead, the beat minus the recording's template beat
        (median of its least premature beats; in a recording of an hour or more, of its
        30-60 minute block, see :mod:`ecgkit.annotate.context`).
    rr_features : tuple of str
        RR features the model takes (columns of :data:`ecgkit.signal.RR_FEATURES`); empty
        for a waveform-only model.
    classes : tuple of str
        Class names in output order.
    class_priors : tuple of float
        Training class frequencies.
    prior_adjustment : float
        Strength of the decision adjustment for ``class_priors``
        (:func:`ecgkit.metrics.adjust_for_priors`); 0 keeps the model's decisions.
    local_beats : int
        Intervals averaged into the local RR.
    template_quantile : float
        Beats whose preceding RR interval is at or above this quantile of the recording's
        make the template.
    template_min_beats : int
        Fewer such beats than this and every beat makes the template.
    detector : str
        R-peak detector (:func:`ecgkit.signal.detect_r_peaks` method) for recordings
        without given R peaks.
    rhythm_gate : float
        Share (0-1) of the S probability of every beat inside an atrial fibrillation
        episode, or whose P waves are clearly absent (:func:`ecgkit.annotate.rhythm_context`),
        that goes to N before the class is decided
        (:func:`ecgkit.annotate.gate_supraventricular`): 1 never calls such a beat S, 0
        ignores the rhythm. 0 in recipes written before the gate existed.
    rhythm_min_episode_s : float
        Shortest run of AF beats, in seconds (first to last R peak), that annotation
        marks as AF (``BeatAnnotations.in_af``) and gates; 30 (the clinical definition of
        an episode, :data:`ecgkit.signal.AF_MIN_EPISODE_S`) in recipes written before it
        was a choice.
    decision_weights : tuple of float
        One weight per class (in ``classes`` order) that multiplies the class's adjusted
        probability before the class is decided (:func:`ecgkit.metrics.weigh_decisions`:
        above 1 the class is called more often, below 1 less); empty, as in recipes
        written before the weights existed, weighs every class alike.
    adapt_batchnorm : bool
        Each recording's beats are classified with their own statistics in the models'
        BatchNorm layers over time series (AdaBN,
        :func:`ecgkit.train.batchnorm.recording_statistics`); False, as in recipes written
        before it, keeps the training statistics.
    """

    fs: float
    before_s: float
    after_s: float
    leads: tuple[str, ...]
    clean: bool
    normalize: NormalizeMethod | None
    template: bool
    rr_features: tuple[str, ...]
    classes: tuple[str, ...]
    class_priors: tuple[float, ...]
    prior_adjustment: float
    local_beats: int = 10
    template_quantile: float = 0.75
    template_min_beats: int = 5
    detector: str = "ecgkit"
    rhythm_gate: float = 0.0
    rhythm_min_episode_s: float = AF_MIN_EPISODE_S
    decision_weights: tuple[float, ...] = ()
    adapt_batchnorm: bool = False

    def __post_init__(self) -> None:
        check_fs(self.fs)
        if self.before_s < 0 or self.after_s < 0 or self.before_s + self.after_s <= 0:
            raise ValueError(
                f"before_s and after_s must be >= 0 s with a positive sum, got "
                f"{self.before_s!r} and {self.after_s!r}"
            )
        if not self.leads:
            raise ValueError("leads must name at least one lead")
        if self.normalize not in _NORMALIZE:
            raise ValueError(f"normalize must be one of {_NORMALIZE}, got {self.normalize!r}")
        unknown = sorted(set(self.rr_features) - set(RR_FEATURES))
        if unknown:
            raise ValueError(f"rr_features must be columns of {RR_FEATURES}, got {unknown}")
        if len(self.classes) < 2:
            raise ValueError(f"classes must name at least two classes, got {self.classes}")
        if len(self.class_priors) != len(self.classes):
            raise ValueError(
                f"class_priors has {len(self.class_priors)} values for {len(self.classes)} classes"
            )
        check_rhythm_settings(self.rhythm_gate, self.rhythm_min_episode_s)
        if not 0 <= self.prior_adjustment <= 1:
            raise ValueError(f"prior_adjustment must be in [0, 1], got {self.prior_adjustment!r}")
        if self.decision_weights:
            if len(self.decision_weights) != len(self.classes):
                raise ValueError(
                    f"decision_weights has {len(self.decision_weights)} values for "
                    f"{len(self.classes)} classes"
                )
            named = dict(zip(self.classes, self.decision_weights, strict=True))
            check_decision_weights(named, self.classes)

    @property
    def window_samples(self) -> int:
        """Window length in samples at :attr:`fs`."""
        return round(self.before_s * self.fs) + round(self.after_s * self.fs)

    @property
    def in_channels(self) -> int:
        """Channels of the model's window input (leads, doubled with the template)."""
        return len(self.leads) * (2 if self.template else 1)

    def to_json(self) -> dict[str, Any]:
        """JSON-ready values, with the format version."""
        values = asdict(self)
        for key in ("leads", "rr_features", "classes", "class_priors", "decision_weights"):
            values[key] = list(values[key])
        return {"format": RECIPE_FORMAT, **values}

    @classmethod
    def from_json(cls, values: dict[str, Any], *, source: str = "recipe") -> BeatRecipe:
        """Inverse of :meth:`to_json`; ``source`` names the file in error messages."""
        version = values.get("format")
        if version != RECIPE_FORMAT:
            raise ValueError(
                f"{source}: beat recipe format {version!r} is not {RECIPE_FORMAT} (written by "
                "another ecgkit version)"
            )
        v = {key: value for key, value in values.items() if key != "format"}
        try:
            for key in ("leads", "rr_features", "classes"):
                v[key] = tuple(str(x) for x in v[key])
            v["class_priors"] = tuple(float(x) for x in v["class_priors"])
            v["decision_weights"] = tuple(float(x) for x in v.get("decision_weights", ()))
            return cls(**v)
        except (KeyError, TypeError) as error:
            raise ValueError(f"{source}: incomplete beat recipe ({error})") from error
