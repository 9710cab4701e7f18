"""Run under torchrun: train TinyNet with the Trainer and save rank 0's final weights."""

import os
import sys
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).parent))
from helpers import TinyNet, separable_dataset

from ecgkit.train import TrainConfig, Trainer


def train(run_dir):
    torch.manual_seed(0)
    trainer = Trainer(
        TinyNet(), TrainConfig(epochs=3, batch_size=32, lr=1e-2, progress=False), run_dir=run_dir
    )
    trainer.fit(separable_dataset(), separable_dataset(seed=1))
    return trainer


if __name__ == "__main__":
    torch.set_num_threads(1)
    trainer = train(sys.argv[1])
    if trainer.is_main:
        torch.save(trainer.model.state_dict(), Path(sys.argv[1]) / "weights.pt")
    # both ranks leave together: a rank that tears gloo down while its peer is still
    # inside a collective aborts the peer ("terminate called without an active exception")
    torch.distributed.barrier()
    torch.distributed.destroy_process_group()
    # the run is complete and on disk; leave without the interpreter's finalisation, where
    # gloo's worker threads can still be torn down and abort the process (SIGABRT,
    # "terminate called without an active exception", seen once in about ten CI runs)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)
