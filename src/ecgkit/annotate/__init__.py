"""Any recording in, labelled beats out: a trained model applied to a new recording.

:class:`Predictor` holds a model (or an ensemble: a shipped pretrained model, or a run
folder of ``ecgkit train``) and the :class:`BeatRecipe` its beats were made with; its
:meth:`~Predictor.annotate` detects the R peaks of a recording at any sampling rate and
of any length (in chunks of bounded memory), prepares every beat as in training, and
returns a :class:`BeatAnnotations` with the class, the class probabilities and a flag for
each beat that could not be classified, and the beats inside atrial fibrillation episodes
or with no P waves (:func:`assess_rhythm`), where the recipe's rhythm gate keeps them from
being called S.
"""

import ecgkit._torch  # noqa: F401  (one clear line when torch is missing)
from ecgkit.annotate.predictor import PAUSE_MIN_S, BeatAnnotations, Predictor
from ecgkit.annotate.prepare import (
    FLAG_REASONS,
    PreparedBeats,
    as_record,
    prepare_beats,
    select_leads,
)
from ecgkit.annotate.recipe import RECIPE_FORMAT, BeatRecipe
from ecgkit.annotate.report import pick_beats_to_show, write_report
from ecgkit.annotate.rhythm import (
    VENTRICULAR_CLASSES,
    RhythmContext,
    assess_rhythm,
    gate_effect,
    gate_supraventricular,
    rhythm_context,
)

__all__ = [
    "FLAG_REASONS",
    "PAUSE_MIN_S",
    "RECIPE_FORMAT",
    "VENTRICULAR_CLASSES",
    "BeatAnnotations",
    "BeatRecipe",
    "Predictor",
    "PreparedBeats",
    "RhythmContext",
    "as_record",
    "assess_rhythm",
    "gate_effect",
    "gate_supraventricular",
    "rhythm_context",
    "pick_beats_to_show",
    "prepare_beats",
    "select_leads",
    "write_report",
]
