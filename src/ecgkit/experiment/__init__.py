"""The main job as a library: recipe -> run folder -> pipeline -> figures.

- :mod:`ecgkit.experiment.recipe`: :class:`ExperimentConfig`, the one definition of a
  training run's recipe, and its JSON migration;
- :mod:`ecgkit.experiment.run_folder`: the only writer and reader of the run folder's
  ``config.json`` and ``metrics.json`` (the Trainer writes its checkpoints and history);
- :mod:`ecgkit.experiment.pipeline`: :func:`run_experiment` (what ``ecgkit train`` runs),
  :func:`load_run`, :func:`evaluate_run`, :func:`explain_run`;
- :mod:`ecgkit.experiment.figures`: the attribution figure and :func:`rhythm_effect`.
"""

from ecgkit.experiment.figures import EXPLAIN_METHODS, MAX_EXPLAIN_BEATS, rhythm_effect
from ecgkit.experiment.pipeline import (
    ExperimentResult,
    Run,
    build_model,
    evaluate_run,
    explain_run,
    load_run,
    predict_beats,
    read_run_config,
    run_experiment,
    split_beats,
    with_rate_copies,
)
from ecgkit.experiment.recipe import (
    BENCHMARK_RECIPE,
    DEFAULT_RHYTHM_GATE,
    DEFAULT_RHYTHM_MIN_EPISODE_S,
    RATE_COPY_MAX_SCALE,
    RATE_COPY_SEED,
    UNWEIGHTED_PRIOR_ADJUSTMENT,
    ExperimentConfig,
    default_prior_adjustment,
)
from ecgkit.experiment.run_folder import RUN_FORMAT, RunInfo

__all__ = [
    "BENCHMARK_RECIPE",
    "DEFAULT_RHYTHM_GATE",
    "DEFAULT_RHYTHM_MIN_EPISODE_S",
    "EXPLAIN_METHODS",
    "MAX_EXPLAIN_BEATS",
    "RATE_COPY_MAX_SCALE",
    "RATE_COPY_SEED",
    "RUN_FORMAT",
    "UNWEIGHTED_PRIOR_ADJUSTMENT",
    "ExperimentConfig",
    "ExperimentResult",
    "Run",
    "RunInfo",
    "build_model",
    "default_prior_adjustment",
    "evaluate_run",
    "explain_run",
    "load_run",
    "predict_beats",
    "read_run_config",
    "rhythm_effect",
    "run_experiment",
    "split_beats",
    "with_rate_copies",
]
