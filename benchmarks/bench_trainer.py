"""The Trainer's time per epoch against a plain PyTorch loop: same model, data and seed.

Both train ``beat_cnn`` on the DS1 beats of the bundled MIT-BIH excerpt with AdamW, cosine
decay per batch, class-weighted cross-entropy and gradient clipping. The plain loop is the
textbook one (TensorDataset + DataLoader with shuffling); the Trainer adds checkpoints,
history files, RNG capture and its batching. Epochs alternate between the two so that
machine noise hits both; the median epoch time of each is compared. Prints a table and
writes JSON.

    python benchmarks/bench_trainer.py
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import torch
from _common import environment, write_json
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from ecgkit.data import MITBIH, BeatConfig, BeatDataset, build_beats, inter_patient_split
from ecgkit.models import create_model
from ecgkit.train import TrainConfig, Trainer

EPOCHS = 3


def plain_epoch(model, loader, optimizer, scheduler, criterion) -> None:
    model.train()
    for x, y in loader:
        optimizer.zero_grad(set_to_none=True)
        loss = criterion(model(x), y)
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        scheduler.step()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=EPOCHS, help="timed epochs of each")
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument(
        "--out", type=Path, default=Path(__file__).parent / "results" / "trainer.json"
    )
    args = parser.parse_args()
    split = inter_patient_split()
    beats = build_beats(MITBIH.bundled(), split.train, BeatConfig(leads=("MLII",)))
    data = BeatDataset(beats)
    config = TrainConfig(epochs=1, batch_size=args.batch_size, lr=2e-3, progress=False)

    torch.manual_seed(0)
    plain_model = create_model("beat_cnn")
    weights = torch.ones(5)
    counts = torch.bincount(torch.from_numpy(data.labels), minlength=5).float()
    weights[counts > 0] = len(data) / ((counts > 0).sum() * counts[counts > 0])
    generator = torch.Generator().manual_seed(0)
    loader = DataLoader(
        TensorDataset(torch.from_numpy(data.signals), torch.from_numpy(data.labels)),
        batch_size=args.batch_size, shuffle=True, generator=generator,
    )  # fmt: skip
    optimizer = torch.optim.AdamW(plain_model.parameters(), lr=2e-3, weight_decay=1e-4)
    scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=10_000)
    criterion = nn.CrossEntropyLoss(weight=weights)

    plain_times, trainer_times = [], []
    with tempfile.TemporaryDirectory() as run_dir:
        for round_ in range(args.rounds + 1):  # round 0 warms both up
            start = time.perf_counter()
            plain_epoch(plain_model, loader, optimizer, scheduler, criterion)
            plain = time.perf_counter() - start
            torch.manual_seed(0)
            trainer = Trainer(create_model("beat_cnn"), config, run_dir=Path(run_dir) / str(round_))
            start = time.perf_counter()
            trainer.fit(data)
            ours = time.perf_counter() - start
            if round_:
                plain_times.append(plain)
                trainer_times.append(ours)
    plain_s, ours_s = statistics.median(plain_times), statistics.median(trainer_times)
    ratio = ours_s / plain_s
    print(
        f"{len(data)} beats, batch {args.batch_size}, beat_cnn, {torch.get_num_threads()} threads"
    )
    print(f"{'loop':14} {'s/epoch (median)':>17} {'all epochs':>30}")
    print(f"{'plain PyTorch':14} {plain_s:17.3f} {[round(t, 3) for t in plain_times]!s:>30}")
    print(f"{'ecgkit Trainer':14} {ours_s:17.3f} {[round(t, 3) for t in trainer_times]!s:>30}")
    print(f"ratio Trainer / plain: {ratio:.3f} (target <= 1.05)")
    write_json(
        args.out,
        {
            "environment": {
                **environment(),
                "torch": torch.__version__,
                "threads": torch.get_num_threads(),
            },
            "beats": len(data),
            "batch_size": args.batch_size,
            "plain_s": plain_times,
            "trainer_s": trainer_times,
            "ratio": ratio,
        },
    )
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
