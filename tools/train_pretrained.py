"""Train the pretrained model shipped in ``src/ecgkit/models/_pretrained/``.

    python tools/train_pretrained.py --data-dir ../shared/data/mitdb

Trains :data:`ecgkit.experiment.BENCHMARK_RECIPE`, the recipe of
``benchmarks/bench_mitdb_inter_patient.py`` (five ``beat_rr_cnn`` seeds, 4 epochs, batch
256, z-scored beats with the record template channel, rate-independent RR features,
unweighted loss, decisions adjusted halfway towards equal class priors; every option of
``ecgkit train`` changes it, ``--out-dir`` holds the runs) on the de Chazal DS1 records of
the MIT-BIH Arrhythmia Database only, so that DS2 stays an honest test. Stores the
ensemble's weights as float16 in a byte-reproducible archive, checks that float16 changes no
DS2 decision of note (the count is printed and stored in the model card), and writes
``<name>.json`` with the beat recipe, the SHA-256 of the weights and the model card (with
the DS2 results).
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import io
import json
import time
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch

from ecgkit import __version__
from ecgkit._files import atomic_write
from ecgkit.annotate import BeatRecipe
from ecgkit.data import BeatSet
from ecgkit.experiment import (
    BENCHMARK_RECIPE,
    load_run,
    predict_beats,
    run_experiment,
    split_beats,
)
from ecgkit.experiment.recipe import per_seed
from ecgkit.metrics import adjust_for_priors, compute_metrics
from ecgkit.models.pretrained import (
    PRETRAINED_FORMAT,
    ModelSpec,
    pretrained_dir,
    state_dict_from_arrays,
    state_dict_to_arrays,
)
from ecgkit.options import add_config_options, config_from_options
from ecgkit.train import TrainConfig, Trainer

NAME = "beat_rr_cnn.mitdb_ds1"
# a fixed time stamp keeps the archive's bytes (and so its SHA-256) reproducible
_ZIP_TIME = (2026, 1, 1, 0, 0, 0)


def default_data_dir() -> Path:
    return Path(__file__).resolve().parents[2] / "shared" / "data" / "mitdb"


def write_npz(path: Path, arrays: dict[str, np.ndarray]) -> bytes:
    """An uncompressed .npz with sorted members and fixed time stamps; returns its bytes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for key in sorted(arrays):
            member = io.BytesIO()
            np.lib.format.write_array(member, np.ascontiguousarray(arrays[key]), allow_pickle=False)
            archive.writestr(zipfile.ZipInfo(f"{key}.npy", date_time=_ZIP_TIME), member.getvalue())
    data = buffer.getvalue()
    with atomic_write(path) as handle:
        handle.write(data)
    return data


