"""Grad-CAM on a trained beat model: faithfulness (deletion curves) and cost.

Trains ``beat_cnn`` on the DS1 beats of the bundled MIT-BIH excerpt, then on a batch of DS2
beats (unseen patients):

* deletion curves: the top k % of samples ranked by each method's map (k = 5 .. 50) are
  deleted (replaced by linear interpolation between the kept samples) and the mean
  probability of the explained class is recorded; a faithful map makes it fall faster than
  a random ranking (lower area).
* cost of one explained batch, as a ratio to one forward + backward pass of the same model
  and batch, and to captum's ``LayerGradCam`` plus its interpolation to the input length,
  all timed in the same run (median of interleaved repeats).

    python benchmarks/bench_explain.py
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import numpy as np
import torch
from _common import environment, write_json

from ecgkit.data import MITBIH, BeatConfig, BeatDataset, build_beats, inter_patient_split
from ecgkit.explain import GradCAM, GradCAMPlusPlus, Saliency, default_layer
from ecgkit.models import create_model
from ecgkit.train import TrainConfig, Trainer

FRACTIONS = (0.05, 0.10, 0.20, 0.30, 0.40, 0.50)


def class_probability(model, x: torch.Tensor, target: torch.Tensor) -> float:
    with torch.no_grad():
        return float(torch.softmax(model(x), dim=1).gather(1, target[:, None]).mean())


def deletion_curve(
    model, x: torch.Tensor, target: torch.Tensor, ranking: np.ndarray
) -> list[float]:
    """Mean target probability after deleting the first k % of each row of ``ranking``.

    Deleted samples are replaced by linear interpolation between the nearest kept samples:
    the information there is gone, but no step or spike is added (zeroing scattered samples
    would add spikes that fool the model, and flatter a random ranking).
    """
    signal = x.numpy()
    length = signal.shape[-1]
    positions = np.arange(length)
    probabilities = []
    for fraction in FRACTIONS:
        k = round(fraction * length)
        masked = signal.copy()
        for row in range(signal.shape[0]):
            gone = np.zeros(length, dtype=bool)
            gone[ranking[row, :k]] = True
            for lead in range(signal.shape[1]):
                kept = signal[row, lead, ~gone]
                masked[row, lead, gone] = np.interp(positions[gone], positions[~gone], kept)
        probabilities.append(class_probability(model, torch.from_numpy(masked), target))
    return probabilities


def timed(function, repeats: int) -> list[float]:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, default=256)
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--epochs", type=int, default=6)
    parser.add_argument(
        "--out", type=Path, default=Path(__file__).parent / "results" / "explain.json"
    )
    args = parser.parse_args()
    from captum.attr import LayerAttribution, LayerGradCam

    split = inter_patient_split()
    beats = build_beats(MITBIH.bundled(), split.train + split.test, BeatConfig(leads=("MLII",)))
    train, test = beats.select_records(split.train), beats.select_records(split.test)
    torch.manual_seed(0)
    model = create_model("beat_cnn")
    Trainer(model, TrainConfig(epochs=args.epochs, lr=2e-3, progress=False)).fit(BeatDataset(train))
    model.eval()

    rng = np.random.default_rng(0)
    per_class = args.batch // 4
    index = np.concatenate([
        rng.choice(pool, min(per_class, pool.size), replace=False)
        for pool in (np.flatnonzero(test.labels == c) for c in range(4))
    ])  # fmt: skip
    x = torch.from_numpy(test.windows[index])
    with torch.no_grad():
        target = model(x).argmax(dim=1)
    print(f"{x.shape[0]} DS2 beats (N, S, V, F), explained class = predicted class")

    curves: dict[str, list[float]] = {}
    for name, method in (
        ("Grad-CAM", GradCAM),
        ("Grad-CAM++", GradCAMPlusPlus),
        ("saliency", Saliency),
    ):
        maps = method(model).attribute(x, target).numpy()
        curves[name] = deletion_curve(model, x, target, np.argsort(-maps, axis=1, kind="stable"))
    random_curves = [
        deletion_curve(model, x, target, np.argsort(rng.random((x.shape[0], x.shape[-1])), axis=1))
        for _ in range(5)
    ]
    curves["random"] = list(np.mean(random_curves, axis=0))
    base = class_probability(model, x, target)
    print(f"\nmean probability of the explained class, before deletion {base:.3f}")
    print(
        f"{'top-k deleted':14}"
        + "".join(f"{int(100 * f):>7d}%" for f in FRACTIONS)
        + f"{'area':>8}"
    )
    areas = {}
    for name, curve in curves.items():
        areas[name] = float(np.mean(curve))
        print(f"{name:14}" + "".join(f"{p:8.3f}" for p in curve) + f"{areas[name]:8.3f}")

    layer = default_layer(model)
    ours = GradCAM(model)
    captum = LayerGradCam(model, layer)

    def forward_backward() -> None:
        model.zero_grad(set_to_none=True)
        model(x).gather(1, target[:, None]).sum().backward()

    def ecgkit_gradcam() -> None:
        ours.attribute(x, target)

    def captum_gradcam() -> None:
        maps = captum.attribute(x, target=target)
        LayerAttribution.interpolate(maps, (x.shape[-1],), interpolate_mode="linear")

    timings: dict[str, list[float]] = {
        "forward+backward": [],
        "ecgkit GradCAM": [],
        "captum LayerGradCam": [],
    }
    for function in (forward_backward, ecgkit_gradcam, captum_gradcam):
        function()  # warm-up
    for _ in range(args.repeats):  # interleaved, so machine noise hits all three
        for name, function in zip(
            timings, (forward_backward, ecgkit_gradcam, captum_gradcam), strict=True
        ):
            timings[name].extend(timed(function, 1))
    medians = {name: statistics.median(t) for name, t in timings.items()}
    threads = torch.get_num_threads()
    print(
        f"\ncost of one batch of {x.shape[0]} beats (median of {args.repeats}, {threads} threads)"
    )
    for name, seconds in medians.items():
        print(
            f"{name:22} {1000 * seconds:8.2f} ms   x{seconds / medians['forward+backward']:.2f} "
            f"forward+backward   x{seconds / medians['captum LayerGradCam']:.2f} captum"
        )
    write_json(
        args.out,
        {
            "environment": {**environment(), "torch": torch.__version__},
            "beats": int(x.shape[0]),
            "fractions": list(FRACTIONS),
            "probability_before": base,
            "deletion_curves": curves,
            "deletion_area": areas,
            "timings_s": timings,
            "median_s": medians,
            "ratio_to_forward_backward": medians["ecgkit GradCAM"] / medians["forward+backward"],
            "ratio_to_captum": medians["ecgkit GradCAM"] / medians["captum LayerGradCam"],
        },
    )
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
