"""Explain a trained beat classifier with Grad-CAM and draw ECG strips on standard paper.
======================================================================================

python examples/04_explain_and_plot.py [--quick] [--out figures]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import torch

from ecgkit.data import (
    BEAT_SYMBOLS,
    MITBIH,
    BeatConfig,
    BeatDataset,
    build_beats,
    inter_patient_split,
    load_example,
)
from ecgkit.explain import GradCAM, GradCAMPlusPlus
from ecgkit.models import create_model
from ecgkit.plot import plot_attribution, plot_ecg
from ecgkit.train import TrainConfig, Trainer


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n", 1)[0])
    parser.add_argument("--quick", action="store_true", help="train 2 epochs on 6 records")
    parser.add_argument("--out", type=Path, default=Path("figures"))
    args = parser.parse_args()

    record, annotations = load_example("208")
    peaks = annotations.select(BEAT_SYMBOLS).sample
    strip = slice(0, 3600)
    plot_ecg(
        record.leads_first[:, strip], record.fs, r_peaks=peaks[peaks < 3600],
        lead_names=record.lead_names, title="MIT-BIH 208, first 10 s", path=args.out / "strip.png",
    )  # fmt: skip

    # the paced records (102, 104, 107, 217) have no MLII lead and no place in AAMI classes
    split = inter_patient_split()
    records = ["106", "119", "208", "209", "223", "233"] if args.quick else split.train + split.test
    beats = build_beats(MITBIH.bundled(), records, BeatConfig(leads=("MLII",)))
    torch.manual_seed(0)
    model = create_model("beat_cnn", num_classes=5)
    Trainer(model, TrainConfig(epochs=2 if args.quick else 4, lr=2e-3, progress=False)).fit(
        BeatDataset(beats)
    )

    rng = np.random.default_rng(0)
    present = [c for c in range(len(beats.classes)) if (beats.labels == c).sum() >= 2]
    picks = np.concatenate(
        [rng.choice(np.flatnonzero(beats.labels == c), 2, replace=False) for c in present]
    )
    chosen = beats.subset(picks)
    titles = [
        f"record {r}, {beats.classes[y]}" for r, y in zip(chosen.record, chosen.labels, strict=True)
    ]
    for name, method in (("gradcam", GradCAM), ("gradcam_pp", GradCAMPlusPlus)):
        maps = method(model).attribute(chosen.windows, chosen.labels)
        plot_attribution(
            chosen.windows,
            maps,
            chosen.fs,
            r_index=chosen.r_index,
            titles=titles,
            path=args.out / f"{name}.png",
        )
        print(f"{name}: maps {maps.shape}, wrote {args.out / (name + '.png')}")
    print(f"wrote {args.out / 'strip.png'}")


if __name__ == "__main__":
    main()