def ensemble_probabilities(
    models: Sequence[torch.nn.Module], test: BeatSet, recipe: BeatRecipe
) -> np.ndarray:
    """The members' probabilities, each adjusted for the priors, averaged; with the
    recipe's ``adapt_batchnorm`` each record's beats with their own BatchNorm statistics,
    as the annotate path classifies each recording."""
    total = np.zeros((len(test), len(recipe.classes)))
    for model in models:
        trainer = Trainer(model, TrainConfig(progress=False))
        probabilities = predict_beats(
            trainer, test, recipe.rr_features, adapt_batchnorm=recipe.adapt_batchnorm
        ).probabilities
        total += adjust_for_priors(probabilities, recipe.class_priors, recipe.prior_adjustment)
    return total / len(models)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    # the recipe options of ecgkit train, from BENCHMARK_RECIPE; --out-dir holds the runs
    add_config_options(parser)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    parser.add_argument("--pretrained-dir", type=Path, default=pretrained_dir())
    args = parser.parse_args()
    start = time.perf_counter()
    work_dir = Path("benchmarks/results/pretrained")
    base = dataclasses.replace(
        BENCHMARK_RECIPE,
        data_dir=default_data_dir(),
        out_dir=work_dir,
        cache_dir=work_dir / "cache",
        explain_beats=4,
        train=dataclasses.replace(BENCHMARK_RECIPE.train, device="cpu"),
    )
    recipe_config = config_from_options(args, base)
    configs = per_seed(recipe_config, args.seeds)
    for config in configs:
        run_experiment(config, verbose=True)
    runs = [load_run(config.out_dir) for config in configs]
    recipe = runs[0].recipe
    assert recipe is not None
    assert all(run.recipe == recipe for run in runs)
    specs = [
        ModelSpec(
            config.model,
            int(run.model.in_channels),
            int(run.model.num_classes),
            config.model_options(),
        )
        for config, run in zip(configs, runs, strict=True)
    ]
    states = [{k: v.cpu() for k, v in run.model.state_dict().items()} for run in runs]
    arrays = state_dict_to_arrays(states, np.float16)
    args.pretrained_dir.mkdir(parents=True, exist_ok=True)
    weights = args.pretrained_dir / f"{NAME}.npz"
    data = write_npz(weights, arrays)

    # DS2 once, reported (nothing is chosen from it): float32 weights vs float16 weights
    _, test, _ = split_beats(configs[0])
    full = ensemble_probabilities([r.model for r in runs], test, recipe)
    halves = []
    for spec, state in zip(specs, state_dict_from_arrays(arrays, len(specs)), strict=True):
        model = spec.build()
        model.load_state_dict(state)
        halves.append(model)
    half = ensemble_probabilities(halves, test, recipe)
    changed = int((full.argmax(1) != half.argmax(1)).sum())
    metrics = compute_metrics(test.labels, half.argmax(1), test.classes)
    metrics32 = compute_metrics(test.labels, full.argmax(1), test.classes)
    print(f"float16 changes {changed} of {test.labels.size} DS2 decisions")
    print(metrics.table())
    card: dict[str, Any] = {
        "summary": "Heartbeat classifier (AAMI N, S, V, F) for one ECG lead (MLII-like), an "
        f"ensemble of {len(runs)} beat_rr_cnn models (waveform + RR rhythm features).",
        "intended_use": "Research use only, not a medical device: beat-class annotation of "
        "ECG recordings to screen, count and explain ectopic beats; every output needs review "
        "by a qualified person before any clinical use.",
        "training_data": "MIT-BIH Arrhythmia Database (Moody & Mark 2001; Goldberger et al. "
        "2000, PhysioNet), de Chazal DS1 records only (22 records, paced records excluded), "
        "lead MLII at 360 Hz, reference beat annotations mapped to AAMI EC57 classes (Q "
        "unlabelled). Licence of the data: Open Data Commons Attribution License v1.0.",
        "recipe": "python tools/train_pretrained.py --data-dir <mitdb> "
        f"--seeds {' '.join(map(str, args.seeds))} --epochs {recipe_config.train.epochs}",
        "ds2_test": metrics.to_dict(),
        "ds2_test_float32": metrics32.to_dict(),
        "float16_changed_decisions": changed,
        "n_ds2_beats": int(test.labels.size),
        "expects": {
            "leads": list(recipe.leads),
            "fs_hz": recipe.fs,
            "any_rate": "recordings at other rates are resampled to 360 Hz first",
            "units": "mV",
        },
        "known_failure_modes": [
            "Atrial fibrillation and flutter: normal beats in an irregular rhythm are often "
            "called S (supraventricular); S counts inside AF are not trustworthy.",
            "Fusion beats (F) are rarely recognised (DS1 holds almost no F beats outside "
            "one record).",
            "Paced rhythms were excluded from training; Q (unclassifiable) is not predicted.",
            "Leads far from MLII (e.g. V1, aVR) change the waveform the model learnt.",
        ],
        "seconds_to_train": time.perf_counter() - start,
        "torch": torch.__version__,
    }
    stored = {
        "format": PRETRAINED_FORMAT,
        "name": NAME,
        "ecgkit_version": __version__,
        "weights": {
            "file": weights.name,
            "sha256": hashlib.sha256(data).hexdigest(),
            "dtype": "float16",
        },
        "models": [s.to_json() for s in specs],
        "recipe": recipe.to_json(),
        "card": card,
    }
    with atomic_write(args.pretrained_dir / f"{NAME}.json") as handle:
        handle.write((json.dumps(stored, indent=2) + "\n").encode())
    print(f"wrote {weights} ({len(data) / 1e6:.2f} MB) and {NAME}.json")


if __name__ == "__main__":
    main()
