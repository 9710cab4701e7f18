"""The benchmarks' recipe options: ecgkit train's, generated from ExperimentConfig.

Every benchmark that trains takes the recipe through :func:`ecgkit.options.add_config_options`
(the options ``ecgkit train`` has), starting from :data:`ecgkit.experiment.BENCHMARK_RECIPE`
(the recipe the docs report and the pretrained model was trained with) with the full
database, not the bundled excerpt, as data and a beat cache under ``results/``.
"""

from __future__ import annotations

import argparse
import dataclasses
from pathlib import Path

from _common import default_data_dir

from ecgkit.experiment import BENCHMARK_RECIPE, ExperimentConfig
from ecgkit.experiment.recipe import per_seed
from ecgkit.options import add_config_options, config_from_options

RESULTS = Path(__file__).parent / "results"


def add_recipe_options(parser: argparse.ArgumentParser, *, seeds: list[int]) -> None:
    """The recipe options and ``--seeds`` (one model per seed)."""
    add_config_options(parser)
    parser.add_argument("--seeds", type=int, nargs="+", default=seeds)


def recipes(args: argparse.Namespace, out_dir: Path) -> list[ExperimentConfig]:
    """One config per seed: :data:`BENCHMARK_RECIPE` with the options given, its run folder
    ``out_dir/seed<k>`` unless ``--out-dir`` was given (then ``<out-dir>/seed<k>``)."""
    base = dataclasses.replace(
        BENCHMARK_RECIPE,
        data_dir=default_data_dir(),
        out_dir=out_dir,
        cache_dir=RESULTS / "cache",
    )
    return per_seed(config_from_options(args, base), args.seeds)
